import { open } from 'node:fs/promises';
import { ParameterError } from '../errors.js';
import { Pcg32 } from '../random.js';
import { CsrBuilder } from './csr-builder.js';
import type { Csr } from './csr.js';

/**
 * Seeded random-graph generators. Every model returns its edges as two parallel typed
 * arrays (no per-edge objects, so 10M edges cost 80 MB), with no self-loops and no
 * duplicate edges: the edge count is exactly what was asked for (or what the model fixes;
 * Chung-Lu's is random, by definition), and loading the written file gives back exactly
 * that many edges.
 *
 * The random stream is the project's PCG32 (src/random.ts).
 */
export interface GeneratedGraph {
  /** Node count: ids are 0..n-1 (some may have no edges, e.g. in R-MAT). */
  readonly n: number;
  /** Edge k is src[k] → dst[k] (or {src[k], dst[k]} when undirected). */
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  readonly directed: boolean;
}

export const GENERATOR_MODELS = ['rmat', 'chung-lu', 'ba', 'regular', 'ws'] as const;
export type GeneratorModel = (typeof GENERATOR_MODELS)[number];

export interface RmatOptions {
  /** Quadrant probabilities; they must sum to 1. Default (0.57, 0.19, 0.19, 0.05), Graph500's. */
  a?: number;
  b?: number;
  c?: number;
  d?: number;
  /** Arcs u → v (default false: undirected edges). */
  directed?: boolean;
}

/** Node ids must stay below the EdgeSet's markers, and CSR offsets are 32-bit. */
const MAX_NODES = 0xfffffff0;
const MAX_EDGES = 2 ** 31 - 1;

/**
 * A set of edges (u, v) by open addressing over two Uint32Arrays: 8 bytes a slot, no
 * objects. Undirected sets store each pair as (min, max).
 */
class EdgeSet {
  private static readonly EMPTY = 0xffffffff;
  private static readonly DELETED = 0xfffffffe;
  private keyU: Uint32Array;
  private keyV: Uint32Array;
  private readonly mask: number;

