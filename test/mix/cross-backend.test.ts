import { afterAll, describe, expect, it } from 'vitest';
import { simulateMixNetwork, traceMixNetwork } from '../../src/analyses/mix-network.js';
import { singleMix } from '../../src/analyses/single-mix.js';
import { traceLinks, traceSimulation } from '../../src/analyses/stream-trace.js';
import { histogramDelay, parseDelaySync, uniform01, type DelayLaw } from '../../src/mix/delays.js';
import { GpuJsMixKernels } from '../../src/engines/gpujs/mix-kernels.js';
import { SCORE_FLOOR, type ConvolveJob, type MixEntropyJob, type MixKernels, type ScoreJob } from '../../src/engines/mix-kernels.js';
import { cpuMixKernels } from '../../src/engines/cpu/mix-kernels.js';
import { Pcg32 } from '../../src/random.js';
import { browserMixKernels } from '../helpers/browser-mix-kernels.js';

/**
 * Every GPU implementation of MixKernels against the float64 reference, on random inputs.
 * Tolerances (float32 on the device, float64 sums of per-chunk partials on the host):
 *
 *  convolve      |Δ| ≤ 1e-5 · step · Σ|kernel| · max|signal of the row|   (a relative bound on
 *                the largest value the row's sums can reach)
 *  scoreLinks    |Δ| ≤ 1e-5 · Σ_i (1 + |term_i|) over the link's packets   (ln in float32 is
 *                good to a few 1e-7 per packet; bins are computed on the host in float64)
 *  mixEntropies  |Δ| ≤ 1e-4 bits (NaN where the reference is NaN)
 */
const CONVOLVE_TOLERANCE = 1e-5;
const SCORE_TOLERANCE = 1e-5;
const ENTROPY_TOLERANCE = 1e-4;

/** Largest |Δ| divided by its allowance, per kernel and backend: printed at the end for the record. */
const measured = new Map<string, { diff: number; ratio: number }>();
function note(key: string, diff: number, allowed: number): void {
  const seen = measured.get(key) ?? { diff: 0, ratio: 0 };
  measured.set(key, { diff: Math.max(seen.diff, diff), ratio: Math.max(seen.ratio, diff / allowed) });
}

// ---------------------------------------------------------------------------------------
// Random jobs.

function randomConvolve(seed: number, S: number, N: number, K: number, step = 0.1): ConvolveJob {
  const rng = new Pcg32(seed);
  return {
    kernel: Float64Array.from({ length: K }, (_, k) => Math.exp(-k / Math.max(1, K / 4)) * (0.5 + uniform01(rng))),
    signals: Float64Array.from({ length: S * N }, () => (uniform01(rng) < 0.3 ? 0 : uniform01(rng) * 3)),
    length: N,
    step,
  };
}

/** Links with 0 to maxPackets packets on a grid far from 0 (start = 10,000), some packets outside. */
function randomScore(seed: number, S: number, links: number, maxPackets: number, pairs: number, N = 400): ScoreJob {
  const rng = new Pcg32(seed);
  const grid = { start: 10_000, step: 0.25, length: N };
  const span = N * grid.step;
  const signals = Float64Array.from({ length: S * N }, () => (uniform01(rng) < 0.2 ? 0 : uniform01(rng) * 2));
  const offsets = new Uint32Array(links + 1);
  const times: number[] = [];
  for (let l = 0; l < links; l++) {
    const count = l === 0 ? 0 : l === 1 ? maxPackets : Math.floor(uniform01(rng) * maxPackets);
    for (let i = 0; i < count; i++) times.push(grid.start - 0.05 * span + uniform01(rng) * 1.1 * span);
    offsets[l + 1] = times.length;
  }
  const pairSignal = Uint32Array.from({ length: pairs }, () => Math.floor(uniform01(rng) * S));
  const pairLink = Uint32Array.from({ length: pairs }, (_, p) => (p < links ? p : Math.floor(uniform01(rng) * links)));
  const pairWeight = Float64Array.from({ length: pairs }, (_, p) => (p % 7 === 0 ? 1 : p % 11 === 0 ? 0 : uniform01(rng)));
  const pairNoise = new Float64Array(pairs).fill(1 / span);
  return { grid, signals, packets: Float64Array.from(times), linkOffsets: offsets, pairSignal, pairLink, pairWeight, pairNoise };
}

/**
 * Trials around output times near `offset` (up to 10,000 ticks): arrivals at output − delay
 * sample, plus noise arrivals spread over [−0.2, 1.2] × the delay's 0.999 quantile.
 */
