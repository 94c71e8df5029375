/**
 * The harness's code inside the browser page: it requests a WebGPU device, fetches a job's
 * arrays from the loopback server, runs the webgpu backend and hands the numbers back to
 * Node (base64, the fastest way through puppeteer for large arrays).
 */
import {
  requestDevice,
  WebGpuBackend,
  type AdapterDescription,
  type WebGpuBackendOptions,
} from '../src/backends/webgpu/webgpu-backend.js';
import type { TransitionMatrix } from '../src/walks/transition.js';

export interface PageJob {
  id: string;
  n: number;
  hops: number;
  model: TransitionMatrix['model'];
  lazy: boolean;
  danglingNodes: number;
  hasPrior: boolean;
  limits?: WebGpuBackendOptions['limits'];
}

declare global {
  interface Window {
    anonscopeInit(): Promise<AdapterDescription>;
    anonscopeRun(job: PageJob): Promise<{ shannon: string; minEntropy: string }>;
    anonscopeProgress?: (done: number, total: number) => void;
    anonscopeReady: boolean;
  }
}

let device: GPUDevice | undefined;
let adapterDescription: AdapterDescription;

async function fetchArray<T>(url: string, make: (buffer: ArrayBuffer) => T): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`anonscope/harness page: GET ${url} answered ${response.status}`);
  return make(await response.arrayBuffer());
}

function toBase64(array: Float64Array): string {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  if (native) return native.call(bytes);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

window.anonscopeInit = async () => {
  if (!navigator.gpu) throw new Error('anonscope/harness page: this browser has no navigator.gpu (WebGPU is off)');
  const requested = await requestDevice(navigator.gpu, 'this browser');
  device = requested.device;
  adapterDescription = requested.adapter;
  return requested.adapter;
};

window.anonscopeRun = async (job) => {
  if (!device) throw new Error('anonscope/harness page: anonscopeInit() first');
  const base = `/jobs/${job.id}`;
  const walk: TransitionMatrix = {
    n: job.n,
    rowPtr: await fetchArray(`${base}/rowPtr`, (b) => new Uint32Array(b)),
    colIdx: await fetchArray(`${base}/colIdx`, (b) => new Uint32Array(b)),
    values: await fetchArray(`${base}/values`, (b) => new Float64Array(b)),
    model: job.model,
    lazy: job.lazy,
    danglingNodes: job.danglingNodes,
  };
  const terminals = await fetchArray(`${base}/terminals`, (b) => new Uint32Array(b));
  const prior = job.hasPrior ? await fetchArray(`${base}/prior`, (b) => new Float64Array(b)) : undefined;
  const backend = new WebGpuBackend(device, adapterDescription, { runtime: 'browser', limits: job.limits });
  // An outer scope catches anything the backend's own scopes let through.
  device.pushErrorScope('validation');
  try {
    const table = await backend.terminalEntropies({
      walk,
      terminals,
      hops: job.hops,
      prior,
      onProgress: (done, total) => window.anonscopeProgress?.(done, total),
    });
    return { shannon: toBase64(table.shannon), minEntropy: toBase64(table.minEntropy) };
  } finally {
    await backend.dispose();
    const error = await device.popErrorScope();
    if (error) throw new Error(`anonscope/harness page: WebGPU validation error: ${error.message}`);
  }
};

window.anonscopeReady = true;
