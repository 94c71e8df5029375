import { describe, expect, it } from 'vitest';
import {
  parseTorConsensus,
  randomMixTopology,
  simulateMixNetwork,
  torTopology,
  traceMixNetwork,
} from '../../src/analyses/mix-network.js';
import { FormatError, ParameterError } from '../../src/errors.js';
import { CsrBuilder } from '../../src/graph/csr-builder.js';
import { expDelay } from '../../src/mix/delays.js';
import { Pcg32 } from '../../src/random.js';

/** A tiny v3 consensus: five relays, one not Running, one without Valid, two sharing a nickname. */
const CONSENSUS = `network-status-version 3
vote-status consensus
valid-after 2024-01-01 00:00:00
r alpha AAAAAAAAAAAAAAAAAAAAAAAAAAA BBBBBBBBBBBBBBBBBBBBBBBBBBB 2024-01-01 00:00:00 10.0.0.1 9001 0
s Fast Guard Running Stable Valid
w Bandwidth=4000
r beta CCCCCCCCCCCCCCCCCCCCCCCCCCC DDDDDDDDDDDDDDDDDDDDDDDDDDD 2024-01-01 00:00:00 10.0.0.2 9001 0
s Exit Fast Running Valid
w Bandwidth=2000
r gamma EEEEEEEEEEEEEEEEEEEEEEEEEEE FFFFFFFFFFFFFFFFFFFFFFFFFFF 2024-01-01 00:00:00 10.0.0.3 443 0
s Fast Running Valid
w Bandwidth=1000 Measured=900
r gamma GGGGGGGGGGGGGGGGGGGGGGGGGGG HHHHHHHHHHHHHHHHHHHHHHHHHHH 2024-01-01 00:00:00 10.0.0.4 443 0
s Fast Running Valid
w Bandwidth=1000
r down IIIIIIIIIIIIIIIIIIIIIIIIIII JJJJJJJJJJJJJJJJJJJJJJJJJJJ 2024-01-01 00:00:00 10.0.0.5 443 0
s Fast Valid
w Bandwidth=9000
r invalid KKKKKKKKKKKKKKKKKKKKKKKKKKK LLLLLLLLLLLLLLLLLLLLLLLLLLL 2024-01-01 00:00:00 10.0.0.6 443 0
s Fast Running
w Bandwidth=9000
directory-footer
`;

describe('mix network: Danezis §3.4 defaults', () => {
  const sim = simulateMixNetwork({ seed: 1 });

  it('simulates 50 mixes × 10 links, 500 streams on 4 distinct mixes, 400 packets each', () => {
    const { csr } = sim.topology;
    expect(csr.n).toBe(50);
    expect(csr.colIdx.length).toBe(500);
    for (let i = 0; i < csr.n; i++) expect(csr.rowPtr[i + 1] - csr.rowPtr[i]).toBe(10);
    expect(sim.streams).toHaveLength(500);
    for (const s of sim.streams) {
      expect(s.path).toHaveLength(4);
      expect(new Set(s.path).size).toBe(4);
      expect(s.input).toHaveLength(400);
      for (let h = 0; h + 1 < 4; h++) {
        const row = Array.from(csr.colIdx.subarray(csr.rowPtr[s.path[h]], csr.rowPtr[s.path[h] + 1]));
        expect(row).toContain(s.path[h + 1]);
      }
    }
    expect(sim.linkPackets.length + sim.dropped).toBe(500 * 400 * 3);
    expect(sim.shortPaths).toBe(0);
  });

  it('the attack does far better than chance (25 sampled streams)', async () => {
    const r = await traceMixNetwork(sim, { targets: 25 });
    expect(r).toMatchObject({ streams: 25, totalStreams: 500, mixes: 50, links: 500, pathLength: 4, packets: 400, duration: 10_000 });
    expect(r.meanDelay).toBe(10);
    expect(r.perStream).toHaveLength(25);
    expect(r.byStep).toHaveLength(3);
    // Chance: 1/49 for top 1, mean rank 25. A correct attack on this setting finds nearly
    // every destination (measured: all 25); the thresholds leave a wide margin.
    expect(r.top1).toBeGreaterThan(0.8);
    expect(r.top3).toBeGreaterThan(0.9);
    expect(r.meanRank).toBeLessThan(2);
    expect(r.top1).toBeGreaterThan(10 * r.chance.top1);
    // Timing evidence concentrates the destination distribution far below the routing law alone.
    expect(r.meanEntropy).toBeLessThan(r.prior[2].meanEntropy - 3);
    expect(r.prior[2].meanRank).toBeGreaterThan(10);
    // Step 1 from the entry, routing alone: uniform over 10 links.
    expect(r.prior[0].meanEntropy).toBeCloseTo(Math.log2(10), 12);
    for (const s of r.perStream!) {
      expect(s.path).toHaveLength(4);
      expect(s.destination).toBe(s.path[3]);
      expect(s.rank).toBe(s.ranks[2]);
    }
  });

  it('is seeded and reproducible', async () => {
    const a = await traceMixNetwork(simulateMixNetwork({ seed: 3, streams: 40, packets: 20, duration: 2000 }), { targets: 10 });
    const b = await traceMixNetwork(simulateMixNetwork({ seed: 3, streams: 40, packets: 20, duration: 2000 }), { targets: 10 });
    const c = await traceMixNetwork(simulateMixNetwork({ seed: 4, streams: 40, packets: 20, duration: 2000 }), { targets: 10 });
    expect(b.perStream).toEqual(a.perStream);
    expect(c.perStream).not.toEqual(a.perStream);
  });
});

