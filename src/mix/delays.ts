import { readFile } from 'node:fs/promises';
import { FormatError, InputError, ParameterError } from '../errors.js';
import type { Pcg32 } from '../random.js';
import { logDensity, type DensityDescriptor } from '../engines/mix-kernels.js';
import { decimalNumber, quoted } from '../text.js';
import { scaledToUnitMax } from '../stats/scale.js';

/**
 * Delay laws of a continuous-time mix (Danezis, PET 2004): the density f of the time a
 * message spends inside the mix, with a sampler on the project's seeded PCG32, its mean and
 * its differential entropy h(f) in bits. The `--delay` spec is parsed here.
 *
 *   exp:μ            f(x) = μ e^{−μx}                         (rate μ, mean 1/μ)
 *   uniform:a,b      f(x) = 1/(b − a) on [a, b)
 *   erlang:k,μ       f(x) = μ^k x^{k−1} e^{−μx} / (k − 1)!     (k stages of rate μ, mean k/μ)
 *   lognormal:m,s    ln X ~ N(m, s²)
 *   pareto:α,xm      f(x) = α xm^α / x^{α+1} for x ≥ xm        (Pareto type I)
 *   hist:FILE        piecewise-constant density from `value count` lines or one sample per line
 */

export const DELAY_KINDS = ['exp', 'uniform', 'erlang', 'lognormal', 'pareto', 'hist'] as const;
export type DelayKind = (typeof DELAY_KINDS)[number];

export interface DelayLaw {
  readonly kind: DelayKind;
  /** Canonical spec, e.g. "exp:0.5" (hist: "hist:FILE"). */
  readonly spec: string;
  /** Parameters by name, for reports. */
  readonly params: Readonly<Record<string, number>>;
  readonly mean: number;
  /** Differential entropy h(f) = −∫ f log2 f, in bits. */
  readonly entropyBits: number;
  /** How entropyBits was obtained. */
  readonly entropyMethod: 'closed-form' | 'numeric';
  /** ∫ f², the collision density (the first-order finite-λ term of the single-mix entropy). */
  readonly collision: number;
  density(x: number): number;
  cdf(x: number): number;
  /** Smallest x with cdf(x) ≥ p, for p in [0, 1). */
  quantile(p: number): number;
  sample(rng: Pcg32): number;
  /** The kernel-side description of the density (what a GPU kernel evaluates). */
  descriptor(): DensityDescriptor;
}

const LN2 = Math.LN2;
const EULER_GAMMA = 0.5772156649015329;

// ---------------------------------------------------------------------------------------
// Variates on PCG32 (src/random.ts stays integer-only).

/** Uniform in (0, 1): never exactly 0 or 1, so logarithms are safe. */
export function uniform01(rng: Pcg32): number {
  return (rng.nextUint32() + 0.5) / 4294967296;
}

/** Exponential with rate `rate`. */
export function exponential(rng: Pcg32, rate: number): number {
  return -Math.log(uniform01(rng)) / rate;
}

/** Standard normal (Box-Muller; one of the pair is used, so every call draws two uniforms). */
export function standardNormal(rng: Pcg32): number {
  const u = uniform01(rng);
  const v = uniform01(rng);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** n sorted uniform points on [start, start + length): a Poisson process conditioned on its count. */
export function sortedUniforms(rng: Pcg32, n: number, start: number, length: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = start + uniform01(rng) * length;
  return out.sort();
}

/** Poisson(mean) count: inversion for small means, a normal approximation beyond 500. */
export function poissonCount(rng: Pcg32, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 500) return Math.max(0, Math.round(mean + Math.sqrt(mean) * standardNormal(rng)));
  // Count exponential gaps within [0, 1) at rate `mean`.
  let k = 0;
  let t = exponential(rng, mean);
  while (t < 1) {
    k++;
    t += exponential(rng, mean);
  }
  return k;
}

// ---------------------------------------------------------------------------------------
// Special functions.

/** erfc(x), fractional error below 1.2e-7 (Numerical Recipes' Chebyshev fit). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** ln((k − 1)!) for integer k ≥ 1. */
function logFactorialOfPredecessor(k: number): number {
  let s = 0;
  for (let j = 2; j < k; j++) s += Math.log(j);
  return s;
}

