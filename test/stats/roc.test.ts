import { describe, expect, it } from 'vitest';
import { ParameterError } from '../../src/errors.js';
import { erfc, standardNormal, uniform01 } from '../../src/mix/delays.js';
import { Pcg32 } from '../../src/random.js';
import { rocCurve } from '../../src/stats/roc.js';

/** The ROC statistics against direct computations over all pairs and all thresholds, and against normal laws' closed forms. */

const Phi = (x: number) => 0.5 * erfc(-x / Math.SQRT2);
/** Φ⁻¹ by bisection (Φ is erfc-based, good to 1.2e-7). */
function PhiInverse(p: number): number {
  let lo = -10;
  let hi = 10;
  for (let k = 0; k < 100; k++) {
    const mid = (lo + hi) / 2;
    if (Phi(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Mann–Whitney over all n₁·n₀ pairs, ties half. */
function directAuc(pos: number[], neg: number[]): number {
  let sum = 0;
  for (const x of pos) for (const y of neg) sum += x > y ? 1 : x === y ? 0.5 : 0;
  return sum / (pos.length * neg.length);
}

/** DeLong's structural components by double loops, and the standard error from them. */
function directDeLongSe(pos: number[], neg: number[]): number {
  const psi = (x: number, y: number) => (x > y ? 1 : x === y ? 0.5 : 0);
  const v10 = pos.map((x) => neg.reduce((s, y) => s + psi(x, y), 0) / neg.length);
  const v01 = neg.map((y) => pos.reduce((s, x) => s + psi(x, y), 0) / pos.length);
  const variance = (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1);
  };
  return Math.sqrt(variance(v10) / pos.length + variance(v01) / neg.length);
}

/** Over every threshold (each score and +∞), the largest TP count with FP ≤ α·n₀; TPR and the least FP giving it. */
function directOperatingPoint(pos: number[], neg: number[], alpha: number): { tpr: number; fpr: number } {
  let bestTp = 0;
  let bestFp = 0;
  for (const t of [Infinity, ...pos, ...neg]) {
    const tp = pos.filter((x) => x >= t).length;
    const fp = neg.filter((y) => y >= t).length;
    if (fp > alpha * neg.length) continue;
    if (tp > bestTp || (tp === bestTp && fp < bestFp)) [bestTp, bestFp] = [tp, fp];
  }
  return { tpr: bestTp / pos.length, fpr: bestFp / neg.length };
}

/** Trapezoid area under the curve's points. */
function trapezoid(points: { fpr: number; tpr: number }[]): number {
  let area = 0;
  for (let k = 1; k < points.length; k++) area += ((points[k].fpr - points[k - 1].fpr) * (points[k].tpr + points[k - 1].tpr)) / 2;
  return area;
}

describe('rocCurve', () => {
  it('a hand-computed case with ties: pos 3, 2, 2 against neg 2, 1', () => {
    const roc = rocCurve([3, 2, 2], [2, 1], [0.4, 0.5]);
    // Pairs: 3>2, 3>1, 2=2 (½), 2>1, 2=2 (½), 2>1: 5 of 6.
    expect(roc.auc.value).toBeCloseTo(5 / 6, 15);
    expect(roc.points).toEqual([
      { threshold: Infinity, fpr: 0, tpr: 0 },
      { threshold: 3, fpr: 0, tpr: 1 / 3 },
      { threshold: 2, fpr: 0.5, tpr: 1 },
      { threshold: 1, fpr: 1, tpr: 1 },
    ]);
    // At FPR ≤ 0.4 only τ = 3 qualifies; at 0.5 the tie group at 2 comes in whole.
    expect(roc.atFpr.map((p) => [p.threshold, p.tpr, p.fpr, p.truePositives, p.falsePositives])).toEqual([
      [3, 1 / 3, 0, 1, 0],
      [2, 1, 0.5, 3, 1],
    ]);
    expect(roc.atFpr[0].resolved).toBe(false); // 0.4 · 2 negatives < 1
  });

  it('equals Mann–Whitney, DeLong by double loops and direct counting on scores with many ties', () => {
    for (const seed of [1, 2, 3]) {
      const rng = new Pcg32(seed);
      const pos = Array.from({ length: 60 + seed * 7 }, () => Math.floor(uniform01(rng) * 12) + 3);
      const neg = Array.from({ length: 150 + seed * 11 }, () => Math.floor(uniform01(rng) * 12));
      const fprs = [0.3, 0.1, 0.05, 0.01, 0.001];
      const roc = rocCurve(pos, neg, fprs);
      expect(roc.auc.value).toBeCloseTo(directAuc(pos, neg), 12);
      expect(trapezoid(roc.points)).toBeCloseTo(roc.auc.value, 12);
      expect(roc.auc.se).toBeCloseTo(directDeLongSe(pos, neg), 12);
      roc.atFpr.forEach((p, k) => {
        const direct = directOperatingPoint(pos, neg, fprs[k]);
        expect(p.tpr).toBeCloseTo(direct.tpr, 15);
        expect(p.fpr).toBeCloseTo(direct.fpr, 15);
        // The threshold reported gives exactly those counts.
        expect(pos.filter((x) => x >= p.threshold).length).toBe(p.truePositives);
        expect(neg.filter((y) => y >= p.threshold).length).toBe(p.falsePositives);
      });
      // Every corner is the direct count at its threshold.
      for (const point of roc.points) {
        expect(point.tpr).toBeCloseTo(pos.filter((x) => x >= point.threshold).length / pos.length, 15);
        expect(point.fpr).toBeCloseTo(neg.filter((y) => y >= point.threshold).length / neg.length, 15);
      }
      expect(roc.points.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    }
  });

  it('two normal laws at distance d: AUC = Φ(d/√2) and TPR at FPR α = 1 − Φ(z₁₋α − d), within Monte-Carlo error', () => {
    const d = 1.5;
    const rng = new Pcg32(9);
    const n1 = 4000;
    const n0 = 40_000;
    const pos = Array.from({ length: n1 }, () => d + standardNormal(rng));
    const neg = Array.from({ length: n0 }, () => standardNormal(rng));
    const roc = rocCurve(pos, neg);
    expect(Math.abs(roc.auc.value - Phi(d / Math.SQRT2))).toBeLessThan(4 * roc.auc.se);
    expect(roc.auc.ci95[0]).toBeLessThan(roc.auc.value);
    for (const p of roc.atFpr) {
      const tau = PhiInverse(1 - p.targetFpr);
      const exact = 1 - Phi(tau - d);
      // Binomial error on the positives plus the threshold's error from the negatives' quantile, carried by f₁/f₀ = e^{dτ − d²/2}.
      const ratio = Math.exp(d * tau - (d * d) / 2);
      const sd = Math.sqrt((exact * (1 - exact)) / n1 + ratio * ratio * (p.targetFpr * (1 - p.targetFpr)) / n0);
      expect(Math.abs(p.tpr - exact)).toBeLessThan(4 * sd);
      expect(p.fpr).toBeLessThanOrEqual(p.targetFpr);
      expect(p.ci95[0]).toBeLessThanOrEqual(p.tpr);
      expect(p.ci95[1]).toBeGreaterThanOrEqual(p.tpr);
      expect(p.resolved).toBe(true);
    }
  });

  it("DeLong's standard error matches the spread of the AUC over replications", () => {
    const rng = new Pcg32(4);
    const aucs: number[] = [];
    const ses: number[] = [];
    for (let r = 0; r < 400; r++) {
      const pos = Array.from({ length: 40 }, () => 1 + standardNormal(rng));
      const neg = Array.from({ length: 80 }, () => standardNormal(rng));
      const roc = rocCurve(pos, neg, []);
      aucs.push(roc.auc.value);
      ses.push(roc.auc.se);
    }
    const m = aucs.reduce((a, b) => a + b, 0) / aucs.length;
    const spread = Math.sqrt(aucs.reduce((a, b) => a + (b - m) ** 2, 0) / (aucs.length - 1));
    const meanSe = ses.reduce((a, b) => a + b, 0) / ses.length;
    // The SD of an SD estimated from 400 replications is about 3.5%; allow 15%.
    expect(Math.abs(meanSe / spread - 1)).toBeLessThan(0.15);
    expect(Math.abs(m - Phi(1 / Math.SQRT2))).toBeLessThan(4 * (spread / Math.sqrt(aucs.length)));
  });

  it('refuses NaN scores, empty classes and target rates outside (0, 1)', () => {
    expect(() => rocCurve([1, NaN], [0])).toThrow(ParameterError);
    expect(() => rocCurve([], [0])).toThrow(/no positives/);
    expect(() => rocCurve([1], [])).toThrow(/no negatives/);
    expect(() => rocCurve([1], [0], [0])).toThrow(/must be in \(0, 1\), got 0/);
    expect(() => rocCurve([1], [0], [1])).toThrow(/got 1/);
  });
});
