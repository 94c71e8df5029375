import Graph from 'graphology';
import { describe, expect, it } from 'vitest';
import { initiatorEntropy } from '../../src/analyses/initiator-entropy.js';
import { pullStep } from '../../src/walks/pull-step.js';
import { ParameterError } from '../../src/errors.js';
import { transitionMatrix } from '../../src/walks/index.js';
import {
  completeGraph,
  csrFromEdges,
  denseOf,
  entropyBits,
  matMul,
  randomGraph,
  starGraph,
} from '../helpers/graphs.js';

const binaryEntropy = (p: number) => -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));

describe('initiator entropy: hand-computed cases', () => {
  it('K_n: one hop leaves log2(n-1) bits; two hops the closed form', async () => {
    const n = 7;
    const result = await initiatorEntropy(completeGraph(n), { hops: 2, terminals: 'all' });
    expect(result.optimal).toBeCloseTo(Math.log2(n), 14);
    expect(result.hops[0].mean).toBeCloseTo(Math.log2(n - 1), 12);
    expect(result.hops[0].min).toBeCloseTo(Math.log2(n - 1), 12);
    // P^2: 1/(n-1) on the diagonal, (n-2)/(n-1)^2 elsewhere
    const column = Array.from({ length: n }, (_, i) => (i === 0 ? 1 / (n - 1) : (n - 2) / (n - 1) ** 2));
    expect(result.hops[1].mean).toBeCloseTo(entropyBits(column), 12);
    // the largest entry is the diagonal 1/(n-1) > (n-2)/(n-1)^2
    expect(result.hops[1].minEntropyMean).toBeCloseTo(Math.log2(n - 1), 12);
  });

  it('star: a leaf terminal gives 0 bits after one hop, the centre log2(k); two hops log2(k) for leaves', async () => {
    const k = 8;
    const result = await initiatorEntropy(starGraph(k), { hops: 2, terminalIds: ['0', '1'], perTerminal: true });
    const [centre, leaf] = result.perTerminal!;
    expect(centre.shannon[0]).toBeCloseTo(Math.log2(k), 14);
    expect(leaf.shannon[0]).toBe(0);
    expect(leaf.minEntropy[0]).toBe(0);
    expect(leaf.shannon[1]).toBeCloseTo(Math.log2(k), 14);
    expect(centre.shannon[1]).toBe(0);
  });

  it('MH star: a leaf terminal after one hop has the binary entropy of 1/k', async () => {
    const k = 5;
    const result = await initiatorEntropy(starGraph(k), { walk: 'mh', hops: 1, terminalIds: ['3'], perTerminal: true });
    expect(result.perTerminal![0].shannon[0]).toBeCloseTo(binaryEntropy(1 / k), 14);
    expect(result.perTerminal![0].minEntropy[0]).toBeCloseTo(-Math.log2(1 - 1 / k), 14);
  });

  it('star: the mean weighted by where walks end is k log2 k / (k + 1) after one hop', async () => {
    const k = 6;
    const result = await initiatorEntropy(starGraph(k), { hops: 1, terminals: 'all' });
    // mass: the centre k (every leaf steps to it), each leaf 1/k; entropies log2 k and 0
    expect(result.hops[0].terminusWeightedMean).toBeCloseTo((k * Math.log2(k)) / (k + 1), 14);
    expect(result.hops[0].mean).toBeCloseTo(Math.log2(k) / (k + 1), 14);
  });

  it('path 0-1-2: terminal 1 after one hop is 1 bit, terminal 0 after two hops is 1 bit', async () => {
    const result = await initiatorEntropy(csrFromEdges([[0, 1], [1, 2]]), { hops: 2, terminalIds: ['0', '1'], perTerminal: true });
    const [t0, t1] = result.perTerminal!;
    expect(t1.shannon[0]).toBeCloseTo(1, 15);
    expect(t0.shannon[0]).toBe(0);
    expect(t0.shannon[1]).toBeCloseTo(1, 15);
  });

  it('weighted triangle by hand: p ∝ (3/4, 2/3) for terminal c', async () => {
    const csr = csrFromEdges([['a', 'b', 1], ['b', 'c', 2], ['a', 'c', 3]]);
    const result = await initiatorEntropy(csr, { hops: 1, terminalIds: ['c'], perTerminal: true });
    const p = [9 / 17, 8 / 17];
    expect(result.perTerminal![0].shannon[0]).toBeCloseTo(-(p[0] * Math.log2(p[0]) + p[1] * Math.log2(p[1])), 14);
    expect(result.perTerminal![0].minEntropy[0]).toBeCloseTo(-Math.log2(9 / 17), 14);
  });

  it('a prior reweights the posterior: p_i ∝ q_i (P^t)_ij, and optimal becomes H(q)', async () => {
    const result = await initiatorEntropy(completeGraph(4), {
      hops: 1,
      terminalIds: ['0'],
      prior: new Map([['1', 1], ['2', 3], ['3', 0], ['0', 4]]),
      perTerminal: true,
    });
    expect(result.perTerminal![0].shannon[0]).toBeCloseTo(binaryEntropy(0.25), 14);
    expect(result.optimal).toBeCloseTo(entropyBits([1, 3, 0, 4]), 14);
  });
});

