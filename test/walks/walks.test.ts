import { describe, expect, it } from 'vitest';
import { transitionMatrix, WALK_MODELS } from '../../src/walks/index.js';
import { largestComponent, weakComponents } from '../../src/graph/components.js';
import { csrFromEdges, denseOf, powerLawGraph, randomGraph, starGraph } from '../helpers/graphs.js';

describe('walk models', () => {
  const graphs = {
    'random weighted': randomGraph(300, 900, 7, { weighted: true }),
    'random directed': randomGraph(300, 900, 8, { directed: true }),
    'power-law': powerLawGraph(500, 3, 200, 9),
  };
  for (const [name, csr] of Object.entries(graphs)) {
    for (const model of WALK_MODELS) {
      for (const lazy of [false, true]) {
        it(`${model}${lazy ? ' lazy' : ''} on ${name}: rows sum to 1, entries in [0, 1], columns sorted`, () => {
          const P = transitionMatrix(csr, model, lazy);
          for (let i = 0; i < P.n; i++) {
            let sum = 0;
            for (let e = P.rowPtr[i]; e < P.rowPtr[i + 1]; e++) {
              expect(P.values[e]).toBeGreaterThan(0);
              expect(P.values[e]).toBeLessThanOrEqual(1);
              if (e > P.rowPtr[i]) expect(P.colIdx[e]).toBeGreaterThan(P.colIdx[e - 1]);
              sum += P.values[e];
            }
            expect(sum).toBeCloseTo(1, 12);
          }
        });
      }
    }
  }

  it('simple walk: P_ij = w_ij / sum_k w_ik by hand', () => {
    const P = denseOf(transitionMatrix(csrFromEdges([['a', 'b', 1], ['b', 'c', 2], ['a', 'c', 3]]), 'simple'));
    // nodes a=0, b=1, c=2; strengths a 4, b 3, c 5
    expect(P[0]).toEqual([0, 1 / 4, 3 / 4]);
    expect(P[1][0]).toBeCloseTo(1 / 3, 15);
    expect(P[1][2]).toBeCloseTo(2 / 3, 15);
    expect(P[2]).toEqual([3 / 5, 2 / 5, 0]);
  });

  it('simple walk on an unweighted graph without dangling nodes: 1/deg by hand, on the graph\'s own structure', () => {
    const csr = csrFromEdges([['a', 'b'], ['b', 'c'], ['c', 'd'], ['b', 'd']]);
    const walk = transitionMatrix(csr, 'simple');
    // a=0 (deg 1), b=1 (deg 3), c=2 (deg 2), d=3 (deg 2)
    expect(denseOf(walk)).toEqual([
      [0, 1, 0, 0],
      [1 / 3, 0, 1 / 3, 1 / 3],
      [0, 1 / 2, 0, 1 / 2],
      [0, 1 / 2, 1 / 2, 0],
    ]);
    expect(walk.rowPtr).toBe(csr.rowPtr);
    expect(walk.colIdx).toBe(csr.colIdx);
    // Lazy walks and dangling nodes need a diagonal, so they get their own structure.
    expect(transitionMatrix(csr, 'simple', true).colIdx).not.toBe(csr.colIdx);
    const dangling = csrFromEdges([['a', 'b']], true);
    expect(denseOf(transitionMatrix(dangling, 'simple'))).toEqual([[0, 1], [0, 1]]);
  });

  it('MH on a star: leaves step to the centre with probability 1/k and stay otherwise', () => {
    const k = 5;
    const P = denseOf(transitionMatrix(starGraph(k), 'mh'));
    expect(P[0][0]).toBe(0);
    for (let leaf = 1; leaf <= k; leaf++) {
      expect(P[0][leaf]).toBeCloseTo(1 / k, 15);
      expect(P[leaf][0]).toBeCloseTo(1 / k, 15);
      expect(P[leaf][leaf]).toBeCloseTo(1 - 1 / k, 15);
    }
  });

  it('MH on an undirected graph is symmetric, so the uniform law is stationary', () => {
    const P = denseOf(transitionMatrix(randomGraph(60, 200, 3, { weighted: true }), 'mh'));
    for (let i = 0; i < P.length; i++) for (let j = 0; j < P.length; j++) expect(P[i][j]).toBeCloseTo(P[j][i], 14);
  });

  it('lazy halves the steps and adds 1/2 to the diagonal', () => {
    const csr = starGraph(3);
    const plain = denseOf(transitionMatrix(csr, 'simple'));
    const lazy = denseOf(transitionMatrix(csr, 'simple', true));
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(lazy[i][j]).toBeCloseTo((i === j ? 0.5 : 0) + plain[i][j] / 2, 15);
  });

  it('a node without out-edges keeps its mass, and is counted', () => {
    const P = transitionMatrix(csrFromEdges([['a', 'b'], ['b', 'c']], true), 'simple');
    expect(P.danglingNodes).toBe(1);
    expect(denseOf(P)[2]).toEqual([0, 0, 1]);
  });
});

describe('components', () => {
  it('finds weak components and extracts the largest with its keys and weights', () => {
    const csr = csrFromEdges([['a', 'b', 1], ['b', 'c', 2], ['x', 'y', 5], ['c', 'd', 3]], true);
    const { sizes, component } = weakComponents(csr);
    expect(sizes).toEqual([4, 2]);
    expect(component[csr.nodeKeys.indexOf('x')]).toBe(1);
    const big = largestComponent(csr);
    expect([...big.nodeKeys]).toEqual(['a', 'b', 'c', 'd']);
    expect([...big.rowPtr]).toEqual([0, 1, 2, 3, 3]);
    expect([...big.colIdx]).toEqual([1, 2, 3]);
    expect([...big.weights!]).toEqual([1, 2, 3]);
  });
});
