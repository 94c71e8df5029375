import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixnetAnonymity, mixnetPoolMeansJob } from '../../src/analyses/mixnet.js';
import { BrowserBackend, BrowserMixKernels } from '../../src/engines/browser/browser-backend.js';
import { cpuMixKernels } from '../../src/engines/cpu/mix-kernels.js';
import { GpuJsMixKernels } from '../../src/engines/gpujs/mix-kernels.js';
import type { MixKernels, PoolMeansJob } from '../../src/engines/mix-kernels.js';
import { DeviceError } from '../../src/errors.js';
import { erlangDelay, expDelay } from '../../src/mix/delays.js';
import { simulateMixnet, type MixnetTraffic } from '../../src/mix/mixnet-simulator.js';
import { mixnetTopology, type MixnetTopologyOptions } from '../../src/mix/mixnet-topology.js';

/**
 * The pool-mean kernel on the GPU engines against the float64 reference. Tolerances (float32
 * means on the device): per target, the entropy (ln S − Σ v ln v / S) / ln 2 within 1e-4 bits;
 * every marked value within 1e-5 and every mass (a float32 sum over the exits) within 1e-4.
 */
const ENTROPY_TOLERANCE = 1e-4;
const VALUE_TOLERANCE = 1e-5;
const MASS_TOLERANCE = 1e-4;

function job(seed: number, topology: MixnetTopologyOptions, over: Partial<MixnetTraffic>, replications: number): PoolMeansJob {
  const t = mixnetTopology({ ...topology, seed });
  const traffic: MixnetTraffic = { clients: 5, rate: 8, loopRate: 0, dropRate: 0, mixLoopRate: 0, delay: expDelay(1), targets: 6, burnIn: 5, window: 10, coolDown: 10, ...over };
  const logs = Array.from({ length: replications }, (_, r) => simulateMixnet(t, traffic, seed, r));
  return mixnetPoolMeansJob(logs, t, traffic.targets);
}

const JOBS: [string, PoolMeansJob][] = [
  ['3 × 3 stratified, 4 replications', job(1, { layers: 3, width: 3 }, {}, 4)],
  ['corrupt mixes, cover, Erlang delays', job(2, { layers: 2, width: 4, corrupt: 0.3 }, { loopRate: 0.5, dropRate: 0.5, mixLoopRate: 1, delay: erlangDelay(2, 2) }, 3)],
  ['cascades, weights, many targets', job(3, { kind: 'cascade', layers: 3, width: 2, weights: [1, 3, 1, 3, 1, 3] }, { targets: 40, window: 30 }, 2)],
];

function entropy(mass: number, plogp: number): number {
  return mass > 0 ? (Math.log(mass) - plogp / mass) / Math.LN2 : NaN;
}

function suite(name: string, kernels: () => MixKernels, tight: () => MixKernels) {
  for (const [label, j] of JOBS) {
    for (const [which, get] of [['', kernels], [' (tight bindings: replications batched, 2-D dispatch)', tight]] as const) {
      it(`${name}: ${label}${which}`, async () => {
        const want = cpuMixKernels.poolMeans(j);
        const got = await get().poolMeans(j);
        const w = await want;
        for (let i = 0; i < w.mass.length; i++) {
          expect(Math.abs(got.mass[i] - w.mass[i])).toBeLessThanOrEqual(MASS_TOLERANCE);
          const h = entropy(w.mass[i], w.plogp[i]);
          if (Number.isNaN(h)) expect(got.mass[i]).toBe(0);
          else expect(Math.abs(entropy(got.mass[i], got.plogp[i]) - h)).toBeLessThanOrEqual(ENTROPY_TOLERANCE);
        }
        expect(got.marked.length).toBe(w.marked.length);
        for (let i = 0; i < w.marked.length; i++) expect(Math.abs(got.marked[i] - w.marked[i])).toBeLessThanOrEqual(VALUE_TOLERANCE);
      });
    }
  }
  it(`${name}: mixnetAnonymity gives the reference's summary`, async () => {
    const options = { layers: 2, width: 3, rate: 20, targets: 12, replications: 3, corrupt: 0.2, mixLoopRate: 2 };
    const [want, got] = await Promise.all([mixnetAnonymity(options), mixnetAnonymity({ ...options, kernels: kernels() })]);
    expect(got.kernels).not.toBe('cpu');
    expect(Math.abs(got.entropy.mean - want.entropy.mean)).toBeLessThanOrEqual(ENTROPY_TOLERANCE);
    expect(Math.abs(got.unlinkability.epsilonMean - want.unlinkability.epsilonMean)).toBeLessThanOrEqual(1e-3);
    expect(got.unlinkability.delta).toBe(want.unlinkability.delta);
    expect(got.latency).toEqual(want.latency);
  });
}

describe('WebGPU pool means in headless Chromium', () => {
  let backend: BrowserBackend;
  let kernels: BrowserMixKernels;
  let tight: BrowserMixKernels;
  beforeAll(async () => {
    backend = await BrowserBackend.start({ backend: 'webgpu' });
    kernels = BrowserMixKernels.on(backend);
    tight = BrowserMixKernels.on(backend, { webgpu: { maxBindingBytes: 65536, maxWorkgroupsPerDimension: 3 } });
  }, 60_000);
  afterAll(async () => {
    await backend?.dispose();
  });
  suite('webgpu', () => kernels, () => tight);
});

describe('gpu.js', () => {
  it('refuses the pool-mean kernel, saying why and what to use', async () => {
    const kernels = new GpuJsMixKernels({ mode: 'cpu' });
    try {
      await expect(kernels.poolMeans()).rejects.toThrow(DeviceError);
      await expect(kernels.poolMeans()).rejects.toThrow(/per-thread memory .* use the cpu or webgpu engine/);
    } finally {
      kernels.dispose();
    }
  });
});
