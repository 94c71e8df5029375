import { AnonscopeError, FormatError } from '../errors.js';
import { withLazyNodeKeys, type Csr } from './csr.js';
import type { RawEdges } from './integer-lines.js';
import { MAX_WEIGHT } from './weights.js';

/** Rows up to this long are sorted by insertion sort (stable, no allocation). */
const INSERTION_SORT_MAX = 32;

/** What building a CSR dropped or merged, for the load summary. */
export interface BuildReport {
  /** Self-loops dropped (a walk's self-loops come from the walk model, not the data). */
  selfLoops: number;
  /** Edges that repeated an earlier one and were merged into it (weights added). */
  duplicates: number;
}

/** Integer ids below max(DENSE_MIN, DENSE_FACTOR × nodes) are indexed by a typed array, others by a Map. */
const DENSE_MIN = 1 << 20;
const DENSE_FACTOR = 4;
const DENSE_MAX = 2 ** 31;

/**
 * Accumulates edges in growable typed arrays and turns them into a Csr: O(n + m) time
 * plus a sort of each row, no per-edge objects, so it scales to millions of edges. Every
 * loader (edge lists, graphology, GEXF) goes through it.
 *
 * Node keys that are canonical non-negative integers ("0", "17", not "007") are indexed
 * by value: a growable Uint32Array from value to dense index + 1 while the values stay
 * within a few times the node count (SNAP-style ids), a Map<number, number> beyond that.
 * Other keys go to a Map<string, number>. The dense indices are given in order of first
 * appearance either way. Integer keys are kept as numbers: the Csr's nodeKeys strings are
 * made only if something reads them (a million String() calls cost more than a job naming
 * a few nodes needs).
 */
export class CsrBuilder {
  private nodes = 0;
  /** keyValues[i]: the integer key of node i (NaN where it has a string key). */
  private keyValues = new Float64Array(1024);
  /** stringKeys[i]: the key of node i where it is not a canonical integer. */
  private readonly stringKeys: string[] = [];
  /** dense[value] = index + 1 of the node with integer key `value` (0: none yet). */
  private dense = new Uint32Array(0);
  /** Integer keys at or beyond dense.length. */
  private readonly integerIndex = new Map<number, number>();
  /** Keys that are not canonical integers. */
  private readonly stringIndex = new Map<string, number>();
  private src = new Uint32Array(1024);
  private dst = new Uint32Array(1024);
  private weight: Float64Array | null = null;
  private m = 0;
  private selfLoops = 0;

  constructor(readonly directed: boolean) {}

  get nodeCount(): number {
    return this.nodes;
  }

  get weighted(): boolean {
    return this.weight !== null;
  }

  /** Switch to a weighted graph; must happen before the first edge. */
  enableWeights(): void {
    if (this.m > 0 && !this.weight) throw new AnonscopeError('anonscope/CsrBuilder: enableWeights() after edges were added');
    this.weight ??= new Float64Array(this.src.length);
  }

  /** Dense index of a node key, adding the node if new. */
  node(key: string): number {
    if (isCanonicalInteger(key)) return this.integerNode(Number(key));
    let index = this.stringIndex.get(key);
    if (index === undefined) {
      index = this.newNode(NaN);
      this.stringKeys[index] = key;
      this.stringIndex.set(key, index);
    }
    return index;
  }

  /** The next dense index, for a node with integer key `value` (NaN: a string key). */
  private newNode(value: number): number {
    if (this.nodes === this.keyValues.length) {
      const grown = new Float64Array(2 * this.nodes);
      grown.set(this.keyValues);
      this.keyValues = grown;
    }
    this.keyValues[this.nodes] = value;
    return this.nodes++;
  }

  /** The key of dense node i. */
  private keyOf(i: number): string {
    const value = this.keyValues[i];
    return Number.isNaN(value) ? this.stringKeys[i] : String(value);
  }

