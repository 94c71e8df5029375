import type { Csr } from './csr.js';

/** What building a CSR dropped or merged, for the load summary. */
export interface BuildReport {
  /** Self-loops dropped (a walk's self-loops come from the walk model, not the data). */
  selfLoops: number;
  /** Edges that repeated an earlier one and were merged into it (weights added). */
  duplicates: number;
}

/**
 * Accumulates edges in growable typed arrays and turns them into a Csr with two stable
 * counting sorts (by column, then by row): O(n + m) time, no per-edge objects, so it
 * scales to millions of edges. Every loader (edge lists, graphology, GEXF) goes through it.
 */
export class CsrBuilder {
  private readonly keys: string[] = [];
  private readonly integerIndex = new Map<number, number>();
  private readonly stringIndex = new Map<string, number>();
  private src = new Uint32Array(1024);
  private dst = new Uint32Array(1024);
  private weight: Float64Array | null = null;
  private m = 0;
  private selfLoops = 0;

  constructor(readonly directed: boolean) {}

  get nodeCount(): number {
    return this.keys.length;
  }

  get weighted(): boolean {
    return this.weight !== null;
  }

  /** Switch to a weighted graph; must happen before the first edge. */
  enableWeights(): void {
    if (this.m > 0 && !this.weight) throw new Error('anonscope/CsrBuilder: enableWeights() after edges were added');
    this.weight ??= new Float64Array(this.src.length);
  }

  /** Dense index of a node key, adding the node if new. */
  node(key: string): number {
    let index = this.stringIndex.get(key);
    if (index === undefined) {
      index = this.keys.length;
      this.keys.push(key);
      this.stringIndex.set(key, index);
    }
    return index;
  }

  /**
   * Dense index of a node whose key is a canonical non-negative integer (the common case in
   * edge lists); a numeric map avoids building a string for every token.
   */
  integerNode(value: number): number {
    let index = this.integerIndex.get(value);
    if (index === undefined) {
      const key = String(value);
      index = this.stringIndex.get(key);
      if (index === undefined) {
        index = this.keys.length;
        this.keys.push(key);
        this.stringIndex.set(key, index);
      }
      this.integerIndex.set(value, index);
    }
    return index;
  }

  addEdge(u: number, v: number, w = 1): void {
    if (u === v) {
      this.selfLoops++;
      return;
    }
    if (this.m === this.src.length) this.grow();
    this.src[this.m] = u;
    this.dst[this.m] = v;
    if (this.weight) this.weight[this.m] = w;
    this.m++;
  }

  private grow(): void {
    const capacity = this.src.length * 2;
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

  build(): { csr: Csr; report: BuildReport } {
    const n = this.keys.length;
    const m = this.m;
    const entries = this.directed ? m : 2 * m;
    // Entry k < m is the edge as given; k >= m its reverse (undirected graphs only).
    const rowOf = (k: number) => (k < m ? this.src[k] : this.dst[k - m]);
    const colOf = (k: number) => (k < m ? this.dst[k] : this.src[k - m]);

    const byColumn = countingSort(entries, n, colOf, null);
    const byRow = countingSort(entries, n, rowOf, byColumn);

    // Merge duplicates: after both sorts equal (row, col) pairs are adjacent.
    const rowPtr = new Uint32Array(n + 1);
    const colIdx = new Uint32Array(entries);
    const weights = this.weight ? new Float64Array(entries) : null;
    let out = 0;
    let merged = 0;
    let previousRow = -1;
    let previousCol = -1;
    for (let s = 0; s < entries; s++) {
      const k = byRow[s];
      const row = rowOf(k);
      const col = colOf(k);
      const w = this.weight ? this.weight[k < m ? k : k - m] : 1;
      if (row === previousRow && col === previousCol) {
        merged++;
        if (weights) weights[out - 1] += w;
        continue;
      }
      colIdx[out] = col;
      if (weights) weights[out] = w;
      rowPtr[row + 1]++;
      out++;
      previousRow = row;
      previousCol = col;
    }
    for (let i = 0; i < n; i++) rowPtr[i + 1] += rowPtr[i];

    const csr: Csr = {
      n,
      rowPtr,
      colIdx: out === entries ? colIdx : colIdx.slice(0, out),
      weights: weights ? Float32Array.from(weights.subarray(0, out)) : undefined,
      directed: this.directed,
      nodeKeys: this.keys,
    };
    return {
      csr,
      report: { selfLoops: this.selfLoops, duplicates: this.directed ? merged : merged / 2 },
    };
  }
}

/** Stable counting sort of entry ids by a key in [0, buckets); `order` is the input order. */
function countingSort(
  count: number,
  buckets: number,
  keyOf: (k: number) => number,
  order: Uint32Array | null,
): Uint32Array {
  const start = new Uint32Array(buckets + 1);
  for (let k = 0; k < count; k++) start[keyOf(k) + 1]++;
  for (let b = 0; b < buckets; b++) start[b + 1] += start[b];
  const sorted = new Uint32Array(count);
  for (let s = 0; s < count; s++) {
    const k = order ? order[s] : s;
    sorted[start[keyOf(k)]++] = k;
  }
  return sorted;
}
