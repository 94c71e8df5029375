import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer-core';
import type { Backend, BackendInfo, EntropyJob, EntropyTable, MixingJob, MixingTable, RoundsJob, RoundsTable } from '../backend.js';
import type { TransitionMatrix } from '../../walks/transition.js';
import type { GpuJsMode } from '../gpujs/modes.js';
import type { PlanLimits } from '../gpu-plan/graph-plan.js';
import { isSoftwareAdapter } from '../webgpu/device.js';
import { DeviceError } from '../../errors.js';
import { launchBrowser } from './launch.js';
import { unpackWalkerRecords, type WalkerJob, type WalkerRecords } from '../../walks/walkers.js';
import { unpackPoolMeans, type ConvolveJob, type MixEntropyJob, type MixKernels, type MixKernelsInfo, type PoolMeansJob, type PoolMeansResult, type ScoreJob } from '../mix-kernels.js';
import type { EncodedTypedArray, MixKernelName, PageJob, PageMixingJob, PageMixOptions, PageSetup, PageWalkerJob } from './page.js';
import { LoopbackServer } from './server.js';

export interface BrowserBackendOptions {
  /** Which backend runs in the page (default webgpu). */
  backend?: 'webgpu' | 'gpujs';
  /** gpu.js mode in the page (default: gpu.js's choice, webgl2 where it works). */
  gpujsMode?: GpuJsMode;
  /** Fail rather than run on a software adapter (SwiftShader). */
  requireHardware?: boolean;
  /** Tighter limits than the device's, passed to the webgpu backend in the page. */
  limits?: Partial<PlanLimits>;
}

