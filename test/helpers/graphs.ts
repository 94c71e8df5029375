import { CsrBuilder } from '../../src/graph/csr-builder.js';
import type { Csr } from '../../src/graph/csr.js';
import { Pcg32 } from '../../src/random.js';

/** A Csr from an edge array, for tests. */
export function csrFromEdges(edges: [number | string, number | string, number?][], directed = false): Csr {
  const builder = new CsrBuilder(directed);
  if (edges.some((e) => e[2] !== undefined)) builder.enableWeights();
  for (const [u, v, w] of edges) builder.addEdge(builder.node(String(u)), builder.node(String(v)), w ?? 1);
  return builder.build().csr;
}

export function completeGraph(n: number): Csr {
  const edges: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) edges.push([i, j]);
  return csrFromEdges(edges);
}

export function starGraph(leaves: number): Csr {
  return csrFromEdges(Array.from({ length: leaves }, (_, k) => [0, k + 1] as [number, number]));
}

/** Erdős–Rényi-like random graph with m edges (uniform degrees), optionally weighted. */
export function randomGraph(n: number, m: number, seed: number, options: { weighted?: boolean; directed?: boolean } = {}): Csr {
  const rng = new Pcg32(seed);
  const builder = new CsrBuilder(options.directed ?? false);
  if (options.weighted) builder.enableWeights();
  for (let i = 0; i < n; i++) builder.node(String(i));
  for (let k = 0; k < m; k++) {
    builder.addEdge(rng.below(n), rng.below(n), options.weighted ? 0.1 + rng.below(1000) / 100 : 1);
  }
  return builder.build().csr;
}

/**
 * Power-law graph by preferential attachment plus a hub (the last node) joined to nodes
 * 0..hubDegree-1, so
 * row lengths span several orders of magnitude.
 */
export function powerLawGraph(n: number, edgesPerNode: number, hubDegree: number, seed: number): Csr {
  const rng = new Pcg32(seed);
  const builder = new CsrBuilder(false);
  for (let i = 0; i < n; i++) builder.node(String(i));
  const ends: number[] = [0, 1];
  builder.addEdge(0, 1);
  for (let v = 2; v < n; v++) {
    for (let k = 0; k < edgesPerNode; k++) {
      const u = ends[rng.below(ends.length)];
      builder.addEdge(v, u);
      ends.push(u, v);
    }
  }
  const hub = n - 1;
  for (let k = 0; k < hubDegree; k++) builder.addEdge(hub, k); // distinct neighbours: degree ≥ hubDegree
  return builder.build().csr;
}

/** Dense row-stochastic matrix of a transition CSR, for independent checks. */
export function denseOf(t: { n: number; rowPtr: Uint32Array; colIdx: Uint32Array; values: Float64Array }): number[][] {
  const P = Array.from({ length: t.n }, () => new Array<number>(t.n).fill(0));
  for (let i = 0; i < t.n; i++) for (let e = t.rowPtr[i]; e < t.rowPtr[i + 1]; e++) P[i][t.colIdx[e]] += t.values[e];
  return P;
}

export function matMul(A: number[][], B: number[][]): number[][] {
  const n = A.length;
  const C = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) if (A[i][k] !== 0) for (let j = 0; j < n; j++) C[i][j] += A[i][k] * B[k][j];
  return C;
}

export function entropyBits(weights: number[]): number {
  const s = weights.reduce((a, b) => a + b, 0);
  return -weights.filter((w) => w > 0).reduce((h, w) => h + (w / s) * Math.log2(w / s), 0);
}

/** Every stored arc as "u>v" or "u>v:w", sorted: an undirected edge shows up both ways. */
export function arcs(csr: Csr): string[] {
  const out: string[] = [];
  for (let u = 0; u < csr.n; u++) {
    for (let e = csr.rowPtr[u]; e < csr.rowPtr[u + 1]; e++) {
      const arc = `${csr.nodeKeys[u]}>${csr.nodeKeys[csr.colIdx[e]]}`;
      out.push(csr.weights ? `${arc}:${csr.weights[e]}` : arc);
    }
  }
  return out.sort();
}

/** The arcs of undirected edges written "a-b" or "a-b:w", both ways, sorted as arcs() gives them. */
export function bothWays(...edges: string[]): string[] {
  return edges
    .flatMap((edge) => {
      const [pair, weight] = edge.split(':');
      const [a, b] = pair.split('-');
      const suffix = weight === undefined ? '' : `:${weight}`;
      return [`${a}>${b}${suffix}`, `${b}>${a}${suffix}`];
    })
    .sort();
}
