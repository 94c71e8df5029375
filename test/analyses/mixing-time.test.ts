import { describe, expect, it } from 'vitest';
import { mixingTime, type MixingTimeOptions } from '../../src/analyses/mixing-time.js';
import { ParameterError } from '../../src/errors.js';
import { CsrBuilder } from '../../src/graph/csr-builder.js';
import type { Csr } from '../../src/graph/csr.js';
import { denseComponents, denseDistances, denseStationary, jacobiEigenvalues, symmetrised } from '../helpers/dense-mixing.js';
import { denseWalk } from '../helpers/dense-reference.js';
import { completeGraph, csrFromEdges, randomGraph } from '../helpers/graphs.js';

function cycle(n: number): Csr {
  return csrFromEdges(Array.from({ length: n }, (_, i) => [i, (i + 1) % n] as [number, number]));
}

function hypercube(d: number): Csr {
  const edges: [number, number][] = [];
  for (let x = 0; x < 2 ** d; x++) for (let i = 0; i < d; i++) if (x < (x ^ (1 << i))) edges.push([x, x ^ (1 << i)]);
  return csrFromEdges(edges);
}

/** Each source's TV at every hop (keyed by id) of a run with perSource. */
async function distances(csr: Csr, options: MixingTimeOptions) {
  const result = await mixingTime(csr, { sources: 'all', ...options, perSource: true });
  return { result, tv: new Map(result.perSource!.map((s) => [s.id, s.tv])) };
}

function expectClose(actual: number, expected: number, tolerance: number, what: string): void {
  if (!(Math.abs(actual - expected) <= tolerance)) expect.fail(`${what}: ${actual} vs ${expected} (tolerance ${tolerance})`);
}

describe('mixingTime: closed forms', () => {
  it('complete graph K_n: TV after t hops = (1 − 1/n)(1/(n−1))^t from every vertex, eigenvalues 1 and −1/(n−1)', async () => {
    const n = 7;
    const { result, tv } = await distances(completeGraph(n), { hops: 12, epsilon: 0.01 });
    for (const [id, row] of tv) row.forEach((d, t) => expectClose(d, (1 - 1 / n) * (1 / (n - 1)) ** (t + 1), 1e-15, `source ${id} hop ${t + 1}`));
    expectClose(result.lambda2!, -1 / (n - 1), 1e-12, 'λ₂');
    expectClose(result.lambdaMin!, -1 / (n - 1), 1e-12, 'λ_min');
    expectClose(result.slem!, 1 / (n - 1), 1e-12, 'SLEM');
    // (6/7)(1/6)^2 = 0.0238 > 0.01 ≥ (6/7)(1/6)^3 = 0.00397
    expect(result.mixingTime.perSource.every((s) => s.tau === 3)).toBe(true);
    expect(result.mixingTime).toMatchObject({ epsilon: 0.01, mean: 3, median: 3, max: 3, notMixed: 0 });
    expect(result.reversible).toBe(true);
  });

  for (const n of [9, 10]) {
    it(`lazy cycle C_${n}: TV from the DFT of the eigenvalues (1 + cos 2πk/n)/2; λ₂, λ_min from the same`, async () => {
      const hops = 40;
      const { result, tv } = await distances(cycle(n), { lazy: true, hops, sourceIds: ['0', '4'] });
      const lambda = (k: number) => (1 + Math.cos((2 * Math.PI * k) / n)) / 2;
      for (const row of tv.values()) {
        row.forEach((d, t) => {
          let sum = 0;
          for (let j = 0; j < n; j++) {
            let x = 0;
            for (let k = 0; k < n; k++) x += lambda(k) ** (t + 1) * Math.cos((2 * Math.PI * k * j) / n);
            sum += Math.abs(x / n - 1 / n);
          }
          expectClose(d, sum / 2, 1e-13, `hop ${t + 1}`);
        });
      }
      expectClose(result.lambda2!, lambda(1), 1e-10, 'λ₂');
      expectClose(result.lambdaMin!, lambda(Math.floor(n / 2)), 1e-10, 'λ_min');
      expect(result.spectrum!.converged).toBe(true);
    });
  }

  it('lazy hypercube Q_6: TV from the coordinate-refresh law (Stirling numbers); λ₂ = 1 − 1/d, λ_min = 0', async () => {
    const d = 6;
    const hops = 30;
    const { result, tv } = await distances(hypercube(d), { lazy: true, hops, sourceIds: ['0'] });
    // Each hop refreshes a uniform coordinate with a fair bit; after t hops the set touched has
    // s coordinates with probability C(d,s) s! S(t,s) / d^t, and the position is uniform on them.
    const choose = (a: number, b: number) => (b < 0 || b > a ? 0 : Array.from({ length: b }, (_, i) => (a - i) / (i + 1)).reduce((x, y) => x * y, 1));
    const factorial = (k: number) => Array.from({ length: k }, (_, i) => i + 1).reduce((x, y) => x * y, 1);
    let stirling = [1]; // S(t, s) for t = 0
    tv.get('0')!.forEach((distance, t) => {
      const next = new Array<number>(d + 1).fill(0);
      for (let s = 1; s <= d; s++) next[s] = s * (stirling[s] ?? 0) + (stirling[s - 1] ?? 0);
      stirling = next;
      const touched = (s: number) => (choose(d, s) * factorial(s) * stirling[s]) / d ** (t + 1);
      let sum = 0;
      for (let w = 0; w <= d; w++) {
        let p = 0;
        for (let s = w; s <= d; s++) p += (touched(s) * choose(d - w, s - w)) / choose(d, s) / 2 ** s;
        sum += choose(d, w) * Math.abs(p - 2 ** -d);
      }
      expectClose(distance, sum / 2, 1e-13, `hop ${t + 1}`);
    });
    expectClose(result.lambda2!, 1 - 1 / d, 1e-10, 'λ₂');
    expectClose(result.lambdaMin!, 0, 1e-10, 'λ_min');
    expectClose(result.slem!, 1 - 1 / d, 1e-10, 'SLEM');
  });

  it('a bipartite graph without laziness never mixes: λ_min = −1, no bound, sources not mixed', async () => {
    const result = await mixingTime(cycle(8), { hops: 30 });
    expectClose(result.lambdaMin!, -1, 1e-10, 'λ_min');
    expect(result.slem).toBeCloseTo(1, 10);
    expect(result.mixingTime).toMatchObject({ bound: null, notMixed: 8, max: null, median: null, mean: null });
    expect(result.notes.join(' ')).toMatch(/periodic/);
  });
});

