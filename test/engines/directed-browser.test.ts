import { afterAll, beforeAll, describe, it } from 'vitest';
import { BrowserBackend } from '../../src/engines/browser/browser-backend.js';
import { expectSameAsReference } from '../helpers/compare.js';
import { directedSuite } from '../helpers/directed-suite.js';
import { powerLawGraph, randomGraph } from '../helpers/graphs.js';

/** Issue 11 on the float32 engines in headless Chromium: WebGPU (SwiftShader) and gpu.js (webgl2), 1e-4 bits. */
const TOLERANCE = 1e-4;

describe('webgpu in headless Chromium', () => {
  let backend: BrowserBackend;
  beforeAll(async () => {
    backend = await BrowserBackend.start();
  });
  afterAll(async () => {
    await backend?.dispose();
  });
  directedSuite(() => backend, TOLERANCE);
});

describe('webgpu with limits that force batches, row slabs, tiles and segmented rows', () => {
  let backend: BrowserBackend;
  beforeAll(async () => {
    backend = await BrowserBackend.start({ limits: { maxStorageBufferBindingSize: 8192, maxBufferSize: 8192, maxBatch: 4 } });
  });
  afterAll(async () => {
    await backend?.dispose();
  });
  it('every tile and segment renormalises by the same factor: 100 hops on a directed graph, a hub', async () => {
    await expectSameAsReference(backend, randomGraph(300, 420, 78, { directed: true, weighted: true }), { hops: 100, terminals: 10, seed: 2 }, TOLERANCE);
    await expectSameAsReference(backend, powerLawGraph(600, 2, 300, 9), { walk: 'mh', hops: 30, terminals: 6, seed: 3 }, TOLERANCE);
  });
});

/** gpu.js's many small WebGL kernels are slow on SwiftShader: the dense cases here, the long walks in Node. */
describe('gpujs (webgl2) in headless Chromium', () => {
  let backend: BrowserBackend;
  beforeAll(async () => {
    backend = await BrowserBackend.start({ backend: 'gpujs', gpujsMode: 'webgl2' });
  });
  afterAll(async () => {
    await backend?.dispose();
  });
  directedSuite(() => backend, TOLERANCE, ['dense']);
});
