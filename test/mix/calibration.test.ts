import { describe, expect, it } from 'vitest';
import { ParameterError } from '../../src/errors.js';
import { Pcg32 } from '../../src/random.js';
import { calibration } from '../../src/stats/calibration.js';

/** Four hand-made posteriors over three outcomes (the third row unnormalised) and what happened. */
const WEIGHTS = [0.7, 0.2, 0.1, 0.5, 0.5, 0, 2, 1, 1, 0.1, 0.1, 0.8];
const TRUTHS = [0, 1, 2, 0];

describe('calibration of posteriors', () => {
  it('hand-worked: confidence, accuracy (a tie counts 1/2), truth probability, Σp², ECE, log-loss, gaps', () => {
    const c = calibration(WEIGHTS, 3, TRUTHS);
    // Per row: top probability 0.7, 0.5, 0.5, 0.8; top guess right 1, 1/2 (tie of two), 0, 0;
    // p(truth) 0.7, 0.5, 0.25, 0.1; Σp² 0.54, 0.5, 0.375, 0.66.
    expect(c.count).toBe(4);
    expect(c.meanConfidence).toBeCloseTo(2.5 / 4, 14);
    expect(c.accuracy).toBeCloseTo(1.5 / 4, 14);
    expect(c.meanTruthProbability).toBeCloseTo(1.55 / 4, 14);
    expect(c.expectedTruthProbability).toBeCloseTo(2.075 / 4, 14);
    // Bins of width 0.1: 0.7 → [0.7, 0.8) right; 0.5, 0.5 → [0.5, 0.6) accuracy 1/4; 0.8 → [0.8, 0.9) wrong.
    const filled = c.reliability.filter((b) => b.count > 0);
    expect(filled.map((b) => [b.low, b.count])).toEqual([[0.5, 2], [0.7, 1], [0.8, 1]]);
    expect(filled[0].meanConfidence).toBeCloseTo(0.5, 14);
    expect(filled[0].accuracy).toBeCloseTo(0.25, 14);
    expect(c.reliability).toHaveLength(10);
    expect(c.reliability[0].meanConfidence).toBeNaN();
    expect(c.expectedCalibrationError).toBeCloseTo((2 / 4) * 0.25 + (1 / 4) * 0.3 + (1 / 4) * 0.8, 14);
    expect(c.logLoss).toBeCloseTo(-(Math.log2(0.7) + Math.log2(0.5) + Math.log2(0.25) + Math.log2(0.1)) / 4, 14);
    expect(c.zeroTruth).toBe(0);
    // confidence − accuracy per row: −0.3, 0, 0.5, 0.8.
    const d = [-0.3, 0, 0.5, 0.8];
    const mean = d.reduce((a, b) => a + b) / 4;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
    expect(c.confidenceGap.mean).toBeCloseTo(mean, 14);
    expect(c.confidenceGap.ci95[0]).toBeCloseTo(mean - (1.959963984540054 * sd) / 2, 12);
    expect(c.confidenceGap.ci95[1]).toBeCloseTo(mean + (1.959963984540054 * sd) / 2, 12);
    expect(c.truthGap.mean).toBeCloseTo((2.075 - 1.55) / 4, 14);
  });

  it('a truth given probability 0: infinite log-loss, counted', () => {
    const c = calibration([1, 0, 0.5, 0.5], 2, [1, 0]);
    expect(c.logLoss).toBe(Infinity);
    expect(c.zeroTruth).toBe(1);
    expect(c.accuracy).toBeCloseTo(0.25, 14);
  });

  it('outcomes drawn from the posteriors themselves: consistent; a sure posterior with uniform outcomes: overconfident', () => {
    const rng = new Pcg32(7);
    const k = 5;
    const cases = 2000;
    const weights = new Float64Array(cases * k);
    const drawn = new Uint32Array(cases);
    const uniform = new Uint32Array(cases);
    for (let r = 0; r < cases; r++) {
      let total = 0;
      for (let v = 0; v < k; v++) total += weights[r * k + v] = (-Math.log(1 - rng.nextUint32() / 2 ** 32)) ** 3; // skewed weights
      let u = (rng.nextUint32() / 2 ** 32) * total;
      let v = 0;
      while (v < k - 1 && (u -= weights[r * k + v]) >= 0) v++;
      drawn[r] = v;
      uniform[r] = rng.below(k);
    }
    const calibrated = calibration(weights, k, drawn);
    expect(calibrated.consistent).toBe(true);
    expect(Math.abs(calibrated.meanConfidence - calibrated.accuracy)).toBeLessThan(0.04);
    expect(calibrated.expectedCalibrationError).toBeLessThan(0.06);
    const sure = calibration(weights.map((w, i) => (i % k === 0 ? 1e6 : w)), k, uniform);
    expect(sure.consistent).toBe(false);
    expect(sure.confidenceGap.ci95[0]).toBeGreaterThan(0.5);
  });

  it('refuses rows that do not match the outcomes, outcomes out of range, rows with no mass', () => {
    expect(() => calibration([1, 0, 0], 2, [0])).toThrow(ParameterError);
    expect(() => calibration([1, 0], 2, [2])).toThrow(/outcome 2 is not in 0..1/);
    expect(() => calibration([0, 0], 2, [0])).toThrow(/row 0 has no finite positive mass/);
    expect(() => calibration([1, 0], 2, [0], 0)).toThrow(/bins/);
  });
});
