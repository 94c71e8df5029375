/**
 * The three data-parallel kernels of the continuous-time-mix analyses (Danezis, PET 2004),
 * behind one interface so that GPU implementations (WGSL, gpu.js) plug in beside the float64
 * reference `cpuMixKernels`:
 *
 *  1. convolve     — C = d * f on a uniform time grid, batched over S signals;
 *  2. scoreLinks   — Σ_i ln(C_L(t_i) / u_L) over the packets of a link, for many
 *                    (signal, link) pairs at once (the log-likelihood ratio of eq. 28 is the
 *                    difference of two such scores);
 *  3. mixEntropies — the Shannon entropy of p_i ∝ f(β − X_i) for many Monte-Carlo trials.
 *
 * Every array is a flat typed array (Float32Array-friendly: a float32 implementation reads
 * the same layout); counts and offsets are Uint32Array. Analyses never see how a kernel runs.
 */

/** A flat array of reals: float64 for the reference, float32 is enough for a GPU. */
export type Reals = Float64Array | Float32Array;

/**
 * A delay density as a kernel evaluates it: a law code and up to four parameters, or a
 * piecewise-constant table. The meaning of params per kind (derived constants included so
 * that a kernel needs no special functions):
 *
 *   exp        [μ, −, −, −]                     ln f = ln μ − μx                     (x ≥ 0)
 *   uniform    [a, b, −, −]                     ln f = −ln(b − a)                    (a ≤ x < b)
 *   erlang     [k, μ, k ln μ − ln (k−1)!, −]    ln f = p2 + (k − 1) ln x − μx        (x > 0)
 *   lognormal  [m, s, ln(s √(2π)), −]           ln f = −(ln x − m)²/(2s²) − ln x − p2 (x > 0)
 *   pareto     [α, xm, ln α + α ln xm, −]       ln f = p2 − (α + 1) ln x             (x ≥ xm)
 *   table      edges[0..B], density[0..B−1]     f = density[b] on [edges[b], edges[b+1])
 *
 * Outside the support ln f = −∞ (the density is 0).
 */
export interface DensityDescriptor {
  kind: 'exp' | 'uniform' | 'erlang' | 'lognormal' | 'pareto' | 'table';
  params: [number, number, number, number];
  table?: { edges: Reals; density: Reals };
}

/** Numeric codes of the kinds, for kernels that switch on an integer (WGSL uniforms). */
export const DENSITY_CODES = { exp: 0, uniform: 1, erlang: 2, lognormal: 3, pareto: 4, table: 5 } as const;

/** ln f(x) for a descriptor; −Infinity outside the support. The reference for every kernel. */
export function logDensity(d: DensityDescriptor, x: number): number {
  const [p0, p1, p2] = d.params;
  switch (d.kind) {
    case 'exp':
      return x >= 0 ? Math.log(p0) - p0 * x : -Infinity;
    case 'uniform':
      return x >= p0 && x < p1 ? -Math.log(p1 - p0) : -Infinity;
    case 'erlang':
      if (x > 0) return p2 + (p0 - 1) * Math.log(x) - p1 * x;
      return x === 0 && p0 === 1 ? Math.log(p1) : -Infinity;
    case 'lognormal': {
      if (!(x > 0)) return -Infinity;
      const z = (Math.log(x) - p0) / p1;
      return -0.5 * z * z - Math.log(x) - p2;
    }
    case 'pareto':
      return x >= p1 ? p2 - (p0 + 1) * Math.log(x) : -Infinity;
    case 'table': {
      const { edges, density } = d.table!;
      const B = density.length;
      if (!(x >= edges[0] && x < edges[B])) return -Infinity;
      let lo = 0;
      let hi = B;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (x >= edges[mid]) lo = mid;
        else hi = mid;
      }
      return density[lo] > 0 ? Math.log(density[lo]) : -Infinity;
    }
  }
}

/** A uniform time grid: point k stands for the bin [start + k·step, start + (k+1)·step). */
export interface TimeGrid {
  start: number;
  step: number;
  length: number;
}

/** Kernel 1: out[s·N + n] = step · Σ_{k=0}^{min(n, K−1)} kernel[k] · signals[s·N + n − k]. */
export interface ConvolveJob {
  /** The delay density sampled on the grid: kernel[k] ≈ d(k·step), K = kernel.length. */
  kernel: Reals;
  /** S signals of N = `length` samples each, row-major (signal s at signals[s·N .. s·N + N)). */
  signals: Reals;
  length: number;
  step: number;
  /** direct (O(N·K)) or fft (O(N log N)); auto picks the cheaper. Both give the same values. */
  method?: 'direct' | 'fft' | 'auto';
}

