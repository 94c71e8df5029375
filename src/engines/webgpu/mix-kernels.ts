import mixConvolveWgsl from '../../../shaders/mix-convolve.wgsl';
import mixEntropyWgsl from '../../../shaders/mix-entropy.wgsl';
import mixScoreWgsl from '../../../shaders/mix-score.wgsl';
import mixPoolMeansWgsl from '../../../shaders/mix-pool-means.wgsl';
import { dispatchSize } from '../gpu-plan/graph-plan.js';
import { GpuDevice } from './device.js';
import { KernelLayout } from './kernel-layout.js';
import { composeShader, SMALL_WORKGROUP } from './wgsl.js';
import { DeviceError } from '../../errors.js';
import {
  convolveChunkInput,
  convolveChunks,
  convolveShape,
  EntropyAccumulator,
  entropyBatches,
  kernelDensity,
  packetBins,
  poolMeansBatches,
  scoreBatches,
  storeConvolveChunk,
} from '../gpu-plan/mix-plan.js';
import { checkPoolMeansJob, type ConvolveJob, type MixEntropyJob, type MixKernels, type MixKernelsInfo, type PoolMeansJob, type PoolMeansResult, type ScoreJob } from '../mix-kernels.js';

const KERNELS = {
  'mix-convolve': new KernelLayout('mix-convolve', composeShader(mixConvolveWgsl)),
  'mix-score': new KernelLayout('mix-score', composeShader(mixScoreWgsl)),
  'mix-entropy': new KernelLayout('mix-entropy', composeShader(mixEntropyWgsl)),
  'mix-pool-means': new KernelLayout('mix-pool-means', composeShader(mixPoolMeansWgsl)),
} as const;
/** For the layout tests: every kernel of this engine. */
export const MIX_KERNELS: readonly KernelLayout[] = Object.values(KERNELS);
type KernelName = keyof typeof KERNELS;

/** Threads (outputs or work items) of one dispatch, and elements of one chunk: bounds each submission. */
const MAX_THREADS = 2 ** 22;

export interface WebGpuMixKernelsOptions {
  /** Tighter bounds than the device's (tests force chunking and 2-D dispatches with these). */
  maxBindingBytes?: number;
  maxWorkgroupsPerDimension?: number;
}

/**
 * The mix kernels as WGSL compute shaders over any GPUDevice (a browser's, or Dawn for Node):
 * float32 on the device, float64 on the host where it keeps the numbers exact (packet bins,
 * output − arrival differences, the sums of per-chunk partials). Each call cuts its job into
 * chunks that fit one binding and MAX_THREADS threads, runs each chunk as one submission and
 * waits for it; every buffer of a chunk is labelled and destroyed when it is read back.
 */
export class WebGpuMixKernels implements MixKernels {
  readonly info: MixKernelsInfo;

  private constructor(
    readonly gpu: GpuDevice,
    private readonly options: WebGpuMixKernelsOptions,
    private readonly ownsDevice: boolean,
  ) {
    this.info = { name: 'webgpu', precision: 'float32', runtime: gpu.runtime, adapter: gpu.adapter };
  }

  /** Request a device of `gpu` (navigator.gpu, Dawn's): the kernels own it and destroy it on dispose. */
  static async init(gpu: GPU, where: string, runtime: string, options: WebGpuMixKernelsOptions = {}): Promise<WebGpuMixKernels> {
    return new WebGpuMixKernels(await GpuDevice.request(gpu, where, runtime), options, true);
  }

  /** Run on a device someone else owns (shared with a WebGpuBackend, say): dispose leaves it alive. */
  static onDevice(gpu: GpuDevice, options: WebGpuMixKernelsOptions = {}): WebGpuMixKernels {
    return new WebGpuMixKernels(gpu, options, false);
  }

  private get device(): GPUDevice {
    return this.gpu.device;
  }