function randomEntropy(seed: number, law: DelayLaw, trials: number, maxArrivals: number, offset = 0): MixEntropyJob {
  const rng = new Pcg32(seed);
  const reach = law.quantile(0.999);
  const offsets = [0];
  const arrivals: number[] = [];
  const outputs = new Float64Array(trials);
  for (let t = 0; t < trials; t++) {
    const beta = offset + uniform01(rng) * 100;
    outputs[t] = beta;
    const count = t === 0 ? 0 : t === 1 ? maxArrivals : Math.floor(uniform01(rng) * maxArrivals);
    for (let i = 0; i < count; i++) {
      arrivals.push(i % 3 === 0 ? beta - law.sample(rng) : beta - reach * (1.4 * uniform01(rng) - 0.2));
    }
    if (t === 2) arrivals.push(beta + 5 * reach + 1); // after the output: outside every support
    offsets.push(arrivals.length);
  }
  return { density: law.descriptor(), arrivals: Float64Array.from(arrivals), trialOffsets: Uint32Array.from(offsets), outputs };
}

const LAWS: [string, DelayLaw][] = [
  ['exp', parseDelaySync('exp:0.5')],
  ['uniform', parseDelaySync('uniform:1,4')],
  ['erlang', parseDelaySync('erlang:3,2')],
  ['lognormal', parseDelaySync('lognormal:0.5,0.8')],
  ['pareto', parseDelaySync('pareto:2.5,0.5')],
  ['table', histogramDelay([0, 0.5, 1, 2, 3, 5, 8], [1, 3, 0, 4, 2, 1], 'test-table')],
];

// ---------------------------------------------------------------------------------------
// Comparisons.

async function expectConvolve(kernels: MixKernels, job: ConvolveJob, key: string): Promise<void> {
  const expected = await cpuMixKernels.convolve({ ...job, method: 'direct' });
  const got = await kernels.convolve(job);
  expect(got.length).toBe(expected.length);
  const N = job.length;
  const K = Math.min(job.kernel.length, N);
  let kernelMass = 0;
  for (let k = 0; k < K; k++) kernelMass += Math.abs(job.kernel[k]);
  for (let s = 0; s < job.signals.length / N; s++) {
    let top = 0;
    for (let n = 0; n < N; n++) top = Math.max(top, Math.abs(job.signals[s * N + n]));
    const allowed = CONVOLVE_TOLERANCE * job.step * kernelMass * top + 1e-30;
    let worst = 0;
    for (let n = 0; n < N; n++) worst = Math.max(worst, Math.abs(got[s * N + n] - expected[s * N + n]));
    note(`convolve ${key}`, worst, allowed);
    expect(worst, `row ${s}`).toBeLessThanOrEqual(allowed);
  }
}

/** Σ (1 + |term|) over the link's packets: the scale of a score's rounding. */
function scoreScales(job: ScoreJob): Float64Array {
  const N = job.grid.length;
  return Float64Array.from(job.pairSignal, (s, p) => {
    const a = job.pairWeight[p];
    const u = job.pairNoise[p];
    let scale = 0;
    for (let i = job.linkOffsets[job.pairLink[p]]; i < job.linkOffsets[job.pairLink[p] + 1]; i++) {
      const bin = Math.floor((job.packets[i] - job.grid.start) / job.grid.step);
      const g = bin >= 0 && bin < N ? job.signals[s * N + bin] : 0;
      const c = a * g + (1 - a) * u;
      scale += 1 + Math.abs(c > SCORE_FLOOR * u ? Math.log(c / u) : Math.log(SCORE_FLOOR));
    }
    return scale;
  });
}

async function expectScores(kernels: MixKernels, job: ScoreJob, key: string): Promise<void> {
  const expected = await cpuMixKernels.scoreLinks(job);
  const got = await kernels.scoreLinks(job);
  expect(got.length).toBe(expected.length);
  const scales = scoreScales(job);
  for (let p = 0; p < expected.length; p++) {
    const allowed = SCORE_TOLERANCE * scales[p];
    const diff = Math.abs(got[p] - expected[p]);
    note(`scoreLinks ${key}`, diff, Math.max(allowed, 1e-30));
    if (!(diff <= allowed)) expect.fail(`pair ${p}: ${got[p]} vs ${expected[p]} (allowed ${allowed})`);
  }
}

async function expectEntropies(kernels: MixKernels, job: MixEntropyJob, key: string): Promise<void> {
  const expected = await cpuMixKernels.mixEntropies(job);
  const got = await kernels.mixEntropies(job);
  expect(got.length).toBe(expected.length);
  for (let t = 0; t < expected.length; t++) {
    if (Number.isNaN(expected[t])) {
      expect(got[t], `trial ${t}`).toBeNaN();
      continue;
    }
    const diff = Math.abs(got[t] - expected[t]);
    note(`mixEntropies ${key}`, diff, ENTROPY_TOLERANCE);
    if (!(diff <= ENTROPY_TOLERANCE)) expect.fail(`trial ${t}: ${got[t]} vs ${expected[t]} bits`);
  }
}