  /**
   * Dense index of a node whose key is a canonical non-negative integer (the common case in
   * edge lists): no string is built for a node already seen.
   */
  integerNode(value: number): number {
    if (value < this.dense.length) {
      const slot = this.dense[value];
      if (slot !== 0) return slot - 1;
      const index = this.newNode(value);
      this.dense[value] = index + 1;
      return index;
    }
    if (this.growDense(value)) return this.integerNode(value);
    let index = this.integerIndex.get(value);
    if (index === undefined) {
      index = this.newNode(value);
      this.integerIndex.set(value, index);
    }
    return index;
  }

  /**
   * Add integer-id edges as read (integer-lines.ts), in order: the same nodes, in the same
   * order of first appearance, and the same edges as integerNode and addEdge line by line.
   */
  addRawEdges(raw: RawEdges): void {
    const { src, dst, weight, count } = raw;
    this.reserve(this.m + count);
    let m = this.m;
    for (let k = 0; k < count; k++) {
      const a = src[k];
      const b = dst[k];
      // integerNode's common case, inline: the id already in the dense index.
      const slotA = a < this.dense.length ? this.dense[a] : 0;
      const u = slotA !== 0 ? slotA - 1 : this.integerNode(a);
      const slotB = b < this.dense.length ? this.dense[b] : 0;
      const v = slotB !== 0 ? slotB - 1 : this.integerNode(b);
      if (u === v) {
        this.selfLoops++;
        continue;
      }
      this.src[m] = u;
      this.dst[m] = v;
      if (weight) this.weight![m] = weight[k];
      m++;
    }
    this.m = m;
  }

  /** Grow the dense index to cover `value` if that stays within bounds; move Map entries over. */
  private growDense(value: number): boolean {
    const limit = Math.min(DENSE_MAX, Math.max(DENSE_MIN, DENSE_FACTOR * (this.nodes + 1)));
    if (value >= limit) return false;
    let capacity = Math.max(1024, this.dense.length);
    while (capacity <= value) capacity *= 2;
    capacity = Math.min(capacity, DENSE_MAX);
    const dense = new Uint32Array(capacity);
    dense.set(this.dense);
    for (const [key, index] of this.integerIndex) {
      if (key < capacity) {
        dense[key] = index + 1;
        this.integerIndex.delete(key);
      }
    }
    this.dense = dense;
    return true;
  }

  addEdge(u: number, v: number, w = 1): void {
    if (u === v) {
      this.selfLoops++;
      return;
    }
    if (this.m === this.src.length) this.reserve(this.m + 1);
    this.src[this.m] = u;
    this.dst[this.m] = v;
    if (this.weight) this.weight[this.m] = w;
    this.m++;
  }

  /** Room for `edges` edges in all (doubling, so that edges added one by one cost O(1) each). */
  private reserve(edges: number): void {
    if (edges <= this.src.length) return;
    const capacity = Math.max(edges, this.src.length * 2);
    const grow32 = (a: Uint32Array) => {
      const b = new Uint32Array(capacity);
      b.set(a);
      return b;
    };
    this.src = grow32(this.src);
    this.dst = grow32(this.dst);
    if (this.weight) {
      const w = new Float64Array(capacity);
      w.set(this.weight);
      this.weight = w;
    }
  }