/** Quantile by bisection on a cdf over [0, ∞) (for laws without a closed-form inverse). */
function bisectQuantile(cdf: (x: number) => number, p: number, lo = 0, hi = 1): number {
  while (cdf(hi) < p) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return Infinity;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return hi;
}

function checkP(p: number): void {
  if (!(p >= 0 && p < 1)) throw new ParameterError(`anonscope/delay: quantile level must be in [0, 1), got ${p}`);
}

// ---------------------------------------------------------------------------------------
// The laws.

function positive(name: string, value: number, spec: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new ParameterError(`--delay ${spec}: ${name} must be a positive number, got ${value}`);
  return value;
}

export function expDelay(rate: number): DelayLaw {
  const mu = positive('the rate μ', rate, `exp:${rate}`);
  const descriptor: DensityDescriptor = { kind: 'exp', params: [mu, 0, 0, 0] };
  return {
    kind: 'exp',
    spec: `exp:${mu}`,
    params: { mu },
    mean: 1 / mu,
    entropyBits: (1 - Math.log(mu)) / LN2,
    entropyMethod: 'closed-form',
    collision: mu / 2,
    density: (x) => (x >= 0 ? mu * Math.exp(-mu * x) : 0),
    cdf: (x) => (x > 0 ? -Math.expm1(-mu * x) : 0),
    quantile: (p) => (checkP(p), -Math.log1p(-p) / mu),
    sample: (rng) => exponential(rng, mu),
    descriptor: () => descriptor,
  };
}

export function uniformDelay(a: number, b: number): DelayLaw {
  const spec = `uniform:${a},${b}`;
  if (!Number.isFinite(a) || a < 0) throw new ParameterError(`--delay ${spec}: a must be a number >= 0, got ${a}`);
  if (!Number.isFinite(b) || b <= a) throw new ParameterError(`--delay ${spec}: b must be a number > a, got ${b}`);
  const w = b - a;
  const descriptor: DensityDescriptor = { kind: 'uniform', params: [a, b, 0, 0] };
  return {
    kind: 'uniform',
    spec,
    params: { a, b },
    mean: (a + b) / 2,
    entropyBits: Math.log2(w),
    entropyMethod: 'closed-form',
    collision: 1 / w,
    density: (x) => (x >= a && x < b ? 1 / w : 0),
    cdf: (x) => (x <= a ? 0 : x >= b ? 1 : (x - a) / w),
    quantile: (p) => (checkP(p), a + p * w),
    sample: (rng) => a + uniform01(rng) * w,
    descriptor: () => descriptor,
  };
}

export function erlangDelay(k: number, rate: number): DelayLaw {
  const spec = `erlang:${k},${rate}`;
  if (!Number.isInteger(k) || k < 1 || k > 1000) throw new ParameterError(`--delay ${spec}: k must be an integer in 1..1000, got ${k}`);
  const mu = positive('the rate μ', rate, spec);
  const logNorm = k * Math.log(mu) - logFactorialOfPredecessor(k);
  // ψ(k) = −γ + Σ_{j<k} 1/j; h = k − ln μ + ln Γ(k) + (1 − k) ψ(k) (nats).
  let harmonic = 0;
  for (let j = 1; j < k; j++) harmonic += 1 / j;
  const digamma = -EULER_GAMMA + harmonic;
  const entropyNats = k - Math.log(mu) + logFactorialOfPredecessor(k) + (1 - k) * digamma;
  const descriptor: DensityDescriptor = { kind: 'erlang', params: [k, mu, logNorm, 0] };
  const cdf = (x: number) => {
    if (x <= 0) return 0;
    // 1 − e^{−μx} Σ_{j<k} (μx)^j / j!
    let term = 1;
    let sum = 1;
    for (let j = 1; j < k; j++) {
      term *= (mu * x) / j;
      sum += term;
    }
    return Math.max(0, 1 - Math.exp(-mu * x) * sum);
  };
  return {
    kind: 'erlang',
    spec,
    params: { k, mu },
    mean: k / mu,
    entropyBits: entropyNats / LN2,
    entropyMethod: 'closed-form',
    // μ (2k − 2)! / (2^{2k−1} ((k − 1)!)²)
    collision: mu * Math.exp(logFactorialOfPredecessor(2 * k - 1) - (2 * k - 1) * LN2 - 2 * logFactorialOfPredecessor(k)),
    density: (x) => (x > 0 ? Math.exp(logNorm + (k - 1) * Math.log(x) - mu * x) : k === 1 && x === 0 ? mu : 0),
    cdf,
    quantile: (p) => (checkP(p), bisectQuantile(cdf, p, 0, k / mu)),
    sample: (rng) => {
      let s = 0;
      for (let j = 0; j < k; j++) s += exponential(rng, mu);
      return s;
    },
    descriptor: () => descriptor,
  };
}