// ---------------------------------------------------------------------------------------
// The suite, run once per implementation.

interface Backend {
  name: string;
  kernels: () => MixKernels;
  /** Kernels with tight bounds that force chunking (and 2-D dispatches on WebGPU). */
  tight?: () => MixKernels;
  /** Smaller random inputs for slow emulations. */
  small?: boolean;
}

function kernelSuite(backend: Backend): void {
  const k = () => backend.kernels();
  const key = backend.name;

  it('convolve: several sizes, K > N, > 65,535 threads', async () => {
    await expectConvolve(k(), randomConvolve(1, 1, 1, 1), key);
    await expectConvolve(k(), randomConvolve(2, 3, 500, 40), key);
    await expectConvolve(k(), randomConvolve(3, 2, 60, 200), key); // taps beyond N
    await expectConvolve(k(), randomConvolve(4, 2, 3000, 1500, 0.01), key); // > 1024 taps: gpu.js runs tap passes
    await expectConvolve(k(), randomConvolve(5, 70, 1000, 12), key); // 70,000 outputs: 70,000 threads
  });

  it('scoreLinks: empty links, links of > 256 packets, packets off the grid, a = 0 and a = 1, times near 10,000', async () => {
    await expectScores(k(), randomScore(11, 3, 8, 40, 20), key);
    await expectScores(k(), randomScore(12, 5, 30, 700, 120), key);
    await expectScores(k(), randomScore(13, 16, 200, 30, backend.small ? 3000 : 70_000, 200), key); // > 65,535 pairs
  });

  for (const [name, law] of LAWS) {
    it(`mixEntropies: ${name} law, trials with 0 and > 256 arrivals, outputs near 0 and near 10,000`, async () => {
      await expectEntropies(k(), randomEntropy(21, law, 40, 600), key);
      await expectEntropies(k(), randomEntropy(22, law, 60, 80, 10_000), key);
    });
  }

  it('mixEntropies: > 65,535 trials', async () => {
    await expectEntropies(k(), randomEntropy(31, LAWS[0][1], backend.small ? 5000 : 70_000, 6), key);
  });

  if (backend.tight) {
    it('tight bounds: chunked rows, column pieces, batches and 2-D dispatches give the same numbers', async () => {
      const t = backend.tight!();
      await expectConvolve(t, randomConvolve(41, 9, 700, 30), `${key} tight`);
      await expectConvolve(t, randomConvolve(42, 2, 5000, 300), `${key} tight`);
      await expectScores(t, randomScore(43, 12, 40, 700, 400, 300), `${key} tight`);
      await expectEntropies(t, randomEntropy(44, LAWS[5][1], 300, 700), `${key} tight`);
      await expectEntropies(t, randomEntropy(45, LAWS[2][1], 3000, 10), `${key} tight`);
    });
  }
}

