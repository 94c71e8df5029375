import type { Csr } from './csr.js';

export interface Components {
  /** component[i] is the component id of node i, ids ordered by first node. */
  component: Uint32Array;
  /** sizes[c] is the number of nodes in component c. */
  sizes: number[];
  /** The id of the largest component (ties: the first). */
  largest: number;
}

/**
 * Rows of a directed structure: row i lists the j with an arc i → j (a Csr, a transition
 * matrix). `directed: false` promises symmetric rows (an undirected Csr).
 */
export type ArcRows = Pick<Csr, 'n' | 'rowPtr' | 'colIdx'> & { directed?: boolean };

/**
 * Weakly connected components (edge direction ignored), by union-find with path halving.
 * Symmetric rows store each edge twice, so only the part of a row below the diagonal (rows
 * are sorted) is read; labels go by first node through a typed array.
 */
export function weakComponents(csr: ArcRows): Components {
  const { n, rowPtr, colIdx } = csr;
  const symmetric = csr.directed === false;
  const parent = new Uint32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (x: number) => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (let i = 0; i < n; i++) {
    const end = rowPtr[i + 1];
    for (let e = rowPtr[i]; e < end; e++) {
      const j = colIdx[e];
      if (symmetric && j > i) break;
      const a = find(i);
      const b = find(j);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
  // Roots are the smallest node of their component, so they come first in node order.
  const component = new Uint32Array(n);
  const sizes: number[] = [];
  for (let i = 0; i < n; i++) {
    const root = find(i);
    const id = root === i ? sizes.push(0) - 1 : component[root];
    component[i] = id;
    sizes[id]++;
  }
  // A loop, not Math.max(...sizes): a spread of 125,000+ components overflows the call stack.
  let largest = 0;
  for (let c = 1; c < sizes.length; c++) if (sizes[c] > sizes[largest]) largest = c;
  return { component, sizes, largest };
}

/** The subgraph induced by the largest weakly connected component (ties: the first). */
export function largestComponent(csr: Csr, components = weakComponents(csr)): Csr {
  const { component, sizes, largest: keep } = components;
  if (sizes.length === 1) return csr;
  const newIndex = new Int32Array(csr.n).fill(-1);
  const nodeKeys: string[] = [];
  for (let i = 0; i < csr.n; i++) {
    if (component[i] === keep) {
      newIndex[i] = nodeKeys.length;
      nodeKeys.push(csr.nodeKeys[i]);
    }
  }
  const n = nodeKeys.length;
  const rowPtr = new Uint32Array(n + 1);
  let nnz = 0;
  for (let i = 0; i < csr.n; i++) if (newIndex[i] >= 0) nnz += csr.rowPtr[i + 1] - csr.rowPtr[i];
  const colIdx = new Uint32Array(nnz);
  const weights = csr.weights ? new Float32Array(nnz) : undefined;
  let out = 0;
  for (let i = 0; i < csr.n; i++) {
    if (newIndex[i] < 0) continue;
    // Every neighbour of a kept node is in the same component, so it is kept too.
    for (let e = csr.rowPtr[i]; e < csr.rowPtr[i + 1]; e++) {
      colIdx[out] = newIndex[csr.colIdx[e]];
      if (weights) weights[out] = csr.weights![e];
      out++;
    }
    rowPtr[newIndex[i] + 1] = out;
  }
  return { n, rowPtr, colIdx, weights, directed: csr.directed, nodeKeys };
}

export interface StrongComponents {
  /** component[i] is the strongly connected component of node i. */
  component: Uint32Array;
  count: number;
  /** closed[c]: no arc leaves component c (a walk that enters it stays). */
  closed: Uint8Array;
}

/**
 * Strongly connected components (Tarjan's algorithm, iterative: recursion would overflow the
 * stack on long paths), and which of them no arc leaves.
 */
export function strongComponents(rows: ArcRows): StrongComponents {
  const { n, rowPtr, colIdx } = rows;
  const UNSEEN = 0xffffffff;
  const index = new Uint32Array(n).fill(UNSEEN);
  const low = new Uint32Array(n);
  const component = new Uint32Array(n).fill(UNSEEN);
  const stack = new Uint32Array(n);
  const callNode = new Uint32Array(n);
  const callEdge = new Uint32Array(n);
  let stackTop = 0;
  let next = 0;
  let count = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== UNSEEN) continue;
    let depth = 0;
    callNode[0] = root;
    callEdge[0] = rowPtr[root];
    index[root] = low[root] = next++;
    stack[stackTop++] = root;
    while (depth >= 0) {
      const v = callNode[depth];
      if (callEdge[depth] < rowPtr[v + 1]) {
        const w = colIdx[callEdge[depth]++];
        if (index[w] === UNSEEN) {
          index[w] = low[w] = next++;
          stack[stackTop++] = w;
          callNode[++depth] = w;
          callEdge[depth] = rowPtr[w];
        } else if (component[w] === UNSEEN) {
          low[v] = Math.min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack[--stackTop];
          component[w] = count;
        } while (w !== v);
        count++;
      }
      depth--;
      if (depth >= 0) low[callNode[depth]] = Math.min(low[callNode[depth]], low[v]);
    }
  }
  const closed = new Uint8Array(count).fill(1);
  for (let i = 0; i < n; i++) {
    for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) if (component[colIdx[e]] !== component[i]) closed[component[i]] = 0;
  }
  return { component, count, closed };
}