  constructor(
    maxInserts: number,
    private readonly directed: boolean,
  ) {
    let capacity = 16;
    while (capacity < 2 * maxInserts) capacity *= 2;
    this.keyU = new Uint32Array(capacity).fill(EdgeSet.EMPTY);
    this.keyV = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  clear(): void {
    this.keyU.fill(EdgeSet.EMPTY);
  }

  private slot(u: number, v: number): number {
    let h = Math.imul(u, 0x9e3779b1) ^ Math.imul(v + 0x7f4a7c15, 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    return h & this.mask;
  }

  /** Add (u, v); false if it was there already. */
  add(u0: number, v0: number): boolean {
    const u = this.directed || u0 < v0 ? u0 : v0;
    const v = this.directed || u0 < v0 ? v0 : u0;
    const keyU = this.keyU;
    let s = this.slot(u, v);
    for (;;) {
      const k = keyU[s];
      if (k === EdgeSet.EMPTY) {
        keyU[s] = u;
        this.keyV[s] = v;
        return true;
      }
      if (k === u && this.keyV[s] === v) return false;
      s = (s + 1) & this.mask;
    }
  }

  /** The slot holding (u, v), or -1. Add stops at the same empty slot, so they agree. */
  private find(u0: number, v0: number): number {
    const u = this.directed || u0 < v0 ? u0 : v0;
    const v = this.directed || u0 < v0 ? v0 : u0;
    let s = this.slot(u, v);
    for (;;) {
      const k = this.keyU[s];
      if (k === EdgeSet.EMPTY) return -1;
      if (k === u && this.keyV[s] === v) return s;
      s = (s + 1) & this.mask;
    }
  }

  has(u0: number, v0: number): boolean {
    return this.find(u0, v0) >= 0;
  }

  /** Remove (u, v), leaving a tombstone (each removal uses up one insert of the capacity). */
  delete(u0: number, v0: number): void {
    const s = this.find(u0, v0);
    if (s >= 0) this.keyU[s] = EdgeSet.DELETED;
  }
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ParameterError(`${name} must be an integer in ${min}..${max}, got ${value}`);
  }
}

function maxSimpleEdges(n: number, directed: boolean): number {
  return directed ? n * (n - 1) : (n * (n - 1)) / 2;
}

/**
 * R-MAT (Chakrabarti, Zhan & Faloutsos 2004), the recursive-matrix model behind Graph500's
 * Kronecker generator: each edge descends log2(n) levels of the adjacency matrix, picking
 * a quadrant with probabilities a, b, c, d, which gives a power-law degree skew. Node ids
 * are then shuffled by a seeded permutation (as Graph500 does) so that hubs are not all
 * low ids. Draws outside 0..n-1 (n not a power of two), self-loops and repeats are drawn
 * again, so the graph has exactly `edges` distinct edges; nodes may be isolated.
 */
export function rmat(nodes: number, edges: number, seed: number, options: RmatOptions = {}): GeneratedGraph {
  const directed = options.directed ?? false;
  const a = options.a ?? 0.57;
  const b = options.b ?? 0.19;
  const c = options.c ?? 0.19;
  const d = options.d ?? 1 - a - b - c;
  checkInteger('nodes', nodes, 2, MAX_NODES);
  checkInteger('edges', edges, 1, MAX_EDGES);
  for (const [name, p] of [['a', a], ['b', b], ['c', c], ['d', d]] as const) {
    if (!(p >= 0 && p <= 1)) throw new ParameterError(`R-MAT probability ${name} must be in [0, 1], got ${p}`);
  }
  if (Math.abs(a + b + c + d - 1) > 1e-9) throw new ParameterError(`R-MAT probabilities must sum to 1, got ${a + b + c + d}`);
  const limit = maxSimpleEdges(nodes, directed);
  if (edges > limit / 2) {
    throw new ParameterError(`R-MAT with ${nodes} nodes: at most ${Math.floor(limit / 2)} edges (half the simple graph), got ${edges}`);
  }

  const rng = new Pcg32(seed);
  let scale = 0;
  while (2 ** scale < nodes) scale++;
  const ab = a + b;
  const abc = a + b + c;
  const src = new Uint32Array(edges);
  const dst = new Uint32Array(edges);
  const seen = new EdgeSet(edges, directed);
  const maxDraws = 100 * edges + 1_000_000;
  let draws = 0;
  let m = 0;
  while (m < edges) {
    if (++draws > maxDraws) {
      throw new ParameterError(`R-MAT: ${edges} distinct edges among ${nodes} nodes are too many for these probabilities`);
    }
    let u = 0;
    let v = 0;
    let bits = 0;
    for (let level = 0; level < scale; level++) {
      // Each 32-bit draw gives two levels 16 bits of resolution each.
      if ((level & 1) === 0) bits = rng.nextUint32();
      const r = ((level & 1) === 0 ? bits & 0xffff : bits >>> 16) / 0x10000;
      u <<= 1;
      v <<= 1;
      if (r < a) continue;
      if (r < ab) v |= 1;
      else if (r < abc) u |= 1;
      else {
        u |= 1;
        v |= 1;
      }
    }
    u >>>= 0;
    v >>>= 0;
    if (u >= nodes || v >= nodes || u === v) continue;
    if (!seen.add(u, v)) continue;
    src[m] = u;
    dst[m] = v;
    m++;
  }
  // Shuffle the ids so that the hubs are spread over the id range.
  const permutation = randomPermutation(nodes, rng);
  for (let k = 0; k < edges; k++) {
    src[k] = permutation[src[k]];
    dst[k] = permutation[dst[k]];
  }
  return { n: nodes, src, dst, directed };
}

export interface ChungLuOptions {
  /** Exponent γ of the degree distribution P(k) ∝ k^−γ (default 2.5); above 2. */
  exponent?: number;
  /** Shuffle the node ids (default true); false leaves node r the r-th heaviest. */
  shuffle?: boolean;
}

/** Fisher-Yates over 0..n-1 from the generator's stream. */
function randomPermutation(n: number, rng: Pcg32): Uint32Array {
  const permutation = new Uint32Array(n);
  for (let i = 0; i < n; i++) permutation[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = permutation[i];
    permutation[i] = permutation[j];
    permutation[j] = t;
  }
  return permutation;
}

/**
 * The expected degrees of a Chung-Lu graph, heaviest first: w_r = c (r + r0)^(−1/(γ−1)),
 * the rank form of a power law with exponent γ. The offset r0 ≥ 1 is the smallest (to a
 * thousandth) that keeps w_0 ≤ √(Σw), the structural cutoff under which every pair
 * probability w_u w_v / Σw is at most 1, and c makes the expected edge count
 * (Σw − Σw²/Σw) / 2 (pairs u < v, no self-loops) exactly `edges`.
 */
export function chungLuWeights(nodes: number, edges: number, exponent = 2.5): Float64Array {
  const alpha = 1 / (exponent - 1);
  const shape = new Float64Array(nodes);
  const scaled = (offset: number) => {
    let sum = 0;
    let squares = 0;
    for (let r = 0; r < nodes; r++) {
      shape[r] = (r + offset) ** -alpha;
      sum += shape[r];
      squares += shape[r] * shape[r];
    }
    const c = (2 * edges) / (sum - squares / sum);
    return { c, fits: c * shape[0] <= Math.sqrt(c * sum) };
  };
  let low = 1;
  let high = 1;
  while (!scaled(high).fits) {
    low = high;
    high *= 2;
    if (high > 4 * nodes) throw new ParameterError(`Chung-Lu: ${edges} edges among ${nodes} nodes are too dense for a power law (no cutoff fits)`);
  }
  if (high > 1) {
    while (high - low > 1e-3 * low) {
      const middle = (low + high) / 2;
      if (scaled(middle).fits) high = middle;
      else low = middle;
    }
  }
  const { c } = scaled(high);
  for (let r = 0; r < nodes; r++) shape[r] *= c;
  return shape;
}

/**
 * Chung-Lu (Chung & Lu 2002): each pair {u, v} is an edge independently with probability
 * w_u w_v / Σw, so node u's expected degree is w_u (less its own pair, w_u²/Σw), from a
 * power law (chungLuWeights). Generated in O(n + m) by Miller & Hagberg's (2011) edge
 * skipping over the weights in decreasing order: a geometric jump under the current
 * pair's probability, then acceptance by the ratio of the next pair's to it. The edge count
 * is `edges` in expectation (within a few √edges). Node ids are then shuffled by a seeded
 * permutation drawn after the edges, so that ids say nothing about degree or neighbourhood
 * (no locality); without the shuffle, the same edges over ids in decreasing weight.
 */
export function chungLu(nodes: number, edges: number, seed: number, options: ChungLuOptions = {}): GeneratedGraph {
  const exponent = options.exponent ?? 2.5;
  checkInteger('nodes', nodes, 2, MAX_NODES);
  checkInteger('edges', edges, 1, MAX_EDGES);
  if (!(exponent > 2 && exponent <= 100)) throw new ParameterError(`Chung-Lu exponent must be in (2, 100], got ${exponent}`);
  if (edges > maxSimpleEdges(nodes, false) / 4) {
    throw new ParameterError(`Chung-Lu with ${nodes} nodes: at most ${Math.floor(maxSimpleEdges(nodes, false) / 4)} edges (a quarter of the simple graph), got ${edges}`);
  }
  const w = chungLuWeights(nodes, edges, exponent);
  let total = 0;
  for (let r = 0; r < nodes; r++) total += w[r];
  const rng = new Pcg32(seed);
  // Room for the expectation plus 10 standard deviations; grown if ever exceeded.
  let src = new Uint32Array(edges + 10 * Math.ceil(Math.sqrt(edges)) + 16);
  let dst = new Uint32Array(src.length);
  let m = 0;
  for (let u = 0; u < nodes - 1; u++) {
    let v = u + 1;
    let p = Math.min(1, (w[u] * w[v]) / total);
    while (v < nodes && p > 0) {
      // 1 − uniform is in (0, 1]: its log is finite.
      if (p < 1) v += Math.floor(Math.log(1 - rng.uniform()) / Math.log1p(-p));
      if (v >= nodes) break;
      const q = Math.min(1, (w[u] * w[v]) / total);
      if (rng.uniform() < q / p) {
        if (m === src.length) {
          src = growTo(src, 2 * m);
          dst = growTo(dst, 2 * m);
        }
        src[m] = u;
        dst[m] = v;
        m++;
      }
      p = q;
      v++;
    }
  }
  if (options.shuffle ?? true) {
    const permutation = randomPermutation(nodes, rng);
    for (let k = 0; k < m; k++) {
      src[k] = permutation[src[k]];
      dst[k] = permutation[dst[k]];
    }
  }
  return { n: nodes, src: src.slice(0, m), dst: dst.slice(0, m), directed: false };
}

function growTo(array: Uint32Array<ArrayBuffer>, length: number): Uint32Array<ArrayBuffer> {
  const grown = new Uint32Array(length);
  grown.set(array);
  return grown;
}

/**
 * Barabási-Albert preferential attachment: a complete graph on m+1 nodes, then every new
 * node joins m distinct earlier nodes chosen with probability proportional to degree.
 * Exactly m(m+1)/2 + (n-m-1)·m edges; every node has degree ≥ m.
 */
export function barabasiAlbert(nodes: number, edgesPerNode: number, seed: number): GeneratedGraph {
  checkInteger('edgesPerNode', edgesPerNode, 1, 100_000);
  checkInteger('nodes', nodes, edgesPerNode + 1, MAX_NODES);
  const m = edgesPerNode;
  const total = (m * (m + 1)) / 2 + (nodes - m - 1) * m;
  if (total > MAX_EDGES) throw new ParameterError(`Barabási-Albert: ${total} edges are more than ${MAX_EDGES}`);
  const rng = new Pcg32(seed);
  const src = new Uint32Array(total);
  const dst = new Uint32Array(total);
  // Every edge's two ends, in order: drawing a uniform entry is drawing a node ∝ degree.
  const ends = new Uint32Array(2 * total);
  let e = 0;
  for (let u = 0; u <= m; u++) {
    for (let v = u + 1; v <= m; v++) {
      src[e] = u;
      dst[e] = v;
      ends[2 * e] = u;
      ends[2 * e + 1] = v;
      e++;
    }
  }
  const targets = new Uint32Array(m);
  for (let v = m + 1; v < nodes; v++) {
    const available = 2 * e; // ends of edges made before this node
    for (let k = 0; k < m; k++) {
      let t: number;
      let repeated: boolean;
      do {
        t = ends[rng.below(available)];
        repeated = false;
        for (let j = 0; j < k; j++) if (targets[j] === t) repeated = true;
      } while (repeated);
      targets[k] = t;
    }
    for (let k = 0; k < m; k++) {
      src[e] = v;
      dst[e] = targets[k];
      ends[2 * e] = v;
      ends[2 * e + 1] = targets[k];
      e++;
    }
  }
  return { n: nodes, src, dst, directed: false };
}

/**
 * Random d-regular graph by the Steger-Wormald pairing algorithm: n·d points, d per node,
 * paired two at a time uniformly among the pairs that make neither a self-loop nor a
 * repeated edge; starts over in the rare case that it gets stuck. Asymptotically uniform
 * for d = o(n^{1/28}) and fine in practice well beyond. Exactly n·d/2 edges, every degree d.
 */
export function randomRegular(nodes: number, degree: number, seed: number): GeneratedGraph {
  checkInteger('degree', degree, 1, MAX_NODES);
  checkInteger('nodes', nodes, degree + 1, MAX_NODES);
  if ((nodes * degree) % 2 !== 0) throw new ParameterError(`random regular: nodes × degree must be even, got ${nodes} × ${degree}`);
  const total = (nodes * degree) / 2;
  if (total > MAX_EDGES) throw new ParameterError(`random regular: ${total} edges are more than ${MAX_EDGES}`);
  const rng = new Pcg32(seed);
  const src = new Uint32Array(total);
  const dst = new Uint32Array(total);
  const points = new Uint32Array(2 * total);
  const seen = new EdgeSet(total, false);
  for (let attempt = 0; attempt < 100; attempt++) {
    if (attempt > 0) seen.clear();
    for (let p = 0; p < points.length; p++) points[p] = Math.floor(p / degree);
    let remaining = points.length;
    let m = 0;
    let failures = 0;
    while (remaining > 0) {
      const i = rng.below(remaining);
      const j = rng.below(remaining);
      const u = points[i];
      const v = points[j];
      if (i !== j && u !== v && !seen.has(u, v)) {
        seen.add(u, v);
        src[m] = u;
        dst[m] = v;
        m++;
        // Remove points i and j: move the last two points into their places.
        const hi = Math.max(i, j);
        const lo = Math.min(i, j);
        points[hi] = points[--remaining];
        points[lo] = points[--remaining];
        failures = 0;
        continue;
      }
      if (++failures > 1000 + 10 * remaining && !anyValidPair(points, remaining, seen)) break; // stuck
      if (failures > 1000 + 10 * remaining) failures = 0;
    }
    if (remaining === 0) return { n: nodes, src, dst, directed: false };
  }
  throw new ParameterError(`random regular: no ${degree}-regular graph on ${nodes} nodes found in 100 attempts`);
}

/** Whether two of the first `count` points could still be joined. */
function anyValidPair(points: Uint32Array, count: number, seen: EdgeSet): boolean {
  const nodes = [...new Set(points.subarray(0, count))];
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) if (!seen.has(nodes[i], nodes[j])) return true;
  }
  return false;
}

