import { describe, expect, it } from 'vitest';
import { initiatorEntropy, initiatorEntropyShard, mergeInitiatorEntropyShards, type InitiatorEntropyOptions } from '../../src/analyses/initiator-entropy.js';
import { EntropyFileReader, entropyFileJson, type EntropyShard, type TerminalRecords } from '../../src/analyses/initiator-entropy-shards.js';
import { checkShardSet, checkShardSpec, shardRange } from '../../src/analyses/shards.js';
import { CpuBackend } from '../../src/engines/cpu/cpu-backend.js';
import { ParallelCpuBackend } from '../../src/engines/cpu/parallel-backend.js';
import type { Backend, EntropyJob } from '../../src/engines/backend.js';
import { ParameterError } from '../../src/errors.js';
import { csrChecksum } from '../../src/graph/checksum.js';
import type { Csr } from '../../src/graph/csr.js';
import { Pcg32 } from '../../src/random.js';
import { denseEntropies, denseWalk } from '../helpers/dense-reference.js';
import { csrFromEdges, randomGraph } from '../helpers/graphs.js';

const shards = (graph: Csr, N: number, options: InitiatorEntropyOptions) =>
  Promise.all(Array.from({ length: N }, (_, index) => initiatorEntropyShard(graph, { ...options, shard: { index, count: N } })));

describe('shardRange', () => {
  it('on random T and N: contiguous, disjoint, covering, sizes within one, each cut floor(kT/N) (checked in BigInt)', () => {
    const rng = new Pcg32(13);
    for (let trial = 0; trial < 500; trial++) {
      const total = trial % 5 === 0 ? rng.below(2 ** 31) * 2 ** 20 + rng.below(2 ** 20) : rng.below(5000);
      const count = 1 + rng.below(trial % 3 === 0 ? 100_000 : 64);
      let expectedFirst = 0;
      let smallest = Infinity;
      let largest = -Infinity;
      for (let index = 0; index < Math.min(count, 200); index++) {
        const k = trial % 2 === 0 ? index : rng.below(count);
        const [first, last] = shardRange(total, { index: k, count });
        expect(first).toBe(Number((BigInt(k) * BigInt(total)) / BigInt(count)));
        expect(last).toBe(Number((BigInt(k + 1) * BigInt(total)) / BigInt(count)));
        expect(shardRange(total, { index: k, count })).toEqual([first, last]);
        if (trial % 2 === 0) {
          expect(first).toBe(expectedFirst);
          expectedFirst = last;
        }
        smallest = Math.min(smallest, last - first);
        largest = Math.max(largest, last - first);
      }
      if (trial % 2 === 0 && count <= 200) expect(expectedFirst).toBe(total);
      expect(largest - smallest).toBeLessThanOrEqual(1);
    }
  });

  it('checkShardSpec and checkShardSet refuse what names no slice, and a set with a shard missing, repeated or of another N', () => {
    expect(() => checkShardSpec({ index: 4, count: 4 }, 'here')).toThrow(/here: the shard index must be an integer in 0\.\.3/);
    expect(() => checkShardSpec({ index: 0, count: 0 }, 'here')).toThrow(/shard count must be an integer >= 1/);
    expect(() => checkShardSpec({ index: -1, count: 2 }, 'here')).toThrow(ParameterError);
    const label = (i: number) => `file${i}`;
    expect(() => checkShardSet([{ index: 0, count: 3 }, { index: 2, count: 3 }], label, 'merge')).toThrow(/merge: shard 1 of 3 missing/);
    expect(() => checkShardSet([{ index: 0, count: 2 }, { index: 0, count: 2 }, { index: 1, count: 2 }], label, 'merge')).toThrow(/shard 0 of 2 is given twice: file0 and file1/);
    expect(() => checkShardSet([{ index: 0, count: 2 }, { index: 1, count: 3 }], label, 'merge')).toThrow(/file1 is shard 1 of 3, but file0 is one of 2/);
    expect(() => checkShardSet([{ index: 1, count: 2 }, { index: 0, count: 2 }], label, 'merge')).not.toThrow();
  });
});

