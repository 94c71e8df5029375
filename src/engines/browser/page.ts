/**
 * The browser engine's code inside the page: it sets up a backend (WebGPU on
 * navigator.gpu, or gpu.js in one of its browser modes), fetches a job's arrays from the
 * loopback server, runs the job and hands the numbers back to Node (base64, the fastest way
 * through puppeteer for large arrays).
 */
import type { Backend, BackendInfo } from '../backend.js';
import { GpuJsBackend } from '../gpujs/gpujs-backend.js';
import type { GpuJsMode } from '../gpujs/modes.js';
import type { PlanLimits } from '../gpu-plan/graph-plan.js';
import { GpuDevice } from '../webgpu/device.js';
import { WebGpuBackend } from '../webgpu/webgpu-backend.js';
import { GpuJsMixKernels } from '../gpujs/mix-kernels.js';
import { packPoolMeans, type MixKernels, type MixKernelsInfo } from '../mix-kernels.js';
import { WebGpuMixKernels, type WebGpuMixKernelsOptions } from '../webgpu/mix-kernels.js';
import type { TransitionMatrix } from '../../walks/transition.js';
import { packWalkerRecords } from '../../walks/walkers.js';

export interface PageSetup {
  backend: 'webgpu' | 'gpujs';
  gpujsMode?: GpuJsMode;
  limits?: Partial<PlanLimits>;
}

export interface PageJob {
  id: string;
  n: number;
  hops: number;
  model: TransitionMatrix['model'];
  lazy: boolean;
  danglingNodes: number;
  hasPrior: boolean;
}

/** A mixing job's arrays are served as rowPtr, colIdx, values (of Pᵀ), sources, stationary. */
export interface PageMixingJob {
  id: string;
  n: number;
  hops: number;
}

export interface PageWalkerJob {
  id: string;
  n: number;
  hops: number;
  recordHop: number;
  seed: number;
  firstWalker: number;
}

/** The MixKernels methods the page runs (see anonscopeMixKernel). */
export type MixKernelName = 'convolve' | 'scoreLinks' | 'mixEntropies' | 'poolMeans';

/** Options of the mix kernels in the page: which implementation, and tighter bounds for tests. */
export interface PageMixOptions {
  /** webgpu (on the page's device) or gpujs (in the mode anonscopeInit was given); default: the page's backend. */
  kind?: 'webgpu' | 'gpujs';
  webgpu?: Pick<WebGpuMixKernelsOptions, 'maxBindingBytes' | 'maxWorkgroupsPerDimension'>;
  gpujsMaxElements?: number;
}

/**
 * A mix job as JSON: typed arrays become { $typed: 'f64' | 'f32' | 'u32', base64 } (little-endian
 * bytes), everything else stays as it is. Encoded in Node by browser-backend.ts.
 */
export interface EncodedTypedArray {
  $typed: 'f64' | 'f32' | 'u32';
  base64: string;
}

declare global {
  interface Window {
    anonscopeInit(setup: PageSetup): Promise<BackendInfo>;
    anonscopeRun(job: PageJob): Promise<{ shannon: string; minEntropy: string; log2Mass: string; reached: string; info: BackendInfo }>;
    anonscopeWalkers(job: PageWalkerJob): Promise<string>;
    anonscopeMixing(job: PageMixingJob): Promise<{ tv: string; info: BackendInfo }>;
    anonscopeRounds(job: PageJob & { rounds: number }): Promise<{ shannon: string; minEntropy: string }>;
    anonscopeMixKernel(name: MixKernelName, jobJson: string, options?: PageMixOptions): Promise<{ result: string; info: MixKernelsInfo }>;
    anonscopeProgress?: (done: number, total: number) => void;
    anonscopeReady: boolean;
  }
}

/** The page's one device, shared by its backend and its mix kernels; the page owns it. */
let gpu: GpuDevice | undefined;
let backend: Backend | undefined;
let pageSetup: PageSetup | undefined;
const mixKernels = new Map<string, MixKernels>();

async function fetchArray<T>(url: string, make: (buffer: ArrayBuffer) => T): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`anonscope/browser page: GET ${url} answered ${response.status}`);
  return make(await response.arrayBuffer());
}

