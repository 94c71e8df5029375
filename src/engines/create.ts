/**
 * The one place an engine is chosen by name, in Node: a Backend (graph kernels) or
 * MixKernels, on the float64 reference, worker threads, WGSL (Dawn for Node or headless
 * Chromium) or gpu.js. Engines that pull in heavy packages (Dawn, gpu.js, puppeteer-core)
 * are imported only when asked for, so loading the library costs none of them.
 */
import { availableParallelism } from 'node:os';
import { DeviceError, ParameterError } from '../errors.js';
import type { Backend } from './backend.js';
import { CpuBackend } from './cpu/cpu-backend.js';
import { cpuMixKernels } from './cpu/mix-kernels.js';
import { ParallelCpuBackend } from './cpu/parallel-backend.js';
import { ParallelCpuMixKernels } from './cpu/parallel-mix-kernels.js';
import type { GpuJsMode } from './gpujs/modes.js';
import type { PlanLimits } from './gpu-plan/graph-plan.js';
import type { MixKernels } from './mix-kernels.js';
import { firstWorkingEngine } from './choose.js';
import { adapterName, isSoftwareAdapter, type AdapterDescription } from './webgpu/device.js';

export type { Backend, BackendInfo, EntropyJob, EntropyTable } from './backend.js';
export { CpuBackend } from './cpu/cpu-backend.js';
export { ParallelCpuBackend } from './cpu/parallel-backend.js';

export const BACKEND_NAMES = ['auto', 'cpu', 'cpu-parallel', 'webgpu', 'gpujs'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export const MIX_BACKENDS = ['cpu', 'cpu-parallel', 'webgpu', 'gpujs'] as const;
export type MixBackendName = (typeof MIX_BACKENDS)[number];
export const RUNTIMES = ['auto', 'browser', 'node'] as const;
export type Runtime = (typeof RUNTIMES)[number];

export interface CreateBackendOptions {
  /** Where WebGPU runs: Node's Dawn, headless Chromium, or auto (Dawn when it has an adapter). */
  runtime?: Runtime;
  /** Refuse software adapters (SwiftShader, llvmpipe). */
  requireHardware?: boolean;
  /** gpujs only: the gpu.js mode ('gpu' lets gpu.js choose). */
  gpujsMode?: GpuJsMode;
  /** cpu-parallel only (graph backend and mix kernels): worker threads (default: every core). */
  threads?: number;
  /** cpu-parallel only: storage of P and the blocks (default float32; sums are float64). */
  precision?: 'float32' | 'float64';
  /** Tighter limits than the device's, for tests and experiments. */
  limits?: Partial<PlanLimits>;
  /** Where to say which engine was picked and why others were skipped. */
  log?: (message: string) => void;
}

/** What every engine object has: where it ran, and how to release it. */
interface Engine {
  readonly info: { adapter?: AdapterDescription };
  dispose(): void | Promise<void>;
}

/**
 * A WebGPU engine on the runtime asked for. `auto` tries Dawn in Node first and falls back to
 * headless Chromium when Dawn has no (suitable) adapter.
 */
async function onWebGpu<T extends Engine>(
  options: CreateBackendOptions,
  inNode: (gpu: GPU, where: string) => Promise<T>,
  inBrowser: () => Promise<T>,
): Promise<T> {
  const runtime = options.runtime ?? 'auto';
  const log = options.log ?? (() => {});
  if (runtime !== 'browser') {
    try {
      const { dawnGpu, DAWN } = await import('./webgpu/node-runtime.js');
      const engine = await inNode(await dawnGpu(), DAWN);
      const adapter = engine.info.adapter!;
      // Dawn on SwiftShader crashes Node intermittently (a pthread assertion, measured here):
      // auto prefers Chromium's SwiftShader, which is stable; `--runtime node` still allows it.
      if (isSoftwareAdapter(adapter) && (options.requireHardware || runtime === 'auto')) {
        await engine.dispose();
        throw new DeviceError(`anonscope/webgpu: Dawn's adapter is a software one (${adapter.description || adapter.architecture})${options.requireHardware ? ' and hardware was required' : ''}`);
      }
      return engine;
    } catch (error) {
      if (runtime === 'node') throw error;
      log(`webgpu: Node runtime unavailable (${(error as Error).message}); using headless Chromium`);
    }
  }
  return inBrowser();
}

function webGpuBackend(options: CreateBackendOptions): Promise<Backend> {
  return onWebGpu<Backend>(
    options,
    async (gpu, where) => {
      const { WebGpuBackend } = await import('./webgpu/webgpu-backend.js');
      return WebGpuBackend.init(gpu, where, 'node', { limits: options.limits });
    },
    async () => {
      const { BrowserBackend } = await import('./browser/browser-backend.js');
      return BrowserBackend.start({ requireHardware: options.requireHardware, limits: options.limits });
    },
  );
}

/** gpu.js modes that run on a GPU (webasm and cpu run on the CPU). */
const GPUJS_GPU_MODES = new Set(['webgl2', 'webgl', 'webgpu', 'headlessgl']);

async function gpuJsBackend(options: CreateBackendOptions): Promise<Backend> {
  if (options.runtime === 'browser') {
    const { BrowserBackend } = await import('./browser/browser-backend.js');
    return BrowserBackend.start({ backend: 'gpujs', gpujsMode: options.gpujsMode, limits: options.limits });
  }
  const { GpuJsBackend } = await import('./gpujs/gpujs-backend.js');
  return new GpuJsBackend({ mode: options.gpujsMode, limits: options.limits, runtime: 'node' });
}

/**
 * `auto`: WebGPU on a hardware adapter, then gpu.js in a GPU mode, then the CPU (every core
 * through cpu-parallel where there are several); each skipped choice is said with its
 * reason. Headless Chromium is only probed with `--runtime browser` (starting a browser to
 * find SwiftShader would cost every run a second).
 */
function bestBackend(options: CreateBackendOptions, log: (message: string) => void): Promise<Backend> {
  return firstWorkingEngine<Backend>(
    'backend',
    [
      { name: 'webgpu', make: () => webGpuBackend({ ...options, runtime: options.runtime === 'browser' ? 'browser' : 'node', requireHardware: true }) },
      {
        name: 'gpujs',
        make: () => gpuJsBackend({ ...options, runtime: 'node' }),
        passOver: (gpujs) => {
          const mode = gpujs.info.runtime?.split(' ').at(-1) ?? '';
          return GPUJS_GPU_MODES.has(mode) ? undefined : `gpu.js would run on the CPU here, in its ${mode} mode`;
        },
        release: (gpujs) => gpujs.dispose(),
      },
    ],
    () => (availableParallelism() > 1 ? new ParallelCpuBackend({ threads: options.threads, precision: options.precision }) : new CpuBackend()),
    log,
  );
}

/** What ran, as one line: name, runtime, adapter. */
export function describeEngine(kind: string, info: { name: string; runtime?: string; adapter?: AdapterDescription }): string {
  const reference = info.name === 'cpu' ? ' (float64 reference)' : '';
  return `${kind}: ${info.name}${reference}${info.runtime ? ` (${info.runtime})` : ''}${info.adapter ? ` on ${adapterName(info.adapter)}` : ''}`;
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
      backend = new ParallelCpuBackend({ threads: options.threads, precision: options.precision });
      break;
    case 'webgpu':
      backend = await webGpuBackend(options);
      break;
    case 'gpujs':
      backend = await gpuJsBackend(options);
      break;
    case 'auto':
      backend = await bestBackend(options, log);
      break;
    default:
      throw new ParameterError(`anonscope: unknown backend "${name}" (expected ${BACKEND_NAMES.join(', ')})`);
  }
  log(describeEngine('backend', backend.info));
  return backend;
}