describe('csrChecksum', () => {
  it('is the same for the same graph and changes with an edge, a weight bit, a node key or the direction', () => {
    const base = randomGraph(60, 200, 4, { weighted: true });
    const same = randomGraph(60, 200, 4, { weighted: true });
    expect(csrChecksum(same)).toBe(csrChecksum(base));
    expect(csrChecksum(base)).toMatch(/^[0-9a-f]{16}$/);
    const weights = Float32Array.from(base.weights!);
    weights[7] = new Float32Array(new Uint32Array([new Uint32Array(weights.buffer)[7] ^ 1]).buffer)[0];
    const variants: Csr[] = [
      { ...base, weights },
      { ...base, weights: undefined },
      { ...base, directed: !base.directed },
      { ...base, nodeKeys: base.nodeKeys.map((key, i) => (i === 59 ? `${key}x` : key)) },
      { ...base, colIdx: base.colIdx.map((c, e) => (e === 0 ? (c + 1) % 60 : c)) },
      randomGraph(60, 200, 5, { weighted: true }),
    ];
    const sums = new Set([csrChecksum(base), ...variants.map(csrChecksum)]);
    expect(sums.size).toBe(variants.length + 1);
  });
});

/** A small directed graph with a node no walk reaches and a dangling one: NaN, -Infinity and 0 entropies in the table. */
const DIRECTED = csrFromEdges([[0, 1], [1, 2], [2, 0], [2, 3], [3, 4], [4, 2], [5, 0], [1, 6]], true);

