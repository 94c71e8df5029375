/**
 * Independent float64 references for the mixing analysis, on dense matrices (small graphs):
 * the components of a dense P, its stationary law per component from the definitions (by a
 * linear solve), the TV distance of row s of P^t to it, and every eigenvalue of a dense
 * symmetric matrix by cyclic Jacobi rotations.
 */

/** Component of each node over P's nonzeros, direction ignored (breadth first). */
export function denseComponents(P: number[][]): number[] {
  const n = P.length;
  const component = new Array<number>(n).fill(-1);
  let count = 0;
  for (let root = 0; root < n; root++) {
    if (component[root] >= 0) continue;
    const queue = [root];
    component[root] = count;
    while (queue.length) {
      const i = queue.pop()!;
      for (let j = 0; j < n; j++) {
        if ((P[i][j] > 0 || P[j][i] > 0) && component[j] < 0) {
          component[j] = count;
          queue.push(j);
        }
      }
    }
    count++;
  }
  return component;
}

/**
 * π with π P = π on each component, summing to 1 there: Gaussian elimination with partial
 * pivoting on (Pᵀ − I) restricted to the component, one equation replaced by Σ π = 1.
 */
export function denseStationary(P: number[][]): number[] {
  const n = P.length;
  const component = denseComponents(P);
  const pi = new Array<number>(n).fill(0);
  for (let c = 0; c <= Math.max(...component); c++) {
    const nodes = component.flatMap((k, i) => (k === c ? [i] : []));
    const m = nodes.length;
    const A = nodes.map((j) => [...nodes.map((i) => P[i][j] - (i === j ? 1 : 0)), 0]);
    A[m - 1] = [...new Array<number>(m).fill(1), 1];
    for (let col = 0; col < m; col++) {
      let pivot = col;
      for (let r = col + 1; r < m; r++) if (Math.abs(A[r][col]) > Math.abs(A[pivot][col])) pivot = r;
      [A[col], A[pivot]] = [A[pivot], A[col]];
      for (let r = 0; r < m; r++) {
        if (r === col) continue;
        const f = A[r][col] / A[col][col];
        for (let k = col; k <= m; k++) A[r][k] -= f * A[col][k];
      }
    }
    nodes.forEach((i, r) => (pi[i] = A[r][m] / A[r][r]));
  }
  return pi;
}

/** ½ ‖e_s P^t − π_C‖₁ for t = 1..hops, with π_C the law of the component C of s. */
export function denseDistances(P: number[][], pi: number[], source: number, hops: number): number[] {
  const n = P.length;
  const component = denseComponents(P);
  let x = new Array<number>(n).fill(0);
  x[source] = 1;
  const tv: number[] = [];
  for (let t = 1; t <= hops; t++) {
    const next = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) if (x[i] !== 0) for (let j = 0; j < n; j++) next[j] += x[i] * P[i][j];
    x = next;
    tv.push(x.reduce((sum, v, i) => (component[i] === component[source] ? sum + Math.abs(v - pi[i]) : sum), 0) / 2);
  }
  return tv;
}

/** Every eigenvalue of a symmetric matrix, ascending: cyclic Jacobi rotations until the off-diagonal vanishes. */
export function jacobiEigenvalues(matrix: number[][]): number[] {
  const n = matrix.length;
  const A = matrix.map((row) => [...row]);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p][q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(A[p][q]) < 1e-300) continue;
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k][p];
          const akq = A[k][q];
          A[k][p] = c * akp - s * akq;
          A[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p][k];
          const aqk = A[q][k];
          A[p][k] = c * apk - s * aqk;
          A[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return A.map((row, i) => row[i]).sort((a, b) => a - b);
}

/** D^{1/2} P D^{-1/2} with D = diag π: symmetric when P is reversible with respect to π. */
export function symmetrised(P: number[][], pi: number[]): number[][] {
  return P.map((row, i) => row.map((p, j) => (Math.sqrt(pi[i]) * p) / Math.sqrt(pi[j])));
}
