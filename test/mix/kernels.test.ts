import { describe, expect, it } from 'vitest';
import { ParameterError } from '../../src/errors.js';
import { parseDelaySync } from '../../src/mix/delays.js';
import { SCORE_FLOOR, type DensityDescriptor } from '../../src/engines/mix-kernels.js';
import { convolveDirect, convolveFft, convolveMethod, cpuMixKernels } from '../../src/engines/cpu/mix-kernels.js';
import { binDensity } from '../../src/mix/time-grid.js';
import { delayOnGrid } from '../../src/mix/delays.js';

/** Composite Simpson's rule of g over [a, b] with n (even) intervals. */
function simpson(g: (x: number) => number, a: number, b: number, n = 4000): number {
  const h = (b - a) / n;
  let s = g(a) + g(b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * g(a + i * h);
  return (s * h) / 3;
}

describe('convolution kernel', () => {
  it('smooth densities: the grid convolution equals ∫ d(τ) s(t − τ) dτ by numeric integration', async () => {
    const d = parseDelaySync('erlang:3,2'); // smooth, 0 at 0
    const s = (t: number) => Math.exp(-((t - 5) ** 2) / (2 * 0.5 ** 2)) / (0.5 * Math.sqrt(2 * Math.PI));
    const step = 0.01;
    const N = 1500;
    const K = 1200;
    const kernel = Float64Array.from({ length: K }, (_, k) => d.density(k * step));
    const signals = Float64Array.from({ length: N }, (_, n) => s(n * step));
    const out = await cpuMixKernels.convolve({ kernel, signals, length: N, step });
    let worst = 0;
    for (const t of [2, 4.5, 5.5, 6, 6.5, 7, 8, 10, 14]) {
      const exact = simpson((tau) => d.density(tau) * s(t - tau), 0, t);
      worst = Math.max(worst, Math.abs(out[Math.round(t / step)] - exact));
    }
    // Peak value ≈ 0.45: the rectangle rule on smooth integrands vanishing at the ends is far below 1e-6.
    expect(worst).toBeLessThan(1e-6);
  });

  it('binned stream ∗ centred delay bins: matches the closed form (exp ∗ point masses) within O(step)', async () => {
    const law = parseDelaySync('exp:3');
    const step = 0.002;
    const N = 3000;
    const packets = [0.5, 1.2, 1.25, 3.0];
    const grid = { start: 0, step, length: N };
    const f = new Float64Array(N);
    binDensity(packets, grid, f);
    const g = await cpuMixKernels.convolve({ kernel: delayOnGrid(law, step, N), signals: f, length: N, step });
    // (d ∗ f)(t) = (1/4) Σ_k μ e^{−μ (t − t_k)} [t ≥ t_k]
    const exact = (t: number) => packets.reduce((sum, p) => sum + (t >= p ? law.density(t - p) : 0), 0) / packets.length;
    for (const t of [0.7, 1.0, 1.4, 2.2, 3.3, 4.5]) {
      const n = Math.floor(t / step);
      expect(Math.abs(g[n] - exact((n + 0.5) * step))).toBeLessThan(0.01 * 3); // μ · (μ step) scale
    }
    // Mass is conserved up to what leaves the grid.
    const mass = g.reduce((a, b) => a + b, 0) * step;
    expect(mass).toBeCloseTo(packets.reduce((a, p) => a + law.cdf(N * step - p), 0) / packets.length, 3);
  });

  it('direct and FFT agree on batched signals; auto picks by cost', () => {
    const N = 700;
    const S = 3;
    const kernel = Float64Array.from({ length: 90 }, (_, k) => Math.exp(-k / 20));
    const signals = Float64Array.from({ length: S * N }, (_, i) => ((i * 7919) % 13) / 13);
    const job = { kernel, signals, length: N, step: 0.5 };
    const a = convolveDirect(job);
    const b = convolveFft(job);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 9);
    // Kernel longer than the signal: taps beyond N never matter.
    const long = { ...job, kernel: Float64Array.from({ length: 2 * N }, (_, k) => 1 / (k + 1)) };
    const c = convolveDirect(long);
    const e = convolveFft(long);
    for (let i = 0; i < c.length; i++) expect(e[i]).toBeCloseTo(c[i], 9);
    expect(convolveMethod(100, 5)).toBe('direct');
    expect(convolveMethod(100_000, 5000)).toBe('fft');
    expect(() => convolveDirect({ ...job, length: 701 })).toThrow(ParameterError);
  });
});