export function lognormalDelay(m: number, s: number): DelayLaw {
  const spec = `lognormal:${m},${s}`;
  if (!Number.isFinite(m)) throw new ParameterError(`--delay ${spec}: m must be a finite number, got ${m}`);
  positive('s', s, spec);
  const descriptor: DensityDescriptor = { kind: 'lognormal', params: [m, s, Math.log(s * Math.sqrt(2 * Math.PI)), 0] };
  const cdf = (x: number) => (x > 0 ? 0.5 * erfc(-(Math.log(x) - m) / (s * Math.SQRT2)) : 0);
  return {
    kind: 'lognormal',
    spec,
    params: { m, s },
    mean: Math.exp(m + (s * s) / 2),
    entropyBits: (m + 0.5 + Math.log(s * Math.sqrt(2 * Math.PI))) / LN2,
    entropyMethod: 'closed-form',
    collision: Math.exp(-m + (s * s) / 4) / (2 * s * Math.sqrt(Math.PI)),
    density: (x) => Math.exp(logDensity(descriptor, x)),
    cdf,
    quantile: (p) => (checkP(p), p === 0 ? 0 : bisectQuantile(cdf, p, 0, Math.exp(m))),
    sample: (rng) => Math.exp(m + s * standardNormal(rng)),
    descriptor: () => descriptor,
  };
}

export function paretoDelay(alpha: number, xm: number): DelayLaw {
  const spec = `pareto:${alpha},${xm}`;
  positive('the shape α', alpha, spec);
  positive('the scale xm', xm, spec);
  const descriptor: DensityDescriptor = { kind: 'pareto', params: [alpha, xm, Math.log(alpha) + alpha * Math.log(xm), 0] };
  return {
    kind: 'pareto',
    spec,
    params: { alpha, xm },
    mean: alpha > 1 ? (alpha * xm) / (alpha - 1) : Infinity,
    entropyBits: (Math.log(xm / alpha) + 1 / alpha + 1) / LN2,
    entropyMethod: 'closed-form',
    collision: (alpha * alpha) / ((2 * alpha + 1) * xm),
    density: (x) => (x >= xm ? (alpha * xm ** alpha) / x ** (alpha + 1) : 0),
    cdf: (x) => (x <= xm ? 0 : 1 - (xm / x) ** alpha),
    quantile: (p) => (checkP(p), xm * (1 - p) ** (-1 / alpha)),
    sample: (rng) => xm * uniform01(rng) ** (-1 / alpha),
    descriptor: () => descriptor,
  };
}

/** The largest finite float32: the mix kernels hold a histogram's densities as float32. */
const MAX_FLOAT32 = 3.4028234663852886e38;

/**
 * Piecewise-constant delay density: bin b covers [edges[b], edges[b+1]) and holds
 * probability mass[b] (normalized here, after a power-of-two scaling, so that counts of
 * 1e308 or 5e-324 normalise exactly). h(f) = −Σ p_b (log2 p_b − log2 w_b), exactly; bins so
 * narrow that their density passes float32 (what the mix kernels hold) are refused.
 */