/**
 * Watts-Strogatz small world: a ring where each node is joined to its k/2 nearest
 * neighbours on each side, then each edge (u, u+j) is rewired with probability beta to
 * (u, w), w uniform among the nodes not already joined to u (in the order of networkx:
 * j = 1..k/2, then u = 0..n-1). Exactly n·k/2 edges; beta = 0 is the ring lattice.
 */
export function wattsStrogatz(nodes: number, k: number, beta: number, seed: number): GeneratedGraph {
  checkInteger('k', k, 2, MAX_NODES);
  if (k % 2 !== 0) throw new ParameterError(`Watts-Strogatz: k must be even, got ${k}`);
  checkInteger('nodes', nodes, k + 1, MAX_NODES);
  if (!(beta >= 0 && beta <= 1)) throw new ParameterError(`Watts-Strogatz: beta must be in [0, 1], got ${beta}`);
  const half = k / 2;
  const total = nodes * half;
  if (total > MAX_EDGES) throw new ParameterError(`Watts-Strogatz: ${total} edges are more than ${MAX_EDGES}`);
  const rng = new Pcg32(seed);
  const src = new Uint32Array(total);
  const dst = new Uint32Array(total);
  const degree = new Uint32Array(nodes).fill(k);
  const rewires = beta > 0 ? total : 0;
  const seen = new EdgeSet(total + rewires, false);
  for (let j = 1; j <= half; j++) {
    for (let u = 0; u < nodes; u++) {
      const e = (j - 1) * nodes + u;
      src[e] = u;
      dst[e] = (u + j) % nodes;
      if (beta > 0) seen.add(u, dst[e]);
    }
  }
  if (beta > 0) {
    for (let e = 0; e < total; e++) {
      if (rng.uniform() >= beta) continue;
      const u = src[e];
      if (degree[u] >= nodes - 1) continue;
      let w: number;
      do w = rng.below(nodes);
      while (w === u || seen.has(u, w));
      const old = dst[e];
      seen.delete(u, old);
      seen.add(u, w);
      degree[old]--;
      degree[w]++;
      dst[e] = w;
    }
  }
  return { n: nodes, src, dst, directed: false };
}

