import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserBackend } from '../../src/engines/browser/browser-backend.js';
import { CpuBackend } from '../../src/engines/cpu/cpu-backend.js';
import { GpuJsBackend } from '../../src/engines/gpujs/gpujs-backend.js';
import type { Backend } from '../../src/engines/backend.js';
import { transitionMatrix } from '../../src/walks/index.js';
import {
  pcgHash,
  runWalkersReference,
  samplingThresholds,
  walkerStarts,
  type WalkerJob,
} from '../../src/walks/walkers.js';
import { denseOf, matMul, powerLawGraph, randomGraph } from '../helpers/graphs.js';

/** Upper 1e-3 quantile of chi-square with `df` degrees of freedom (Wilson-Hilferty). */
function chiSquareCritical(df: number): number {
  const z = 3.090232; // standard normal, one-sided 1e-3
  return df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
}

function job(csr: ReturnType<typeof randomGraph>, walkers: number, hops: number, seed: number): WalkerJob {
  const walk = transitionMatrix(csr, 'mh');
  const compromised = new Uint8Array(csr.n);
  for (let i = 0; i < csr.n; i += 7) compromised[i] = 1;
  const honest = Uint32Array.from({ length: csr.n }, (_, i) => i).filter((i) => !compromised[i]);
  return { walk, thresholds: samplingThresholds(walk), compromised, starts: walkerStarts(honest, walkers, seed), hops, recordHop: 3, seed };
}

describe('walkers', () => {
  it('the PCG hash matches its published reference values', () => {
    // pcg_hash(0) and pcg_hash(1) from Jarzynski & Olano's reference implementation.
    expect(pcgHash(0)).toBe(129708002);
    expect(pcgHash(1)).toBe(2831084092);
  });

  it('terminus frequencies match the exact distribution P^L (chi-square, false-alarm rate 1e-3)', () => {
    const csr = randomGraph(30, 80, 5);
    const walk = transitionMatrix(csr, 'simple');
    const L = 4;
    const W = 200_000;
    const start = 3;
    const records = runWalkersReference({
      walk,
      thresholds: samplingThresholds(walk),
      compromised: new Uint8Array(csr.n),
      starts: new Uint32Array(W).fill(start),
      hops: L,
      recordHop: 0,
      seed: 42,
    });
    const P = denseOf(walk);
    let PL = P;
    for (let t = 1; t < L; t++) PL = matMul(PL, P);
    const counts = new Array<number>(csr.n).fill(0);
    for (const node of records.terminus) counts[node]++;
    let chi = 0;
    let df = -1;
    PL[start].forEach((p, j) => {
      if (p === 0) {
        expect(counts[j]).toBe(0); // never a step of probability 0
        return;
      }
      chi += (counts[j] - W * p) ** 2 / (W * p);
      df++;
    });
    expect(chi).toBeLessThan(chiSquareCritical(df));
  });

  it('first compromised hop, predecessor and last hop are consistent with a replayed walk', () => {
    const j = job(randomGraph(200, 700, 6), 500, 8, 9);
    const r = runWalkersReference(j);
    for (let w = 0; w < 500; w++) {
      if (r.firstCompromisedHop[w] === 0) expect(r.predecessor[w]).toBe(j.starts[w]);
      else expect(j.compromised[r.predecessor[w]]).toBe(0); // the node before the first compromised one is honest
      expect(r.lastCompromised[w]).toBe(j.compromised[r.terminus[w]]);
    }
  });
});

describe('the same seed gives the same walks on every backend', () => {
  const csr = powerLawGraph(3000, 3, 1500, 7);
  const reference = () => runWalkersReference(job(csr, 4000, 10, 11));
  const expectSame = async (backend: Backend) => {
    const expected = reference();
    const got = await backend.runWalkers(job(csr, 4000, 10, 11));
    expect([...got.terminus]).toEqual([...expected.terminus]);
    expect([...got.firstCompromisedHop]).toEqual([...expected.firstCompromisedHop]);
    expect([...got.predecessor]).toEqual([...expected.predecessor]);
    expect([...got.lastCompromised]).toEqual([...expected.lastCompromised]);
    expect([...got.recordedNode]).toEqual([...expected.recordedNode]);
  };

  it('cpu', async () => expectSame(new CpuBackend()));
  it('gpujs in Node (webasm)', async () => {
    const backend = new GpuJsBackend({ mode: 'webasm' });
    try {
      await expectSame(backend);
    } finally {
      backend.dispose();
    }
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
      it('equal records', async () => expectSame(backend));
    });
  }
});