/** One end-to-end check per analysis: the GPU kernels give the CPU's results within tolerance. */
function analysisSuite(name: string, kernels: () => MixKernels): void {
  it(`${name}: single mix (exp and table delays)`, async () => {
    for (const delay of [parseDelaySync('exp:0.5'), LAWS[5][1]]) {
      const options = { rate: 6, delay, trials: 300, seed: 3, keepTrials: true };
      const cpu = await singleMix(options);
      const gpu = await singleMix({ ...options, kernels: kernels() });
      expect(gpu.kernels).toBe(kernels().info.name);
      expect(Math.abs(gpu.simulated.mean - cpu.simulated.mean)).toBeLessThan(ENTROPY_TOLERANCE);
      gpu.perTrial!.forEach((h, t) => expect(Math.abs(h - cpu.perTrial![t])).toBeLessThan(ENTROPY_TOLERANCE));
    }
  });

  it(`${name}: stream trace on data and in simulation`, async () => {
    const rng = new Pcg32(5);
    const delay = parseDelaySync('exp:2');
    const target = Array.from({ length: 40 }, () => 1000 + uniform01(rng) * 50);
    const carrier = [...target.map((t) => t + delay.sample(rng)), ...Array.from({ length: 60 }, () => 1000 + uniform01(rng) * 52)];
    const other = Array.from({ length: 100 }, () => 1000 + uniform01(rng) * 52);
    const input = { target, links: [{ name: 'X', times: carrier }, { name: 'Y', times: other }] };
    const cpu = await traceLinks(input, { delay });
    const gpu = await traceLinks(input, { delay, kernels: kernels() });
    expect(gpu.decision).toBe(cpu.decision);
    cpu.links.forEach((l, i) => expect(Math.abs(gpu.links[i].score - l.score)).toBeLessThan(1e-5 * 100 * (1 + Math.abs(l.score))));
    const simulation = { packets: [5, 20], trials: 20, seed: 4 };
    const cpuSim = await traceSimulation(simulation);
    const gpuSim = await traceSimulation({ ...simulation, kernels: kernels() });
    // Decisions flip only where the LLR is within rounding of 0: detection counts agree within one trial.
    cpuSim.curves[0].points.forEach((p, i) => {
      const q = gpuSim.curves[0].points[i];
      expect(Math.abs(q.detection.mean - p.detection.mean)).toBeLessThanOrEqual(1 / simulation.trials + 1e-12);
      expect(Math.abs(q.llr.mean - p.llr.mean)).toBeLessThan(1e-3 * (1 + Math.abs(p.llr.mean)));
    });
  });

  it(`${name}: mix network`, async () => {
    const sim = simulateMixNetwork({ seed: 3, streams: 40, packets: 20, duration: 2000 });
    const cpu = await traceMixNetwork(sim, { targets: 8 });
    const gpu = await traceMixNetwork(sim, { targets: 8, kernels: kernels() });
    // The posterior over links multiplies exp(score) factors: float32 scores move it by about
    // 1e-5 relative; ranks are compared exactly (a tie within rounding would show here).
    expect(gpu.byStep.map((h) => h.meanRank)).toEqual(cpu.byStep.map((h) => h.meanRank));
    gpu.byStep.forEach((h, i) => {
      expect(h.top1).toBe(cpu.byStep[i].top1);
      expect(Math.abs(h.meanEntropy - cpu.byStep[i].meanEntropy)).toBeLessThan(1e-3);
    });
    expect(Math.abs(gpu.meanEntropy - cpu.meanEntropy)).toBeLessThan(1e-3);
  });
}

// ---------------------------------------------------------------------------------------

for (const mode of ['webasm', 'cpu'] as const) {
  describe(`gpu.js mix kernels in Node, mode ${mode}`, () => {
    const kernels = new GpuJsMixKernels({ mode });
    const tight = new GpuJsMixKernels({ mode, maxElements: 2048 });
    afterAll(() => {
      kernels.dispose();
      tight.dispose();
    });
    it('names the mode that ran', async () => {
      await kernels.convolve(randomConvolve(1, 1, 10, 3));
      expect(kernels.info).toMatchObject({ name: 'gpujs', precision: 'float32', runtime: `node ${mode}` });
    });
    kernelSuite({ name: `gpujs ${mode}`, kernels: () => kernels, tight: () => tight, small: mode === 'cpu' });
    if (mode === 'webasm') analysisSuite('gpujs webasm', () => kernels);
  });
}

describe('gpu.js mix kernels in headless Chromium (webgl2)', () => {
  const { kernels, tight } = browserMixKernels({ backend: 'gpujs', gpujsMode: 'webgl2' }, { gpujsMaxElements: 2048 });
  it('names the mode that ran', async () => {
    await kernels().convolve(randomConvolve(1, 1, 10, 3));
    expect(kernels().info).toMatchObject({ name: 'gpujs', precision: 'float32', runtime: 'browser webgl2' });
  });
  kernelSuite({ name: 'gpujs webgl2', kernels, tight });
  analysisSuite('gpujs webgl2', kernels);
});

describe('WebGPU mix kernels in headless Chromium', () => {
  const { kernels, tight } = browserMixKernels({ backend: 'webgpu' }, { webgpu: { maxBindingBytes: 4096, maxWorkgroupsPerDimension: 3 } });
  afterAll(() => {
    const lines = [...measured].map(([k, v]) => `${k}: max |Δ| ${v.diff.toExponential(2)}, ${(v.ratio * 100).toFixed(2)}% of the tolerance`);
    console.log(`mix kernels against the float64 reference:\n${lines.join('\n')}`);
  });
  it('names the adapter', async () => {
    await kernels().convolve(randomConvolve(1, 1, 10, 3));
    expect(kernels().info).toMatchObject({ name: 'webgpu', precision: 'float32', runtime: 'browser' });
    expect(kernels().info.adapter!.vendor.length + kernels().info.adapter!.architecture.length).toBeGreaterThan(0);
  });
  kernelSuite({ name: 'webgpu', kernels, tight });
  analysisSuite('webgpu', kernels);
});