describe('initiator entropy: invariants against a dense reference', () => {
  const csr = randomGraph(80, 200, 11, { weighted: true });
  for (const walk of ['simple', 'mh'] as const) {
    it(`${walk}: every terminal and hop equals dense P^t, and 0 <= H <= log2 n`, async () => {
      const hops = 6;
      const result = await initiatorEntropy(csr, { walk, hops, terminals: 'all', perTerminal: true });
      const P = denseOf(transitionMatrix(csr, walk));
      let Pt = P;
      for (let t = 1; t <= hops; t++) {
        for (const [k, terminal] of result.perTerminal!.entries()) {
          const column = Pt.map((row) => row[k]);
          expect(terminal.shannon[t - 1]).toBeCloseTo(entropyBits(column), 11);
          expect(terminal.shannon[t - 1]).toBeGreaterThanOrEqual(0);
          expect(terminal.shannon[t - 1]).toBeLessThanOrEqual(Math.log2(csr.n) + 1e-12);
          expect(terminal.minEntropy[t - 1]).toBeLessThanOrEqual(terminal.shannon[t - 1] + 1e-12);
        }
        Pt = matMul(Pt, P);
      }
    });
  }

  it('mass is conserved each hop: with every node a terminal, each row of the block (a row of P^t) sums to 1', () => {
    const walk = transitionMatrix(csr, 'mh', true);
    const n = csr.n;
    let x = new Float64Array(n * n);
    let next = new Float64Array(n * n);
    for (let j = 0; j < n; j++) x[j * n + j] = 1;
    for (let hop = 1; hop <= 5; hop++) {
      pullStep(walk, x, next, n);
      [x, next] = [next, x];
      for (let i = 0; i < n; i++) {
        let rowSum = 0;
        for (let b = 0; b < n; b++) rowSum += x[i * n + b];
        expect(rowSum).toBeCloseTo(1, 12);
      }
    }
  });

  it('terminals that no walk reaches are left out and counted', async () => {
    // a -> b -> c (c keeps its mass): nothing ends at a; no 2-hop walk ends at b
    const result = await initiatorEntropy(csrFromEdges([['a', 'b'], ['b', 'c']], true), { hops: 2, terminals: 'all' });
    expect(result.hops[0].unreachable).toBe(1);
    expect(result.hops[1].unreachable).toBe(2);
  });
});