/**
 * Kernel 2: for each pair p = (signal s, link L) with signal fraction a and noise density u,
 *   score[p] = Σ_{t ∈ packets of L} ln( max(a·g_s(t) + (1 − a)·u, FLOOR·u) / u ),
 * where g_s(t) = signals[s·N + ⌊(t − start)/step⌋] inside the grid and 0 outside. This is
 * ln of the likelihood of L's packets under "L carries the target" (the mixture density
 * C_L of eq. 23) over "L carries only noise" (uniform u); the LLR of eq. 28 for links X, Y
 * is score(X) − score(Y).
 */
export interface ScoreJob {
  grid: TimeGrid;
  /** S densities on the grid, row-major, S × grid.length. */
  signals: Reals;
  /** Packet times of every link, grouped by link: link L holds packets[linkOffsets[L] .. linkOffsets[L+1]). */
  packets: Reals;
  linkOffsets: Uint32Array;
  /** The pairs to score (all four arrays have one entry per pair). */
  pairSignal: Uint32Array;
  pairLink: Uint32Array;
  /** a ∈ [0, 1]: the share of the link's traffic the target would be (λ_f / λ_L). */
  pairWeight: Reals;
  /** u > 0: the noise density (1 / observation window). */
  pairNoise: Reals;
}

/** The mixture density never falls below FLOOR·u: a packet no model explains costs ln(FLOOR) ≈ −27.6, not −∞. */
export const SCORE_FLOOR = 1e-12;

/** Kernel 3: entropy[t] = H(p) in bits with p_i ∝ f(outputs[t] − arrivals[i]) over trial t's arrivals. */
export interface MixEntropyJob {
  density: DensityDescriptor;
  /** Arrival times of every trial: trial t holds arrivals[trialOffsets[t] .. trialOffsets[t+1]). */
  arrivals: Reals;
  trialOffsets: Uint32Array;
  /** One output time per trial. Times near 0 keep float32 exact enough (the simulator puts β = 0). */
  outputs: Reals;
}

export interface MixKernelsInfo {
  name: string;
  precision: 'float64' | 'float32';
  /** Where a GPU implementation runs, e.g. 'browser', 'node webasm', 'browser webgl2'. */
  runtime?: string;
  /** The WebGPU adapter, where there is one. */
  adapter?: { vendor: string; architecture: string; device: string; description: string };
}

/**
 * What a GPU implementation provides. Each method may run asynchronously (device work,
 * readback); results come back as Float64Array (a float32 implementation widens).
 * Tolerances against cpuMixKernels: see the README.
 */
export interface MixKernels {
  readonly info: MixKernelsInfo;
  convolve(job: ConvolveJob): Promise<Float64Array>;
  scoreLinks(job: ScoreJob): Promise<Float64Array>;
  mixEntropies(job: MixEntropyJob): Promise<Float64Array>;
  dispose(): void | Promise<void>;
}

// ---------------------------------------------------------------------------------------
// The float64 reference.

function checkConvolve(job: ConvolveJob): number {
  const N = job.length;
  if (!Number.isInteger(N) || N < 1) throw new RangeError(`anonscope/convolve: length must be a positive integer, got ${N}`);
  if (job.signals.length % N !== 0) throw new RangeError(`anonscope/convolve: signals.length ${job.signals.length} is not a multiple of length ${N}`);
  return job.signals.length / N;
}

export function convolveDirect(job: ConvolveJob): Float64Array {
  const S = checkConvolve(job);
  const { kernel, signals, length: N, step } = job;
  const K = kernel.length;
  const out = new Float64Array(S * N);
  for (let s = 0; s < S; s++) {
    const base = s * N;
    for (let n = 0; n < N; n++) {
      const top = Math.min(n, K - 1);
      let sum = 0;
      for (let k = 0; k <= top; k++) sum += kernel[k] * signals[base + n - k];
      out[base + n] = sum * step;
    }
  }
  return out;
}

/** In-place iterative radix-2 FFT (sign −1 forward, +1 inverse, unscaled). */
function fft(re: Float64Array, im: Float64Array, sign: 1 | -1): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const angle = (sign * 2 * Math.PI) / size;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    for (let start = 0; start < n; start += size) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < half; k++) {
        const a = start + k;
        const b = a + half;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
}

