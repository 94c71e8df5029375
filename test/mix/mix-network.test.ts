import { describe, expect, it } from 'vitest';
import {
  checkMixNetworkParameters,
  destinationLaws,
  parseTorConsensus,
  randomMixTopology,
  scoreNetworkLinks,
  simulateMixNetwork,
  torTopology,
  traceMixNetwork,
  type MixNetworkSimulation,
  type NetworkEvidence,
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
    // The path length waits for a topology file's number of mixes; the rest is checked at once.
    expect(() => checkMixNetworkParameters({ pathLength: 60 })).toThrow(/--path-length must be an integer in 2\.\.50/);
    expect(() => checkMixNetworkParameters({ pathLength: 60 }, {}, { topologyToCome: true })).not.toThrow();
    expect(() => checkMixNetworkParameters({ pathLength: 60, packets: 0 }, {}, { topologyToCome: true })).toThrow(/--packets/);
  });
});

/** The same five relays as CONSENSUS, in the microdescriptor flavour: no digest on `r`, an `m` line instead. */
const MICRODESC = CONSENSUS.replace('network-status-version 3', 'network-status-version 3 microdesc').replace(
  /^r (\S+) (\S+) (\S+) (.*)$/gm,
  (_line, nickname, identity, digest, rest) => `r ${nickname} ${identity} ${rest}\nm ${digest}`,
);

