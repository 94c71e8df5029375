import { afterAll, describe, expect, it } from 'vitest';
import { mixnetAnonymity, mixnetPoolMeansJob } from '../../src/analyses/mixnet.js';
import { cpuMixKernels } from '../../src/engines/cpu/mix-kernels.js';
import { GpuJsMixKernels } from '../../src/engines/gpujs/mix-kernels.js';
import { CARRY_ON, CARRY_ZERO, poolChains, poolEventCounts, poolPassBatches, poolSegments, POOL_SPAN, segmentChunks } from '../../src/engines/gpu-plan/mix-plan.js';
import { ParallelCpuMixKernels, poolMeansUnits } from '../../src/engines/cpu/parallel-mix-kernels.js';
import { NO_COLUMN, NO_MARK, POOL_EVENT, type MixKernels, type PoolMeansJob } from '../../src/engines/mix-kernels.js';
import { erlangDelay, expDelay, uniform01 } from '../../src/mix/delays.js';
import { simulateMixnet, type MixnetTraffic } from '../../src/mix/mixnet-simulator.js';
import { mixnetTopology, type MixnetTopologyOptions } from '../../src/mix/mixnet-topology.js';
import { Pcg32 } from '../../src/random.js';
import { browserMixKernels } from '../helpers/browser-mix-kernels.js';

/**
 * The pool-mean kernel on the GPU engines against the float64 reference. Tolerances (float32
 * means on the device): per target, the entropy (ln S − Σ v ln v / S) / ln 2 within 1e-4 bits;
 * every marked value within 1e-5 and every mass (a sum over the exits of float32 values)
 * within 1e-5 of itself (the sender columns' masses run to thousands, beyond 1e-4 absolute).
 */
const ENTROPY_TOLERANCE = 1e-4;
const VALUE_TOLERANCE = 1e-5;
const MASS_TOLERANCE = 1e-5;

function job(seed: number, topology: MixnetTopologyOptions, over: Partial<MixnetTraffic>, replications: number): PoolMeansJob {
  const t = mixnetTopology({ ...topology, seed });
  const traffic: MixnetTraffic = { clients: 5, rate: 8, loopRate: 0, dropRate: 0, mixLoopRate: 0, delay: expDelay(1), targets: 6, burnIn: 5, window: 10, coolDown: 10, ...over };
  const logs = Array.from({ length: replications }, (_, r) => simulateMixnet(t, traffic, seed, r));
  return mixnetPoolMeansJob(logs, t, traffic.targets);
}

/**
 * A random well-formed log, not the simulator's: packets enter any mix (the one they left
 * included, and any number of times), pass unlogged (corrupt) mixes, leave with a mark or
 * not; pools fill and empty. Columns of an injected packet: 0, 1 or 2 of C.
 */
function randomJob(seed: number, replications: number, columns: number, mixes: number, events: number, marks = 3): PoolMeansJob {
  const rng = new Pcg32(seed);
  const pick = (n: number) => Math.min(n - 1, Math.floor(uniform01(rng) * n));
  const words: number[] = [];
  const offsets = [0];
  let slots = 1;
  for (let r = 0; r < replications; r++) {
    const pool = new Array<number>(mixes).fill(0);
    const inMix: number[][] = Array.from({ length: mixes }, () => []);
    const held: number[] = []; // slots carrying a value outside any pool
    const free: number[] = [];
    let used = 0;
    let count = 0;
    while (count < events) {
      const u = uniform01(rng);
      const pooled = pool.reduce((a, b) => a + b, 0);
      if (u < 0.25 || (held.length === 0 && pooled === 0)) {
        const slot = free.pop() ?? used++;
        const column = () => (uniform01(rng) < 0.4 ? NO_COLUMN : pick(columns));
        words.push(POOL_EVENT.inject, slot, column(), column());
        held.push(slot);
      } else if (u < 0.6 && held.length > 0) {
        const slot = held.splice(pick(held.length), 1)[0];
        const mix = pick(mixes);
        words.push(POOL_EVENT.arrive, slot, mix, pool[mix]++);
        inMix[mix].push(slot);
      } else if (u < 0.85 && pooled > 0) {
        const busy = [...inMix.keys()].filter((m) => pool[m] > 0);
        const mix = busy[pick(busy.length)];
        const slot = inMix[mix].splice(pick(inMix[mix].length), 1)[0];
        pool[mix]--;
        words.push(POOL_EVENT.depart, slot, mix, 0);
        held.push(slot);
      } else if (held.length > 0) {
        const slot = held.splice(pick(held.length), 1)[0];
        words.push(POOL_EVENT.exit, slot, uniform01(rng) < 0.3 ? pick(marks) : NO_MARK, 0);
        free.push(slot);
      } else continue;
      count++;
    }
    offsets.push(offsets[r] + count);
    slots = Math.max(slots, used);
  }
  return { events: Uint32Array.from(words), eventOffsets: Uint32Array.from(offsets), columns, mixes, slots, marks };
}

