import { describe, expect, it } from 'vitest';
import { adversaryEntropy, adversaryShard, mergeAdversaryShards, type AdversaryOptions } from '../../src/analyses/adversary.js';
import { adversaryShardFile, adversaryShardsOfFile } from '../../src/analyses/adversary-shards.js';
import { readShardFile, shardFileBinary, shardFileJson, type ShardFile } from '../../src/analyses/shard-file.js';
import { mergeSingleMixShards, singleMix, singleMixShard, type SingleMixOptions } from '../../src/analyses/single-mix.js';
import { singleMixShardFile, singleMixShardOfFile } from '../../src/analyses/single-mix-shards.js';
import { mergeTraceSimulationShards, traceSimulation, traceSimulationShard, type TraceSimulationOptions } from '../../src/analyses/stream-trace.js';
import { traceShardFile, traceShardOfFile } from '../../src/analyses/stream-trace-shards.js';
import { mergeMixNetworkShards, simulateMixNetwork, traceMixNetwork, traceMixNetworkShard, type MixNetworkAttackOptions, type MixNetworkSimulation } from '../../src/analyses/mix-network.js';
import { networkShardFile, networkShardOfFile } from '../../src/analyses/mix-network-shards.js';
import { mergeMixingTimeShards, mixingTime, mixingTimeShard, type MixingTimeOptions } from '../../src/analyses/mixing-time.js';
import { mixingShardFile, mixingShardOfFile } from '../../src/analyses/mixing-time-shards.js';
import type { Csr } from '../../src/graph/csr.js';
import { mergeTraceRocShards, traceRoc, traceRocShard, type RocStreams, type TraceRocOptions } from '../../src/analyses/trace-roc.js';
import { traceRocShardFile, traceRocShardOfFile } from '../../src/analyses/trace-roc-shards.js';
import { Pcg32 } from '../../src/random.js';
import { FormatError } from '../../src/errors.js';
import { expDelay } from '../../src/mix/delays.js';
import { csrFromEdges, randomGraph } from '../helpers/graphs.js';

const GRAPH = randomGraph(120, 400, 3);
const ADVERSARY: AdversaryOptions = { attackEdges: [0, 4], hops: 5, walkers: 2001, posteriorSamples: 40, twoHop: [1, 3], seed: 7 };
const MIX: SingleMixOptions = { rate: 15, delay: expDelay(1), trials: 301, seed: 3 };

const adversaryShards = (N: number, options: AdversaryOptions = ADVERSARY) =>
  Promise.all(Array.from({ length: N }, (_, index) => adversaryShard(GRAPH, { ...options, shard: { index, count: N } })));

