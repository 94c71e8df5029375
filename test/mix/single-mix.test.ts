import { describe, expect, it } from 'vitest';
import { checkSingleMixSweepOptions, singleMix, singleMixSweep } from '../../src/analyses/single-mix.js';
import { ParameterError } from '../../src/errors.js';
import { expDelay, parseDelaySync } from '../../src/mix/delays.js';

/**
 * Each check below accepts |estimate − target| ≤ 4 standard errors of the Monte-Carlo mean
 * (the 95% half-width × 4/1.96): a false-alarm rate of about 6e-5 per check for a correct
 * implementation and a random seed. The seeds are fixed, so the outcome is deterministic.
 */
const fourSe = (ci95: [number, number]) => ((ci95[1] - ci95[0]) / 2) * (4 / 1.96);

describe('single mix: Monte Carlo against the closed forms', () => {
  it.each([
    [10, 0.5], // DESIGN.md's reference: 5.765 bits
    [5, 1],
    [40, 2],
    [8, 0.1],
  ])('exponential λ = %d, μ = %d: log2(λe/μ) within the Monte-Carlo CI (plus the O(μ/λ) finite-λ term)', async (rate, mu) => {
    const r = await singleMix({ rate, delay: expDelay(mu), trials: 1500, seed: 2 });
    expect(r.theory).toBeCloseTo(Math.log2((rate * Math.E) / mu), 12);
    expect(r.valid).toBe(true);
    // The closed form is the large-λ limit; the first-order term μ/(4λ ln 2) is the known gap.
    const gap = mu / (4 * rate * Math.LN2);
    expect(r.theoryFirstOrder - r.theory).toBeCloseTo(gap, 12);
    expect(Math.abs(r.simulated.mean - r.theoryFirstOrder)).toBeLessThanOrEqual(fourSe(r.simulated.ci95));
    expect(Math.abs(r.simulated.mean - r.theory)).toBeLessThanOrEqual(fourSe(r.simulated.ci95) + gap);
    expect(r.simulated.ci95[0]).toBeLessThan(r.simulated.mean);
  });

  it('DESIGN.md reference: λ = 10, μ = 0.5 gives 5.765 bits', async () => {
    const r = await singleMix({ rate: 10, delay: expDelay(0.5), trials: 50 });
    expect(r.theory).toBeCloseTo(5.765, 3);
  });

  it('other laws: h(f) + log2 λ + ∫f²/(2λ ln 2) within the Monte-Carlo CI', async () => {
    for (const spec of ['uniform:0,2', 'erlang:3,3', 'lognormal:-0.5,1', 'pareto:3,0.6667']) {
      const r = await singleMix({ rate: 20, delay: parseDelaySync(spec), trials: 800, seed: 3 });
      expect(Math.abs(r.simulated.mean - r.theoryFirstOrder), spec).toBeLessThanOrEqual(fourSe(r.simulated.ci95));
    }
  });

  it('flags the model as invalid where μ > λe', async () => {
    const r = await singleMix({ rate: 0.2, delay: expDelay(1), trials: 200 });
    expect(r.valid).toBe(false);
    expect(r.theory).toBeLessThan(0);
    expect(r.warnings.join()).toMatch(/μ = 1 > λe/);
    expect(r.simulated.mean).toBeGreaterThanOrEqual(0); // an entropy is never negative
    const ok = await singleMix({ rate: 0.5, delay: expDelay(1), trials: 50 });
    expect(ok.valid).toBe(true); // 1 < 0.5 e
  });

  it('is reproducible for a seed and different across seeds', async () => {
    const a = await singleMix({ rate: 4, delay: expDelay(1), trials: 100, seed: 9 });
    const b = await singleMix({ rate: 4, delay: expDelay(1), trials: 100, seed: 9 });
    const c = await singleMix({ rate: 4, delay: expDelay(1), trials: 100, seed: 10 });
    expect(b.simulated.mean).toBe(a.simulated.mean);
    expect(c.simulated.mean).not.toBe(a.simulated.mean);
  });

  it('refuses bad parameters', async () => {
    await expect(singleMix({ rate: 0, delay: expDelay(1) })).rejects.toThrow(ParameterError);
    await expect(singleMix({ rate: 1, delay: expDelay(1), trials: 1 })).rejects.toThrow(/trials/);
    await expect(singleMix({ rate: 1e6, delay: parseDelaySync('pareto:1.01,1'), trials: 10 })).rejects.toThrow(/too many/);
  });
});

describe('single mix: sweep and the comparison of delay laws', () => {
  it('the exponential is the most anonymous law of its mean at every load, and the theory tracks the simulation', async () => {
    const r = await singleMixSweep({ delay: expDelay(1), loads: [5, 20], trials: 300, seed: 4 });
    expect(r.laws.map((l) => l.kind)).toEqual(['exp', 'uniform', 'erlang', 'lognormal', 'pareto']);
    expect(r.rows).toHaveLength(10);
    for (const b of r.best) expect(b.law).toBe('exp:1');
    for (const row of r.rows) {
      expect(row.rate).toBeCloseTo(row.load, 12); // mean delay 1
      expect(Math.abs(row.simulated.mean - row.theoryFirstOrder), row.law).toBeLessThanOrEqual(fourSe(row.simulated.ci95));
    }
    const only = await singleMixSweep({ delay: expDelay(2), loads: [3], trials: 50, compareLaws: false });
    expect(only.rows).toHaveLength(1);
    expect(only.rows[0].rate).toBeCloseTo(6, 12);
  });

  it('compareWith: exactly those laws (of one mean), in order, each row what the law alone gives; checked before any cell runs', async () => {
    const [erlang, uniform] = [parseDelaySync('erlang:3,6'), parseDelaySync('uniform:0,1')];
    const options = { loads: [4, 16], trials: 40, seed: 2 };
    const r = await singleMixSweep({ delay: expDelay(2), compareWith: [erlang, uniform], ...options });
    expect(r.laws.map((l) => l.spec)).toEqual(['exp:2', 'erlang:3,6', 'uniform:0,1']);
    const alone = await Promise.all([expDelay(2), erlang, uniform].map((delay) => singleMixSweep({ delay, compareLaws: false, ...options })));
    expect(r.rows).toEqual(alone.flatMap((s) => s.rows));
    expect(() => checkSingleMixSweepOptions({ delay: expDelay(2), compareWith: [expDelay(1)] })).toThrow(/a sweep compares laws of one mean.*exp:1 has mean 1, exp:2 has 0\.5/);
    expect(() => checkSingleMixSweepOptions({ delay: expDelay(2), compareWith: [erlang, erlang] })).toThrow(/erlang:3,6 is given twice/);
    expect(() => checkSingleMixSweepOptions({ delay: expDelay(2), compareWith: [erlang], compareLaws: false })).toThrow(/give one of them/);
    expect(() => checkSingleMixSweepOptions({ delay: parseDelaySync('pareto:0.5,1') })).toThrow(/finite mean/);
    await expect(singleMixSweep({ delay: expDelay(2), compareWith: [expDelay(1)] })).rejects.toThrow(/one mean/);
  });
});