const RANDOM_JOBS: [string, PoolMeansJob][] = [
  ['random: one replication, 5 columns', randomJob(11, 1, 5, 3, 400)],
  ['random: 7 replications, 3 columns', randomJob(12, 7, 3, 4, 150)],
  ['random: 2 replications, 1 column, one mix', randomJob(13, 2, 1, 1, 300)],
  ['random: one replication, 64 columns, long pools', randomJob(14, 1, 64, 2, 3000)],
];

/** A job, and whether the engines' tight-bound variants run it too (a busy replication does not fit their bounds). */
const JOBS: [string, PoolMeansJob, { tight: boolean }?][] = [
  ...RANDOM_JOBS,
  ['3 × 3 stratified, 4 replications', job(1, { layers: 3, width: 3 }, {}, 4)],
  ['corrupt mixes, cover, Erlang delays', job(2, { layers: 2, width: 4, corrupt: 0.3 }, { loopRate: 0.5, dropRate: 0.5, mixLoopRate: 1, delay: erlangDelay(2, 2) }, 3)],
  ['cascades, weights, many targets', job(3, { kind: 'cascade', layers: 3, width: 2, weights: [1, 3, 1, 3, 1, 3] }, { targets: 40, window: 30 }, 2)],
  // A ring with chords: 5 hops revisit mixes, every hop sharing a mix's pool.
  // One replication of 100k exits, each with a tiny share of a target: a plain float32 running
  // sum of the exits' v drifts by 2e-5 of the mass here (WebGPU before its compensated sums).
  ['one busy mix, 100k exits in a replication', job(5, { layers: 1, width: 1 }, { clients: 20, rate: 1000, targets: 2, burnIn: 5, window: 90, coolDown: 10 }, 1), { tight: false }],
  ['free routes, mix-loops, a corrupt node', job(4, { kind: 'free', layers: 5, corrupt: 0.2, routes: { rowPtr: Uint32Array.of(0, 2, 3, 5, 6, 7), colIdx: Uint32Array.of(1, 3, 2, 3, 0, 4, 0) } }, { mixLoopRate: 1 }, 3)],
];

function entropy(mass: number, plogp: number): number {
  return mass > 0 ? (Math.log(mass) - plogp / mass) / Math.LN2 : NaN;
}

function suite(name: string, kernels: () => MixKernels, tight: () => MixKernels, tightLabel: string) {
  for (const [label, j, { tight: tightToo } = { tight: true }] of JOBS) {
    for (const [which, get] of tightToo ? ([['', kernels], [` (${tightLabel})`, tight]] as const) : ([['', kernels]] as const)) {
      it(`${name}: ${label}${which}`, async () => {
        const want = cpuMixKernels.poolMeans(j);
        const got = await get().poolMeans(j);
        const w = await want;
        for (let i = 0; i < w.mass.length; i++) {
          expect(Math.abs(got.mass[i] - w.mass[i])).toBeLessThanOrEqual(MASS_TOLERANCE * Math.max(1, w.mass[i]));
          const h = entropy(w.mass[i], w.plogp[i]);
          if (Number.isNaN(h)) expect(got.mass[i]).toBe(0);
          else expect(Math.abs(entropy(got.mass[i], got.plogp[i]) - h)).toBeLessThanOrEqual(ENTROPY_TOLERANCE);
        }
        expect(got.marked.length).toBe(w.marked.length);
        for (let i = 0; i < w.marked.length; i++) expect(Math.abs(got.marked[i] - w.marked[i])).toBeLessThanOrEqual(VALUE_TOLERANCE);
      });
    }
  }
  it(`${name}: mixnetAnonymity gives the reference's summary`, async () => {
    const options = { layers: 2, width: 3, rate: 20, targets: 12, replications: 3, corrupt: 0.2, mixLoopRate: 2 };
    const [want, got] = await Promise.all([mixnetAnonymity(options), mixnetAnonymity({ ...options, kernels: kernels() })]);
    expect(got.kernels).not.toBe('cpu');
    expect(Math.abs(got.entropy.mean - want.entropy.mean)).toBeLessThanOrEqual(ENTROPY_TOLERANCE);
    expect(Math.abs(got.unlinkability.epsilonMean - want.unlinkability.epsilonMean)).toBeLessThanOrEqual(1e-3);
    expect(got.unlinkability.delta).toBe(want.unlinkability.delta);
    expect(got.latency).toEqual(want.latency);
  });
}