describe('initiator entropy: options and errors', () => {
  const csr = randomGraph(200, 600, 2);
  it('samples K terminals reproducibly with a seed, with a CI that covers the exact mean', async () => {
    const exact = await initiatorEntropy(csr, { hops: 3, terminals: 'all' });
    const a = await initiatorEntropy(csr, { hops: 3, terminals: 60, seed: 4 });
    const b = await initiatorEntropy(csr, { hops: 3, terminals: 60, seed: 4 });
    expect(a.hops).toEqual(b.hops);
    expect(a.terminals).toBe(60);
    expect(a.terminalSelection).toBe('sample');
    expect(exact.hops[2].ci95[0]).toBe(exact.hops[2].ci95[1]);
    expect(a.hops[2].ci95[0]).toBeLessThan(exact.hops[2].mean);
    expect(a.hops[2].ci95[1]).toBeGreaterThan(exact.hops[2].mean);
  });

  it.each([
    [{ hops: 0 }, /hops must be an integer >= 1, got 0/],
    [{ hops: 2.5 }, /hops must be an integer >= 1/],
    [{ terminals: 0 }, /terminals must be 'all' or an integer in 1\.\.200/],
    [{ terminals: 201 }, /terminals must be 'all' or an integer in 1\.\.200/],
    [{ terminalIds: ['nope'] }, /unknown terminal id "nope"/],
    [{ terminalIds: [] }, /list of terminal ids is empty/],
    [{ walk: 'levy' as never }, /unknown walk "levy"/],
    [{ hops: 3, cdfHop: 4 }, /cdf hop must be an integer in 1\.\.3/],
    [{ prior: new Map([['zz', 1]]) }, /prior names unknown node "zz"/],
    [{ prior: new Map([['1', -1]]) }, /prior of node "1" is -1/],
    [{ terminals: 10, seed: -1 }, /seed must be a non-negative integer, got -1/],
    // The rounds' walks use the seed even when no terminal is sampled.
    [{ terminals: 'all' as const, rounds: 2, seed: 1.5 }, /seed must be a non-negative integer, got 1\.5/],
    [{ rounds: 0 }, /rounds must be an integer in 1\.\.256, got 0/],
    [{ rounds: 2, roundsSamples: 0 }, /rounds samples must be an integer >= 1, got 0/],
  ])('rejects %o', async (options, message) => {
    await expect(initiatorEntropy(csr, options)).rejects.toThrow(ParameterError);
    await expect(initiatorEntropy(csr, options)).rejects.toThrow(message);
  });

  it('assign writes each node\'s entropy at the chosen hop as an attribute', async () => {
    const graph = new Graph({ type: 'undirected' });
    for (let i = 1; i <= 4; i++) graph.mergeEdge('hub', `leaf${i}`);
    await initiatorEntropy.assign(graph, { hops: 2, hop: 1, attribute: 'anon' });
    expect(graph.getNodeAttribute('hub', 'anon')).toBeCloseTo(2, 14);
    expect(graph.getNodeAttribute('leaf1', 'anon')).toBe(0);
    const result = await initiatorEntropy(graph, { hops: 2 });
    expect(result.graph).toEqual({ nodes: 5, edges: 4, directed: false, danglingNodes: 0 });
  });
});

describe('guessing entropy', () => {
  it('star, one hop: the centre needs (k+1)/2 guesses on average, a leaf 1', async () => {
    const k = 6;
    const result = await initiatorEntropy(starGraph(k), { hops: 1, terminalIds: ['0', '1'], guessing: true });
    // centre: uniform over k leaves → (k+1)/2; leaf: only the centre → 1
    expect(result.hops[0].guessingMean).toBeCloseTo(((k + 1) / 2 + 1) / 2, 12);
  });

  it('weighted triangle by hand: p = (9/17, 8/17) needs 9/17 + 2·8/17 guesses', async () => {
    const csr = csrFromEdges([['a', 'b', 1], ['b', 'c', 2], ['a', 'c', 3]]);
    const result = await initiatorEntropy(csr, { hops: 1, terminalIds: ['c'], guessing: true });
    expect(result.hops[0].guessingMean).toBeCloseTo(9 / 17 + (2 * 8) / 17, 14);
  });

  it('is refused with a clear error on backends that cannot sort columns', async () => {
    const { ParallelCpuBackend } = await import('../../src/engines/cpu/parallel-backend.js');
    await expect(initiatorEntropy(starGraph(3), { guessing: true, backend: new ParallelCpuBackend() })).rejects.toThrow(
      /guessing entropy .* cpu backend only \(this is cpu-parallel\)/,
    );
  });
});