/**
 * The mix kernels by name: the float64 reference, the same on worker threads (pool means),
 * WGSL (Dawn for Node or headless Chromium, as for createBackend), or gpu.js (in Node, or in
 * Chromium with runtime 'browser').
 * dispose() releases the device or the browser they started.
 */
export async function createMixKernels(name: MixBackendName, options: CreateBackendOptions = {}): Promise<MixKernels> {
  const log = options.log ?? (() => {});
  let kernels: MixKernels;
  switch (name) {
    case 'cpu':
      kernels = cpuMixKernels;
      break;
    case 'cpu-parallel':
      kernels = new ParallelCpuMixKernels({ threads: options.threads });
      break;
    case 'webgpu':
      kernels = await onWebGpu<MixKernels>(
        options,
        async (gpu, where) => {
          const { WebGpuMixKernels } = await import('./webgpu/mix-kernels.js');
          return WebGpuMixKernels.init(gpu, where, 'node');
        },
        async () => {
          const { BrowserMixKernels } = await import('./browser/browser-backend.js');
          return BrowserMixKernels.start({ requireHardware: options.requireHardware });
        },
      );
      break;
    case 'gpujs':
      if (options.runtime === 'browser') {
        const { BrowserMixKernels } = await import('./browser/browser-backend.js');
        kernels = await BrowserMixKernels.start({ backend: 'gpujs', gpujsMode: options.gpujsMode });
      } else {
        const { GpuJsMixKernels } = await import('./gpujs/mix-kernels.js');
        kernels = new GpuJsMixKernels({ mode: options.gpujsMode ?? 'webasm', runtime: 'node' });
      }
      break;
    default:
      throw new ParameterError(`anonscope: unknown mix backend "${name}" (expected ${MIX_BACKENDS.join(', ')})`);
  }
  log(describeEngine('kernels', kernels.info));
  return kernels;
}