describe('Tor consensus topologies', () => {
  it('parses r, s and w lines; keeps Running, Valid relays, weighted by bandwidth', () => {
    const consensus = parseTorConsensus(CONSENSUS, 'c.txt');
    const { relays } = consensus;
    expect(consensus.form).toBe('full');
    expect(relays).toHaveLength(6);
    expect(relays[0]).toMatchObject({ nickname: 'alpha', identity: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA', digest: 'BBBBBBBBBBBBBBBBBBBBBBBBBBB', bandwidth: 4000 });
    expect(relays[2].flags).toEqual(['Fast', 'Running', 'Valid']);
    const topology = torTopology(consensus, 50, 'c.txt');
    const { csr } = topology;
    expect(csr.nodeKeys).toEqual(['alpha', 'beta', 'gamma~EEEEEEEE', 'gamma~GGGGGGGG']);
    expect(csr.colIdx.length).toBe(12); // complete directed graph on 4 relays
    // Links into a relay carry its bandwidth.
    for (let e = 0; e < csr.colIdx.length; e++) expect(csr.weights![e]).toBe([4000, 2000, 1000, 1000][csr.colIdx[e]]);
    expect(Array.from(topology.entryWeights!)).toEqual([4000, 2000, 1000, 1000]);
    expect(torTopology(consensus, 2).csr.n).toBe(2);
    expect(() => torTopology(consensus, 0)).toThrow(/--max-relays must be an integer >= 2, got 0/);
  });

  it('the microdescriptor flavour: r lines without the digest, m lines; the same relays and topology', () => {
    expect(MICRODESC).toMatch(/^r alpha AAAAAAAAAAAAAAAAAAAAAAAAAAA 2024-01-01 00:00:00 10\.0\.0\.1 9001 0\nm BBBBBBBBBBBBBBBBBBBBBBBBBBB$/m);
    const micro = parseTorConsensus(MICRODESC, 'm.txt');
    const full = parseTorConsensus(CONSENSUS, 'c.txt');
    expect(micro.form).toBe('microdesc');
    expect(micro.relays).toEqual(full.relays); // the m line's digest stands where the r line's was
    const topology = torTopology(micro, 50, 'm.txt');
    expect(topology.source).toMatch(/^tor microdesc consensus m\.txt: 4 of 6 relays/);
    expect(Array.from(topology.csr.weights!)).toEqual(Array.from(torTopology(full).csr.weights!));
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

  it('refuses documents that are not v3 consensuses, and malformed r lines, with file and line', () => {
    expect(() => parseTorConsensus('hello\n', 'x')).toThrow(FormatError);
    expect(() => parseTorConsensus('hello\n', 'x')).toThrow(/x:1: not a Tor consensus/);
    expect(() => parseTorConsensus('network-status-version 2\n', 'x')).toThrow(/v3/);
    expect(() => parseTorConsensus('network-status-version 3 bridge\n', 'x')).toThrow(/x:1: unknown consensus flavour "bridge"/);
    expect(() => parseTorConsensus('network-status-version 3\nr a b\n', 'x')).toThrow(/x:2: an "r" line of a full consensus has 8 fields/);
    // A microdesc r line under a full header (and the reverse) says which layout it has.
    const microLine = MICRODESC.split('\n').find((l) => l.startsWith('r alpha'))!;
    const fullLine = CONSENSUS.split('\n').find((l) => l.startsWith('r alpha'))!;
    expect(() => parseTorConsensus(`network-status-version 3\n${microLine}\n`, 'x')).toThrow(/x:2: .* got 7; that is the microdesc flavour's layout/);
    expect(() => parseTorConsensus(`network-status-version 3 microdesc\n\n${fullLine}\n`, 'x')).toThrow(/x:3: an "r" line of a microdesc consensus has 7 fields .* got 8; that is the full flavour's layout/);
    const bad = (from: string, to: string) => () => parseTorConsensus(CONSENSUS.replace(from, to), 'x');
    expect(bad('10.0.0.2', '10.0.0.256')).toThrow(/x:7: the "r" line's IP \(field 6\) is malformed: "10\.0\.0\.256"/);
    expect(bad('10.0.0.2 9001', '10.0.0.2 99999')).toThrow(/x:7: the "r" line's ORPort/);
    expect(bad('2024-01-01 00:00:00 10.0.0.3', '2024-01-01 0:00 10.0.0.3')).toThrow(/x:10: the "r" line's published-time/);
    expect(bad('Bandwidth=4000', 'Bandwidth=lots')).toThrow(/x:6: Bandwidth must be an integer/);
    expect(bad('Bandwidth=4000', 'Bandwidth=4294967296')).toThrow(/x:6: Bandwidth must be an integer in 0\.\.4294967295/);
    expect(bad('Bandwidth=4000', `Bandwidth=${'9'.repeat(100_000)}`)).toThrow(/got "9{40}…"$/);
    expect(() => parseTorConsensus(MICRODESC.replace('m BBBBBBBBBBBBBBBBBBBBBBBBBBB', 'm B C'), 'x')).toThrow(/x:5: an "m" line holds one/);
    expect(() => parseTorConsensus('network-status-version 3\n', 'x')).toThrow(/no relays/);
    const consensus = parseTorConsensus(CONSENSUS, 'x');
    expect(() => torTopology({ ...consensus, relays: consensus.relays.slice(4) }, 50, 'x')).toThrow(/at least 2/);
  });
});

// ---------------------------------------------------------------------------------------
// Tempered posteriors and their calibration.

/**
 * The destination law after `steps` steps by enumerating every path of distinct mixes from
 * the entry (the simulator's routing law) with independent links' evidence, without the
 * forward recursion: a path weighs Π_h P(l_h) / Σ P(links from the same mix to a mix not yet
 * on the path) times Π_h e^{s_h(l_h)/T}, 0 where the evidence has no score.
 */
function enumeratedLaw(sim: MixNetworkSimulation, evidence: NetworkEvidence, b: number, steps: number, temperature: number): Float64Array {
  const { csr } = sim.topology;
  const B = evidence.targets.length;
  const score = evidence.steps.map((step) => {
    const map = new Map<number, number>();
    step.pairLink.forEach((link, p) => map.set(link * B + step.pairSignal[p], step.scores[p]));
    return map;
  });
  const logWeights: [number, number][] = []; // (destination, log weight)
  const extend = (path: number[], h: number, logWeight: number) => {
    const v = path[path.length - 1];
    const next: number[] = [];
    for (let e = csr.rowPtr[v]; e < csr.rowPtr[v + 1]; e++) if (!path.includes(csr.colIdx[e]) && sim.linkPrior[e] > 0) next.push(e);
    const Z = next.reduce((sum, e) => sum + sim.linkPrior[e], 0);
    for (const e of next) {
      const s = score[h - 1].get(e * B + b);
      if (s === undefined) continue;
      const total = logWeight + Math.log(sim.linkPrior[e] / Z) + s / temperature;
      if (h === steps) logWeights.push([csr.colIdx[e], total]);
      else extend([...path, csr.colIdx[e]], h + 1, total);
    }
  };
  extend([sim.streams[evidence.targets[b]].entry], 1, 0);
  const top = Math.max(...logWeights.map(([, w]) => w));
  const law = new Float64Array(csr.n);
  for (const [v, w] of logWeights) law[v] += Math.exp(w - top);
  const sum = law.reduce((a, x) => a + x, 0);
  return law.map((x) => x / sum);
}

/** A complete directed graph on `n` relays with the given bandwidths (Tor's routing: links weighted by the next relay). */
function completeTopology(bandwidths: number[]) {
  const builder = new CsrBuilder(true);
  builder.enableWeights();
  bandwidths.forEach((_, i) => builder.integerNode(i));
  bandwidths.forEach((_, i) => bandwidths.forEach((w, j) => i !== j && builder.addEdge(i, j, w)));
  return { csr: builder.build().csr, entryWeights: Float64Array.from(bandwidths), source: `complete on ${bandwidths.length}` };
}

describe('mix network: tempered posteriors', () => {
  const topology = completeTopology([5, 3, 2, 2, 1]);
  const sim = simulateMixNetwork({ topology, streams: 30, pathLength: 4, packets: 8, duration: 300, delay: expDelay(0.05), seed: 11 });

  it('the forward recursion at temperatures 1, 2.5 and ∞ equals the enumeration of paths of distinct mixes, at every step', async () => {
    const evidence = await scoreNetworkLinks(sim, { targets: 6 });
    const n = topology.csr.n;
    for (const temperature of [1, 2.5, Infinity]) {
      const laws = destinationLaws(sim, evidence.targets, evidence.steps, temperature);
      expect(laws).toHaveLength(3);
      for (let step = 1; step <= 3; step++) {
        for (let b = 0; b < 6; b++) {
          const expected = enumeratedLaw(sim, evidence, b, step, temperature);
          const got = laws[step - 1].subarray(b * n, (b + 1) * n);
          for (let v = 0; v < n; v++) expect(got[v]).toBeCloseTo(expected[v], 12);
        }
      }
    }
  });

  it('temperature 1 is the default (links independent): the same ranks, entropies and calibration', async () => {
    const plain = await traceMixNetwork(sim, { targets: 6 });
    const one = await traceMixNetwork(sim, { targets: 6, temperature: 1 });
    expect(one).toEqual(plain);
    expect(plain.temperature).toBe(1);
    expect(plain.untempered).toBeUndefined();
    const evidence = await scoreNetworkLinks(sim, { targets: 6 });
    plain.perStream!.forEach((row, b) => {
      const law = enumeratedLaw(sim, evidence, b, 3, 1);
      const entropy = -law.reduce((h, p) => (p > 0 ? h + p * Math.log2(p) : h), 0);
      expect(row.entropy).toBeCloseTo(entropy, 10);
      expect(row.truthProbability).toBeCloseTo(law[sim.streams[row.stream].path[3]], 12);
      expect(row.confidence).toBeCloseTo(Math.max(...law), 12);
    });
    const logLoss = plain.perStream!.reduce((sum, row) => sum - Math.log2(row.truthProbability), 0) / 6;
    expect(plain.calibration.logLoss).toBeCloseTo(logLoss, 10);
  });

  it('T → ∞ leaves the routing law: on uniform routing, log2 of the candidates', async () => {
    const builder = new CsrBuilder(true);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) if (i !== j) builder.addEdge(builder.integerNode(i), builder.integerNode(j));
    const uniform = simulateMixNetwork({ topology: { csr: builder.build().csr, source: 'K5' }, streams: 12, pathLength: 3, packets: 10, duration: 200, seed: 4 });
    // Steps 1 and 2: the 4 other mixes (step 2 never goes straight back to the entry).
    for (const temperature of [Infinity, 1e12]) {
      const r = await traceMixNetwork(uniform, { temperature });
      expect(r.byStep[0].meanEntropy).toBeCloseTo(Math.log2(4), 9);
      expect(r.byStep[1].meanEntropy).toBeCloseTo(Math.log2(4), 9);
      expect(r.calibration.meanConfidence).toBeCloseTo(1 / 4, 9);
    }
  });

  it('--temperature auto: a better log-loss than links taken as independent, and a minimum of it', async () => {
    // Tor-like: bandwidth-weighted complete graph, few packets, long delays, so that links' evidence is weak and shared.
    const tor = simulateMixNetwork({
      topology: completeTopology([40, 25, 20, 12, 9, 7, 5, 4, 3, 2]),
      streams: 60, pathLength: 4, packets: 12, duration: 5000, delay: expDelay(0.002), seed: 3,
    });
    const auto = await traceMixNetwork(tor, { temperature: 'auto' });
    expect(auto.temperatureFit).toBe('auto');
    expect(auto.temperature).toBeGreaterThan(1);
    expect(auto.calibration.logLoss).toBeLessThan(auto.untempered!.calibration.logLoss);
    expect(auto.untempered!.calibration.consistent).toBe(false); // independent links: overconfident
    expect(auto.untempered!.calibration.confidenceGap.mean).toBeGreaterThan(0);
    for (const factor of [0.5, 2]) {
      const other = await traceMixNetwork(tor, { temperature: auto.temperature * factor });
      expect(other.calibration.logLoss).toBeGreaterThanOrEqual(auto.calibration.logLoss - 1e-9);
    }
    expect(auto.notes.join('\n')).toMatch(/ground truth/);
  });

  it('refuses a temperature that is not positive', async () => {
    for (const temperature of [0, -1, NaN]) {
      await expect(traceMixNetwork(sim, { temperature })).rejects.toThrow(/--temperature must be a positive number or auto/);
    }
  });
});
