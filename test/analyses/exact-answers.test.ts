import { describe, expect, it } from 'vitest';
import { initiatorEntropy } from '../../src/analyses/initiator-entropy.js';
import { restrictTransition } from '../../src/analyses/adversary.js';
import { CpuBackend } from '../../src/engines/cpu/cpu-backend.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { dataset, datasetsSkipReason, haveDatasets } from '../helpers/datasets.js';
import { denseEntropies, denseHopSummary, denseWalk, expectDenseAnswer } from '../helpers/dense-reference.js';
import { exactCases, fan, zeroPrior, zeroPriorGraph } from '../helpers/exact-cases.js';
import { csrFromEdges, entropyBits } from '../helpers/graphs.js';
import { transitionMatrix } from '../../src/walks/index.js';

/** The float64 reference against values computed in the test from a dense P. */
const TOLERANCE = 1e-9;

describe('the float64 reference gives the dense answer', () => {
  for (const c of exactCases()) {
    it(c.name, async () => {
      await expectDenseAnswer(undefined, c.csr, c.options, TOLERANCE);
    });
  }

  it('a prior that zeroes a node: counts by hand, "reached only from zero-prior initiators" apart from "reached by no walk"', async () => {
    const result = await initiatorEntropy(zeroPriorGraph, { terminals: 'all', hops: 2, prior: zeroPrior, perTerminal: true });
    // Hop 1: zsource has no in-arcs (no walk); ztarget only from zsource (zero prior).
    expect(result.hops.map((h) => [h.unreachable, h.zeroPriorOnly])).toEqual([[2, 1], [2, 0]]);
    // Hop 1 at a: from ztarget (1), b (1/2), c (1), each of prior 1.
    const a = result.perTerminal!.find((t) => t.id === 'a')!;
    expect(a.shannon[0]).toBeCloseTo(entropyBits([1, 0.5, 1]), 12);
    const uniform = await initiatorEntropy(zeroPriorGraph, { terminals: 'all', hops: 2 });
    expect(uniform.hops.map((h) => [h.unreachable, h.zeroPriorOnly])).toEqual([[1, undefined], [2, undefined]]);
  });

  it('log2 of the mass stays exact on a 1200-hop directed walk whose masses fall far below float64 (2^-1200)', async () => {
    // A ring 0 → 1 → … → 5 → 0 whose every node also leaks into a sink: only node j − t (mod 6) reaches j in t hops, with probability 2^-t.
    const n = 6;
    const edges: [string, string][] = [];
    for (let i = 0; i < n; i++) edges.push([String(i), String((i + 1) % n)], [String(i), 'sink']);
    const csr = csrFromEdges(edges, true);
    const ring = Uint32Array.from({ length: n }, (_, i) => csr.nodeKeys.indexOf(String(i)));
    const table = await new CpuBackend().terminalEntropies({ walk: transitionMatrix(csr, 'simple'), terminals: ring, hops: 1200 });
    for (const t of [1, 600, 1200]) {
      for (let k = 0; k < n; k++) {
        expect(table.log2Mass[(t - 1) * n + k]).toBe(-t);
        expect(table.shannon[(t - 1) * n + k]).toBe(0);
      }
    }
    expect(Array.from(table.reached.subarray(1199 * n))).toEqual(new Array(n).fill(1));
    // Every ring terminal has mass 2^-1100 (0 in float64) and 0 bits: the weights 2^(log2 S − max log2 S) give 0, not 0/0.
    const result = await initiatorEntropy(csr, { terminalIds: ['0', '1', '2', '3', '4', '5'], hops: 1100 });
    expect(result.hops.at(-1)!.terminusWeightedMean).toBe(0);
    expect(result.hops.at(-1)!.unreachable).toBe(0);
  });
});

describe.skipIf(!haveDatasets)(`real directed weighted graphs${haveDatasets ? '' : ` (${datasetsSkipReason})`}`, () => {
  it('Les Misérables (directed, weighted, 4 dangling nodes), all terminals, 10 hops: the dense answer, and the issue\'s numbers', async () => {
    const { csr } = await loadGraphFile(dataset('gexf/les_miserables.gexf'));
    expect(csr.directed).toBe(true);
    await expectDenseAnswer(undefined, csr, { walk: 'simple', hops: 10 }, TOLERANCE);
    const dense = denseEntropies(denseWalk(csr, 'simple'), csr.nodeKeys.map((_, i) => i), 10).map(denseHopSummary);
    // Issue 11's exact answer, recomputed above from a dense P with no diagonal but at dangling nodes.
    expect(dense.map((h) => Number(h.mean.toFixed(4)))).toEqual([1.6209, 2.6649, 3.2005, 3.3847, 3.4103, 3.2689, 2.9857, 2.6941, 2.4264, 2.1926]);
    expect(dense.map((h) => h.unreachable)).toEqual([28, 34, 37, 40, 43, 45, 46, 47, 48, 49]);
  });

  it('email-Eu-core as a directed graph: 6 terminals, both walks, 12 hops, against the dense P', async () => {
    const { csr } = await loadGraphFile(dataset('snap/email-Eu-core.txt'), { directed: true });
    const terminalIds = ['0', '1', '17', '160', '420', '1004'].filter((id) => csr.nodeKeys.includes(id));
    for (const walk of ['simple', 'mh'] as const) await expectDenseAnswer(undefined, csr, { walk, hops: 12, terminalIds }, TOLERANCE);
  });
});

describe('the adversary analysis walks the corrected P', () => {
  it('its honest-restricted walk keeps the graph structure: no diagonal at nodes with out-arcs (out-degree 7 here)', () => {
    const csr = csrFromEdges([...fan('d', 7), ['d0', 'd'], ['d1', 'd2'], ['d2', 'd1'], ['d3', 's']], true);
    const compromised = Uint8Array.from(csr.nodeKeys, (key) => (key === 's' ? 1 : 0));
    const { walk, index } = restrictTransition(transitionMatrix(csr, 'simple'), Uint8Array.from(compromised, (c) => 1 - c));
    const P = denseWalk(csr, 'simple');
    csr.nodeKeys.forEach((key, i) => {
      if (compromised[i]) return;
      const row = index[i];
      for (let e = walk.rowPtr[row]; e < walk.rowPtr[row + 1]; e++) {
        const j = csr.nodeKeys.findIndex((_, k) => index[k] === walk.colIdx[e]);
        expect(walk.values[e], `${key} → ${csr.nodeKeys[j]}`).toBe(P[i][j]);
        expect(P[i][j]).toBeGreaterThan(0);
      }
    });
  });
});