export function convolveFft(job: ConvolveJob): Float64Array {
  const S = checkConvolve(job);
  const { kernel, signals, length: N, step } = job;
  const K = Math.min(kernel.length, N); // taps beyond N never reach an output
  let P = 1;
  while (P < N + K - 1) P <<= 1;
  const kr = new Float64Array(P);
  const ki = new Float64Array(P);
  for (let k = 0; k < K; k++) kr[k] = kernel[k];
  fft(kr, ki, -1);
  const out = new Float64Array(S * N);
  const re = new Float64Array(P);
  const im = new Float64Array(P);
  for (let s = 0; s < S; s++) {
    re.fill(0);
    im.fill(0);
    for (let n = 0; n < N; n++) re[n] = signals[s * N + n];
    fft(re, im, -1);
    for (let i = 0; i < P; i++) {
      const r = re[i] * kr[i] - im[i] * ki[i];
      im[i] = re[i] * ki[i] + im[i] * kr[i];
      re[i] = r;
    }
    fft(re, im, 1);
    for (let n = 0; n < N; n++) out[s * N + n] = (re[n] / P) * step;
  }
  return out;
}

/** Which convolution `auto` runs: the cheaper by operation count. */
export function convolveMethod(N: number, K: number, method: ConvolveJob['method'] = 'auto'): 'direct' | 'fft' {
  if (method !== 'auto') return method;
  let P = 1;
  while (P < N + Math.min(K, N) - 1) P <<= 1;
  return N * Math.min(K, N) <= 12 * P * Math.log2(P) ? 'direct' : 'fft';
}

export function scoreLinksReference(job: ScoreJob): Float64Array {
  const { grid, signals, packets, linkOffsets, pairSignal, pairLink, pairWeight, pairNoise } = job;
  const N = grid.length;
  const P = pairSignal.length;
  if (pairLink.length !== P || pairWeight.length !== P || pairNoise.length !== P) {
    throw new RangeError('anonscope/scoreLinks: the pair arrays must have the same length');
  }
  const scores = new Float64Array(P);
  const logFloor = Math.log(SCORE_FLOOR);
  for (let p = 0; p < P; p++) {
    const base = pairSignal[p] * N;
    const a = pairWeight[p];
    const u = pairNoise[p];
    const noise = (1 - a) * u;
    const floor = SCORE_FLOOR * u;
    let sum = 0;
    for (let i = linkOffsets[pairLink[p]]; i < linkOffsets[pairLink[p] + 1]; i++) {
      const bin = Math.floor((packets[i] - grid.start) / grid.step);
      const g = bin >= 0 && bin < N ? signals[base + bin] : 0;
      const c = a * g + noise;
      sum += c > floor ? Math.log(c / u) : logFloor;
    }
    scores[p] = sum;
  }
  return scores;
}

export function mixEntropiesReference(job: MixEntropyJob): Float64Array {
  const { density, arrivals, trialOffsets, outputs } = job;
  const T = outputs.length;
  if (trialOffsets.length !== T + 1) throw new RangeError('anonscope/mixEntropies: trialOffsets must have one entry per trial plus one');
  const entropies = new Float64Array(T);
  let logs = new Float64Array(0);
  for (let t = 0; t < T; t++) {
    const first = trialOffsets[t];
    const count = trialOffsets[t + 1] - first;
    if (logs.length < count) logs = new Float64Array(count);
    let max = -Infinity;
    for (let i = 0; i < count; i++) {
      const l = logDensity(density, outputs[t] - arrivals[first + i]);
      logs[i] = l;
      if (l > max) max = l;
    }
    if (max === -Infinity) {
      entropies[t] = NaN;
      continue;
    }
    // H = ln S − (1/S) Σ w ln w with w = f / max f (shift-invariant), in bits.
    let S = 0;
    let A = 0;
    for (let i = 0; i < count; i++) {
      if (logs[i] === -Infinity) continue;
      const l = logs[i] - max;
      const w = Math.exp(l);
      S += w;
      A += w * l;
    }
    entropies[t] = Math.max(0, (Math.log(S) - A / S) / Math.LN2);
  }
  return entropies;
}

/** The float64 reference implementation of MixKernels (plain TypeScript, one core). */
export const cpuMixKernels: MixKernels = {
  info: { name: 'cpu', precision: 'float64' },
  async convolve(job) {
    const method = convolveMethod(job.length, job.kernel.length, job.method);
    return method === 'fft' ? convolveFft(job) : convolveDirect(job);
  },
  async scoreLinks(job) {
    return scoreLinksReference(job);
  },
  async mixEntropies(job) {
    return mixEntropiesReference(job);
  },
  dispose() {},
};
