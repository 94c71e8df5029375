import { FormatError } from '../errors.js';

/**
 * The one graph type used everywhere: compressed sparse rows over dense node indices
 * 0..n-1, with the mapping back to the original node keys.
 *
 * Row i lists the out-neighbours of i (for undirected graphs every edge is stored in both
 * rows). Columns in a row are sorted and unique; there are no self-loops.
 */
export interface Csr {
  readonly n: number;
  readonly rowPtr: Uint32Array;
  readonly colIdx: Uint32Array;
  /** Edge weights aligned with colIdx; absent for unweighted graphs (every weight is 1). */
  readonly weights?: Float32Array;
  readonly directed: boolean;
  /** nodeKeys[i] is the original key of dense node i. */
  readonly nodeKeys: readonly string[];
}

/** A Csr rather than a graphology graph: what the analyses take either of. */
export function isCsr(graph: object): graph is Csr {
  return (graph as Csr).rowPtr instanceof Uint32Array;
}

/** The key functions of Csrs whose nodeKeys array is not made yet. */
const lazyKeys = new WeakMap<Csr, (i: number) => string>();

/**
 * A Csr whose nodeKeys array is made from `keyOf` the first time it is read (then kept):
 * the loaders keep integer ids as numbers, and a job that names a few nodes (nodeKey)
 * never pays for a million strings.
 */
export function withLazyNodeKeys(fields: Omit<Csr, 'nodeKeys'>, keyOf: (i: number) => string): Csr {
  const csr = { ...fields } as Csr;
  Object.defineProperty(csr, 'nodeKeys', {
    enumerable: true,
    configurable: true,
    get(): readonly string[] {
      const keys: string[] = [];
      for (let i = 0; i < csr.n; i++) keys.push(keyOf(i));
      Object.defineProperty(csr, 'nodeKeys', { value: keys, enumerable: true, writable: false, configurable: false });
      lazyKeys.delete(csr);
      return keys;
    },
  });
  lazyKeys.set(csr, keyOf);
  return csr;
}

/** The key of node i, without making every key of a graph loaded with lazy keys. */
export function nodeKey(csr: Csr, i: number): string {
  const keyOf = lazyKeys.get(csr);
  return keyOf ? keyOf(i) : csr.nodeKeys[i];
}

/** Number of edges as a user counts them: undirected edges once, directed arcs once. */
export function edgeCount(csr: Csr): number {
  const stored = csr.rowPtr[csr.n];
  return csr.directed ? stored : stored / 2;
}

const indexCache = new WeakMap<Csr, Map<string, number>>();

/** Key → dense index, built once per graph. */
export function nodeIndex(csr: Csr): Map<string, number> {
  let index = indexCache.get(csr);
  if (!index) {
    index = new Map();
    csr.nodeKeys.forEach((key, i) => index!.set(key, i));
    indexCache.set(csr, index);
  }
  return index;
}

/** Sum of out-weights of each row (out-degree for unweighted graphs). */
export function outStrengths(csr: Csr): Float64Array {
  const strength = new Float64Array(csr.n);
  for (let i = 0; i < csr.n; i++) {
    const start = csr.rowPtr[i];
    const end = csr.rowPtr[i + 1];
    if (!csr.weights) {
      strength[i] = end - start;
      continue;
    }
    let sum = 0;
    for (let e = start; e < end; e++) sum += csr.weights[e];
    strength[i] = sum;
  }
  return strength;
}

/** An analysis of an empty graph would be meaningless: refuse it where the graph is made. */
export function assertNotEmpty(csr: Csr, file: string): void {
  if (csr.n === 0 || csr.colIdx.length === 0) {
    throw new FormatError(file, undefined, `empty graph: ${csr.n} nodes and no edges (self-loops do not count)`);
  }
}
