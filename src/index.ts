/**
 * anonscope's library API for Node: everything in library.ts, plus choosing an engine by name
 * (Dawn for Node, headless Chromium, gpu.js, worker threads: each loaded only when created)
 * and loading graph files. The browser entry (browser.ts) has the browser's chooser instead.
 */
export * from './library.js';
export { createBackend, createMixKernels, describeEngine, CpuBackend, ParallelCpuBackend, BACKEND_NAMES, MIX_BACKENDS, RUNTIMES } from './engines/create.js';
export type { BackendName, MixBackendName, Runtime, CreateBackendOptions } from './engines/create.js';
export { loadGraphFile } from './graph/load-file.js';
