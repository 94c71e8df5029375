import { availableParallelism } from 'node:os';
import { DeviceError, ParameterError } from '../errors.js';
import type { Backend } from './backend.js';
import { CpuBackend } from './cpu/cpu-backend.js';
import { ParallelCpuBackend } from './cpu/parallel-backend.js';
import type { GpuJsMode } from './gpujs/gpujs-backend.js';
import type { PlanLimits } from './gpu-plan/graph-plan.js';

export type { Backend, BackendInfo, EntropyJob, EntropyTable } from './backend.js';
export { CpuBackend } from './cpu/cpu-backend.js';
export { ParallelCpuBackend } from './cpu/parallel-backend.js';

export const BACKEND_NAMES = ['auto', 'cpu', 'cpu-parallel', 'webgpu', 'gpujs'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export const RUNTIMES = ['auto', 'browser', 'node'] as const;
export type Runtime = (typeof RUNTIMES)[number];

export interface CreateBackendOptions {
  /** Where WebGPU runs: Node's Dawn, headless Chromium, or auto (Dawn when it has an adapter). */
  runtime?: Runtime;
  /** Refuse software adapters (SwiftShader, llvmpipe). */
  requireHardware?: boolean;
  /** gpujs only: the gpu.js mode ('gpu' lets gpu.js choose). */
  gpujsMode?: GpuJsMode;
  /** cpu-parallel only: worker threads (default: every core). */
  threads?: number;
  /** Tighter limits than the device's, for tests and experiments. */
  limits?: Partial<PlanLimits>;
  /** Where to say which backend was picked and why others were skipped. */
  log?: (message: string) => void;
}

/**
 * WebGPU on the runtime asked for. `auto` tries Dawn in Node first, and falls back to
 * headless Chromium when Dawn has no (suitable) adapter.
 */
async function createWebGpuBackend(options: CreateBackendOptions): Promise<Backend> {
  const runtime = options.runtime ?? 'auto';
  const log = options.log ?? (() => {});
  if (runtime !== 'browser') {
    const { createNodeWebGpuBackend, isSoftwareAdapter } = await import('./webgpu/node-runtime.js');
    try {
      const backend = await createNodeWebGpuBackend({ limits: options.limits });
      const adapter = backend.info.adapter!;
      // Dawn on SwiftShader crashes Node intermittently (a pthread assertion, measured here):
      // auto prefers Chromium's SwiftShader, which is stable; `--runtime node` still allows it.
      if (isSoftwareAdapter(adapter) && (options.requireHardware || runtime === 'auto')) {
        await backend.dispose();
        throw new DeviceError(`anonscope/webgpu: Dawn's adapter is a software one (${adapter.description || adapter.architecture})${options.requireHardware ? ' and hardware was required' : ''}`);
      }
      return backend;
    } catch (error) {
      if (runtime === 'node') throw error;
      log(`webgpu: Node runtime unavailable (${(error as Error).message}); using headless Chromium`);
    }
  }
  const { BrowserBackend } = await import('./browser/browser-backend.js');
  return BrowserBackend.start({ requireHardware: options.requireHardware, limits: options.limits });
}

/** gpu.js modes that run on a GPU (webasm and cpu run on the CPU). */
const GPUJS_GPU_MODES = new Set(['webgl2', 'webgl', 'webgpu', 'headlessgl']);

async function createGpuJsBackend(options: CreateBackendOptions): Promise<Backend> {
  if (options.runtime === 'browser') {
    const { BrowserBackend } = await import('./browser/browser-backend.js');
    return BrowserBackend.start({ backend: 'gpujs', gpujsMode: options.gpujsMode, limits: options.limits });
  }
  const { GpuJsBackend } = await import('./gpujs/gpujs-backend.js');
  return new GpuJsBackend({ mode: options.gpujsMode, limits: options.limits, runtime: 'node' });
}

/**
 * `auto`: WebGPU on a hardware adapter, then gpu.js in a GPU mode, then the CPU (every core
 * through cpu-parallel where there are several);
 * each skipped choice is said with its reason. Headless Chromium is only probed with
 * `--runtime browser` (starting a browser to find SwiftShader would cost every run a second).
 */
async function chooseBackend(options: CreateBackendOptions, log: (message: string) => void): Promise<Backend> {
  const skipped: string[] = [];
  try {
    return await createWebGpuBackend({ ...options, runtime: options.runtime === 'browser' ? 'browser' : 'node', requireHardware: true });
  } catch (error) {
    skipped.push(`webgpu (${(error as Error).message.replace(/^anonscope\/[\w-]+: /, '')})`);
  }
  try {
    const gpujs = await createGpuJsBackend({ ...options, runtime: 'node' });
    const mode = gpujs.info.runtime?.split(' ').at(-1) ?? '';
    if (GPUJS_GPU_MODES.has(mode)) return gpujs;
    await gpujs.dispose();
    skipped.push(`gpujs (gpu.js would run on the CPU here, in its ${mode} mode)`);
  } catch (error) {
    skipped.push(`gpujs (${(error as Error).message})`);
  }
  log(`backend auto: skipped ${skipped.join('; ')}`);
  return availableParallelism() > 1 ? new ParallelCpuBackend({ threads: options.threads }) : new CpuBackend();
}

/** The backend by name; `auto` picks the best one that works here. */
export async function createBackend(name: BackendName, options: CreateBackendOptions = {}): Promise<Backend> {
  const log = options.log ?? (() => {});
  let backend: Backend;
  switch (name) {
    case 'cpu':
      backend = new CpuBackend();
      break;
    case 'cpu-parallel':
      backend = new ParallelCpuBackend({ threads: options.threads });
      break;
    case 'webgpu':
      backend = await createWebGpuBackend(options);
      break;
    case 'gpujs':
      backend = await createGpuJsBackend(options);
      break;
    case 'auto':
      backend = await chooseBackend(options, log);
      break;
    default:
      throw new ParameterError(`anonscope: unknown backend "${name}" (expected ${BACKEND_NAMES.join(', ')})`);
  }
  const adapter = backend.info.adapter;
  log(`backend: ${backend.info.name}${backend.info.name === 'cpu' ? ' (float64 reference)' : ''}${backend.info.runtime ? ` (${backend.info.runtime})` : ''}${adapter ? ` on ${[adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ')}` : ''}`);
  return backend;
}
