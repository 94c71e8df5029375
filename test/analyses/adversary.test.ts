import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserBackend } from '../../src/engines/browser/browser-backend.js';
import { adversaryBorders, adversaryEntropy, attachSybilRegion } from '../../src/analyses/adversary.js';
import { CpuBackend } from '../../src/engines/cpu/cpu-backend.js';
import { edgeCount } from '../../src/graph/csr.js';
import { ParameterError } from '../../src/errors.js';
import { csrFromEdges, powerLawGraph, randomGraph } from '../helpers/graphs.js';

/** |estimate - truth| within 4 standard errors: false-alarm rate about 6e-5 per check. */
function withinMonteCarlo(estimate: number, truth: number, halfWidth95: number) {
  expect(Math.abs(estimate - truth)).toBeLessThanOrEqual((4 / 1.96) * halfWidth95 + 1e-12);
}

describe('adversary: hand-computed cases', () => {
  // Triangle a-b-c with c compromised; walkers start at a or b.
  const triangle = csrFromEdges([['a', 'b'], ['b', 'c'], ['a', 'c']]);

  it('one hop: P(M_1) = 1/2, and H(I|O) = 1/2 · 0 + 1/2 · log2 2', async () => {
    const result = await adversaryEntropy(triangle, { compromised: ['c'], hops: 1, walkers: 200_000 });
    const row = result.rows[0];
    withinMonteCarlo(row.pM[0], 0.5, row.pMHalfWidth[0]);
    expect(row.HIM[0]).toBe(0);
    withinMonteCarlo(row.HIO, 0.5, (row.ci95[1] - row.ci95[0]) / 2);
    expect(result.optimal).toBe(1);
  });

  it('two hops: P(M_1) = 0 (c always steps back to an honest node), P(M_2) = 1/4, H(I|M_2) = 0', async () => {
    const result = await adversaryEntropy(triangle, { compromised: ['c'], hops: 2, walkers: 200_000 });
    const row = result.rows[0];
    expect(row.pM[0]).toBe(0);
    withinMonteCarlo(row.pM[1], 0.25, row.pMHalfWidth[1]);
    // A = the honest node at hop 1; the other honest node is the initiator.
    expect(row.HIM[1]).toBe(0);
    withinMonteCarlo(row.HIO, 0.75, (row.ci95[1] - row.ci95[0]) / 2);
  });

  it('two-hop, k = 1 of 2 hops: P(last only) = 1/4 with the first relay exposing nothing, H(I|O) = 3/4', async () => {
    const result = await adversaryEntropy(triangle, { compromised: ['c'], hops: 2, walkers: 200_000, twoHop: [1] });
    const [t] = result.rows[0].twoHop!;
    expect(t.pBoth).toBe(0); // from c the walk steps back to an honest node
    withinMonteCarlo(t.pLastOnly, 0.25, 1.96 * Math.sqrt((0.25 * 0.75) / 200_000));
    expect(t.HIA).toBe(0);
    withinMonteCarlo(t.HIO, 0.75, (t.ci95[1] - t.ci95[0]) / 2);
  });

  it('two-hop sees the same walks: P(both) + P(last only) = P(last hop compromised) = 1 - P(no M_i)', async () => {
    const result = await adversaryEntropy(randomGraph(300, 900, 8), { attackEdges: [30], hops: 6, walkers: 20_000, twoHop: [1, 3, 5] });
    const row = result.rows[0];
    for (const t of row.twoHop!) {
      expect(t.pBoth + t.pLastOnly).toBeCloseTo(1 - row.pNone, 12);
      expect(t.HIO).toBeLessThanOrEqual(result.optimal + 1e-12);
    }
  });

  it('g = 0 leaves log2 n bits, and H(I|O) never exceeds log2 n', async () => {
    const csr = randomGraph(400, 1600, 3);
    const result = await adversaryEntropy(csr, { attackEdges: [0, 5, 50], walkers: 20_000, hops: 6 });
    expect(result.rows[0].HIO).toBe(Math.log2(400));
    expect(result.rows[0].pM.every((p) => p === 0)).toBe(true);
    for (const row of result.rows) expect(row.HIO).toBeLessThanOrEqual(Math.log2(400) + 1e-12);
    expect(result.rows[2].HIO).toBeLessThan(result.rows[1].HIO);
  });
});

describe('attaching a Sybil region', () => {
  it('adds g × sybilsPerEdge Sybils after the honest nodes, g attack edges and the region', () => {
    const honest = randomGraph(100, 300, 4);
    const combined = attachSybilRegion(honest, 3, 10, 'clique', 10, 1);
    expect(combined.n).toBe(130);
    expect(combined.nodeKeys.slice(0, 100)).toEqual(honest.nodeKeys);
    // 30-clique: 435 edges; attack edges: 3 (distinct with this seed)
    const crossing = [...Array(100).keys()].reduce((sum, i) => {
      for (let e = combined.rowPtr[i]; e < combined.rowPtr[i + 1]; e++) if (combined.colIdx[e] >= 100) sum++;
      return sum;
    }, 0);
    expect(crossing).toBe(3);
    expect(edgeCount(combined)).toBe(edgeCount(honest) + 435 + 3);
  });
});

