/** The float64 reference of the mix kernels: plain TypeScript on one core, what every GPU kernel is checked against. */
import {
  checkConvolveJob,
  checkMixEntropyJob,
  checkScoreJob,
  logDensity,
  SCORE_FLOOR,
  type ConvolveJob,
  type MixEntropyJob,
  type MixKernels,
  type ScoreJob,
} from '../mix-kernels.js';
import { poolMeansReference } from './pool-means.js';

export function convolveDirect(job: ConvolveJob): Float64Array {
  const S = checkConvolveJob(job);
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
  const S = checkConvolveJob(job);
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
  const P = checkScoreJob(job);
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
  const T = checkMixEntropyJob(job);
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
  async poolMeans(job) {
    return poolMeansReference(job);
  },
  dispose() {},
};