  /** Elements of one storage binding (f32 or u32), capped at MAX_THREADS. */
  private get maxElements(): number {
    const limits = this.device.limits;
    const bytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize, this.options.maxBindingBytes ?? Infinity);
    return Math.max(16, Math.min(MAX_THREADS, Math.floor(bytes / 16) * 4)); // whole 16-byte rows
  }

  private get maxGroups(): number {
    return Math.min(this.device.limits.maxComputeWorkgroupsPerDimension, this.options.maxWorkgroupsPerDimension ?? Infinity);
  }

  private pipeline(kernel: KernelName): GPUComputePipeline {
    return this.gpu.pipeline(kernel, () => {
      const module = this.device.createShaderModule({ label: `anonscope ${kernel}`, code: KERNELS[kernel].code });
      return this.device.createComputePipeline({ label: `anonscope ${kernel}`, layout: 'auto', compute: { module, entryPoint: 'main' } });
    });
  }

  /**
   * One chunk: upload `inputs` (by the shader's binding names), run `threads` threads of
   * `kernel` with its params (groupsX, the dispatch's, added), read back `outBytes` bytes of
   * the binding named `output`; `scratch` bindings (name → bytes) start zeroed on the device
   * and are never read back. Every buffer is destroyed before returning; validation and
   * out-of-memory errors become DeviceErrors.
   */
  private async run(
    kernel: KernelName,
    label: string,
    threads: number,
    params: Record<string, number>,
    inputs: Record<string, ArrayBufferView>,
    output: { name: string; bytes: number },
    scratch: Record<string, number> = {},
  ): Promise<ArrayBuffer> {
    const outBytes = output.bytes;
    this.gpu.throwIfLost();
    const device = this.device;
    const buffers: GPUBuffer[] = [];
    const make = (name: string, size: number, usage: GPUBufferUsageFlags, data?: ArrayBufferView | ArrayBuffer) => {
      const buffer = device.createBuffer({ label: `anonscope ${kernel} ${label} ${name}`, size: Math.max(16, Math.ceil(size / 16) * 16), usage, mappedAtCreation: !!data });
      if (data) {
        const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        new Uint8Array(buffer.getMappedRange()).set(bytes);
        buffer.unmap();
      }
      buffers.push(buffer);
      return buffer;
    };
    const [x, y] = dispatchSize(Math.ceil(threads / SMALL_WORKGROUP), this.maxGroups);
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let result: ArrayBuffer | undefined;
    let failure: unknown;
    try {
      const pipeline = this.pipeline(kernel);
      const uniform = KERNELS[kernel].params({ ...params, groupsX: x });
      const bound: Record<string, GPUBuffer> = { params: make('params', uniform.byteLength, GPUBufferUsage.UNIFORM, uniform) };
      for (const [name, data] of Object.entries(inputs)) bound[name] = make(name, data.byteLength, GPUBufferUsage.STORAGE, data);
      for (const [name, size] of Object.entries(scratch)) bound[name] = make(name, size, GPUBufferUsage.STORAGE);
      const written = (bound[output.name] = make(output.name, outBytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC));
      const readback = make('readback', outBytes, GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ);
      const group = device.createBindGroup({
        label: `anonscope ${kernel} ${label}`,
        layout: pipeline.getBindGroupLayout(0),
        entries: KERNELS[kernel].entries(bound),
      });
      const encoder = device.createCommandEncoder({ label: `anonscope ${kernel} ${label}` });
      const pass = encoder.beginComputePass({ label: `anonscope ${kernel} ${label}` });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(x, y);
      pass.end();
      encoder.copyBufferToBuffer(written, 0, readback, 0, readback.size);
      device.queue.submit([encoder.finish()]);
      await this.gpu.settle(device.queue.onSubmittedWorkDone());
      await this.gpu.settle(readback.mapAsync(GPUMapMode.READ, 0, readback.size));
      result = readback.getMappedRange(0, readback.size).slice(0, outBytes);
      readback.unmap();
    } catch (error) {
      failure = error;
    } finally {
      const validation = await device.popErrorScope().catch(() => null);
      const memory = await device.popErrorScope().catch(() => null);
      for (const buffer of buffers) buffer.destroy();
      if (memory) failure = new DeviceError(`anonscope/webgpu mix: out of GPU memory in ${kernel} (${label}): ${memory.message}`);
      else if (validation) failure = new DeviceError(`anonscope/webgpu mix: validation error in ${kernel} (${label}): ${validation.message}`);
    }
    if (failure !== undefined || !result) {
      if (failure instanceof DeviceError) throw failure;
      throw new DeviceError(`anonscope/webgpu mix: ${kernel} (${label}) failed: ${(failure as Error | undefined)?.message ?? 'no result'}`);
    }
    return result;
  }

  async convolve(job: ConvolveJob): Promise<Float64Array> {
    const { S, N, K } = convolveShape(job);
    const out = new Float64Array(S * N);
    if (K === 0) return out;
    const kernel = Float32Array.from(job.kernel.subarray(0, K));
    const chunks = convolveChunks(S, N, K, this.maxElements, 'anonscope/webgpu mix convolve');
    for (const [index, c] of chunks.entries()) {
      const widthOut = c.n1 - c.n0;
      const count = (c.r1 - c.r0) * widthOut;
      const params = { count, widthOut, widthIn: c.n1 - c.lo, n0: c.n0, lo: c.lo, taps: K, step: job.step };
      const inputs = { kernel, signals: convolveChunkInput(job, N, c) };
      const values = await this.run('mix-convolve', `chunk ${index}`, count, params, inputs, { name: 'out', bytes: count * 4 });
      storeConvolveChunk(out, N, c, new Float32Array(values));
    }
    return out;
  }

  async scoreLinks(job: ScoreJob): Promise<Float64Array> {
    const N = job.grid.length;
    const bins = packetBins(job);
    const max = this.maxElements;
    const batches = scoreBatches(job, bins, { maxSignalElements: max, maxBins: max, maxItems: Math.floor(max / 4) }, 'anonscope/webgpu mix scoreLinks');
    const scores = new Float64Array(job.pairSignal.length);
    for (const [index, batch] of batches.entries()) {
      const count = batch.itemPair.length;
      const signals = Float32Array.from(job.signals.subarray(batch.s0 * N, batch.s1 * N));
      const inputs = { items: batch.items, coefs: batch.coefs, bins: batch.bins, signals };
      const values = new Float32Array(await this.run('mix-score', `batch ${index}`, count, { count, N }, inputs, { name: 'partials', bytes: count * 4 }));
      for (let i = 0; i < count; i++) scores[batch.itemPair[i]] += values[i];
    }
    return scores;
  }

  async mixEntropies(job: MixEntropyJob): Promise<Float64Array> {
    const density = kernelDensity(job.density);
    const max = this.maxElements;
    const batches = entropyBatches(job, { maxArrivals: max, maxItems: Math.floor(max / 4) });
    const sums = new EntropyAccumulator(job.outputs.length);
    for (const [index, batch] of batches.entries()) {
      const count = batch.itemTrial.length;
      const [p0, p1, p2] = density.params;
      const params = { count, code: density.code, tableSize: density.tableSize, p0, p1, p2, extra: density.extra };
      const inputs = { items: batch.items, xs: batch.xs, edges: density.edges, logd: density.logDensity };
      const values = new Float32Array(await this.run('mix-entropy', `batch ${index}`, count, params, inputs, { name: 'out', bytes: count * 16 }));
      for (let i = 0; i < count; i++) sums.add(batch.itemTrial[i], values[4 * i], values[4 * i + 1], values[4 * i + 2]);
    }
    return sums.entropies();
  }

  async poolMeans(job: PoolMeansJob): Promise<PoolMeansResult> {
    const R = checkPoolMeansJob(job);
    const { columns, mixes, slots, marks } = job;
    const result: PoolMeansResult = { mass: new Float64Array(R * columns), plogp: new Float64Array(R * columns), marked: new Float64Array(R * marks * columns) };
    const stride = mixes + slots;
    for (const [index, { r0, r1, c0, c1 }] of poolMeansBatches(job, this.maxElements, 'anonscope/webgpu mix poolMeans').entries()) {
      const width = c1 - c0;
      const count = (r1 - r0) * width;
      const first = job.eventOffsets[r0];
      const inputs = {
        events: job.events.subarray(4 * first, 4 * job.eventOffsets[r1]),
        offsets: Uint32Array.from(job.eventOffsets.subarray(r0, r1 + 1), (o) => o - first),
      };
      const params = { count, columns: width, c0, stride, mixes, marks };
      const outBytes = (2 * count + (r1 - r0) * marks * width) * 4;
      const out = new Float32Array(await this.run('mix-pool-means', `batch ${index}`, count, params, inputs, { name: 'out', bytes: outBytes }, { scratch: (r1 - r0) * stride * width * 4 }));
      for (let r = r0; r < r1; r++) {
        for (let c = 0; c < width; c++) {
          const id = (r - r0) * width + c;
          result.mass[r * columns + c0 + c] = out[2 * id];
          result.plogp[r * columns + c0 + c] = out[2 * id + 1];
          for (let k = 0; k < marks; k++) result.marked[(r * marks + k) * columns + c0 + c] = out[2 * count + ((r - r0) * marks + k) * width + c];
        }
      }
    }
    return result;
  }

  dispose(): void {
    if (this.ownsDevice) this.gpu.destroy();
  }
}