/** A weighted graph with three components and isolated nodes. */
function severalComponents(): Csr {
  const builder = new CsrBuilder(false);
  builder.enableWeights();
  for (let i = 0; i < 40; i++) builder.node(String(i));
  const a = randomGraph(25, 70, 5, { weighted: true });
  for (let i = 0; i < a.n; i++) for (let e = a.rowPtr[i]; e < a.rowPtr[i + 1]; e++) if (i < a.colIdx[e]) builder.addEdge(i, a.colIdx[e], a.weights![e]);
  for (let i = 25; i < 36; i++) builder.addEdge(i, i === 35 ? 25 : i + 1, 1 + (i % 3)); // an odd cycle of 11
  builder.addEdge(30, 33, 2.5);
  return builder.build().csr; // nodes 36..39 isolated
}

describe('mixingTime against dense float64 references', () => {
  const graphs: [string, Csr][] = [
    ['weighted random graph with several components and isolated nodes', severalComponents()],
    ['unweighted random graph', randomGraph(60, 150, 9)],
  ];
  for (const [name, csr] of graphs) {
    for (const walk of ['simple', 'mh'] as const) {
      for (const lazy of [false, true]) {
        it(`${name}, ${walk}${lazy ? ' lazy' : ''}: TV against dense matrix powers, λ₂ and λ_min against Jacobi, τ within the bound`, async () => {
          const hops = 25;
          const { result, tv } = await distances(csr, { walk, lazy, hops });
          const P = denseWalk(csr, walk, lazy);
          const pi = denseStationary(P);
          csr.nodeKeys.forEach((id, s) => denseDistances(P, pi, s, hops).forEach((d, t) => expectClose(tv.get(id)![t], d, 1e-12, `source ${id} hop ${t + 1}`)));
          const components = new Set(denseComponents(P)).size;
          expect(result.graph.components).toBe(components);
          // Every component contributes one eigenvalue 1; the rest hold λ₂ and λ_min.
          const eigenvalues = jacobiEigenvalues(symmetrised(P, pi)).slice(0, csr.n - components);
          expectClose(result.lambda2!, eigenvalues[eigenvalues.length - 1], 1e-9, 'λ₂');
          expectClose(result.lambdaMin!, eigenvalues[0], 1e-9, 'λ_min');
          const slem = Math.max(Math.abs(eigenvalues[0]), Math.abs(eigenvalues[eigenvalues.length - 1]));
          // ‖P^t(s,·) − π‖_TV ≤ ½ √((1 − π_s)/π_s) λ*^t for a reversible walk.
          csr.nodeKeys.forEach((id, s) => tv.get(id)!.forEach((d, t) => expect(d).toBeLessThanOrEqual(0.5 * Math.sqrt((1 - pi[s]) / pi[s]) * slem ** (t + 1) + 1e-12)));
          const bound = result.mixingTime.bound;
          if (bound) for (const s of result.mixingTime.perSource) if (s.tau !== null) expect(s.tau).toBeLessThanOrEqual(bound.upper);
        });
      }
    }
  }

  it('a directed graph (one closed class per component): π by power iteration equals the linear solve, TV against dense powers, no spectrum', async () => {
    // A directed cycle through 0..29 makes one closed class; 30..34 feed into it; 35..39 form a second cycle.
    const edges: [number, number, number][] = [];
    for (let i = 0; i < 30; i++) edges.push([i, (i + 1) % 30, 1]);
    for (let k = 0; k < 40; k++) edges.push([(k * 7) % 30, (k * 11 + 3) % 30, 0.5 + (k % 4)]);
    for (let i = 30; i < 35; i++) edges.push([i, i - 25, 1], [i, i - 20, 2]);
    for (let i = 35; i < 40; i++) edges.push([i, i === 39 ? 35 : i + 1, 1]);
    edges.push([35, 37, 1]);
    const csr = csrFromEdges(edges.map(([u, v, w]) => [u, v, w]), true);
    const hops = 30;
    const { result, tv } = await distances(csr, { lazy: true, hops });
    const P = denseWalk(csr, 'simple', true);
    const pi = denseStationary(P);
    csr.nodeKeys.forEach((id, s) => denseDistances(P, pi, s, hops).forEach((d, t) => expectClose(tv.get(id)![t], d, 1e-10, `source ${id} hop ${t + 1}`)));
    expect(result).toMatchObject({ reversible: false, slem: null, lambda2: null, lambdaMin: null, spectrum: null, stationary: { law: 'power' } });
    expect(result.mixingTime.bound).toBeNull();
    expect(result.notes.join(' ')).toMatch(/SLEM bound does not apply/);
  });
});