export function histogramDelay(edges: ArrayLike<number>, mass: ArrayLike<number>, source = 'hist'): DelayLaw {
  const B = mass.length;
  if (B < 1 || edges.length !== B + 1) throw new ParameterError(`${source}: a histogram needs B >= 1 bins and B + 1 edges`);
  const e = Float64Array.from(edges);
  let total = 0;
  for (let b = 0; b < B; b++) {
    if (!(e[b + 1] > e[b])) throw new ParameterError(`${source}: histogram edges must increase, got ${e[b]} then ${e[b + 1]}`);
    if (!(mass[b] >= 0) || !Number.isFinite(mass[b])) throw new ParameterError(`${source}: histogram counts must be finite and >= 0`);
    if (!Number.isFinite(e[b + 1] - e[b])) throw new ParameterError(`${source}: the histogram's bin [${e[b]}, ${e[b + 1]}) is wider than float64 can hold; give the delays in a larger unit`);
  }
  if (!(e[0] >= 0)) throw new ParameterError(`${source}: delays must be >= 0, the first bin starts at ${e[0]}`);
  const scaled = scaledToUnitMax(mass);
  for (let b = 0; b < B; b++) total += scaled[b];
  if (!(total > 0)) throw new ParameterError(`${source}: the histogram has no mass (every count is 0)`);
  const p = Float64Array.from(scaled, (v) => v / total);
  const density = Float64Array.from(p, (v, b) => v / (e[b + 1] - e[b]));
  for (let b = 0; b < B; b++) {
    if (density[b] > MAX_FLOAT32) {
      throw new ParameterError(`${source}: the histogram's bin [${e[b]}, ${e[b + 1]}) is so narrow that its density (${density[b].toPrecision(4)}) passes float32's range; give the delays in a smaller unit`);
    }
  }
  const cumulative = new Float64Array(B + 1);
  let mean = 0;
  let entropyNats = 0;
  let collision = 0;
  for (let b = 0; b < B; b++) {
    cumulative[b + 1] = cumulative[b] + p[b];
    collision += p[b] * density[b];
    mean += (p[b] * e[b]) / 2 + (p[b] * e[b + 1]) / 2;
    if (p[b] > 0) entropyNats -= p[b] * (Math.log(p[b]) - Math.log(e[b + 1] - e[b]));
  }
  cumulative[B] = 1;
  const descriptor: DensityDescriptor = { kind: 'table', params: [0, 0, 0, 0], table: { edges: e, density } };
  const binOf = (x: number) => {
    let lo = 0;
    let hi = B; // e[lo] <= x < e[hi]
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (x >= e[mid]) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  const quantile = (q: number) => {
    checkP(q);
    let lo = 0;
    let hi = B; // cumulative[lo] <= q < cumulative[hi]
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (q >= cumulative[mid]) lo = mid;
      else hi = mid;
    }
    while (lo < B - 1 && p[lo] === 0) lo++;
    return e[lo] + (p[lo] > 0 ? ((q - cumulative[lo]) / p[lo]) * (e[lo + 1] - e[lo]) : 0);
  };
  return {
    kind: 'hist',
    spec: `hist:${source}`,
    params: { bins: B, min: e[0], max: e[B] },
    mean,
    entropyBits: entropyNats / LN2,
    entropyMethod: 'closed-form',
    collision,
    density: (x) => (x >= e[0] && x < e[B] ? density[binOf(x)] : 0),
    cdf: (x) => {
      if (x <= e[0]) return 0;
      if (x >= e[B]) return 1;
      const b = binOf(x);
      return cumulative[b] + (p[b] * (x - e[b])) / (e[b + 1] - e[b]);
    },
    quantile,
    sample: (rng) => quantile(Math.min(uniform01(rng), 1 - 1e-16)),
    descriptor: () => descriptor,
  };
}

/**
 * A histogram law from text: `value count` lines (value = the bin's centre; edges halfway
 * between neighbouring values, the outer ones mirrored, the first clamped at 0) or one sample
 * per line (Rice-rule bins, ⌈2 n^{1/3}⌉, over [min, max]). `#` comments and blank lines are
 * skipped; separators are spaces, tabs or commas.
 */