describe('WebGPU pool means in headless Chromium', () => {
  const { kernels, tight } = browserMixKernels({ backend: 'webgpu' }, { webgpu: { maxBindingBytes: 65536, maxWorkgroupsPerDimension: 3 } });
  suite('webgpu', kernels, tight, 'tight bindings: replications batched, 2-D dispatch');
});

describe('pool means as passes of gathers (the gpu.js plan)', () => {
  const { inject, arrive, depart, exit } = POOL_EVENT;
  const N = NO_COLUMN;
  it('a hand-worked log: chains mix by mix, sources, levels, exits', async () => {
    // Target 0 enters mix 0 (mean 1), a cover packet joins (mean ½); the target's slot leaves
    // with ½ and enters mix 1 afresh, leaves, exits: its mean came from arrival 1 of mix 0.
    const job: PoolMeansJob = {
      events: Uint32Array.from([[inject, 0, 0, N], [arrive, 0, 0, 0], [inject, 1, N, N], [arrive, 1, 0, 1], [depart, 0, 0, 0], [arrive, 0, 1, 0], [depart, 0, 1, 0], [exit, 0, 0, 0]].flat()),
      eventOffsets: Uint32Array.from([0, 8]),
      columns: 1,
      mixes: 2,
      slots: 2,
      marks: 1,
    };
    const chains = poolChains(job, 0, 1, poolEventCounts(job, 'test'));
    expect([...chains.k]).toEqual([0, 1, 0]);
    expect([...chains.source]).toEqual([-1, -1, 1]);
    expect([...chains.injected]).toEqual([0, N, N, N, N, N]);
    expect([...chains.chainFirst]).toEqual([1, 0, 1]);
    expect([...chains.level]).toEqual([0, 0, 1]);
    expect(chains.levels).toBe(2);
    expect([...chains.exitSource]).toEqual([2]);
    expect([...chains.exitMark]).toEqual([0]);
    const zero = poolSegments(chains, 0);
    expect([...zero.first, ...zero.length, ...zero.carry, ...zero.product]).toEqual([0, 2, CARRY_ZERO, 0]);
    await expect(cpuMixKernels.poolMeans(job)).resolves.toMatchObject({ mass: Float64Array.from([0.5]), marked: Float64Array.from([0.5]) });
  });
  it('names the replication, event and mix of a log that names a mix the job does not have', () => {
    const job: PoolMeansJob = { events: Uint32Array.from([inject, 0, N, N, arrive, 0, 3, 0]), eventOffsets: Uint32Array.from([0, 2]), columns: 1, mixes: 2, slots: 1, marks: 0 };
    expect(() => poolEventCounts(job, 'anonscope/gpujs mix poolMeans')).toThrow('anonscope/gpujs mix poolMeans: event 1 of replication 0 names mix 3, but the job has 2 mixes');
  });
  it('batches keep their means under the host bound, cutting columns for the calls and as far as the largest replication needs', () => {
    const job: PoolMeansJob = { events: new Uint32Array(0), eventOffsets: new Uint32Array(4), columns: 4, mixes: 1, slots: 1, marks: 0 };
    const counts = { arrivals: Uint32Array.from([3, 5, 2]) };
    // A call of 2048 holds one exit item (256 exits, 2 sums) of 4 columns. Host 32: 8 arrivals × 4 columns of means fit.
    expect(poolPassBatches(job, counts, 2048, 32, 'test')).toEqual([{ r0: 0, r1: 2, c0: 0, c1: 4 }, { r0: 2, r1: 3, c0: 0, c1: 4 }]);
    // Host 24: replication 1's 5 arrivals leave room for 4 columns; 3 + 5 arrivals × 4 columns do not fit.
    expect(poolPassBatches(job, counts, 2048, 24, 'test')).toEqual([{ r0: 0, r1: 1, c0: 0, c1: 4 }, { r0: 1, r1: 2, c0: 0, c1: 4 }, { r0: 2, r1: 3, c0: 0, c1: 4 }]);
    // 6 columns of 2 arrivals' means need 12: a host of 8 holds 4 columns, then 2.
    expect(poolPassBatches({ ...job, columns: 6 }, { arrivals: Uint32Array.from([2]) }, 4096, 8, 'test')).toEqual([{ r0: 0, r1: 1, c0: 0, c1: 4 }, { r0: 0, r1: 1, c0: 4, c1: 6 }]);
    // A call of 1024 holds an exit item of 2 columns only (256 exits, 2 sums each): the columns are cut so.
    expect(poolPassBatches(job, { arrivals: Uint32Array.from([1]) }, 1024, 1000, 'test').map((b) => [b.c0, b.c1])).toEqual([[0, 2], [2, 4]]);
    expect(() => poolPassBatches(job, { arrivals: Uint32Array.from([40]) }, 2048, 32, 'where')).toThrow('where: replication 0 has 40 arrivals, more pool means than one batch of 32 holds');
  });
  it('a level goes to the kernels in calls of whole segments of at most so many arrivals', () => {
    expect(segmentChunks([16, 16, 3, 16, 16], 32)).toEqual([[0, 2], [2, 4], [4, 5]]);
    expect(segmentChunks([5, 5, 5], 100)).toEqual([[0, 3]]);
    expect(segmentChunks([16], 8)).toEqual([[0, 1]]); // a segment is never cut
    expect(segmentChunks([], 8)).toEqual([]);
  });
  it('replications are independent: a pool never filled in its replication gives 0 on every Node engine', async () => {
    // Replication 0 leaves mix 0 with mean 1 (column 0); replication 1 departs from mix 0 without an arrival.
    const job: PoolMeansJob = {
      events: Uint32Array.from([[inject, 0, 0, N], [arrive, 0, 0, 0], [depart, 0, 0, 0], [exit, 0, 0, 0], [depart, 0, 0, 0], [exit, 0, 0, 0]].flat()),
      eventOffsets: Uint32Array.from([0, 4, 6]),
      columns: 1,
      mixes: 1,
      slots: 1,
      marks: 1,
    };
    const gpujs = new GpuJsMixKernels({ mode: 'cpu' });
    try {
      for (const kernels of [cpuMixKernels, new ParallelCpuMixKernels({ threads: 2 }), gpujs]) {
        const got = await kernels.poolMeans(job);
        expect([...got.mass, ...got.marked]).toEqual([1, 0, 1, 0]);
      }
    } finally {
      gpujs.dispose();
    }
  });
  it('a bound of 256 elements: levels and exits go to the kernels in several calls each, and the means are those of one call', async () => {
    const [label, j] = JOBS.find(([name]) => name.startsWith('3 × 3 stratified'))!;
    // One column a call at this bound: a level of more than 256 arrivals, or more than 256 exits, takes several calls.
    const chains = poolChains(j, 0, j.eventOffsets.length - 1, poolEventCounts(j, 'test'));
    const widest = Math.max(...Array.from({ length: chains.levels }, (_, level) => poolSegments(chains, level).length.reduce((a, b) => a + b, 0)));
    expect(widest, label).toBeGreaterThan(256);
    expect(chains.exitSource.length).toBeGreaterThan(256);
    const small = new GpuJsMixKernels({ mode: 'cpu', maxElements: 256 });
    try {
      const [want, got] = await Promise.all([cpuMixKernels.poolMeans(j), small.poolMeans(j)]);
      for (let i = 0; i < want.mass.length; i++) {
        expect(Math.abs(got.mass[i] - want.mass[i])).toBeLessThanOrEqual(MASS_TOLERANCE * Math.max(1, want.mass[i]));
        expect(Math.abs(entropy(got.mass[i], got.plogp[i]) - entropy(want.mass[i], want.plogp[i]))).toBeLessThanOrEqual(ENTROPY_TOLERANCE);
      }
      for (let i = 0; i < want.marked.length; i++) expect(Math.abs(got.marked[i] - want.marked[i])).toBeLessThanOrEqual(VALUE_TOLERANCE);
    } finally {
      small.dispose();
    }
  });
  it('the test jobs cross several levels and segments that carry on', () => {
    let carried = 0;
    let deepest = 0;
    for (const [, j] of JOBS) {
      const chains = poolChains(j, 0, j.eventOffsets.length - 1, poolEventCounts(j, 'test'));
      deepest = Math.max(deepest, chains.levels);
      for (let level = 0; level < chains.levels; level++) {
        const segments = poolSegments(chains, level);
        carried += segments.carry.filter((c) => c === CARRY_ON).length;
        expect(Math.max(...segments.length)).toBeLessThanOrEqual(POOL_SPAN);
      }
    }
    expect(deepest).toBeGreaterThanOrEqual(5);
    expect(carried).toBeGreaterThan(10);
  });
});