describe('adversary shards', () => {
  it('merged in any order, through JSON and binary files, are the unsharded result exactly (the same walkers, counts and samples)', async () => {
    const whole = await adversaryEntropy(GRAPH, ADVERSARY);
    for (const N of [1, 3, 7]) {
      const shards = await adversaryShards(N);
      expect(mergeAdversaryShards([...shards].reverse())).toEqual(whole);
      const viaFiles = shards.map((s, k) => {
        const file = adversaryShardFile([s]);
        const bytes = k % 2 ? shardFileBinary(file) : new TextEncoder().encode(shardFileJson(file));
        return adversaryShardsOfFile(readShardFile(bytes, `s${k}`), `s${k}`)[0];
      });
      expect(mergeAdversaryShards(viaFiles)).toEqual(whole);
    }
    // The sampled posteriors are the first walkers': with 40 samples and 2001 walkers, later shards add counts only.
    expect(whole.rows[1].pM.some((p) => p > 0)).toBe(true);
  });

  it('refuses a shard missing, repeated, of another seed or of another graph, naming the shard and the field', async () => {
    const three = await adversaryShards(3);
    const names = ['a.json', 'b.json', 'c.json'];
    expect(() => mergeAdversaryShards(three.slice(0, 2), names)).toThrow(/shard 2 of 3 missing/);
    expect(() => mergeAdversaryShards([three[0], three[1], three[1]], names)).toThrow(/shard 1 of 3 is given twice: b\.json and c\.json/);
    const seed = await adversaryShard(GRAPH, { ...ADVERSARY, seed: 8, shard: { index: 2, count: 3 } });
    expect(() => mergeAdversaryShards([three[0], three[1], seed], names)).toThrow(/c\.json is a shard of another job than a\.json; they differ in seed \(7 in a\.json, 8 in c\.json\)/);
    const graph = await adversaryShard(randomGraph(120, 400, 4), { ...ADVERSARY, shard: { index: 2, count: 3 } });
    expect(() => mergeAdversaryShards([three[0], three[1], graph], names)).toThrow(/differ in graph\.(edges|checksum)/);
  });

  it('a checkpoint hands back finished rows: those are not recomputed, and the result is the same', async () => {
    const whole = await adversaryEntropy(GRAPH, ADVERSARY);
    const written = new Map<number, Parameters<NonNullable<AdversaryOptions['checkpoint']>['onRow']>[1]>();
    await adversaryEntropy(GRAPH, { ...ADVERSARY, checkpoint: { onRow: (r, tally) => void written.set(r, tally) } });
    expect([...written.keys()]).toEqual([0, 1]);
    const computed: number[] = [];
    const resumed = await adversaryEntropy(GRAPH, { ...ADVERSARY, checkpoint: { start: () => new Map([[0, written.get(0)!]]), onRow: (r) => void computed.push(r) } });
    expect(computed).toEqual([1]);
    expect(resumed).toEqual(whole);
  });
});

describe('single-mix shards', () => {
  it('merged are the unsharded result exactly, every trial the one of the whole stream', async () => {
    const whole = await singleMix({ ...MIX, keepTrials: true });
    for (const N of [1, 2, 5]) {
      const shards = await Promise.all(Array.from({ length: N }, (_, index) => singleMixShard({ ...MIX, shard: { index, count: N } })));
      const viaFiles = shards.map((s, k) => singleMixShardOfFile(readShardFile(shardFileBinary(singleMixShardFile(s)), `s${k}`), `s${k}`));
      expect(mergeSingleMixShards(viaFiles.reverse(), true)).toEqual(whole);
    }
    // The summary is of the very trials: its mean is the float64 mean of the kept entropies.
    const mean = whole.perTrial!.reduce((a, b) => a + b, 0) / whole.perTrial!.length;
    expect(Math.abs(whole.simulated.mean - mean)).toBeLessThan(1e-9);
  });

  it('refuses shards of another rate, and a missing one', async () => {
    const a = await singleMixShard({ ...MIX, shard: { index: 0, count: 2 } });
    const b = await singleMixShard({ ...MIX, rate: 16, shard: { index: 1, count: 2 } });
    expect(() => mergeSingleMixShards([a, b], false, ['a', 'b'])).toThrow(/b is a shard of another job than a; they differ in rate \(15 in a, 16 in b\)/);
    expect(() => mergeSingleMixShards([a])).toThrow(/shard 1 of 2 missing/);
  });
});

const TRACE: TraceSimulationOptions = { packets: [1, 4, 12], trials: 37, seed: 4, coverRates: [0, 80], meanDelays: [0.05] };