  /**
   * Count row lengths, scatter every entry into its row (edges in input order, then for
   * undirected graphs their reverses in input order), sort each row stably by column and
   * merge equal columns. Weights of merged duplicates are added in that same order, in
   * float64, then rounded to float32; a sum past float32's range is a FormatError naming
   * `source` (it would be stored as Infinity and drain its row).
   */
  build(source = 'anonscope/CsrBuilder'): { csr: Csr; report: BuildReport } {
    const n = this.nodes;
    const m = this.m;
    const directed = this.directed;
    const { src, dst, weight } = this;
    const entries = directed ? m : 2 * m;

    const rowPtr = new Uint32Array(n + 1);
    for (let k = 0; k < m; k++) rowPtr[src[k] + 1]++;
    if (!directed) for (let k = 0; k < m; k++) rowPtr[dst[k] + 1]++;
    for (let i = 0; i < n; i++) rowPtr[i + 1] += rowPtr[i];

    const next = rowPtr.slice(0, n);
    const colIdx = new Uint32Array(entries);
    const weights = weight ? new Float64Array(entries) : null;
    for (let k = 0; k < m; k++) {
      const p = next[src[k]]++;
      colIdx[p] = dst[k];
      if (weights) weights[p] = weight![k];
    }
    if (!directed) {
      for (let k = 0; k < m; k++) {
        const p = next[dst[k]]++;
        colIdx[p] = src[k];
        if (weights) weights[p] = weight![k];
      }
    }

    // Sort each row and merge duplicates, compacting in place (out <= start of row).
    let out = 0;
    let merged = 0;
    let start = 0;
    for (let i = 0; i < n; i++) {
      const end = rowPtr[i + 1];
      if (weights) sortRowWithWeights(colIdx, weights, start, end);
      else sortRow(colIdx, start, end);
      const rowStart = out;
      for (let p = start; p < end; p++) {
        const col = colIdx[p];
        if (out > rowStart && colIdx[out - 1] === col) {
          merged++;
          if (weights) {
            weights[out - 1] += weights[p];
            if (weights[out - 1] > MAX_WEIGHT) this.failMergedWeight(source, i, col, weights[out - 1]);
          }
          continue;
        }
        colIdx[out] = col;
        if (weights) weights[out] = weights[p];
        out++;
      }
      rowPtr[i] = rowStart;
      start = end;
    }
    rowPtr[n] = out;

    const keyValues = this.keyValues;
    const stringKeys = this.stringKeys;
    const csr = withLazyNodeKeys(
      {
        n,
        rowPtr,
        colIdx: out === entries ? colIdx : colIdx.slice(0, out),
        weights: weights ? Float32Array.from(weights.subarray(0, out)) : undefined,
        directed,
      },
      (i) => (Number.isNaN(keyValues[i]) ? stringKeys[i] : String(keyValues[i])),
    );
    return {
      csr,
      report: { selfLoops: this.selfLoops, duplicates: directed ? merged : merged / 2 },
    };
  }

  private failMergedWeight(source: string, u: number, v: number, sum: number): never {
    const edge = `${this.keyOf(u)} ${this.directed ? '->' : '--'} ${this.keyOf(v)}`;
    throw new FormatError(source, undefined, `the edge ${edge} is listed more than once and its weights add up to ${sum.toPrecision(6)}, more than float32 can hold (${MAX_WEIGHT.toPrecision(8)})`);
  }
}

/** Sort colIdx[start, end) ascending (equal columns are identical, so stability is moot). */
function sortRow(colIdx: Uint32Array, start: number, end: number): void {
  if (end - start > INSERTION_SORT_MAX) {
    colIdx.subarray(start, end).sort();
    return;
  }
  for (let p = start + 1; p < end; p++) {
    const c = colIdx[p];
    let q = p - 1;
    while (q >= start && colIdx[q] > c) {
      colIdx[q + 1] = colIdx[q];
      q--;
    }
    colIdx[q + 1] = c;
  }
}

/** Sort a row by column, stably (duplicates keep their order, so their weights add in order). */
function sortRowWithWeights(colIdx: Uint32Array, weights: Float64Array, start: number, end: number): void {
  const length = end - start;
  if (length > INSERTION_SORT_MAX) {
    const order = new Uint32Array(length);
    for (let t = 0; t < length; t++) order[t] = t;
    order.sort((x, y) => colIdx[start + x] - colIdx[start + y] || x - y);
    const cols = colIdx.slice(start, end);
    const ws = weights.slice(start, end);
    for (let t = 0; t < length; t++) {
      colIdx[start + t] = cols[order[t]];
      weights[start + t] = ws[order[t]];
    }
    return;
  }
  for (let p = start + 1; p < end; p++) {
    const c = colIdx[p];
    const w = weights[p];
    let q = p - 1;
    while (q >= start && colIdx[q] > c) {
      colIdx[q + 1] = colIdx[q];
      weights[q + 1] = weights[q];
      q--;
    }
    colIdx[q + 1] = c;
    weights[q + 1] = w;
  }
}

/** "0", "17": digits only, no leading zero, at most 15 digits (exact in a double). */
function isCanonicalInteger(key: string): boolean {
  const length = key.length;
  if (length === 0 || length > 15 || (length > 1 && key.charCodeAt(0) === 48)) return false;
  for (let i = 0; i < length; i++) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