function toBase64(array: Float64Array | Uint32Array | Uint8Array): string {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  if (native) return native.call(bytes);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

window.anonscopeInit = async (setup) => {
  pageSetup = setup;
  if (setup.backend === 'gpujs') {
    backend = new GpuJsBackend({ mode: setup.gpujsMode, limits: setup.limits, runtime: 'browser' });
    return backend.info;
  }
  if (!navigator.gpu) throw new Error('anonscope/browser page: this browser has no navigator.gpu (WebGPU is off)');
  gpu = await GpuDevice.request(navigator.gpu, 'this browser', 'browser');
  backend = WebGpuBackend.onDevice(gpu, { limits: setup.limits });
  return backend.info;
};

async function fetchWalk(job: PageJob): Promise<TransitionMatrix> {
  const base = `/jobs/${job.id}`;
  return {
    n: job.n,
    rowPtr: await fetchArray(`${base}/rowPtr`, (b) => new Uint32Array(b)),
    colIdx: await fetchArray(`${base}/colIdx`, (b) => new Uint32Array(b)),
    values: await fetchArray(`${base}/values`, (b) => new Float64Array(b)),
    model: job.model,
    lazy: job.lazy,
    danglingNodes: job.danglingNodes,
  };
}

window.anonscopeRounds = async (job) => {
  if (!backend) throw new Error('anonscope/browser page: anonscopeInit() first');
  const base = `/jobs/${job.id}`;
  const table = await backend.roundEntropies({
    walk: await fetchWalk(job),
    hops: job.hops,
    rounds: job.rounds,
    termini: await fetchArray(`${base}/terminals`, (b) => new Uint32Array(b)),
    prior: job.hasPrior ? await fetchArray(`${base}/prior`, (b) => new Float64Array(b)) : undefined,
  });
  return { shannon: toBase64(table.shannon), minEntropy: toBase64(table.minEntropy) };
};

window.anonscopeRun = async (job) => {
  if (!backend) throw new Error('anonscope/browser page: anonscopeInit() first');
  const base = `/jobs/${job.id}`;
  const walk = await fetchWalk(job);
  const terminals = await fetchArray(`${base}/terminals`, (b) => new Uint32Array(b));
  const prior = job.hasPrior ? await fetchArray(`${base}/prior`, (b) => new Float64Array(b)) : undefined;
  const running = backend;
  // An outer validation scope catches anything the WebGPU backend's own scopes let through.
  gpu?.device.pushErrorScope('validation');
  let table;
  try {
    table = await running.terminalEntropies({
      walk,
      terminals,
      hops: job.hops,
      prior,
      onProgress: (done, total) => window.anonscopeProgress?.(done, total),
    });
  } finally {
    const error = await gpu?.device.popErrorScope();
    if (error) throw new Error(`anonscope/browser page: WebGPU validation error: ${error.message}`);
  }
  return {
    shannon: toBase64(table.shannon),
    minEntropy: toBase64(table.minEntropy),
    log2Mass: toBase64(table.log2Mass),
    reached: toBase64(table.reached),
    info: running.info,
  };
};

window.anonscopeMixing = async (job) => {
  if (!backend) throw new Error('anonscope/browser page: anonscopeInit() first');
  const base = `/jobs/${job.id}`;
  const running = backend;
  const push = {
    n: job.n,
    rowPtr: await fetchArray(`${base}/rowPtr`, (b) => new Uint32Array(b)),
    colIdx: await fetchArray(`${base}/colIdx`, (b) => new Uint32Array(b)),
    values: await fetchArray(`${base}/values`, (b) => new Float64Array(b)),
  };
  gpu?.device.pushErrorScope('validation');
  let table;
  try {
    table = await running.mixingDistances({
      push,
      sources: await fetchArray(`${base}/sources`, (b) => new Uint32Array(b)),
      stationary: await fetchArray(`${base}/stationary`, (b) => new Float64Array(b)),
      hops: job.hops,
      onProgress: (done, total) => window.anonscopeProgress?.(done, total),
    });
  } finally {
    const error = await gpu?.device.popErrorScope();
    if (error) throw new Error(`anonscope/browser page: WebGPU validation error: ${error.message}`);
  }
  return { tv: toBase64(table.tv), info: running.info };
};

window.anonscopeWalkers = async (job) => {
  if (!backend) throw new Error('anonscope/browser page: anonscopeInit() first');
  const base = `/jobs/${job.id}`;
  const u32 = (name: string) => fetchArray(`${base}/${name}`, (b) => new Uint32Array(b));
  const rowPtr = await u32('rowPtr');
  const walk: TransitionMatrix = {
    n: job.n,
    rowPtr,
    colIdx: await u32('colIdx'),
    values: new Float64Array(0), // walkers read only the thresholds
    model: 'simple',
    lazy: false,
    danglingNodes: 0,
  };
  const records = await backend.runWalkers({
    walk,
    thresholds: await u32('thresholds'),
    compromised: await fetchArray(`${base}/compromised`, (b) => new Uint8Array(b)),
    starts: await u32('starts'),
    hops: job.hops,
    recordHop: job.recordHop,
    seed: job.seed,
    firstWalker: job.firstWalker,
  });
  return toBase64(packWalkerRecords(records));
};

function fromBase64(base64: string): ArrayBuffer {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function decodeMixJob(json: string): unknown {
  return JSON.parse(json, (_, value: unknown) => {
    if (value && typeof value === 'object' && '$typed' in value) {
      const { $typed, base64 } = value as EncodedTypedArray;
      const buffer = fromBase64(base64);
      return $typed === 'f64' ? new Float64Array(buffer) : $typed === 'f32' ? new Float32Array(buffer) : new Uint32Array(buffer);
    }
    return value;
  });
}

/** The page's mix kernels of one kind and options, made once and kept. */
function pageMixKernels(options: PageMixOptions): MixKernels {
  const kind = options.kind ?? pageSetup?.backend;
  if (!kind) throw new Error('anonscope/browser page: anonscopeInit() first');
  const key = JSON.stringify({ ...options, kind });
  let kernels = mixKernels.get(key);
  if (!kernels) {
    if (kind === 'webgpu') {
      if (!gpu) throw new Error('anonscope/browser page: the webgpu mix kernels need a page started with the webgpu backend');
      kernels = WebGpuMixKernels.onDevice(gpu, options.webgpu);
    } else {
      kernels = new GpuJsMixKernels({ mode: pageSetup?.gpujsMode, runtime: 'browser', maxElements: options.gpujsMaxElements });
    }
    mixKernels.set(key, kernels);
  }
  return kernels;
}

window.anonscopeMixKernel = async (name, jobJson, options = {}) => {
  const kernels = pageMixKernels(options);
  const job = decodeMixJob(jobJson) as never;
  const result = name === 'poolMeans' ? packPoolMeans(await kernels.poolMeans(job)) : await kernels[name](job);
  return { result: toBase64(result), info: kernels.info };
};

window.anonscopeReady = true;
