import { describe, expect, it } from 'vitest';
import { chebyshevBound, llrMoments, traceLinks, traceSimulation } from '../../src/analyses/stream-trace.js';
import { wilson } from '../../src/stats/proportion.js';
import { ParameterError } from '../../src/errors.js';
import { expDelay, parseDelaySync } from '../../src/mix/delays.js';

describe('stream trace on given packet times (hand-computed)', () => {
  // uniform:0,1 on a unit grid: centred delay bins d = (1/2, 1/2). One target packet in bin 0
  // gives g = (1/2, 1/2, 0, 0) on the window [0, 3] (4 points, u = 1/4). Links X and Y carry
  // 2 packets each, so a = N_f / n = 1/2 and C = g/2 + u/2 = (3/8, 3/8, 1/8, 1/8).
  const input = { target: [0.5], links: [{ name: 'Y', times: [2.5, 3.0] }, { name: 'X', times: [0.2, 1.7] }], window: [0, 3] as [number, number] };

  it('scores, the decision and the LLR of eq. 28', async () => {
    const r = await traceLinks(input, { delay: parseDelaySync('uniform:0,1'), step: 1 });
    expect(r.gridLength).toBe(4);
    const x = r.links.find((l) => l.name === 'X')!;
    const y = r.links.find((l) => l.name === 'Y')!;
    expect(x.score).toBeCloseTo(2 * Math.log(1.5), 12); // C/u = 3/2 twice
    expect(y.score).toBeCloseTo(2 * Math.log(0.5), 12); // C/u = 1/2 twice
    expect(r.decision).toBe('X');
    expect(r.runnerUp).toBe('Y');
    expect(x.rank).toBe(1);
    // Σ ln C_X(X_i) − Σ ln C_Y(Y_j) + (m − n) ln u with n = m = 2.
    expect(r.llr).toBeCloseTo(2 * Math.log(3 / 8) - 2 * Math.log(1 / 8), 12);
    expect(r.llr).toBeCloseTo(2 * Math.log(3), 12);
  });

  it('the LLR moments of eqs. 31–34 and the Chebyshev bound of eq. 35, by hand', async () => {
    const r = await traceLinks(input, { delay: parseDelaySync('uniform:0,1'), step: 1 });
    // l = ln(C/u) = (ln 3/2, ln 3/2, ln 1/2, ln 1/2); E_C[l] = ¾ ln 3/2 − ¼ ln 2; E_u[l] = ½ ln 3/4.
    const eC = 0.75 * Math.log(1.5) - 0.25 * Math.log(2);
    const eU = 0.5 * Math.log(0.75);
    const eC2 = 0.75 * Math.log(1.5) ** 2 + 0.25 * Math.log(2) ** 2;
    const eU2 = 0.5 * (Math.log(1.5) ** 2 + Math.log(2) ** 2);
    expect(r.theory!.mean).toBeCloseTo(2 * eC - 2 * eU, 12);
    expect(r.theory!.mean).toBeCloseTo(0.5 * Math.log(3), 12);
    expect(r.theory!.variance).toBeCloseTo(2 * (eC2 - eC * eC) + 2 * (eU2 - eU * eU), 12);
    expect(r.theory!.meanIfY).toBeCloseTo(2 * eU - 2 * eC, 12);
    expect(r.errorBound).toBeCloseTo(Math.min(1, r.theory!.variance / r.theory!.mean ** 2), 12);
    expect(chebyshevBound(-1, 1)).toBe(1);
    expect(chebyshevBound(10, 4)).toBeCloseTo(0.04, 12);
  });

  it('a link with fewer packets than the target cannot carry it', async () => {
    const r = await traceLinks(
      { target: [0.5, 0.6, 0.7], links: [{ name: 'A', times: [0.9] }, { name: 'B', times: [0.2, 1.1, 1.2, 2.9] }], window: [0, 3] },
      { delay: expDelay(2), step: 0.05 },
    );
    expect(r.links.find((l) => l.name === 'A')!.feasible).toBe(false);
    expect(r.decision).toBe('B');
  });

  it('refuses empty or bad input', async () => {
    const delay = expDelay(1);
    await expect(traceLinks({ target: [], links: [{ name: 'X', times: [1] }] }, { delay })).rejects.toThrow(ParameterError);
    await expect(traceLinks({ target: [1], links: [] }, { delay })).rejects.toThrow(/no output links/);
    await expect(traceLinks({ target: [1], links: [{ name: 'X', times: [NaN] }] }, { delay })).rejects.toThrow(/not a finite number/);
    await expect(traceLinks({ target: [1], links: [{ name: 'X', times: [1] }] }, { delay })).rejects.toThrow(/window/);
  });
});