describe('mixingTime refuses what has no answer', () => {
  it('a directed component with two closed classes (two dangling nodes) has no single law to mix to', async () => {
    const csr = csrFromEdges([[0, 1], [1, 2], [1, 3], [2, 0]].map(([u, v]) => [u, v]), true);
    // 3 is dangling and {0, 1, 2} is not closed: one closed class, fine.
    await expect(mixingTime(csr)).resolves.toBeDefined();
    const two = csrFromEdges([[0, 1], [0, 2]], true);
    const error = await mixingTime(two).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ParameterError);
    expect((error as Error).message).toMatch(/^anonscope\/stationaryLaw: .*2 closed classes.*"1".*"2"/);
  });

  it('bad parameters, each named', async () => {
    const csr = completeGraph(5);
    for (const [options, pattern] of [
      [{ epsilon: 0 }, /epsilon must be in \(0, 1\), got 0/],
      [{ epsilon: 1 }, /epsilon must be in \(0, 1\), got 1/],
      [{ hops: 0 }, /hops must be an integer >= 1, got 0/],
      [{ sources: 6 }, /sources must be 'all' or an integer in 1..5/],
      [{ sourceIds: ['9'] }, /unknown source id "9"/],
      [{ walk: 'lévy' as never }, /unknown walk "lévy"/],
    ] as [MixingTimeOptions, RegExp][]) {
      const error = await mixingTime(csr, options).catch((e: Error) => e);
      expect(error).toBeInstanceOf(ParameterError);
      expect((error as Error).message).toMatch(/^anonscope\/mixingTime: /);
      expect((error as Error).message).toMatch(pattern);
    }
  });
});
