/**
 * The one place an engine is chosen by name in a browser (the web page's worker): WGSL on
 * navigator.gpu, gpu.js in the browser's mode, or the float64 reference. A named engine that
 * fails is an error; `auto` moves on and says why each better one was skipped.
 */
import { DeviceError } from '../errors.js';
import type { Backend } from './backend.js';
import { firstWorkingEngine, type EngineCandidate } from './choose.js';
import { CpuBackend } from './cpu/cpu-backend.js';
import { cpuMixKernels } from './cpu/mix-kernels.js';
import type { PlanLimits } from './gpu-plan/graph-plan.js';
import type { MixKernels } from './mix-kernels.js';

export const BROWSER_ENGINES = ['auto', 'webgpu', 'gpujs', 'cpu'] as const;
export type BrowserEngineName = (typeof BROWSER_ENGINES)[number];

export interface BrowserEngineOptions {
  /** Where it runs, for the output ('browser worker'). */
  runtime?: string;
  /** Tighter limits than the device's (graph kernels only). */
  limits?: Partial<PlanLimits>;
  log?: (message: string) => void;
  /** The engines `auto` tries, in order, before the CPU [webgpu, gpujs]. */
  autoTries?: ('webgpu' | 'gpujs')[];
}

interface BrowserEngines<T> {
  webgpu: (gpu: GPU) => Promise<T>;
  gpujs: () => Promise<T>;
  cpu: () => T;
}

const LABELS = { webgpu: 'WebGPU', gpujs: 'gpu.js' } as const;

function navigatorGpu(): GPU {
  const gpu = (globalThis.navigator as Navigator & { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) throw new DeviceError('this browser has no WebGPU (navigator.gpu is missing in workers)');
  return gpu;
}

async function chooseInBrowser<T>(kind: string, name: BrowserEngineName, make: BrowserEngines<T>, { log = () => {}, autoTries = ['webgpu', 'gpujs'] }: BrowserEngineOptions): Promise<T> {
  const candidates: Record<'webgpu' | 'gpujs', EngineCandidate<T>> = {
    webgpu: { name: 'webgpu', make: () => make.webgpu(navigatorGpu()) },
    gpujs: { name: 'gpujs', make: make.gpujs },
  };
  if (name === 'cpu') return make.cpu();
  if (name === 'auto') return firstWorkingEngine(kind, autoTries.map((tried) => candidates[tried]), make.cpu, log);
  try {
    return await candidates[name].make();
  } catch (error) {
    throw new DeviceError(`${LABELS[name]} is not available: ${(error as Error).message}`, { cause: error });
  }
}

export function createBrowserBackend(name: BrowserEngineName, options: BrowserEngineOptions = {}): Promise<Backend> {
  const runtime = options.runtime ?? 'browser';
  return chooseInBrowser<Backend>('backend', name, {
    webgpu: async (gpu) => {
      const { WebGpuBackend } = await import('./webgpu/webgpu-backend.js');
      return WebGpuBackend.init(gpu, 'this browser', runtime, { limits: options.limits });
    },
    gpujs: async () => {
      const { GpuJsBackend } = await import('./gpujs/gpujs-backend.js');
      return new GpuJsBackend({ mode: 'gpu', runtime, limits: options.limits });
    },
    cpu: () => new CpuBackend(),
  }, options);
}

export function createBrowserMixKernels(name: BrowserEngineName, options: BrowserEngineOptions = {}): Promise<MixKernels> {
  const runtime = options.runtime ?? 'browser';
  return chooseInBrowser<MixKernels>('kernels', name, {
    webgpu: async (gpu) => {
      const { WebGpuMixKernels } = await import('./webgpu/mix-kernels.js');
      return WebGpuMixKernels.init(gpu, 'this browser', runtime);
    },
    gpujs: async () => {
      const { GpuJsMixKernels } = await import('./gpujs/mix-kernels.js');
      return new GpuJsMixKernels({ mode: 'gpu', runtime });
    },
    cpu: () => cpuMixKernels,
  }, options);
}
