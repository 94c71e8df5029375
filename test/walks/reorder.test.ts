import { describe, expect, it } from 'vitest';
import { degreeOrder, relabelWalk } from '../../src/walks/reorder.js';
import { transitionMatrix } from '../../src/walks/index.js';
import { denseOf, powerLawGraph, randomGraph } from '../helpers/graphs.js';

describe('degree order', () => {
  it('is a permutation with its inverse, by decreasing row length, ties by id', () => {
    const walk = transitionMatrix(powerLawGraph(2000, 2, 500, 9), 'simple');
    const { order, rank } = degreeOrder(walk);
    const length = (i: number) => walk.rowPtr[i + 1] - walk.rowPtr[i];
    const expected = Array.from({ length: walk.n }, (_, i) => i).sort((a, b) => length(b) - length(a) || a - b);
    expect(Array.from(order)).toEqual(expected);
    for (let r = 0; r < walk.n; r++) expect(rank[order[r]]).toBe(r);
  });

  it('relabels P as Π P Πᵀ: P′[rank i][rank j] = P[i][j], in float32 too', () => {
    const walk = transitionMatrix(randomGraph(60, 200, 4, { directed: true, weighted: true }), 'mh');
    const nodeOrder = degreeOrder(walk);
    const nnz = walk.rowPtr[walk.n];
    for (const values of [new Float64Array(nnz), new Float32Array(nnz)]) {
      const into = { rowPtr: new Uint32Array(walk.n + 1), colIdx: new Uint32Array(nnz), values };
      relabelWalk(walk, nodeOrder, into);
      const P = denseOf(walk);
      const relabelled = denseOf({ n: walk.n, ...into, values: Float64Array.from(values) });
      for (let i = 0; i < walk.n; i++) {
        for (let j = 0; j < walk.n; j++) expect(relabelled[nodeOrder.rank[i]][nodeOrder.rank[j]]).toBeCloseTo(P[i][j], values instanceof Float32Array ? 7 : 15);
      }
    }
  });
});
