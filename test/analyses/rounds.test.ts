import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserBackend } from '../../src/engines/browser/browser-backend.js';
import { initiatorEntropy } from '../../src/analyses/initiator-entropy.js';
import { roundEntropiesReference } from '../../src/engines/cpu/cpu-backend.js';
import { GpuJsBackend } from '../../src/engines/gpujs/gpujs-backend.js';
import { ParameterError } from '../../src/errors.js';
import { transitionMatrix } from '../../src/walks/index.js';
import { completeGraph, denseOf, entropyBits, matMul, powerLawGraph } from '../helpers/graphs.js';

describe('several rounds (Pisces eq. 18)', () => {
  it('K_n, one hop: one round leaves log2(n-1) bits; two rounds log2(n-2) unless both termini agree', async () => {
    const n = 9;
    const result = await initiatorEntropy(completeGraph(n), { hops: 1, terminals: 'all', rounds: 2, roundsSamples: 200 });
    const [one, two] = result.rounds!.rows;
    expect(one.min).toBeCloseTo(Math.log2(n - 1), 12);
    expect(one.max).toBeCloseTo(Math.log2(n - 1), 12);
    expect(two.min).toBeGreaterThanOrEqual(Math.log2(n - 2) - 1e-12);
    expect(two.max).toBeLessThanOrEqual(Math.log2(n - 1) + 1e-12);
    // P(j1 = j2) = 1/(n-1): the mean sits between, near log2(n-2)
    expect(two.mean).toBeLessThan(Math.log2(n - 1) - 0.05);
  });

  it('the reference multiplies the columns of P^L exactly (against a dense computation)', () => {
    const csr = powerLawGraph(60, 2, 20, 3);
    const walk = transitionMatrix(csr, 'mh');
    const termini = Uint32Array.from([3, 7, 7, 11, 0, 59]); // two samples of three rounds
    const table = roundEntropiesReference({ walk, hops: 3, rounds: 3, termini });
    const P = denseOf(walk);
    const P3 = matMul(matMul(P, P), P);
    for (let g = 0; g < 2; g++) {
      const product = new Array<number>(csr.n).fill(1);
      for (let r = 0; r < 3; r++) {
        const j = termini[g * 3 + r];
        for (let i = 0; i < csr.n; i++) product[i] *= P3[i][j];
        expect(table.shannon[g * 3 + r]).toBeCloseTo(entropyBits(product), 10);
      }
    }
  });

  it('more rounds never leave more entropy on average, and rounds are checked', async () => {
    const csr = powerLawGraph(500, 3, 100, 4);
    const result = await initiatorEntropy(csr, { hops: 4, terminals: 10, rounds: 5, roundsSamples: 60 });
    const means = result.rounds!.rows.map((r) => r.mean);
    for (let r = 1; r < means.length; r++) expect(means[r]).toBeLessThanOrEqual(means[r - 1] + 1e-9);
    await expect(initiatorEntropy(csr, { rounds: 0 })).rejects.toThrow(ParameterError);
  });

  it('gpu.js says it does not run rounds yet, rather than computing them elsewhere', async () => {
    const backend = new GpuJsBackend({ mode: 'cpu' });
    await expect(initiatorEntropy(powerLawGraph(100, 2, 10, 5), { rounds: 2, backend })).rejects.toThrow(/not on gpu\.js yet/);
    backend.dispose();
  });

  describe('webgpu in headless Chromium', () => {
    let backend: BrowserBackend;
    beforeAll(async () => {
      backend = await BrowserBackend.start();
    });
    afterAll(async () => {
      await backend?.dispose();
    });
    it('equals the float64 reference within 1e-3 bits, round by round', async () => {
      const csr = powerLawGraph(3000, 3, 800, 6);
      const options = { walk: 'mh' as const, hops: 6, terminals: 8, rounds: 6, roundsSamples: 40 };
      const gpu = await initiatorEntropy(csr, { ...options, backend });
      const cpu = await initiatorEntropy(csr, options);
      gpu.rounds!.rows.forEach((row, r) => {
        for (const key of ['mean', 'min', 'median', 'max', 'minEntropyMean'] as const) {
          expect(Math.abs(row[key] - cpu.rounds!.rows[r][key])).toBeLessThanOrEqual(1e-3);
        }
      });
    });
  });
});