for (const mode of ['webasm', 'cpu'] as const) {
  describe(`gpu.js pool means in Node, mode ${mode}`, () => {
    const kernels = new GpuJsMixKernels({ mode });
    const tight = new GpuJsMixKernels({ mode, maxElements: 8192 });
    afterAll(() => {
      kernels.dispose();
      tight.dispose();
    });
    suite(`gpujs ${mode}`, () => kernels, () => tight, 'a bound of 8192 elements: columns cut, replications batched');
  });
}

describe('gpu.js pool means in headless Chromium (webgl2)', () => {
  const { kernels, tight } = browserMixKernels({ backend: 'gpujs', gpujsMode: 'webgl2' }, { gpujsMaxElements: 8192 });
  it('runs on webgl2', async () => {
    await kernels().poolMeans(JOBS[0][1]);
    expect(kernels().info).toMatchObject({ name: 'gpujs', precision: 'float32', runtime: 'browser webgl2' });
  });
  suite('gpujs webgl2', kernels, tight, 'a bound of 8192 elements: columns cut, replications batched');
});

describe('cpu-parallel pool means: the reference, to the bit', () => {
  it('poolMeansUnits covers every (replication, column) once, in as many shares as threads while there is work to cut', () => {
    // [replications, columns, threads, the shares of equal replications, of unequal ones (r's events ∝ r + 1)]
    for (const [R, C, threads, equal, unequal] of [[1, 5, 3, 3, 3], [7, 3, 3, 3, 3], [2, 1, 5, 2, 2], [10, 4, 1, 1, 1], [3, 52, 16, 16, 16], [3, 2, 5, 5, 5], [40, 2, 3, 3, 3]]) {
      for (const [spacing, want] of [[() => 100, equal], [(r: number) => 100 * (r + 1), unequal]] as const) {
        const offsets = [0];
        for (let r = 0; r < R; r++) offsets.push(offsets[r] + spacing(r));
        const job: PoolMeansJob = { events: new Uint32Array(0), eventOffsets: Uint32Array.from(offsets), columns: C, mixes: 1, slots: 1, marks: 0 };
        const shares = poolMeansUnits(job, threads);
        expect(shares.length).toBe(want);
        const seen = new Uint8Array(R * C);
        for (const share of shares) for (const u of share) for (let r = u.r0; r < u.r1; r++) for (let c = u.c0; c < u.c1; c++) seen[r * C + c]++;
        expect([...seen]).toEqual(new Array(R * C).fill(1));
      }
    }
  });
  it('poolMeansUnits balances events: 40 equal replications on 3 threads get 13 or 14 each', () => {
    const job: PoolMeansJob = { events: new Uint32Array(0), eventOffsets: Uint32Array.from({ length: 41 }, (_, r) => 100 * r), columns: 2, mixes: 1, slots: 1, marks: 0 };
    expect(poolMeansUnits(job, 3).map((share) => share.reduce((n, u) => n + u.r1 - u.r0, 0))).toEqual([14, 13, 13]);
  });
  for (const threads of [1, 3, 5]) {
    for (const [label, j] of JOBS) {
      it(`${threads} threads: ${label}`, async () => {
        const kernels = new ParallelCpuMixKernels({ threads });
        const [want, got] = await Promise.all([cpuMixKernels.poolMeans(j), kernels.poolMeans(j)]);
        expect(got.mass).toEqual(want.mass);
        expect(got.plogp).toEqual(want.plogp);
        expect(got.marked).toEqual(want.marked);
        expect(want.mass.some((m) => m > 0)).toBe(true);
      });
    }
  }
  it('mixnetAnonymity on cpu-parallel gives the reference result, named cpu-parallel', async () => {
    const options = { layers: 2, width: 3, rate: 20, targets: 12, replications: 5, corrupt: 0.2, mixLoopRate: 2 };
    const [want, got] = await Promise.all([mixnetAnonymity(options), mixnetAnonymity({ ...options, kernels: new ParallelCpuMixKernels({ threads: 2 }) })]);
    expect(got.kernels).toBe('cpu-parallel');
    expect(got.precision).toBe('float64');
    expect({ ...got, kernels: 'cpu' }).toEqual(want);
  });
});