/** Generate by model name (the CLI's entry point). */
export interface GenerateParameters {
  model: GeneratorModel;
  nodes: number;
  seed: number;
  /** rmat: edge count; chung-lu: expected edge count. */
  edges?: number;
  /** chung-lu: exponent γ of the degree power law. */
  exponent?: number;
  /** ba: edges per new node; regular: the degree; ws: k (neighbours in the ring, even). */
  degree?: number;
  /** ws: rewiring probability. */
  beta?: number;
  /** rmat only. */
  directed?: boolean;
  rmat?: Omit<RmatOptions, 'directed'>;
}

export function generateGraph(p: GenerateParameters): GeneratedGraph {
  const need = (name: string, value: number | undefined): number => {
    if (value === undefined) throw new ParameterError(`model ${p.model} needs --${name}`);
    return value;
  };
  if (p.directed && p.model !== 'rmat') throw new ParameterError(`--directed applies to the rmat model only`);
  switch (p.model) {
    case 'rmat':
      return rmat(p.nodes, need('edges', p.edges), p.seed, { ...p.rmat, directed: p.directed });
    case 'chung-lu':
      return chungLu(p.nodes, need('edges', p.edges), p.seed, { exponent: p.exponent });
    case 'ba':
      return barabasiAlbert(p.nodes, need('degree', p.degree), p.seed);
    case 'regular':
      return randomRegular(p.nodes, need('degree', p.degree), p.seed);
    case 'ws':
      return wattsStrogatz(p.nodes, need('degree', p.degree), need('beta', p.beta), p.seed);
  }
}

