import { ParameterError } from '../errors.js';
import { wilson } from './proportion.js';

/**
 * ROC analysis of a score that should be higher on positives (true pairs) than on negatives.
 * The decision at threshold τ is "positive when score ≥ τ"; every distinct score is a
 * threshold, so the curve goes from (0, 0) at τ = +∞ to (1, 1) at the lowest score. Ties are
 * not broken at random: a group of equal scores moves FPR and TPR together (a diagonal
 * segment), and the area under the curve is the Mann–Whitney statistic with ties counted
 * half, AUC = P(S₁ > S₀) + ½ P(S₁ = S₀).
 */

export interface RocPoint {
  /** Decide "positive" when score ≥ threshold (+∞ at the first point). */
  threshold: number;
  fpr: number;
  tpr: number;
}

/** The operating point at a target false-positive rate α: the best TPR among thresholds with FPR ≤ α, and the least FPR giving it. */
export interface OperatingPoint {
  targetFpr: number;
  threshold: number;
  /** The FPR this threshold reaches on the negatives (≤ targetFpr). */
  fpr: number;
  falsePositives: number;
  tpr: number;
  truePositives: number;
  /** Wilson 95% interval of the TPR over the positives, with the threshold taken as fixed. */
  ci95: [number, number];
  /** False when α · negatives < 1: no false positive is allowed, so the point is TPR at FPR = 0 on this sample. */
  resolved: boolean;
}

export interface AreaUnderCurve {
  value: number;
  /** DeLong's standard error (NaN with fewer than two positives or negatives). */
  se: number;
  /** value ± 1.96 se, clipped to [0, 1]. */
  ci95: [number, number];
}

export interface RocCurve {
  positives: number;
  negatives: number;
  /** The corners of the curve (points inside a straight horizontal or vertical run are dropped: nothing is lost). */
  points: RocPoint[];
  auc: AreaUnderCurve;
  atFpr: OperatingPoint[];
}

export const DEFAULT_FPRS = [0.1, 0.01, 0.001];

const WHERE = 'anonscope/roc';

function finiteScores(scores: ArrayLike<number>, what: string): Float64Array {
  const out = Float64Array.from(scores as ArrayLike<number>);
  if (out.length === 0) throw new ParameterError(`${WHERE}: no ${what}`);
  for (const s of out) if (Number.isNaN(s)) throw new ParameterError(`${WHERE}: a score of the ${what} is NaN`);
  return out;
}

export function rocCurve(positive: ArrayLike<number>, negative: ArrayLike<number>, fprs: readonly number[] = DEFAULT_FPRS): RocCurve {
  for (const a of fprs) if (!(a > 0 && a < 1)) throw new ParameterError(`${WHERE}: a target false-positive rate must be in (0, 1), got ${a}`);
  const pos = finiteScores(positive, 'positives').sort();
  const neg = finiteScores(negative, 'negatives').sort();
  const points = curvePoints(pos, neg);
  return {
    positives: pos.length,
    negatives: neg.length,
    points: corners(points),
    auc: deLongAuc(pos, neg),
    atFpr: fprs.map((a) => operatingPoint(points, a, pos.length, neg.length)),
  };
}

/** Every threshold's point, from τ = +∞ down, over the ascending scores. */
function curvePoints(pos: Float64Array, neg: Float64Array): RocPoint[] {
  const points: RocPoint[] = [{ threshold: Infinity, fpr: 0, tpr: 0 }];
  let i = pos.length; // pos[i..] ≥ τ
  let j = neg.length;
  while (i > 0 || j > 0) {
    const threshold = Math.max(i > 0 ? pos[i - 1] : -Infinity, j > 0 ? neg[j - 1] : -Infinity);
    while (i > 0 && pos[i - 1] === threshold) i--;
    while (j > 0 && neg[j - 1] === threshold) j--;
    points.push({ threshold, fpr: (neg.length - j) / neg.length, tpr: (pos.length - i) / pos.length });
  }
  return points;
}

/** Drop the points inside a straight horizontal or vertical run: the curve and its area stay the same. */
function corners(points: RocPoint[]): RocPoint[] {
  const kept: RocPoint[] = [];
  points.forEach((p, k) => {
    const before = points[k - 1];
    const after = points[k + 1];
    const inRun = before && after && ((before.fpr === p.fpr && p.fpr === after.fpr) || (before.tpr === p.tpr && p.tpr === after.tpr));
    if (!inRun) kept.push(p);
  });
  return kept;
}

/** The highest TPR among thresholds whose FPR is at most α, at the highest threshold that reaches it (the lowest FPR). */
function operatingPoint(points: RocPoint[], alpha: number, positives: number, negatives: number): OperatingPoint {
  let best = points[0];
  for (const p of points) {
    if (p.fpr > alpha) break;
    if (p.tpr > best.tpr) best = p;
  }
  const truePositives = Math.round(best.tpr * positives);
  return {
    targetFpr: alpha,
    threshold: best.threshold,
    fpr: best.fpr,
    falsePositives: Math.round(best.fpr * negatives),
    tpr: best.tpr,
    truePositives,
    ci95: wilson(truePositives, positives),
    resolved: alpha * negatives >= 1,
  };
}

/** Midranks (1-based, ties averaged) of ascending values. */
function midranks(sorted: Float64Array): Float64Array {
  const ranks = new Float64Array(sorted.length);
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[i]) j++;
    ranks.fill((i + j) / 2 + 1, i, j + 1);
    i = j + 1;
  }
  return ranks;
}

/**
 * AUC and DeLong's variance (DeLong, DeLong & Clarke-Pearson 1988), by midranks (Sun & Xu
 * 2014): V₁₀(x_i) = (R(x_i) − R₁(x_i)) / n₀ is the share of negatives below x_i (ties half),
 * V₀₁(y_j) = 1 − (R(y_j) − R₀(y_j)) / n₁ the share of positives above y_j; AUC is the mean of
 * either and Var = s²(V₁₀)/n₁ + s²(V₀₁)/n₀.
 */
function deLongAuc(pos: Float64Array, neg: Float64Array): AreaUnderCurve {
  const n1 = pos.length;
  const n0 = neg.length;
  const all = new Float64Array(n1 + n0);
  all.set(pos);
  all.set(neg, n1);
  all.sort();
  const combined = midranks(all);
  // Rank of a value in the combined sample: the midrank of its tie group there.
  const rankIn = (v: number) => {
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (all[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return combined[lo];
  };
  const r1 = midranks(pos);
  const r0 = midranks(neg);
  const v10 = Float64Array.from(pos, (x, i) => (rankIn(x) - r1[i]) / n0);
  const v01 = Float64Array.from(neg, (y, j) => 1 - (rankIn(y) - r0[j]) / n1);
  const value = mean(v10);
  const se = n1 > 1 && n0 > 1 ? Math.sqrt(sampleVariance(v10) / n1 + sampleVariance(v01) / n0) : NaN;
  const half = 1.959963984540054 * se;
  return { value, se, ci95: [Math.max(0, value - half), Math.min(1, value + half)] };
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function sampleVariance(values: Float64Array): number {
  const m = mean(values);
  let sum = 0;
  for (const v of values) sum += (v - m) ** 2;
  return sum / (values.length - 1);
}