export function histogramFromText(text: string, file: string): DelayLaw {
  const values: number[] = [];
  const counts: number[] = [];
  let columns = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cells = line.split(/[\s,]+/);
    if (cells.length > 2) throw new FormatError(file, index + 1, `expected "value count" or one sample per line, got ${cells.length} columns`);
    if (columns === 0) columns = cells.length;
    else if (cells.length !== columns) throw new FormatError(file, index + 1, `mixed column counts (${columns} before, ${cells.length} here)`);
    const value = decimalNumber(cells[0]);
    if (cells[0] === '' || !Number.isFinite(value)) throw new FormatError(file, index + 1, `not a decimal number: ${quoted(cells[0])}`);
    if (value < 0) throw new FormatError(file, index + 1, `delays must be >= 0, got ${value}`);
    let count = 1;
    if (columns === 2) {
      count = decimalNumber(cells[1]);
      if (!Number.isFinite(count) || count < 0) throw new FormatError(file, index + 1, `count must be a finite decimal number >= 0, got ${quoted(cells[1])}`);
    }
    values.push(value);
    counts.push(count);
  });
  if (values.length === 0) throw new FormatError(file, undefined, 'no delay values');
  if (columns === 2) {
    const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
    const v = order.map((i) => values[i]);
    const c = order.map((i) => counts[i]);
    for (let i = 1; i < v.length; i++) {
      if (v[i] === v[i - 1]) throw new FormatError(file, undefined, `the value ${v[i]} is listed twice`);
    }
    if (c.every((x) => x === 0)) throw new FormatError(file, undefined, 'every count is 0');
    const edges = new Float64Array(v.length + 1);
    if (v.length === 1) {
      edges[0] = Math.max(0, v[0] - 0.5);
      edges[1] = v[0] + 0.5;
    } else {
      for (let i = 1; i < v.length; i++) edges[i] = (v[i - 1] + v[i]) / 2;
      edges[0] = Math.max(0, v[0] - (edges[1] - v[0]));
      edges[v.length] = v[v.length - 1] + (v[v.length - 1] - edges[v.length - 1]);
      if (!(edges[1] > edges[0])) edges[0] = 0; // a first value of 0: its bin is [0, halfway)
    }
    return histogramDelay(edges, c, file);
  }
  // Samples.
  const n = values.length;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (n < 2 || max === min) throw new FormatError(file, undefined, 'need at least two distinct samples to build a histogram');
  const bins = Math.max(1, Math.ceil(2 * Math.cbrt(n)));
  const width = (max - min) / bins;
  const edges = Float64Array.from({ length: bins + 1 }, (_, b) => min + b * width);
  edges[bins] = max + width * 1e-9;
  const mass = new Float64Array(bins);
  for (const v of values) mass[Math.min(bins - 1, Math.floor((v - min) / width))]++;
  return histogramDelay(edges, mass, file);
}

// ---------------------------------------------------------------------------------------
// Specs.

function numbers(spec: string, body: string, count: number, names: string): number[] {
  const cells = body.split(',').map((s) => s.trim());
  if (cells.length !== count || cells.some((c) => c === '')) {
    throw new ParameterError(`--delay ${spec}: expected ${count} number${count > 1 ? 's' : ''} (${names}), got "${body}"`);
  }
  return cells.map((c) => {
    const v = Number(c);
    if (!Number.isFinite(v)) throw new ParameterError(`--delay ${spec}: "${c}" is not a number`);
    return v;
  });
}

/** Parse every spec but `hist:FILE` (which needs the file: see parseDelay). */
export function parseDelaySync(spec: string): DelayLaw {
  const text = spec.trim();
  const colon = text.indexOf(':');
  const kind = (colon < 0 ? text : text.slice(0, colon)).toLowerCase();
  const body = colon < 0 ? '' : text.slice(colon + 1);
  switch (kind) {
    case 'exp': {
      const [mu] = numbers(text, body, 1, 'rate μ');
      return expDelay(mu);
    }
    case 'uniform': {
      const [a, b] = numbers(text, body, 2, 'a,b');
      return uniformDelay(a, b);
    }
    case 'erlang': {
      const [k, mu] = numbers(text, body, 2, 'k,μ');
      return erlangDelay(k, mu);
    }
    case 'lognormal': {
      const [m, s] = numbers(text, body, 2, 'm,s');
      return lognormalDelay(m, s);
    }
    case 'pareto': {
      const [alpha, xm] = numbers(text, body, 2, 'α,xm');
      return paretoDelay(alpha, xm);
    }
    case 'hist':
      throw new ParameterError(`--delay ${text}: hist needs a file read; use parseDelay`);
    default:
      throw new ParameterError(
        `--delay: unknown delay law "${text}" (expected exp:μ, uniform:a,b, erlang:k,μ, lognormal:m,s, pareto:α,xm or hist:FILE)`,
      );
  }
}

