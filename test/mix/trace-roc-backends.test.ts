import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserBackend, BrowserMixKernels } from '../../src/engines/browser/browser-backend.js';
import { traceRoc, type TraceRocPoint } from '../../src/analyses/trace-roc.js';
import { GpuJsMixKernels } from '../../src/engines/gpujs/mix-kernels.js';
import { SCORE_FLOOR, type MixKernels } from '../../src/engines/mix-kernels.js';
import { parseDelaySync, uniform01 } from '../../src/mix/delays.js';
import { Pcg32 } from '../../src/random.js';

/**
 * trace --roc on the float32 engines against the float64 reference: every (target, link)
 * score within the scoreLinks tolerance, |Δ| ≤ 1e-5 · Σ_i (1 + |term_i|), bounded here by
 * 1e-5 · n_L · (1 + |ln FLOOR|) (no term is below ln FLOOR); the AUC moves only by the
 * (true, false) pairs whose scores are closer than the two tolerances together.
 */
const PER_PACKET = 1e-5 * (1 + Math.abs(Math.log(SCORE_FLOOR)));

/** `packetsOf(l)`: link l's packets, or a bound on them. */
function expectSameRoc(cpu: TraceRocPoint, gpu: TraceRocPoint, links: number, packetsOf: (l: number) => number): void {
  const a = cpu.pairScores!;
  const b = gpu.pairScores!;
  expect(b.length).toBe(a.length);
  const tolerance = (p: number) => PER_PACKET * packetsOf(p % links);
  for (let p = 0; p < a.length; p++) expect(Math.abs(b[p] - a[p])).toBeLessThanOrEqual(tolerance(p));
  // Pairs whose order rounding could flip, and the AUC change they allow.
  const T = a.length / links;
  const pos: number[] = [];
  const neg: number[] = [];
  for (let p = 0; p < a.length; p++) (Math.floor(p / links) === p % links ? pos : neg).push(p);
  let close = 0;
  for (const i of pos) for (const j of neg) if (Math.abs(a[i] - a[j]) <= tolerance(i) + tolerance(j)) close++;
  expect(Math.abs(gpu.auc.value - cpu.auc.value)).toBeLessThanOrEqual(close / (pos.length * neg.length) + 1e-12);
  expect(T).toBe(cpu.positives);
}

/** Recorded flows on times near 10,000 (float32 keeps them only to 1e-3): bins are the host's float64 job. */
function recorded() {
  const rng = new Pcg32(8);
  const delay = parseDelaySync('lognormal:-1,0.5');
  const targets = [];
  const links = [];
  for (let i = 0; i < 10; i++) {
    const input = Array.from({ length: 30 }, () => 10_000 + uniform01(rng) * 30);
    targets.push({ name: `f${i}`, times: input });
    links.push({ name: `f${i}`, times: [...input.map((t) => t + delay.sample(rng)), ...Array.from({ length: 300 }, () => 10_000 + uniform01(rng) * 33)] });
  }
  return { input: { targets, links }, delay };
}

function rocSuite(name: string, kernels: () => MixKernels): void {
  it(`${name}: simulation, every pair's score and the AUC as on cpu`, async () => {
    const options = { targets: 40, sweepPackets: [3, 20], seed: 2, keepScores: true };
    const cpu = await traceRoc(options);
    const gpu = await traceRoc({ ...options, kernels: kernels() });
    expect(gpu.kernels).toBe(kernels().info.name);
    // A link carries its target's k packets and Poisson(150 · window) cover: well below 1000 packets.
    cpu.byPackets.forEach((p, i) => expectSameRoc(p, gpu.byPackets[i], 40, () => 1000));
  });

  it(`${name}: recorded flows near t = 10,000 with a log-normal mix`, async () => {
    const { input, delay } = recorded();
    const options = { input, delay, keepScores: true };
    const cpu = await traceRoc(options);
    const gpu = await traceRoc({ ...options, kernels: kernels() });
    expectSameRoc(cpu.byPackets[0], gpu.byPackets[0], 10, (l) => input.links[l].times.length);
  });
}

describe('trace --roc on gpu.js in Node (webasm)', () => {
  const kernels = new GpuJsMixKernels({ mode: 'webasm' });
  afterAll(() => kernels.dispose());
  rocSuite('gpujs webasm', () => kernels);
});

describe('trace --roc on WebGPU and gpu.js (webgl2) in headless Chromium', () => {
  let webgpu: BrowserBackend;
  let gpujs: BrowserBackend;
  beforeAll(async () => {
    webgpu = await BrowserBackend.start({ backend: 'webgpu' });
    gpujs = await BrowserBackend.start({ backend: 'gpujs', gpujsMode: 'webgl2' });
  });
  afterAll(async () => {
    await webgpu?.dispose();
    await gpujs?.dispose();
  });
  rocSuite('webgpu', () => BrowserMixKernels.on(webgpu));
  rocSuite('gpujs webgl2', () => BrowserMixKernels.on(gpujs));
});
