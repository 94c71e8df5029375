/** Summary statistics of per-terminal entropies at one hop. */
export interface Summary {
  /** Terminals with a defined entropy (a terminal no walk reaches has none). */
  count: number;
  mean: number;
  /** 95% confidence interval of the mean; zero width when every node is a terminal (exact). */
  ci95: [number, number];
  min: number;
  p05: number;
  median: number;
  max: number;
}

/**
 * Quantile of sorted data with linear interpolation between order statistics (Hyndman-Fan
 * type 7, the default of R and numpy).
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Mean, normal-approximation 95% CI (mean ± 1.96 s/√k for a uniform sample of terminals),
 * and order statistics. NaN values (undefined entropies) are left out and counted apart.
 */
export function summarize(values: ArrayLike<number>, exact: boolean): Summary {
  const defined = Float64Array.from(Array.prototype.filter.call(values, (v: number) => !Number.isNaN(v)) as number[]);
  const k = defined.length;
  if (k === 0) return { count: 0, mean: NaN, ci95: [NaN, NaN], min: NaN, p05: NaN, median: NaN, max: NaN };
  defined.sort();
  let sum = 0;
  for (const v of defined) sum += v;
  const mean = sum / k;
  let squares = 0;
  for (const v of defined) squares += (v - mean) ** 2;
  const halfWidth = exact || k < 2 ? 0 : (1.959963984540054 * Math.sqrt(squares / (k - 1))) / Math.sqrt(k);
  return {
    count: k,
    mean,
    ci95: [mean - halfWidth, mean + halfWidth],
    min: defined[0],
    p05: quantileSorted(defined, 0.05),
    median: quantileSorted(defined, 0.5),
    max: defined[k - 1],
  };
}

/** Empirical CDF: distinct values in increasing order and the fraction of values ≤ each. */
export function empiricalCdf(values: ArrayLike<number>): { value: number[]; probability: number[] } {
  const sorted = Float64Array.from(Array.prototype.filter.call(values, (v: number) => !Number.isNaN(v)) as number[]).sort();
  const value: number[] = [];
  const probability: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i + 1 < sorted.length && sorted[i + 1] === sorted[i]) continue;
    value.push(sorted[i]);
    probability.push((i + 1) / sorted.length);
  }
  return { value, probability };
}
