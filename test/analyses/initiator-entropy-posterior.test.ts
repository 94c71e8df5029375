/**
 * initiatorPosterior (the network view's click on a terminus): the column j of P^t weighted
 * by the prior and normalised, against dense float64 matrix products written here.
 */
import { describe, expect, it } from 'vitest';
import { initiatorPosterior } from '../../src/analyses/initiator-entropy-posterior.js';
import { ParameterError } from '../../src/errors.js';
import { denseWalk } from '../helpers/dense-reference.js';
import { csrFromEdges, randomGraph } from '../helpers/graphs.js';
import type { Csr } from '../../src/graph/csr.js';

/** p_i = q_i (P^t)_ij / Σ_x q_x (P^t)_xj by dense products; null when the sum is 0. */
function densePosterior(P: number[][], j: number, hop: number, prior?: number[]): number[] | null {
  let x: number[] = P.map((_, i) => (i === j ? 1 : 0));
  for (let t = 0; t < hop; t++) x = P.map((row) => row.reduce((sum, p, k) => sum + p * x[k], 0));
  const y = x.map((v, i) => v * (prior ? prior[i] : 1));
  const mass = y.reduce((a, b) => a + b, 0);
  return mass > 0 ? y.map((v) => v / mass) : null;
}

function expectClose(actual: Float64Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(Math.abs(actual[i] - v), `node ${i}`).toBeLessThan(1e-12));
}

describe('initiatorPosterior', () => {
  const weighted: Csr = randomGraph(30, 80, 7, { weighted: true });
  it.each([
    ['simple', false, 1],
    ['simple', false, 5],
    ['mh', false, 4],
    ['simple', true, 3],
    ['mh', true, 7],
  ] as const)('%s walk (lazy %s), hop %i: the dense posterior of every terminal', (walk, lazy, hop) => {
    const P = denseWalk(weighted, walk, lazy);
    for (const j of [0, 11, 29]) {
      const result = initiatorPosterior(weighted, weighted.nodeKeys[j], { walk, lazy, hop });
      const want = densePosterior(P, j, hop);
      expect(result.reachable).toBe(want !== null);
      if (want) expectClose(result.posterior, want);
    }
  });

  it('with a prior: q_i weights the column (zero-prior nodes get 0)', () => {
    const prior = weighted.nodeKeys.map((_, i) => (i % 3 === 0 ? 0 : 1 + (i % 5)));
    const P = denseWalk(weighted, 'simple');
    const result = initiatorPosterior(weighted, weighted.nodeKeys[4], { hop: 3, prior: new Map(weighted.nodeKeys.map((key, i) => [key, prior[i]])) });
    expectClose(result.posterior, densePosterior(P, 4, 3, prior)!);
    expect(result.posterior[0]).toBe(0);
  });

  it('a directed graph: a terminal no walk of that length reaches is unreachable, all zeros', () => {
    // a → b → c → a, and d → a: nothing enters d.
    const directed = csrFromEdges([['a', 'b'], ['b', 'c'], ['c', 'a'], ['d', 'a']], true);
    const d = initiatorPosterior(directed, 'd', { hop: 2 });
    expect(d.reachable).toBe(false);
    expect(Array.from(d.posterior)).toEqual([0, 0, 0, 0]);
    // Two hops ending at b: only a → ? → b … walks c → a → b and d → a → b, equally likely.
    const b = initiatorPosterior(directed, 'b', { hop: 2 });
    const index = (key: string) => directed.nodeKeys.indexOf(key);
    expect(b.posterior[index('c')]).toBeCloseTo(0.5, 15);
    expect(b.posterior[index('d')]).toBeCloseTo(0.5, 15);
  });

  it('a long walk on a large cycle does not underflow (each hop is rescaled)', () => {
    const n = 2000;
    const ring = csrFromEdges(Array.from({ length: n }, (_, i) => [i, (i + 1) % n] as [number, number]));
    const { posterior, reachable } = initiatorPosterior(ring, '0', { hop: 1500 });
    expect(reachable).toBe(true);
    expect(posterior.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('refuses an unknown terminal, a bad hop and an unknown walk', () => {
    const g = csrFromEdges([['a', 'b']]);
    expect(() => initiatorPosterior(g, 'z')).toThrow(ParameterError);
    expect(() => initiatorPosterior(g, 'z')).toThrow('anonscope/initiatorPosterior: unknown terminal "z"');
    expect(() => initiatorPosterior(g, 'a', { hop: 0 })).toThrow('hop must be an integer >= 1, got 0');
    expect(() => initiatorPosterior(g, 'a', { walk: 'lévy' as 'mh' })).toThrow('unknown walk "lévy"');
  });
});