describe('stream trace simulation (Danezis: signal 50, cover 150 on X, padding 200 on Y, departure rate 30)', () => {
  it('detection rises with the number of target packets; the Chebyshev bound stays below it', async () => {
    const r = await traceSimulation({ packets: [1, 5, 50], trials: 300, seed: 3 });
    const [p1, p5, p50] = r.curves[0].points;
    expect(r.curves[0]).toMatchObject({ signalRate: 50, coverRate: 150, paddingRate: 200, delay: 'exp:30' });
    // Disjoint Wilson 95% intervals: each comparison errs with probability well under 0.3%
    // for a correct implementation (the gaps are over 10 standard errors here).
    expect(p5.detection.ci95[0]).toBeGreaterThan(p1.detection.ci95[1]);
    expect(p50.detection.ci95[0]).toBeGreaterThan(p5.detection.ci95[1]);
    expect(p50.detection.mean).toBeGreaterThan(0.9);
    expect(p1.detection.mean).toBeLessThan(0.75);
    for (const p of [p1, p5, p50]) {
      expect(p.bound).toBeLessThanOrEqual(p.detection.ci95[1]);
      expect(p.theory.mean).toBeGreaterThan(0);
    }
    expect(p50.bound).toBeGreaterThan(0.5);
  });

  it('the LLR mean over trials agrees with eqs. 31–34 (within 5 standard errors: false-alarm rate about 6e-7 per point, ignoring grid bias)', async () => {
    const r = await traceSimulation({ packets: [10, 40], trials: 400, seed: 5 });
    for (const p of r.curves[0].points) {
      const se = Math.sqrt(p.llr.variance / p.trials);
      expect(Math.abs(p.llr.mean - p.theory.mean)).toBeLessThanOrEqual(5 * se);
      expect(p.theory.variance / p.llr.variance).toBeGreaterThan(0.7);
      expect(p.theory.variance / p.llr.variance).toBeLessThan(1.4);
    }
  });

  it('sweeps: more cover or a longer delay makes tracing harder', async () => {
    const cover = await traceSimulation({ packets: [20], trials: 300, seed: 7, coverRates: [0, 1000] });
    expect(cover.curves.map((c) => c.paddingRate)).toEqual([50, 1050]);
    expect(cover.curves[0].points[0].detection.ci95[0]).toBeGreaterThan(cover.curves[1].points[0].detection.ci95[1]);
    const delay = await traceSimulation({ packets: [20], trials: 300, seed: 7, meanDelays: [0.005, 0.2] });
    expect(delay.curves.map((c) => c.delay)).toEqual(['exp:200', 'exp:5']);
    expect(delay.curves[0].points[0].detection.ci95[0]).toBeGreaterThan(delay.curves[1].points[0].detection.ci95[1]);
  });

  it('is reproducible for a seed; refuses bad parameters', async () => {
    const a = await traceSimulation({ packets: [5], trials: 20, seed: 1 });
    const b = await traceSimulation({ packets: [5], trials: 20, seed: 1 });
    expect(b.curves[0].points[0].llr.mean).toBe(a.curves[0].points[0].llr.mean);
    await expect(traceSimulation({ packets: [0] })).rejects.toThrow(ParameterError);
    await expect(traceSimulation({ signalRate: -1 })).rejects.toThrow(/signal rate/);
    await expect(traceSimulation({ trials: 1 })).rejects.toThrow(/trials/);
  });

  it('Wilson intervals', () => {
    const [lo, hi] = wilson(50, 100);
    expect(lo).toBeCloseTo(0.4038, 3);
    expect(hi).toBeCloseTo(0.5962, 3);
    expect(wilson(10, 10)[1]).toBeCloseTo(1, 12);
  });
});

describe('llrMoments', () => {
  it('X carrying only the target, Y pure noise: E₀ = n KL(g‖u), no variance', () => {
    const g = Float64Array.from([2, 0, 0, 0]); // all mass in the first of 4 bins of width 0.5 (u = 1/2)
    const m = llrMoments(g, 0, 4, 0.5, 0.5, 1, 0, 3, 5);
    // a_X = 1: C_X = g (floored at 1e-12 u where g = 0); KL(g‖u) = ln(2/0.5) = ln 4. a_Y = 0: C_Y = u, no information.
    expect(m.mean).toBeCloseTo(3 * Math.log(4), 9);
    expect(m.variance).toBeLessThan(1e-8); // only the floor bins contribute
  });
});