/** The generated graph as a Csr over all n nodes (isolated ones included), keys "0".."n-1". */
export function generatedToCsr(graph: GeneratedGraph): Csr {
  const builder = new CsrBuilder(graph.directed);
  for (let i = 0; i < graph.n; i++) builder.integerNode(i);
  const { src, dst } = graph;
  for (let k = 0; k < src.length; k++) builder.addEdge(src[k], dst[k]);
  return builder.build().csr;
}

const SPACE = 32;
const LF = 10;

/**
 * Write `u v` lines (after optional `# ` comment lines) to a file, formatting the digits
 * straight into a 4 MiB buffer: no string per edge.
 */
export async function writeEdgeList(path: string, graph: GeneratedGraph, comments: readonly string[] = []): Promise<void> {
  const CHUNK = 4 << 20;
  const buffer = new Uint8Array(CHUNK + 64);
  const digits = new Uint8Array(16);
  const handle = await open(path, 'w');
  try {
    const header = new TextEncoder().encode(comments.map((line) => `# ${line}\n`).join(''));
    if (header.length > 0) await handle.write(header);
    let length = 0;
    const putNumber = (value: number) => {
      let count = 0;
      do {
        digits[count++] = 48 + (value % 10);
        value = Math.floor(value / 10);
      } while (value > 0);
      while (count > 0) buffer[length++] = digits[--count];
    };
    const { src, dst } = graph;
    for (let k = 0; k < src.length; k++) {
      putNumber(src[k]);
      buffer[length++] = SPACE;
      putNumber(dst[k]);
      buffer[length++] = LF;
      if (length >= CHUNK) {
        await handle.write(buffer, 0, length);
        length = 0;
      }
    }
    if (length > 0) await handle.write(buffer, 0, length);
  } finally {
    await handle.close();
  }
}