/** The page bundle sits in dist/: above the chunk this code was bundled into, beside a single bundle, or from source. */
function pageBundle(): string {
  const candidates = ['../browser-page.js', './browser-page.js', '../../../dist/browser-page.js'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new DeviceError(`anonscope/browser: the page bundle is missing (looked for ${candidates.join(', ')}); run npm run build`);
  return found;
}

const bytes = (view: ArrayBufferView) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

function decodeFloat64(base64: string): Float64Array {
  const buffer = Buffer.from(base64, 'base64');
  return new Float64Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
}

/**
 * A backend run inside headless Chromium: webgpu for machines where Node has no WebGPU
 * adapter, or gpujs in the browser's WebGL2. It starts the browser and a loopback server, serves the page bundle and each job's
 * arrays, runs the job in the page, streams progress back and returns the numbers. dispose()
 * always closes the browser and the server.
 */
export class BrowserBackend implements Backend {
  info: BackendInfo = { name: 'webgpu', precision: 'float32', runtime: 'browser' };
  private jobs = 0;
  private onProgress: EntropyJob['onProgress'];

  private constructor(
    private readonly server: LoopbackServer,
    private readonly browser: { close(): Promise<void> },
    private readonly page: Page,
  ) {}

  static async start(options: BrowserBackendOptions = {}): Promise<BrowserBackend> {
    const server = new LoopbackServer();
    server.set('/', { type: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>anonscope</title><script type="module" src="/page.js"></script>' });
    server.set('/page.js', { type: 'text/javascript', body: readFileSync(pageBundle()) });
    await server.start();
    let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
    try {
      browser = await launchBrowser({ requireHardware: options.requireHardware });
      const page = await browser.browser.newPage();
      const backend = new BrowserBackend(server, browser, page);
      await page.exposeFunction('anonscopeProgress', (done: number, total: number) => backend.onProgress?.(done, total));
      await page.goto(`${server.url}/`, { waitUntil: 'load' });
      await page.waitForFunction(() => window.anonscopeReady === true, { timeout: 30_000 });
      const setup: PageSetup = { backend: options.backend ?? 'webgpu', gpujsMode: options.gpujsMode, limits: options.limits };
      backend.info = await page.evaluate((s) => window.anonscopeInit(s), setup).catch((error: Error) => {
        throw new DeviceError(`anonscope/browser: in the browser: ${error.message}`, { cause: error });
      });
      const adapter = backend.info.adapter;
      if (options.requireHardware && adapter && isSoftwareAdapter(adapter)) {
        throw new DeviceError(`anonscope/browser: the browser's only adapter is a software one (${adapter.vendor} ${adapter.architecture}) and hardware was required`);
      }
      return backend;
    } catch (error) {
      await browser?.close();
      await server.close();
      throw error;
    }
  }

  /** Serve a job's arrays under /jobs/<id>/, run `inPage` on them, and always take them down. */
  private async withServedArrays<T>(arrays: [string, ArrayBufferView][], inPage: (id: string) => Promise<T>): Promise<T> {
    const id = String(++this.jobs);
    for (const [name, view] of arrays) this.server.set(`/jobs/${id}/${name}`, { type: 'application/octet-stream', body: bytes(view) });
    try {
      return await inPage(id).catch((error: Error) => {
        throw new DeviceError(`anonscope/browser: in the browser: ${error.message.replace(/^Error: /, '')}`, { cause: error });
      });
    } finally {
      for (const [name] of arrays) this.server.delete(`/jobs/${id}/${name}`);
    }
  }

  private walkArrays(walk: TransitionMatrix, terminals: Uint32Array, prior: Float64Array | undefined): [string, ArrayBufferView][] {
    const arrays: [string, ArrayBufferView][] = [
      ['rowPtr', walk.rowPtr],
      ['colIdx', walk.colIdx],
      ['values', walk.values],
      ['terminals', terminals],
    ];
    if (prior) arrays.push(['prior', prior]);
    return arrays;
  }

  private pageJob(id: string, walk: TransitionMatrix, hops: number, prior: Float64Array | undefined): PageJob {
    return { id, n: walk.n, hops, model: walk.model, lazy: walk.lazy, danglingNodes: walk.danglingNodes, hasPrior: !!prior };
  }

  async terminalEntropies(job: EntropyJob): Promise<EntropyTable> {
    this.onProgress = job.onProgress;
    const abort = () => void this.dispose();
    job.signal?.addEventListener('abort', abort);
    try {
      const result = await this.withServedArrays(this.walkArrays(job.walk, job.terminals, job.prior), (id) =>
        this.page.evaluate((pageJob) => window.anonscopeRun(pageJob), this.pageJob(id, job.walk, job.hops, job.prior)),
      ).catch((error) => {
        job.signal?.throwIfAborted();
        throw error;
      });
      this.info = result.info;
      return {
        hops: job.hops,
        terminals: job.terminals.length,
        shannon: decodeFloat64(result.shannon),
        minEntropy: decodeFloat64(result.minEntropy),
        log2Mass: decodeFloat64(result.log2Mass),
        reached: new Uint8Array(Buffer.from(result.reached, 'base64')),
      };
    } finally {
      job.signal?.removeEventListener('abort', abort);
      this.onProgress = undefined;
    }
  }

  async roundEntropies(job: RoundsJob): Promise<RoundsTable> {
    this.onProgress = job.onProgress;
    try {
      const result = await this.withServedArrays(this.walkArrays(job.walk, job.termini, job.prior), (id) =>
        this.page.evaluate((pageJob) => window.anonscopeRounds(pageJob), { ...this.pageJob(id, job.walk, job.hops, job.prior), rounds: job.rounds }),
      );
      return { shannon: decodeFloat64(result.shannon), minEntropy: decodeFloat64(result.minEntropy) };
    } finally {
      this.onProgress = undefined;
    }
  }

  async mixingDistances(job: MixingJob): Promise<MixingTable> {
    this.onProgress = job.onProgress;
    const arrays: [string, ArrayBufferView][] = [
      ['rowPtr', job.push.rowPtr],
      ['colIdx', job.push.colIdx],
      ['values', job.push.values],
      ['sources', job.sources],
      ['stationary', job.stationary],
    ];
    try {
      const result = await this.withServedArrays(arrays, (id) => {
        const spec: PageMixingJob = { id, n: job.push.n, hops: job.hops };
        return this.page.evaluate((pageJob) => window.anonscopeMixing(pageJob), spec);
      });
      this.info = result.info;
      return { hops: job.hops, sources: job.sources.length, tv: decodeFloat64(result.tv) };
    } finally {
      this.onProgress = undefined;
    }
  }

  async runWalkers(job: WalkerJob): Promise<WalkerRecords> {
    const arrays: [string, ArrayBufferView][] = [
      ['rowPtr', job.walk.rowPtr],
      ['colIdx', job.walk.colIdx],
      ['thresholds', job.thresholds],
      ['compromised', job.compromised],
      ['starts', job.starts],
    ];
    const packed = await this.withServedArrays(arrays, (id) => {
      const spec: PageWalkerJob = { id, n: job.walk.n, hops: job.hops, recordHop: job.recordHop, seed: job.seed, firstWalker: job.firstWalker ?? 0 };
      return this.page.evaluate((pageJob) => window.anonscopeWalkers(pageJob), spec);
    });
    const buffer = Buffer.from(packed, 'base64');
    return unpackWalkerRecords(new Uint32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength)), job.starts.length);
  }

  /**
   * Evaluate `inPage(arg)` in the page (it runs there: it may use only `window` and `arg`);
   * an exception there becomes a DeviceError.
   */
  async evaluate<A, T>(inPage: (arg: A) => T | Promise<T>, arg: A): Promise<T> {
    return (this.page.evaluate(inPage as never, arg as never) as Promise<T>).catch((error: Error) => {
      throw new DeviceError(`anonscope/browser: in the browser: ${error.message.replace(/^Error: /, '')}`, { cause: error });
    });
  }

  async dispose(): Promise<void> {
    await this.browser.close();
    await this.server.close();
  }
}

/** A mix job as JSON for the page: typed arrays as base64 of their bytes (see EncodedTypedArray). */
export function encodeMixJob(job: ConvolveJob | ScoreJob | MixEntropyJob | PoolMeansJob): string {
  return JSON.stringify(job, (_, value: unknown) => {
    if (value instanceof Float64Array || value instanceof Float32Array || value instanceof Uint32Array) {
      const encoded: EncodedTypedArray = {
        $typed: value instanceof Float64Array ? 'f64' : value instanceof Float32Array ? 'f32' : 'u32',
        base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'),
      };
      return encoded;
    }
    return value;
  });
}

/**
 * The mix kernels (webgpu/mix-kernels.ts or gpujs/mix-kernels.ts) run in the page of a started
 * BrowserBackend: WebGPU on the page's device, or gpu.js in the page's mode. Each call sends
 * the job's arrays as base64 and reads the Float64Array result back, so analyses run with
 * `kernels: BrowserMixKernels.on(backend)`. dispose() closes the browser only when these
 * kernels started it (BrowserMixKernels.start).
 */
export class BrowserMixKernels implements MixKernels {
  info: MixKernelsInfo;

  private constructor(
    private readonly backend: BrowserBackend,
    private readonly options: PageMixOptions,
    private readonly ownsBackend: boolean,
  ) {
    const kind = options.kind ?? (backend.info.name === 'gpujs' ? 'gpujs' : 'webgpu');
    this.info = { name: kind, precision: 'float32', runtime: kind === backend.info.name ? backend.info.runtime : 'browser', adapter: backend.info.adapter };
  }

  /** Run in the page of a started BrowserBackend: dispose leaves the browser to its owner. */
  static on(backend: BrowserBackend, options: PageMixOptions = {}): BrowserMixKernels {
    return new BrowserMixKernels(backend, options, false);
  }

  /** Start a browser for these kernels alone; dispose() closes it. */
  static async start(options: BrowserBackendOptions = {}, mixOptions: PageMixOptions = {}): Promise<BrowserMixKernels> {
    return new BrowserMixKernels(await BrowserBackend.start(options), mixOptions, true);
  }

  private async call(name: MixKernelName, job: ConvolveJob | ScoreJob | MixEntropyJob | PoolMeansJob): Promise<Float64Array> {
    const answer = await this.backend.evaluate(
      ([kernel, json, options]) => window.anonscopeMixKernel(kernel, json, options),
      [name, encodeMixJob(job), this.options] as [MixKernelName, string, PageMixOptions],
    );
    this.info = { ...answer.info, adapter: answer.info.adapter ?? this.info.adapter };
    return decodeFloat64(answer.result);
  }

  convolve(job: ConvolveJob): Promise<Float64Array> {
    return this.call('convolve', job);
  }

  scoreLinks(job: ScoreJob): Promise<Float64Array> {
    return this.call('scoreLinks', job);
  }

  mixEntropies(job: MixEntropyJob): Promise<Float64Array> {
    return this.call('mixEntropies', job);
  }

  async poolMeans(job: PoolMeansJob): Promise<PoolMeansResult> {
    return unpackPoolMeans(job, await this.call('poolMeans', job));
  }

  async dispose(): Promise<void> {
    if (this.ownsBackend) await this.backend.dispose();
  }
}