describe('trace-simulation shards', () => {
  const traceShards = (N: number, options = TRACE) => Promise.all(Array.from({ length: N }, (_, index) => traceSimulationShard({ ...options, shard: { index, count: N } })));

  it('merged in any order, through JSON and binary files (empty slices included), are the unsharded result exactly: every trial the one of its curve\'s stream', async () => {
    const whole = await traceSimulation(TRACE);
    for (const N of [1, 3, 40]) {
      const shards = await traceShards(N);
      const viaFiles = shards.map((s, k) => {
        const file = traceShardFile(s);
        const bytes = k % 2 ? shardFileBinary(file) : new TextEncoder().encode(shardFileJson(file));
        return traceShardOfFile(readShardFile(bytes, `s${k}`), `s${k}`);
      });
      expect(mergeTraceSimulationShards(viaFiles.reverse())).toEqual(whole);
    }
    // The statistics are of the very trials: a point's detection is the share of its trials' LLRs above 0 (ties half), its mean their float64 mean.
    const shards = await traceShards(3);
    whole.curves.forEach((curve, c) =>
      curve.points.forEach((point, p) => {
        const llr = shards.flatMap((s) => Array.from(s.columns[c][p].llr));
        expect(llr).toHaveLength(37);
        expect(point.detection.mean).toBe(llr.reduce((n, v) => n + (v > 0 ? 1 : v === 0 ? 0.5 : 0), 0) / 37);
        expect(Math.abs(point.llr.mean - llr.reduce((a, b) => a + b, 0) / 37)).toBeLessThan(1e-9);
      }),
    );
  });

  it('refuses shards of another seed or packet list, a missing one, and a file whose columns do not fit its job', async () => {
    const [a, b] = await traceShards(2);
    const [, otherSeed] = await traceShards(2, { ...TRACE, seed: 5 });
    expect(() => mergeTraceSimulationShards([a, otherSeed], ['a', 'b'])).toThrow(/b is a shard of another job than a; they differ in seed \(4 in a, 5 in b\)/);
    const [, otherPackets] = await traceShards(2, { ...TRACE, packets: [1, 4, 13] });
    expect(() => mergeTraceSimulationShards([a, otherPackets], ['a', 'b'])).toThrow(/they differ in packets\.2 \(12 in a, 13 in b\)/);
    expect(() => mergeTraceSimulationShards([b])).toThrow(/shard 0 of 2 missing/);
    const file = traceShardFile(a);
    delete file.columns['c1.p2.mean'];
    expect(() => traceShardOfFile(file, 'a.json')).toThrow(/^a\.json: no column "c1\.p2\.mean"/);
  });
});

/** Recorded streams: five flows, each link its flow's packets shifted by about one tick beside cover, and one link of cover only. */
function recordedStreams(): RocStreams {
  const rng = new Pcg32(11);
  const times = (count: number, span: number) => Array.from({ length: count }, () => span * (rng.nextUint32() / 2 ** 32)).sort((a, b) => a - b);
  const names = ['A', 'B', 'C', 'D', 'E'];
  const targets = names.map((name) => ({ name, times: times(12, 40) }));
  const links = targets.map(({ name, times: t }) => ({ name, times: [...t.map((x) => x + 1 + rng.nextUint32() / 2 ** 32), ...times(20, 45)].sort((a, b) => a - b) }));
  return { targets, links: [...links, { name: 'cover', times: times(30, 45) }] };
}