describe('initiatorEntropyShard and mergeInitiatorEntropyShards', () => {
  const cases: [string, Csr, InitiatorEntropyOptions][] = [
    ['a random weighted graph, 23 sampled terminals', randomGraph(80, 300, 2, { weighted: true }), { hops: 5, terminals: 23, seed: 9, perTerminal: true }],
    ['a directed graph with a prior and guessing, every terminal', DIRECTED, { hops: 4, terminals: 'all', perTerminal: true, guessing: true, prior: new Map([['0', 1], ['2', 3], ['5', 0.5]]) }],
  ];
  for (const [name, graph, options] of cases) {
    it(`${name}: 4 shards merged are the unsharded result, and each terminal is the dense float64 reference`, async () => {
      const unsharded = await initiatorEntropy(graph, options);
      const merged = mergeInitiatorEntropyShards(await shards(graph, 4, options));
      expect(merged).toEqual(unsharded);
      const index = new Map(graph.nodeKeys.map((key, i) => [key, i]));
      const prior = options.prior && graph.nodeKeys.map((key) => options.prior!.get(key) ?? 0);
      const dense = denseEntropies(denseWalk(graph, 'simple'), merged.perTerminal!.map((t) => index.get(t.id)!), options.hops!, prior);
      merged.perTerminal!.forEach((terminal, k) =>
        terminal.shannon.forEach((h, t) => {
          const expected = dense[t][k].shannon;
          if (Number.isNaN(expected)) expect(h).toBeNaN();
          else expect(Math.abs(h - expected)).toBeLessThan(1e-12);
        }),
      );
    });
  }

  it('a shard survives its JSON file exactly: NaN, ±Infinity and -0 included', async () => {
    const [shard] = await shards(DIRECTED, 1, { hops: 4, terminals: 'all', guessing: true, prior: new Map([['0', 1], ['2', 3]]) });
    const values = shard.terminals.flatMap((r) => [...r.shannon, ...r.log2Mass, ...r.minEntropy]);
    expect(values.some(Number.isNaN)).toBe(true);
    expect(values).toContain(-Infinity);
    shard.terminals[0].shannon[0] = -0;
    shard.terminals[0].log2Mass[1] = Infinity;
    const read = new EntropyFileReader('s.json').shard(entropyFileJson(shard));
    expect(read).toEqual(shard);
    const bits = (s: EntropyShard) => s.terminals.flatMap((r) => [...r.shannon, ...r.minEntropy, ...r.log2Mass, ...r.guessing!]).map((v) => (Object.is(v, -0) ? '-0' : String(v)));
    expect(bits(read)).toEqual(bits(shard));
  });

  it('the reader names the file and the problem: not JSON, not a shard, another version, a malformed value', async () => {
    const [shard] = await shards(DIRECTED, 1, { hops: 2, terminals: 'all' });
    const reader = new EntropyFileReader('x/s.json');
    expect(() => reader.shard('{')).toThrow(/^x\/s\.json: not JSON/);
    expect(() => reader.shard('{"format":"other"}')).toThrow(/x\/s\.json: not an anonscope-entropy-shard file \(its format is "other"\)/);
    expect(() => reader.shard(JSON.stringify({ ...shard, version: 2 }))).toThrow(/version 2; this anonscope reads version 1/);
    const broken = entropyFileJson(shard).replace('"shannon":[', '"shannon":["x",');
    expect(() => reader.shard(broken)).toThrow(/terminals\[0\]\.shannon must be an array of 2 values/);
    const wrongValue = entropyFileJson(shard).replace(/"shannon":\[[^,]+,/, '"shannon":["x",');
    expect(() => reader.shard(wrongValue)).toThrow(/terminals\[0\]\.shannon\[0\] is "x", not a number/);
  });

  it('merge refuses a missing or repeated shard, shards of another seed or graph, and a shard that does not hold its slice', async () => {
    const graph = randomGraph(50, 150, 3);
    const options = { hops: 3, terminals: 20, seed: 1 };
    const four = await shards(graph, 4, options);
    expect(() => mergeInitiatorEntropyShards(four.slice(0, 3))).toThrow(/shard 3 of 4 missing/);
    expect(() => mergeInitiatorEntropyShards([...four, four[1]], ['a', 'b', 'c', 'd', 'e'])).toThrow(/shard 1 of 4 is given twice: b and e/);
    const [otherSeed] = await shards(graph, 4, { ...options, seed: 2 });
    expect(() => mergeInitiatorEntropyShards([otherSeed, ...four.slice(1)], ['s0', 's1', 's2', 's3'])).toThrow(
      /s1 is a shard of another job than s0; they differ in terminals\.seed \(2 in s0, 1 in s1\), checksums\.terminals/,
    );
    const [otherGraph] = await shards(randomGraph(50, 150, 4), 4, options);
    expect(() => mergeInitiatorEntropyShards([...four.slice(0, 3), otherGraph], ['s0', 's1', 's2', 's3'])).toThrow(/s3 is a shard of another job than s0; they differ in .*checksums\.graph/);
    const short = { ...four[2], terminals: four[2].terminals.slice(1) };
    expect(() => mergeInitiatorEntropyShards([four[0], four[1], short, four[3]])).toThrow(/holds 4 items from index 10, but shard 2 of 4 of a job of 20 items holds 5 from index 10/);
  });

  it('with rounds, each shard takes its slice of the sampled initiators too: merged (through JSON, any N, empty slices included) they are the unsharded rounds', async () => {
    const graph = randomGraph(70, 260, 6, { weighted: true });
    const options: InitiatorEntropyOptions = { hops: 3, terminals: 9, rounds: 4, roundsSamples: 6, seed: 5, prior: new Map(graph.nodeKeys.map((key, i) => [key, 1 + (i % 3)])) };
    const unsharded = await initiatorEntropy(graph, options);
    for (const N of [1, 4, 8]) {
      const read = (await shards(graph, N, options)).map((s, k) => new EntropyFileReader(`s${k}`).shard(entropyFileJson(s)));
      expect(read.map((s) => s.rounds!.samples.length)).toEqual(Array.from({ length: N }, (_, k) => shardRange(6, { index: k, count: N })).map(([a, b]) => b - a));
      const merged = mergeInitiatorEntropyShards(read.reverse());
      expect(merged).toEqual(unsharded);
      // The rows summarize the very samples: round r's mean is the float64 mean of the shards' entropies after r rounds.
      const samples = read.reverse().flatMap((s) => s.rounds!.samples);
      merged.rounds!.rows.forEach((row, r) => expect(Math.abs(row.mean - samples.reduce((sum, g) => sum + g.shannon[r], 0) / samples.length)).toBeLessThan(1e-12));
    }
    const three = await shards(graph, 3, options);
    const short = { ...three[1], rounds: { first: three[1].rounds!.first, samples: three[1].rounds!.samples.slice(1) } };
    expect(() => mergeInitiatorEntropyShards([three[0], short, three[2]], ['a', 'b', 'c'])).toThrow(/b \(its rounds' initiators\) holds 1 items from index 2, but shard 1 of 3 of a job of 6 items holds 2 from index 2/);
    const [otherRounds] = await shards(graph, 3, { ...options, rounds: 3 });
    expect(() => mergeInitiatorEntropyShards([otherRounds, three[1], three[2]], ['a', 'b', 'c'])).toThrow(/b is a shard of another job than a; they differ in rounds\.count \(3 in a, 4 in b\)/);
    const withoutRounds = JSON.parse(entropyFileJson(three[0]));
    delete withoutRounds.rounds;
    expect(() => new EntropyFileReader('x.json').shard(JSON.stringify(withoutRounds))).toThrow(/x\.json: no "rounds" object, but the job has rounds/);
  });
});

/** A backend that counts the terminals it is asked for. */
function counting(backend: Backend): Backend & { asked: number } {
  const wrapped = {
    info: backend.info,
    asked: 0,
    terminalEntropies: (job: EntropyJob) => {
      wrapped.asked += job.terminals.length;
      return backend.terminalEntropies(job);
    },
    roundEntropies: backend.roundEntropies.bind(backend),
    runWalkers: backend.runWalkers.bind(backend),
    mixingDistances: backend.mixingDistances.bind(backend),
    dispose: () => backend.dispose(),
  };
  return wrapped;
}

describe('checkpointed runs', () => {
  const graph = randomGraph(120, 500, 7, { weighted: true });
  const options = { hops: 6, terminals: 'all', perTerminal: true } as const;
  // Every engine computes each column alone: batching changes no bit. cpu-parallel's float32
  // default pads its blocks to a multiple of 4 columns, so batches of 25 and of 32 take the
  // same SIMD step.
  for (const [name, make] of [
    ['cpu', () => new CpuBackend()],
    ['cpu-parallel float64', () => new ParallelCpuBackend({ threads: 2, precision: 'float64' })],
    ['cpu-parallel float32', () => new ParallelCpuBackend({ threads: 2 })],
  ] as const) {
    it(`${name}: a run that crashes after 2 batches, resumed, computes only the rest and equals the unbatched run`, async () => {
      const inner = make();
      try {
        const unbatched = await initiatorEntropy(graph, { ...options, backend: inner });
        const saved = new Map<number, TerminalRecords[]>();
        const crashing = counting(inner);
        const crash = initiatorEntropy(graph, {
          ...options,
          backend: crashing,
          checkpoint: {
            batchTerminals: 25,
            onBatch: (first, records) => {
              saved.set(first, records);
              if (saved.size === 2) throw new Error('simulated crash');
            },
          },
        });
        await expect(crash).rejects.toThrow('simulated crash');
        expect([...saved.keys()]).toEqual([0, 25]);
        expect(crashing.asked).toBe(50);

        const resumed = counting(inner);
        const written: number[] = [];
        const result = await initiatorEntropy(graph, {
          ...options,
          backend: resumed,
          checkpoint: { batchTerminals: 25, start: () => saved, onBatch: (first) => void written.push(first) },
        });
        expect(resumed.asked).toBe(120 - 50);
        expect(written).toEqual([50, 75, 100]);
        expect(result).toEqual(unbatched);
      } finally {
        await inner.dispose();
      }
    });
  }

  it('a checkpointed shard batches from its own first terminal; a batch that does not fit the run is refused', async () => {
    const firsts: number[] = [];
    const shard = await initiatorEntropyShard(graph, { ...options, shard: { index: 1, count: 3 }, checkpoint: { batchTerminals: 15, onBatch: (first) => void firsts.push(first) } });
    expect(shard.first).toBe(40);
    expect(firsts).toEqual([40, 55, 70]);
    const [plain] = (await shards(graph, 3, options)).slice(1);
    expect(shard).toEqual(plain);
    const bad = new Map([[41, shard.terminals.slice(0, 15)]]);
    await expect(initiatorEntropy(graph, { ...options, checkpoint: { batchTerminals: 15, start: () => bad, onBatch: () => {} } })).rejects.toThrow(
      /the checkpoint holds a batch from terminal 41, which is no batch start of this run \(terminals 0\.\.119 in batches of 15\)/,
    );
    const short = new Map([[45, shard.terminals.slice(0, 14)]]);
    await expect(initiatorEntropy(graph, { ...options, checkpoint: { batchTerminals: 15, start: () => short, onBatch: () => {} } })).rejects.toThrow(
      /the checkpoint's batch from terminal 45 holds 14 terminals where the batch has 15/,
    );
    const wrongIds = new Map([[0, shard.terminals.slice(0, 15)]]);
    await expect(initiatorEntropy(graph, { ...options, checkpoint: { batchTerminals: 15, start: () => wrongIds, onBatch: () => {} } })).rejects.toThrow(
      /the checkpoint's batch from terminal 0 holds terminal "\d+" where the job has "0"/,
    );
  });
});