describe('mix network: the walk on small topologies', () => {
  it('routing law only, complete graph on 4 mixes: uniform over the 3 others at steps 1 and 2 (no step back)', async () => {
    const builder = new CsrBuilder(true);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (i !== j) builder.addEdge(builder.integerNode(i), builder.integerNode(j));
    const sim = simulateMixNetwork({ topology: { csr: builder.build().csr, source: 'K4' }, streams: 6, pathLength: 3, packets: 5, duration: 100, seed: 2 });
    const r = await traceMixNetwork(sim);
    for (const step of r.prior) {
      expect(step.meanEntropy).toBeCloseTo(Math.log2(3), 12);
      expect(step.meanRank).toBeCloseTo(2, 12); // three-way tie: rank 1 + 2/2
    }
    expect(r.chance.top1).toBeCloseTo(1 / 3, 12);
  });

  it('random topologies: each mix links to K distinct others', () => {
    const { csr } = randomMixTopology(8, 7, new Pcg32(1));
    expect(csr.colIdx.length).toBe(56);
    expect(() => randomMixTopology(5, 5, new Pcg32(1))).toThrow(ParameterError);
    expect(() => simulateMixNetwork({ pathLength: 51 })).toThrow(/path-length/);
    expect(() => simulateMixNetwork({ streams: 0 })).toThrow(/streams/);
  });
});

describe('Tor consensus topologies', () => {
  it('parses r, s and w lines; keeps Running, Valid relays, weighted by bandwidth', () => {
    const relays = parseTorConsensus(CONSENSUS, 'c.txt');
    expect(relays).toHaveLength(6);
    expect(relays[0]).toMatchObject({ nickname: 'alpha', identity: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA', bandwidth: 4000 });
    expect(relays[2].flags).toEqual(['Fast', 'Running', 'Valid']);
    const topology = torTopology(relays, 50, 'c.txt');
    const { csr } = topology;
    expect(csr.nodeKeys).toEqual(['alpha', 'beta', 'gamma~EEEEEEEE', 'gamma~GGGGGGGG']);
    expect(csr.colIdx.length).toBe(12); // complete directed graph on 4 relays
    // Links into a relay carry its bandwidth.
    for (let e = 0; e < csr.colIdx.length; e++) expect(csr.weights![e]).toBe([4000, 2000, 1000, 1000][csr.colIdx[e]]);
    expect(Array.from(topology.entryWeights!)).toEqual([4000, 2000, 1000, 1000]);
    expect(torTopology(relays, 2).csr.n).toBe(2);
  });

  it('the simulator routes by bandwidth and the attack runs on the relays', async () => {
    const topology = torTopology(parseTorConsensus(CONSENSUS, 'c.txt'));
    const sim = simulateMixNetwork({ topology, streams: 400, pathLength: 3, packets: 30, duration: 1000, delay: expDelay(0.1), seed: 5 });
    // Entry weights 4:2:1:1 — alpha enters about half of the streams (±4 s.e.: false-alarm rate about 6e-5).
    const alpha = sim.streams.filter((s) => s.entry === 0).length / 400;
    expect(Math.abs(alpha - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / 400));
    const r = await traceMixNetwork(sim, { targets: 20 });
    expect(r.mixes).toBe(4);
    expect(r.meanRank).toBeLessThan(r.prior[1].meanRank);
  });

  it('refuses documents that are not v3 consensuses', () => {
    expect(() => parseTorConsensus('hello\n', 'x')).toThrow(FormatError);
    expect(() => parseTorConsensus('network-status-version 2\n', 'x')).toThrow(/v3/);
    expect(() => parseTorConsensus('network-status-version 3\nr a b\n', 'x')).toThrow(/x:2: an "r" line has 8 fields/);
    expect(() => parseTorConsensus(CONSENSUS.replace('Bandwidth=4000', 'Bandwidth=lots'), 'x')).toThrow(/x:6: Bandwidth must be/);
    expect(() => parseTorConsensus('network-status-version 3\n', 'x')).toThrow(/no relays/);
    expect(() => torTopology(parseTorConsensus(CONSENSUS, 'x').slice(4), 50, 'x')).toThrow(/at least 2/);
  });
});