describe('trace --roc shards', () => {
  const rocShards = (N: number, options: TraceRocOptions) => Promise.all(Array.from({ length: N }, (_, index) => traceRocShard({ ...options, shard: { index, count: N } })));
  const cases: [string, TraceRocOptions][] = [
    ['simulation, two packet counts, with every pair\'s score kept', { targets: 23, sweepPackets: [3, 9], seed: 2, keepScores: true }],
    ['recorded streams, the first 8 packets', { input: recordedStreams(), delay: expDelay(1), packets: 8 }],
  ];
  for (const [name, options] of cases) {
    it(`${name}: merged in any order, through JSON and binary files (empty slices included), are the unsharded ROC exactly`, async () => {
      const whole = await traceRoc(options);
      for (const N of [1, 3, 30]) {
        const viaFiles = (await rocShards(N, options)).map((s, k) => {
          const file = traceRocShardFile(s);
          const bytes = k % 2 ? shardFileBinary(file) : new TextEncoder().encode(shardFileJson(file));
          return traceRocShardOfFile(readShardFile(bytes, `s${k}`), `s${k}`);
        });
        expect(mergeTraceRocShards(viaFiles.reverse())).toEqual(whole);
      }
      // The AUC is of the very pairs: the Mann-Whitney share of (true, false) pairs ordered right, ties half, from the shards' scores.
      const shards = await rocShards(2, options);
      const rows = shards.flatMap((s) => Array.from(s.rows[0].truth, (t, r) => ({ t, scores: s.rows[0].scores.subarray(r * whole.links, (r + 1) * whole.links) })));
      const positives = rows.filter((r) => r.t >= 0).map((r) => r.scores[r.t]);
      const negatives = rows.flatMap((r) => Array.from(r.scores).filter((_, l) => l !== r.t));
      let wins = 0;
      for (const p of positives) for (const q of negatives) wins += p > q ? 1 : p === q ? 0.5 : 0;
      expect(Math.abs(whole.byPackets[0].auc.value - wins / (positives.length * negatives.length))).toBeLessThan(1e-12);
    });
  }

  it('refuses shards of other recorded streams, of another seed, and a missing one', async () => {
    const streams = recordedStreams();
    const options = { input: streams, delay: expDelay(1) };
    const [a] = await rocShards(2, options);
    const moved = { ...streams, links: streams.links.map((l, i) => (i === 5 ? { ...l, times: Array.from(l.times, (t) => t + 1e-9) } : l)) };
    const [, b] = await rocShards(2, { ...options, input: moved });
    expect(() => mergeTraceRocShards([a, b], ['a', 'b'])).toThrow(/b is a shard of another job than a; they differ in checksums\.input/);
    const [s0] = await rocShards(2, { targets: 10, seed: 1 });
    const [, s1] = await rocShards(2, { targets: 10, seed: 2 });
    expect(() => mergeTraceRocShards([s0, s1], ['a', 'b'])).toThrow(/they differ in head\.seed \(1 in a, 2 in b\)/);
    expect(() => mergeTraceRocShards([s1])).toThrow(/shard 0 of 2 missing/);
  });
});

describe('network shards', () => {
  const SIM = simulateMixNetwork({ seed: 3, mixes: 20, links: 4, streams: 40, packets: 20, duration: 2000 });
  const networkShards = (N: number, options: MixNetworkAttackOptions, sim: MixNetworkSimulation = SIM) =>
    Promise.all(Array.from({ length: N }, (_, index) => traceMixNetworkShard(sim, { ...options, shard: { index, count: N } })));

  for (const options of [{ targets: 17, temperature: 2.5 }, { targets: 'all' as const }]) {
    it(`${JSON.stringify(options)}: merged in any order, through JSON and binary files (empty slices included), are the unsharded result exactly`, async () => {
      const whole = await traceMixNetwork(SIM, options);
      for (const N of [1, 3, 50]) {
        const viaFiles = (await networkShards(N, options)).map((s, k) => {
          const file = networkShardFile(s);
          const bytes = k % 2 ? shardFileBinary(file) : new TextEncoder().encode(shardFileJson(file));
          return networkShardOfFile(readShardFile(bytes, `s${k}`), `s${k}`);
        });
        expect(mergeMixNetworkShards(viaFiles.reverse())).toEqual(whole);
      }
      // The summary is of the very streams: the destination's mean entropy and top-1 are the float64 mean over the streams' rows.
      const rows = whole.perStream!;
      expect(rows).toHaveLength(whole.streams);
      expect(Math.abs(whole.meanEntropy - rows.reduce((a, r) => a + r.entropy, 0) / rows.length)).toBeLessThan(1e-12);
      expect(whole.top1).toBe(rows.filter((r) => r.rank <= 1).length / rows.length);
    });
  }

  it('refuses shards of another simulation seed or temperature, a missing one, and temperature auto', async () => {
    const options = { targets: 12, temperature: 2 };
    const [a, b] = await networkShards(2, options);
    const [, otherSeed] = await networkShards(2, options, simulateMixNetwork({ seed: 4, mixes: 20, links: 4, streams: 40, packets: 20, duration: 2000 }));
    expect(() => mergeMixNetworkShards([a, otherSeed], ['a', 'b'])).toThrow(/b is a shard of another job than a; they differ in seed \(3 in a, 4 in b\), .*checksums\.topology/);
    const [, otherTemperature] = await networkShards(2, { ...options, temperature: 3 });
    expect(() => mergeMixNetworkShards([a, otherTemperature], ['a', 'b'])).toThrow(/they differ in temperature \(2 in a, 3 in b\)/);
    expect(() => mergeMixNetworkShards([b])).toThrow(/shard 0 of 2 missing/);
    await expect(traceMixNetworkShard(SIM, { temperature: 'auto', shard: { index: 0, count: 2 } })).rejects.toThrow(/temperature auto fits one temperature over every traced stream, so it cannot be sharded/);
    const file = networkShardFile(a);
    file.columns.path = file.columns.path.subarray(1);
    expect(() => networkShardOfFile(file, 'a.bin')).toThrow(/^a\.bin: column "path" has \d+ values, but 6 streams × 4 make 24/);
  });
});

