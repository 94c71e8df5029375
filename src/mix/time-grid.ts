/** Time grids shared by the stream-tracing and mix-network analyses: binning, normalising, the delay on the grid. */
import type { TimeGrid } from '../engines/mix-kernels.js';
import { delayOnGrid, type DelayLaw } from './delays.js';

/** Largest grid (points) an analysis builds. */
export const MAX_GRID = 1 << 22;

/** Packet times binned on the grid as a density: count per bin / (packets × step). Times outside are dropped. */
export function binDensity(times: ArrayLike<number>, grid: TimeGrid, into: Float64Array, offset = 0): number {
  let inside = 0;
  for (let i = 0; i < times.length; i++) {
    const bin = Math.floor((times[i] - grid.start) / grid.step);
    if (bin >= 0 && bin < grid.length) inside++;
  }
  if (inside === 0) return 0;
  const w = 1 / (inside * grid.step);
  for (let i = 0; i < times.length; i++) {
    const bin = Math.floor((times[i] - grid.start) / grid.step);
    if (bin >= 0 && bin < grid.length) into[offset + bin] += w;
  }
  return inside;
}

/** Scale each row to ∫ = 1 over the grid; returns each row's mass before scaling (what stayed inside the window). */
export function normalizeRows(rows: Float64Array, N: number, step: number): Float64Array {
  const S = rows.length / N;
  const mass = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let sum = 0;
    for (let n = 0; n < N; n++) sum += rows[s * N + n];
    mass[s] = sum * step;
    if (sum > 0) for (let n = 0; n < N; n++) rows[s * N + n] /= sum * step;
  }
  return mass;
}

/** The delay on the grid (bin masses / step, centred on the grid points), up to its (1 − 1e-9) quantile. */
export function delayKernel(delay: DelayLaw, step: number, maxLength: number): Float64Array {
  const reach = delay.quantile(1 - 1e-9);
  const K = Math.max(1, Math.min(maxLength, Math.ceil(reach / step) + 2));
  return delayOnGrid(delay, step, K);
}

/** A time unit for the grid: a tenth of the mean delay (the median for laws without a mean). */
export function defaultStep(delay: DelayLaw): number {
  const scale = Number.isFinite(delay.mean) ? delay.mean : delay.quantile(0.5);
  return scale / 10;
}
