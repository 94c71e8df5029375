import type { InitiatorEntropyOptions } from '../../src/analyses/initiator-entropy.js';
import type { Csr } from '../../src/graph/csr.js';
import { csrFromEdges, randomGraph } from './graphs.js';

/** Out-arcs of a node with `degree` neighbours: 1/degree is inexact in binary for 3, 6, 7, 10, … */
export function fan(from: string, degree: number): [string, string][] {
  return Array.from({ length: degree }, (_, k) => [from, `${from}${k}`]);
}

/**
 * Graphs whose rows do not sum to exactly 1 in floating point: out-degrees 3 and 7, weights
 * 0.1, 0.2, 0.3 and thirds, dangling nodes, several components, directed and undirected.
 */
export const INEXACT_GRAPHS: Record<string, Csr> = {
  'directed, out-degrees 3 and 7, dangling leaves': csrFromEdges([...fan('d', 7), ...fan('t', 3), ['t0', 'd'], ['d1', 't']], true),
  'directed, weights 0.1/0.2/0.3 and thirds, two components': csrFromEdges(
    [
      ['a', 'b', 0.1], ['a', 'c', 0.2], ['a', 'd', 0.3], ['b', 'a', 1 / 3], ['b', 'c', 1 / 3], ['b', 'd', 1 / 3],
      ['c', 'a', 0.7], ['x', 'y', 0.3], ['y', 'z', 0.6], ['z', 'x', 0.1], ['z', 'y', 0.2],
    ],
    true,
  ),
  'undirected, degrees 3, 6 and 7, weighted, an isolated pair': csrFromEdges([
    ...fan('h', 7).map(([u, v], k) => [u, v, 0.1 * (k + 1)] as [string, string, number]),
    ['h0', 'h1', 0.3], ['h1', 'h2', 1 / 3], ['h2', 'h3', 0.2], ['h3', 'h4', 0.7], ['h4', 'h5', 0.6], ['h5', 'h0', 0.1],
    ['p', 'q', 0.3],
  ]),
  'random directed with dangling nodes': randomGraph(60, 150, 7, { directed: true, weighted: true }),
};

/**
 * Only `zsource` (no in-arcs) steps to `ztarget`; with prior 0 on `zsource`, `ztarget` is
 * reached after one hop only from a zero-prior initiator, and after two by no walk.
 */
export const zeroPriorGraph = csrFromEdges([['zsource', 'ztarget'], ['ztarget', 'a'], ['a', 'b'], ['b', 'a'], ['b', 'c'], ['c', 'a']], true);
export const zeroPrior = new Map(zeroPriorGraph.nodeKeys.map((key) => [key, key === 'zsource' ? 0 : 1]));

export interface ExactCase {
  name: string;
  csr: Csr;
  options: InitiatorEntropyOptions & { walk: 'simple' | 'mh'; hops: number };
}

/** Every walk model, lazy or not, on every inexact graph, plus a prior that zeroes an initiator: what each backend must answer exactly. */
export function exactCases(hops = 6): ExactCase[] {
  const cases: ExactCase[] = [];
  for (const [name, csr] of Object.entries(INEXACT_GRAPHS)) {
    for (const walk of ['simple', 'mh'] as const) {
      for (const lazy of [false, true]) cases.push({ name: `${walk}${lazy ? ' lazy' : ''} on ${name}`, csr, options: { walk, lazy, hops } });
    }
  }
  for (const walk of ['simple', 'mh'] as const) {
    cases.push({ name: `${walk} with a prior that zeroes the only initiator reaching a node`, csr: zeroPriorGraph, options: { walk, hops, prior: zeroPrior } });
  }
  return cases;
}