describe('scoring kernel (log-likelihood ratios)', () => {
  it('hand-computed scores: Σ ln((a g + (1 − a) u)/u), the floor, packets off the grid', async () => {
    const grid = { start: 0, step: 1, length: 4 };
    const signals = Float64Array.from([0.5, 0.5, 0, 0, /* signal 1 */ 0, 0, 0.25, 0.75]);
    const packets = Float64Array.from([0.2, 1.7, /* link 1 */ 2.5, /* link 2 */ 7, 3.5]);
    const linkOffsets = Uint32Array.from([0, 2, 3, 5]);
    const scores = await cpuMixKernels.scoreLinks({
      grid,
      signals,
      packets,
      linkOffsets,
      pairSignal: Uint32Array.from([0, 0, 0, 1, 1]),
      pairLink: Uint32Array.from([0, 1, 2, 0, 2]),
      pairWeight: Float64Array.from([1, 0.5, 0.5, 1, 0.4]),
      pairNoise: Float64Array.from([0.25, 0.25, 0.25, 0.25, 0.25]),
    });
    const u = 0.25;
    expect(scores[0]).toBeCloseTo(2 * Math.log(0.5 / u), 12); // both packets where g = 0.5
    expect(scores[1]).toBeCloseTo(Math.log(0.5), 12); // g = 0: half the noise density
    expect(scores[2]).toBeCloseTo(2 * Math.log(0.5), 12); // t = 7 is off the grid (g = 0); t = 3.5 in bin 3 (g = 0)
    expect(scores[3]).toBeCloseTo(2 * Math.log(SCORE_FLOOR), 12); // a = 1 where g = 0: the floor, not −∞
    expect(scores[4]).toBeCloseTo(Math.log(0.6 * u / u) + Math.log((0.4 * 0.75 + 0.6 * u) / u), 12);
    // The LLR of eq. 28 for links 0 vs 1 with the same signal: score difference.
    expect(scores[0] - scores[1]).toBeCloseTo(3 * Math.log(2), 12);
  });
});

describe('single-mix entropy kernel', () => {
  it('hand-computed entropies', async () => {
    const uniform: DensityDescriptor = { kind: 'uniform', params: [0, 10, 0, 0] };
    const exp: DensityDescriptor = { kind: 'exp', params: [2, 0, 0, 0] };
    const table: DensityDescriptor = { kind: 'table', params: [0, 0, 0, 0], table: { edges: Float64Array.from([0, 1, 3]), density: Float64Array.from([0.5, 0.25]) } };
    const run = (density: DensityDescriptor, arrivals: number[], offsets: number[], outputs: number[]) =>
      cpuMixKernels.mixEntropies({ density, arrivals: Float64Array.from(arrivals), trialOffsets: Uint32Array.from(offsets), outputs: Float64Array.from(outputs) });

    // Uniform delay: every arrival within the last 10 units is equally likely.
    const u = await run(uniform, [-1, -2, -3, -9.5, /* too old */ -11, /* trial 2 */ 4, 5], [0, 5, 7], [0, 6]);
    expect(u[0]).toBeCloseTo(2, 12);
    expect(u[1]).toBeCloseTo(1, 12);
    // Exponential: ages 0 and ln 2 / μ have weights μ and μ/2: p = (2/3, 1/3).
    const e = await run(exp, [0, -Math.log(2) / 2, /* after the output */ 0.5], [0, 3], [0]);
    expect(e[0]).toBeCloseTo(-(2 / 3) * Math.log2(2 / 3) - (1 / 3) * Math.log2(1 / 3), 12);
    // Table: ages 0.5 (0.5), 2 (0.25), 2.5 (0.25): p = (1/2, 1/4, 1/4) → 1.5 bits; no arrival in the support → NaN.
    const t = await run(table, [-0.5, -2, -2.5, /* trial 2 */ -5], [0, 3, 4], [0, 0]);
    expect(t[0]).toBeCloseTo(1.5, 12);
    expect(t[1]).toBeNaN();
    // Heavy weights far apart do not overflow: shift-invariant log-sum.
    const far = await run({ kind: 'exp', params: [1000, 0, 0, 0] }, [0, -0.5], [0, 2], [0]);
    expect(far[0]).toBeCloseTo(0, 12);
  });
});
