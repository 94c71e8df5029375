import { describe, expect, it } from 'vitest';
import { initiatorEntropy } from '../../src/analyses/initiator-entropy.js';
import { transitionMatrix } from '../../src/walks/index.js';
import { denseWalk } from '../helpers/dense-reference.js';
import { fan, INEXACT_GRAPHS } from '../helpers/exact-cases.js';
import { csrFromEdges } from '../helpers/graphs.js';

describe('P has exactly the graph structure', () => {
  for (const [name, csr] of Object.entries(INEXACT_GRAPHS)) {
    for (const model of ['simple', 'mh'] as const) {
      for (const lazy of [false, true]) {
        it(`${model}${lazy ? ' lazy' : ''} on ${name}: entries equal the dense definition, no others, rows sum to 1 within 1e-12`, () => {
          const walk = transitionMatrix(csr, model, lazy);
          const P = denseWalk(csr, model, lazy);
          for (let i = 0; i < csr.n; i++) {
            const row = new Map<number, number>();
            for (let e = walk.rowPtr[i]; e < walk.rowPtr[i + 1]; e++) {
              expect(row.has(walk.colIdx[e]), `row ${i} repeats column ${walk.colIdx[e]}`).toBe(false);
              row.set(walk.colIdx[e], walk.values[e]);
            }
            let sum = 0;
            for (let j = 0; j < csr.n; j++) {
              // The sparsity pattern is the dense definition's, exactly: no entry where P_ij = 0.
              expect(row.has(j), `P[${i}][${j}] = ${P[i][j]} present?`).toBe(P[i][j] > 0);
              if (row.has(j)) expect(Math.abs(row.get(j)! - P[i][j]), `P[${i}][${j}]`).toBeLessThan(1e-15);
              sum += row.get(j) ?? 0;
            }
            expect(Math.abs(sum - 1), `row ${i} sum`).toBeLessThan(1e-12);
          }
        });
      }
    }
  }

  it('a diagonal only at dangling nodes for the simple walk, and on every node of a lazy one', () => {
    const csr = INEXACT_GRAPHS['directed, out-degrees 3 and 7, dangling leaves'];
    const diagonals = (lazy: boolean) => {
      const walk = transitionMatrix(csr, 'simple', lazy);
      const nodes: string[] = [];
      for (let i = 0; i < csr.n; i++) {
        for (let e = walk.rowPtr[i]; e < walk.rowPtr[i + 1]; e++) if (walk.colIdx[e] === i) nodes.push(csr.nodeKeys[i]);
      }
      return nodes.sort();
    };
    const dangling = csr.nodeKeys.filter((_, i) => csr.rowPtr[i + 1] === csr.rowPtr[i]).sort();
    expect(dangling.length).toBe(8); // d0, d2..d6, t1, t2
    expect(diagonals(false)).toEqual(dangling);
    expect(diagonals(true)).toEqual([...csr.nodeKeys].sort());
  });

  it('MH keeps a rest only where a neighbour is stronger: none on a regular ring, 1 − 2/3 at the leaves of a 3-star', () => {
    const ring = csrFromEdges(Array.from({ length: 7 }, (_, k) => [k, (k + 1) % 7] as [number, number]));
    const walk = transitionMatrix(ring, 'mh');
    expect(walk.colIdx.length).toBe(14); // the 14 arcs, no diagonal
    const star = transitionMatrix(csrFromEdges([[0, 1], [0, 2], [0, 3]]), 'mh');
    const [toCentre, stay] = star.values.subarray(star.rowPtr[1], star.rowPtr[2]);
    expect(toCentre).toBe(1 / 3);
    expect(stay).toBeCloseTo(2 / 3, 15);
  });

  for (const degree of [3, 7]) {
    it(`reproducer: node d with ${degree} out-arcs and no in-arcs is unreachable at every hop, on both walks, lazy or not`, async () => {
      const csr = csrFromEdges([...fan('d', degree), ['d0', 'd1'], ['d1', 'd0']], true);
      for (const walk of ['simple', 'mh'] as const) {
        const result = await initiatorEntropy(csr, { walk, terminalIds: ['d'], hops: 4 });
        expect(result.hops.map((h) => h.unreachable)).toEqual([1, 1, 1, 1]);
        // Lazy: d reaches itself with probability 2^-t, so it is reachable with 0 bits.
        const lazy = await initiatorEntropy(csr, { walk, lazy: true, terminalIds: ['d'], hops: 4 });
        expect(lazy.hops.map((h) => [h.unreachable, h.mean])).toEqual([[0, 0], [0, 0], [0, 0], [0, 0]]);
      }
    });
  }
});
