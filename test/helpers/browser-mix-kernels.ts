import { afterAll, beforeAll } from 'vitest';
import { BrowserBackend, BrowserMixKernels, type BrowserBackendOptions } from '../../src/engines/browser/browser-backend.js';
import type { PageMixOptions } from '../../src/engines/browser/page.js';

/**
 * Mix kernels in headless Chromium for one describe block: the engine as it runs and, on the
 * same browser, one under `tight` bounds (batches and dispatches cut small); the browser
 * starts before the block's tests and closes after them.
 */
export function browserMixKernels(start: BrowserBackendOptions, tight: PageMixOptions): { kernels: () => BrowserMixKernels; tight: () => BrowserMixKernels } {
  let backend: BrowserBackend | undefined;
  let kernels: BrowserMixKernels;
  let tightKernels: BrowserMixKernels;
  beforeAll(async () => {
    backend = await BrowserBackend.start(start);
    kernels = BrowserMixKernels.on(backend);
    tightKernels = BrowserMixKernels.on(backend, tight);
  }, 60_000);
  afterAll(async () => {
    await backend?.dispose();
  });
  return { kernels: () => kernels, tight: () => tightKernels };
}
