import { AnonscopeError } from '../errors.js';

/**
 * The extreme eigenvalues of a large symmetric operator A, by Lanczos with full
 * reorthogonalisation and explicit restarts: each cycle builds an orthonormal Krylov basis
 * of at most `basis` vectors, takes the Ritz values of its tridiagonal matrix, and restarts
 * from the Ritz vectors of the ends not yet converged. A Ritz pair (θ, y) has residual
 * ‖A y − θ y‖ = β_k |s_k| (s the eigenvector of the tridiagonal matrix), and some eigenvalue of
 * A lies within that residual of θ, so the residual is the error bound reported.
 */
export interface SymmetricOperator {
  readonly n: number;
  /** y ← A x. */
  apply(x: Float64Array, y: Float64Array): void;
}

export interface LanczosOptions {
  /** The first vector (not all 0 after `project`). */
  start: Float64Array;
  /** Projects a vector onto the subspace searched (in place), e.g. away from known eigenvectors. */
  project?: (x: Float64Array) => void;
  /** Basis vectors per cycle (default 64; at most the dimension searched). */
  basis?: number;
  /** Restarts after the first cycle (default 100). */
  maxRestarts?: number;
  /** Residual at which an end counts as converged (default 1e-10). */
  tolerance?: number;
  /** The dimension searched, when `project` removes some (default n). */
  dimension?: number;
}

export interface ExtremeEigenvalues {
  largest: number;
  smallest: number;
  /** Residual bounds of the two Ritz values. */
  residual: [number, number];
  converged: boolean;
  /** Restarts used. */
  restarts: number;
  /** Basis vectors per cycle. */
  basis: number;
}

const DEFAULTS = { basis: 64, maxRestarts: 100, tolerance: 1e-10 } as const;
/** β below this (relative to α) means the basis spans an invariant subspace: its Ritz values are exact. */
const EXHAUSTED = 1e-10;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Largest and smallest eigenvalue of `operator` on the subspace `project` keeps. */
export function extremeEigenvalues(operator: SymmetricOperator, options: LanczosOptions): ExtremeEigenvalues {
  const { n } = operator;
  const project = options.project ?? (() => {});
  const tolerance = options.tolerance ?? DEFAULTS.tolerance;
  const maxRestarts = options.maxRestarts ?? DEFAULTS.maxRestarts;
  const m = Math.max(1, Math.min(options.basis ?? DEFAULTS.basis, options.dimension ?? n));
  const V = Array.from({ length: m + 1 }, () => new Float64Array(n));
  const w = new Float64Array(n);
  let start = Float64Array.from(options.start);
  let result: ExtremeEigenvalues | undefined;
  for (let restart = 0; restart <= maxRestarts; restart++) {
    project(start);
    const norm = Math.sqrt(dot(start, start));
    if (!(norm > 0)) throw new AnonscopeError('anonscope/lanczos: the start vector has no component in the subspace searched');
    for (let i = 0; i < n; i++) V[0][i] = start[i] / norm;
    const alpha: number[] = [];
    const beta: number[] = [];
    let k = 0;
    while (k < m) {
      operator.apply(V[k], w);
      project(w);
      alpha.push(dot(w, V[k]));
      // Full reorthogonalisation, twice ("twice is enough"): the basis stays orthonormal to rounding.
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j <= k; j++) {
          const c = dot(w, V[j]);
          for (let i = 0; i < n; i++) w[i] -= c * V[j][i];
        }
      }
      // Once the Krylov space is (nearly) invariant, w is rounding noise, which has parts
      // outside the subspace searched: project it again, or its direction turns into a
      // spurious Ritz value (the eigenvalue 0 of the projected-away directions).
      project(w);
      const b = Math.sqrt(dot(w, w));
      k++;
      beta.push(b);
      if (b < EXHAUSTED * Math.max(1, Math.abs(alpha[k - 1]))) break;
      for (let i = 0; i < n; i++) V[k][i] = w[i] / b;
    }
    const { values, vectors } = tridiagonalEigen(Float64Array.from(alpha), Float64Array.from(beta.slice(0, k - 1)));
    let top = 0;
    let bottom = 0;
    for (let j = 1; j < k; j++) {
      if (values[j] > values[top]) top = j;
      if (values[j] < values[bottom]) bottom = j;
    }
    const last = beta[k - 1];
    const residualOf = (j: number) => Math.abs(last * vectors[(k - 1) * k + j]);
    const residual: [number, number] = [residualOf(top), residualOf(bottom)];
    const converged = residual[0] <= tolerance && residual[1] <= tolerance;
    result = { largest: values[top], smallest: values[bottom], residual, converged, restarts: restart, basis: m };
    if (converged) break;
    // Restart from the Ritz vectors of the ends still open.
    start = new Float64Array(n);
    for (const [j, open] of [[top, residual[0] > tolerance], [bottom, residual[1] > tolerance]] as const) {
      if (!open) continue;
      for (let r = 0; r < k; r++) {
        const c = vectors[r * k + j];
        for (let i = 0; i < n; i++) start[i] += c * V[r][i];
      }
    }
  }
  return result!;
}

/**
 * Eigenvalues and eigenvectors of the symmetric tridiagonal matrix with diagonal `diagonal`
 * and off-diagonal `off` (T[i][i+1] = off[i]), by the QL algorithm with implicit shifts
 * (tqli): vectors[i * k + j] is component i of eigenvector j.
 */
export function tridiagonalEigen(diagonal: Float64Array, off: Float64Array): { values: Float64Array; vectors: Float64Array } {
  const k = diagonal.length;
  const d = Float64Array.from(diagonal);
  const e = new Float64Array(k);
  e.set(off.subarray(0, k - 1));
  const z = new Float64Array(k * k);
  for (let i = 0; i < k; i++) z[i * k + i] = 1;
  for (let l = 0; l < k; l++) {
    let iterations = 0;
    let m: number;
    do {
      for (m = l; m < k - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (iterations++ === 100) throw new AnonscopeError('anonscope/lanczos: the tridiagonal QL iteration did not converge');
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i: number;
      for (i = m - 1; i >= l; i--) {
        let f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        for (let row = 0; row < k; row++) {
          f = z[row * k + i + 1];
          z[row * k + i + 1] = s * z[row * k + i] + c * f;
          z[row * k + i] = c * z[row * k + i] - s * f;
        }
      }
      if (r === 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    } while (m !== l);
  }
  return { values: d, vectors: z };
}