describe('mixing-time shards', () => {
  const mixingShards = (graph: Csr, N: number, options: MixingTimeOptions) =>
    Promise.all(Array.from({ length: N }, (_, index) => mixingTimeShard(graph, { ...options, shard: { index, count: N } })));
  const cases: [string, Csr, MixingTimeOptions][] = [
    ['undirected, with the spectrum, 21 sampled sources', GRAPH, { hops: 12, sources: 21, seed: 4, perSource: true }],
    // A directed ring with chords: strongly connected, so it has one stationary law (by power iteration).
    ['directed (no spectrum), every node a source', csrFromEdges(Array.from({ length: 60 }, (_, e): [number, number] => (e < 30 ? [e, (e + 1) % 30] : [e - 30, (7 * e) % 30])), true), { hops: 9, sources: 'all', lazy: true }],
  ];
  for (const [name, graph, options] of cases) {
    it(`${name}: merged in any order, through JSON and binary files (empty slices included), are the unsharded result exactly; only shard 0 holds the spectrum`, async () => {
      const whole = await mixingTime(graph, options);
      for (const N of [1, 3, 50]) {
        const shards = await mixingShards(graph, N, options);
        expect(shards.map((s) => s.spectrum !== undefined)).toEqual(shards.map((_, k) => k === 0));
        const viaFiles = shards.map((s, k) => {
          const file = mixingShardFile(s);
          const bytes = k % 2 ? shardFileBinary(file) : new TextEncoder().encode(shardFileJson(file));
          return mixingShardOfFile(readShardFile(bytes, `s${k}`), `s${k}`);
        });
        expect(mergeMixingTimeShards(viaFiles.reverse())).toEqual(whole);
      }
      expect(whole.slem === null).toBe(graph.directed);
      // The summary is of the very sources: each hop's mean TV is the float64 mean of the sources' TVs at that hop.
      const rows = (await mixingShards(graph, 3, options)).flatMap((s) => s.rows.ids.map((_, k) => s.rows.tv.subarray(k * options.hops!, (k + 1) * options.hops!)));
      whole.hops.forEach((hop, t) => expect(Math.abs(hop.tvMean - rows.reduce((sum, tv) => sum + tv[t], 0) / rows.length)).toBeLessThan(1e-12));
    });
  }

  it('refuses shards of another seed, a missing one, a shard 0 without its spectrum and a file without the source ids', async () => {
    const options = { hops: 6, sources: 12, seed: 1 };
    const [a, b] = await mixingShards(GRAPH, 2, options);
    const [, otherSeed] = await mixingShards(GRAPH, 2, { ...options, seed: 2 });
    expect(() => mergeMixingTimeShards([a, otherSeed], ['a', 'b'])).toThrow(/b is a shard of another job than a; they differ in seed \(1 in a, 2 in b\), checksums\.sources/);
    expect(() => mergeMixingTimeShards([b])).toThrow(/shard 0 of 2 missing/);
    expect(() => mergeMixingTimeShards([{ ...a, spectrum: undefined }, b], ['a', 'b'])).toThrow(/a is shard 0 but holds no spectrum/);
    const file = mixingShardFile(b);
    delete file.labels;
    expect(() => mixingShardOfFile(readShardFile(shardFileBinary(file), 'b.bin'), 'b.bin')).toThrow(/^b\.bin: no labels "ids"/);
  });
});