/** Parse a `--delay` spec; `hist:FILE` reads the file. */
export async function parseDelay(spec: string): Promise<DelayLaw> {
  const text = spec.trim();
  if (!text.toLowerCase().startsWith('hist:')) return parseDelaySync(text);
  const file = text.slice(5);
  if (file === '') throw new ParameterError('--delay hist:FILE: the file name is missing');
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(`${file}: cannot read the delay histogram (${(error as Error).message})`, { cause: error });
  }
  return histogramFromText(content, file);
}

/** Laws of the same mean, for comparing shapes: exp, uniform(0, 2m), erlang(3), lognormal(s = 1), pareto(α = 3). */
export function lawsWithMean(mean: number): DelayLaw[] {
  positive('the mean delay', mean, `mean ${mean}`);
  return [
    expDelay(1 / mean),
    uniformDelay(0, 2 * mean),
    erlangDelay(3, 3 / mean),
    lognormalDelay(Math.log(mean) - 0.5, 1),
    paretoDelay(3, (2 * mean) / 3),
  ];
}

/**
 * h(f) in bits by numeric quadrature (composite Simpson on the quantile range, split at the
 * law's kinks): a cross-check of the closed forms and the fallback for laws without one.
 */
export function numericEntropyBits(law: DelayLaw, tailMass = 1e-10, intervals = 200_000): number {
  const lo = law.quantile(0);
  const hi = law.quantile(1 - tailMass);
  const g = (x: number) => {
    const f = law.density(x);
    return f > 0 ? -f * Math.log2(f) : 0;
  };
  // Midpoint rule: robust at jumps (uniform, Pareto, histograms) and at x = 0 singularities;
  // in y = ln x when the support starts above 0, so heavy tails get their share of points.
  let sum = 0;
  if (lo > 0 && hi / lo > 100) {
    const a = Math.log(lo);
    const h = (Math.log(hi) - a) / intervals;
    for (let i = 0; i < intervals; i++) {
      const x = Math.exp(a + (i + 0.5) * h);
      sum += g(x) * x;
    }
    return sum * h;
  }
  const h = (hi - lo) / intervals;
  for (let i = 0; i < intervals; i++) sum += g(lo + (i + 0.5) * h);
  return sum * h;
}

/**
 * The delay density as bin masses on a grid of step dt, centred on the grid points:
 * out[k] = P((k − ½)dt ≤ D < (k + ½)dt) / dt (out[0] = P(D < ½dt) / dt), for k < K. Centring
 * keeps a binned signal convolved with it unbiased (see stream-trace.ts).
 */
export function delayOnGrid(law: DelayLaw, step: number, K: number): Float64Array {
  const out = new Float64Array(K);
  let previous = 0;
  for (let k = 0; k < K; k++) {
    const c = law.cdf((k + 0.5) * step);
    out[k] = (c - previous) / step;
    previous = c;
  }
  return out;
}

/** The law of c·D (same shape, every time scaled by c > 0): the mean delay is multiplied by c. */
export function scaleDelay(law: DelayLaw, c: number): DelayLaw {
  positive('the scale factor', c, `scale ${c}`);
  const p = law.params;
  switch (law.kind) {
    case 'exp':
      return expDelay(p.mu / c);
    case 'uniform':
      return uniformDelay(p.a * c, p.b * c);
    case 'erlang':
      return erlangDelay(p.k, p.mu / c);
    case 'lognormal':
      return lognormalDelay(p.m + Math.log(c), p.s);
    case 'pareto':
      return paretoDelay(p.alpha, p.xm * c);
    case 'hist': {
      const table = law.descriptor().table!;
      const density = table.density;
      const edges = Float64Array.from(table.edges, (x) => x * c);
      const mass = Float64Array.from(density, (f, b) => f * (table.edges[b + 1] - table.edges[b]));
      return histogramDelay(edges, mass, `${law.spec.slice(5)}×${c}`);
    }
  }
}