describe('adversary: the same seed gives the same numbers on every backend', () => {
  const csr = powerLawGraph(2000, 3, 500, 9);
  const options = { attackEdges: [20, 80], walkers: 20_000, hops: 8, walk: 'mh' as const, seed: 5 };
  let reference: Awaited<ReturnType<typeof adversaryEntropy>>;
  beforeAll(async () => {
    reference = await adversaryEntropy(csr, { ...options, backend: new CpuBackend() });
  });
  for (const kind of ['webgpu', 'gpujs'] as const) {
    describe(`${kind} in headless Chromium`, () => {
      let backend: BrowserBackend;
      beforeAll(async () => {
        backend = await BrowserBackend.start({ backend: kind });
      });
      afterAll(async () => {
        await backend?.dispose();
      });
      it('P(M_i) identical (same walks), H(I|M_i) and H(I|O) within 1e-3 bits', async () => {
        const result = await adversaryEntropy(csr, { ...options, backend });
        result.rows.forEach((row, r) => {
          expect(row.pM).toEqual(reference.rows[r].pM);
          row.HIM.forEach((h, i) => {
            const expected = reference.rows[r].HIM[i];
            if (expected === null) expect(h).toBeNull();
            else expect(Math.abs(h! - expected)).toBeLessThanOrEqual(1e-3);
          });
          expect(Math.abs(row.HIO - reference.rows[r].HIO)).toBeLessThanOrEqual(1e-3);
        });
      });
    });
  }
});

describe('adversary: bad parameters', () => {
  const csr = randomGraph(50, 100, 1);
  it.each([
    [{ hops: 0 }, /hops must be an integer >= 1/],
    [{ walkers: 0 }, /walkers must be an integer >= 1/],
    [{ attackEdges: [-1] }, /attack edges must be an integer >= 0/],
    [{ compromised: ['nope'] }, /compromised node "nope" is not a node/],
    [{ sybilRegion: 'star' as never }, /unknown Sybil region "star"/],
    [{ hops: 4, twoHop: [4] }, /two-hop k must be an integer in 1\.\.3/],
  ])('%o', async (options, message) => {
    await expect(adversaryEntropy(csr, options)).rejects.toThrow(ParameterError);
    await expect(adversaryEntropy(csr, options)).rejects.toThrow(message);
  });
});

describe('adversaryBorders: where the adversary touches the honest graph', () => {
  it('a compromised set: its honest neighbours, each with its number of edges to it (path a-b-c-d-e, c and e compromised)', () => {
    const path = csrFromEdges([['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e']]);
    const [row] = adversaryBorders(path, { compromised: ['c', 'e'] });
    expect(row.attackEdges).toBeNull();
    expect(Array.from(row.ends, (i) => path.nodeKeys[i])).toEqual(['b', 'd']);
    expect(Array.from(row.edges)).toEqual([1, 2]); // d touches c and e
  });

  it('a Sybil region: the honest ends of the g attack edges of the graph row r walks on (seed + r), none for g = 0', () => {
    const honest = randomGraph(60, 150, 3);
    const options = { attackEdges: [0, 4, 25], sybilsPerEdge: 3, seed: 7 };
    const borders = adversaryBorders(honest, options);
    expect(borders.map((b) => b.attackEdges)).toEqual([0, 4, 25]);
    expect(borders[0].ends).toHaveLength(0);
    for (const r of [1, 2]) {
      const g = options.attackEdges[r];
      // By hand: the arcs from the Sybils (indices ≥ n) back into the honest graph.
      const combined = attachSybilRegion(honest, g, options.sybilsPerEdge, 'random', 10, options.seed + r);
      const touching = new Map<number, number>();
      for (let s = honest.n; s < combined.n; s++) {
        for (let e = combined.rowPtr[s]; e < combined.rowPtr[s + 1]; e++) {
          const v = combined.colIdx[e];
          if (v < honest.n) touching.set(v, (touching.get(v) ?? 0) + 1);
        }
      }
      const ends = [...touching.keys()].sort((a, b) => a - b);
      expect(Array.from(borders[r].ends)).toEqual(ends);
      expect(Array.from(borders[r].edges)).toEqual(ends.map((v) => touching.get(v)));
      expect(ends.reduce((sum, v) => sum + touching.get(v)!, 0)).toBeLessThanOrEqual(g); // duplicates merge
    }
  });
});