describe('shard files', () => {
  const file: ShardFile = {
    format: 'anonscope-shard',
    version: 1,
    kind: 'test',
    job: { seed: 1, name: 'x' },
    shard: { index: 1, count: 3 },
    items: { total: 9, first: 3, count: 3 },
    columns: { a: Float64Array.of(1.5, NaN, -0, Infinity, -Infinity, 5e-324, 0.1 + 0.2), empty: new Float64Array(0), b: Float64Array.of(-1e308) },
  };
  const bits = (values: Float64Array) => Array.from(new Uint32Array(Float64Array.from(values).buffer));

  it('round-trip every float64 bit (NaN, -0, ±Infinity, subnormals) in JSON and binary', () => {
    for (const bytes of [new TextEncoder().encode(shardFileJson(file)), shardFileBinary(file)]) {
      const read = readShardFile(bytes, 'f');
      expect({ ...read, columns: undefined }).toEqual({ ...file, columns: undefined });
      expect(Object.keys(read.columns)).toEqual(['a', 'empty', 'b']);
      for (const name of Object.keys(file.columns)) expect(bits(read.columns[name])).toEqual(bits(file.columns[name]));
    }
  });

  it('the binary layout: magic, version 1, metadata length, JSON metadata, 8-byte-aligned little-endian float64 columns', () => {
    const bytes = shardFileBinary(file);
    const view = new DataView(bytes.buffer);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('ANONSHRD');
    expect(view.getUint32(8, true)).toBe(1);
    const length = view.getUint32(12, true);
    const metadata = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + length)));
    expect(metadata.columns).toEqual([{ name: 'a', length: 7 }, { name: 'empty', length: 0 }, { name: 'b', length: 1 }]);
    const start = Math.ceil((16 + length) / 8) * 8;
    expect(bytes.length).toBe(start + 8 * 8);
    expect(view.getFloat64(start, true)).toBe(1.5);
    expect(view.getFloat64(start + 7 * 8, true)).toBe(-1e308);
  });

  it('refuses a truncated, a lengthened or a corrupted binary file, and a JSON file of another format, naming the file', () => {
    const bytes = shardFileBinary(file);
    const refused = (b: Uint8Array) => {
      try {
        readShardFile(b, 'shard.bin');
      } catch (error) {
        expect(error).toBeInstanceOf(FormatError);
        return (error as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refused(bytes.subarray(0, bytes.length - 3))).toMatch(/^shard\.bin: binary shard: truncated: .*need \d+ bytes, the file has \d+/);
    expect(refused(bytes.subarray(0, 10))).toMatch(/truncated: 10 bytes, shorter than its 16-byte header/);
    expect(refused(bytes.subarray(0, 40))).toMatch(/truncated: its header announces \d+ bytes of metadata/);
    expect(refused(Uint8Array.of(...bytes, 0))).toMatch(/too long/);
    const flipped = bytes.slice();
    flipped[bytes.length - 2] ^= 0x10;
    expect(refused(flipped)).toMatch(/columns' checksum is [0-9a-f]{16}, its header says "[0-9a-f]{16}": the file is corrupted/);
    const metadata = bytes.slice();
    metadata[20] = 0xff;
    expect(refused(metadata)).toMatch(/metadata is not UTF-8 JSON .*corrupted/);
    expect(refused(new TextEncoder().encode('{"format": "other", "version": 1}'))).toMatch(/^shard\.bin: not an anonscope-shard file \(its format is "other"\)/);
    expect(refused(new TextEncoder().encode(shardFileJson(file).replace('"count": 3\n', '"count": -1\n')))).toMatch(/^shard\.bin: shard: the shard count must be an integer >= 1, got -1/);
  });
});
