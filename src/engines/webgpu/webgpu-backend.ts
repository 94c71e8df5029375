import entropyFinishWgsl from '../../../shaders/entropy-finish.wgsl';
import entropyPartialsWgsl from '../../../shaders/entropy-partials.wgsl';
import roundProductsWgsl from '../../../shaders/round-products.wgsl';
import spmmRowsWgsl from '../../../shaders/spmm-rows.wgsl';
import spmmSegmentSumWgsl from '../../../shaders/spmm-segment-sum.wgsl';
import spmmSegmentsWgsl from '../../../shaders/spmm-segments.wgsl';
import tvPartialsWgsl from '../../../shaders/tv-partials.wgsl';
import walkersWgsl from '../../../shaders/walkers.wgsl';
import { DeviceError } from '../../errors.js';
import { GpuDevice } from './device.js';
import { KernelLayout } from './kernel-layout.js';
import { composeShader, SMALL_WORKGROUP } from './wgsl.js';
import { unpackWalkerRecords, type WalkerJob, type WalkerRecords } from '../../walks/walkers.js';
import { entropiesFromSums } from '../../stats/entropy.js';
import {
  ColumnScales,
  createEntropyTable,
  storeEntropy,
  type Backend,
  type BackendInfo,
  type EntropyJob,
  type EntropyTable,
  type MixingJob,
  type MixingTable,
  type RoundsJob,
  type RoundsTable,
} from '../backend.js';
import { dispatchSize, ENTROPY_CHUNK_ROWS, makePlan, MAX_BATCH, WORKGROUP, type Plan, type PlanLimits } from '../gpu-plan/graph-plan.js';

/** Each kernel with the shared chunks it calls (the pull steps renormalise columns with columnScale). */
const KERNELS = {
  'spmm-rows': new KernelLayout('spmm-rows', composeShader(spmmRowsWgsl, ['dispatch', 'spmmParams', 'columnScale'])),
  'spmm-segments': new KernelLayout('spmm-segments', composeShader(spmmSegmentsWgsl, ['dispatch', 'spmmParams', 'columnScale'])),
  'spmm-segment-sum': new KernelLayout('spmm-segment-sum', composeShader(spmmSegmentSumWgsl, ['dispatch', 'spmmParams'])),
  'entropy-partials': new KernelLayout('entropy-partials', composeShader(entropyPartialsWgsl)),
  'entropy-finish': new KernelLayout('entropy-finish', composeShader(entropyFinishWgsl, [])),
  'tv-partials': new KernelLayout('tv-partials', composeShader(tvPartialsWgsl)),
  walkers: new KernelLayout('walkers', composeShader(walkersWgsl)),
  'round-products': new KernelLayout('round-products', composeShader(roundProductsWgsl)),
} as const;
/** For the layout tests: every kernel of this engine. */
export const GRAPH_KERNELS: readonly KernelLayout[] = Object.values(KERNELS);
type KernelName = keyof typeof KERNELS;

/** Work between two waits on the queue (nonzeros × terminals): bounds each submission. */
const WORK_PER_WAIT = 2 ** 27;

export interface WebGpuBackendOptions {
  /** Tighter limits than the device's (tests force batching and slabs with these). */
  limits?: Partial<PlanLimits>;
}

/**
 * The WGSL backend over any GPUDevice (browser or Dawn for Node). Per hop, one submission
 * runs the SpMM tiles then the two-stage entropy reduction; only B × 4 floats per hop come
 * back. It owns the pipelines (cached by kernel and batch size) and every buffer of a job,
 * destroyed when the job ends.
 */
export class WebGpuBackend implements Backend {
  readonly info: BackendInfo;

  private constructor(
    /** The device the backend runs on (other GPU work, e.g. the mix kernels, may share it). */
    readonly gpu: GpuDevice,
    private readonly options: WebGpuBackendOptions,
    private readonly ownsDevice: boolean,
  ) {
    this.info = { name: 'webgpu', precision: 'float32', adapter: gpu.adapter, runtime: gpu.runtime };
  }

  /** Request a device of `gpu` (navigator.gpu, Dawn's): the backend owns it and destroys it on dispose. */
  static async init(gpu: GPU, where: string, runtime: string, options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
    return new WebGpuBackend(await GpuDevice.request(gpu, where, runtime), options, true);
  }

  /** Run on a device someone else owns (shared with the mix kernels, say): dispose leaves it alive. */
  static onDevice(gpu: GpuDevice, options: WebGpuBackendOptions = {}): WebGpuBackend {
    return new WebGpuBackend(gpu, options, false);
  }

  private get device(): GPUDevice {
    return this.gpu.device;
  }

  get limits(): PlanLimits {
    const device = this.device.limits;
    const given = this.options.limits ?? {};
    return {
      maxStorageBufferBindingSize: Math.min(device.maxStorageBufferBindingSize, given.maxStorageBufferBindingSize ?? Infinity),
      maxBufferSize: Math.min(device.maxBufferSize, given.maxBufferSize ?? Infinity),
      maxBatch: Math.min(MAX_BATCH, given.maxBatch ?? 32),
    };
  }

  private pipeline(kernel: KernelName, batch: number, rounds = 0): GPUComputePipeline {
    const key = `${kernel}/B=${batch}/Z=${rounds}`;
    return this.gpu.pipeline(key, () => {
      const module = this.device.createShaderModule({ label: `anonscope ${kernel}`, code: KERNELS[kernel].code });
      const constants: Record<string, number> = kernel === 'walkers' ? {} : { B: batch };
      if (kernel === 'entropy-partials' || kernel === 'tv-partials' || kernel === 'round-products') constants.ROWS = ENTROPY_CHUNK_ROWS;
      if (kernel === 'round-products') constants.Z = rounds;
      return this.device.createComputePipeline({
        label: `anonscope ${key}`,
        layout: 'auto',
        compute: { module, entryPoint: 'main', constants },
      });
    });
  }

  async terminalEntropies(job: EntropyJob): Promise<EntropyTable> {
    this.gpu.throwIfLost();
    const T = job.terminals.length;
    let plan: Plan;
    try {
      plan = makePlan(job.walk, T, this.limits);
    } catch (error) {
      throw new DeviceError(`${(error as Error).message}: the graph is too large for this device`, { cause: error });
    }
    const gpuJob = new GpuJob(this.device, plan, job, 'entropy', (k, b, z) => this.pipeline(k, b, z), () => this.waitForQueue());
    try {
      return await gpuJob.run();
    } finally {
      gpuJob.destroy();
    }
  }

  async roundEntropies(job: RoundsJob): Promise<RoundsTable> {
    this.gpu.throwIfLost();
    // Whole samples per batch: B must be a power of two of at least Z columns.
    const limits = { ...this.limits, maxBatch: Math.max(this.limits.maxBatch, 2 ** Math.ceil(Math.log2(job.rounds))) };
    let plan: Plan;
    try {
      plan = makePlan(job.walk, job.termini.length, limits);
    } catch (error) {
      throw new DeviceError(`${(error as Error).message}: the graph is too large for this device`, { cause: error });
    }
    const columns: ColumnsJob = { terminals: job.termini, hops: job.hops, prior: job.prior, onProgress: job.onProgress };
    const gpuJob = new GpuJob(this.device, plan, columns, 'entropy', (k, b, z) => this.pipeline(k, b, z), () => this.waitForQueue());
    try {
      return await gpuJob.runRounds(job.rounds);
    } finally {
      gpuJob.destroy();
    }
  }

  /**
   * The same hops on Pᵀ, reduced by tv-partials (π in the prior's place) instead of
   * entropy-partials; its zero max lane leaves the columns unscaled.
   */
  async mixingDistances(job: MixingJob): Promise<MixingTable> {
    this.gpu.throwIfLost();
    let plan: Plan;
    try {
      plan = makePlan(job.push, job.sources.length, this.limits);
    } catch (error) {
      throw new DeviceError(`${(error as Error).message}: the graph is too large for this device`, { cause: error });
    }
    const columns: ColumnsJob = { terminals: job.sources, hops: job.hops, prior: job.stationary, onProgress: job.onProgress, signal: job.signal };
    const gpuJob = new GpuJob(this.device, plan, columns, 'tv', (k, b, z) => this.pipeline(k, b, z), () => this.waitForQueue());
    try {
      return await gpuJob.runMixing();
    } finally {
      gpuJob.destroy();
    }
  }

  /**
   * Walkers on the GPU, one thread per walker, in dispatches of at most 2^20 walkers so that
   * no submission runs long. The walk's arrays must each fit one storage binding.
   */
  async runWalkers(job: WalkerJob): Promise<WalkerRecords> {
    this.gpu.throwIfLost();
    const W = job.starts.length;
    const device = this.device;
    const bindingBytes = Math.min(this.limits.maxStorageBufferBindingSize, this.limits.maxBufferSize);
    const chunk = Math.min(W, 1 << 20);
    const largest = Math.max(job.walk.colIdx.byteLength, chunk * 20, job.walk.n * 4);
    if (largest > bindingBytes) {
      throw new DeviceError(`anonscope/webgpu: the walk's arrays (${largest} bytes) exceed one storage binding (${bindingBytes}); the walkers need them whole`);
    }
    const buffers: GPUBuffer[] = [];
    const make = (label: string, data: ArrayBufferView | number, usage: GPUBufferUsageFlags) => {
      const size = typeof data === 'number' ? data : data.byteLength;
      const buffer = device.createBuffer({ label: `anonscope walkers ${label}`, size: Math.max(16, Math.ceil(size / 4) * 4), usage, mappedAtCreation: typeof data !== 'number' });
      if (typeof data !== 'number') {
        new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        buffer.unmap();
      }
      buffers.push(buffer);
      return buffer;
    };
    const records = new Uint32Array(W * 5);
    try {
      device.pushErrorScope('out-of-memory');
      device.pushErrorScope('validation');
      const rowPtr = make('rowPtr', job.walk.rowPtr, GPUBufferUsage.STORAGE);
      const colIdx = make('colIdx', job.walk.colIdx, GPUBufferUsage.STORAGE);
      const thresholds = make('thresholds', job.thresholds, GPUBufferUsage.STORAGE);
      const compromised = make('compromised', Uint32Array.from(job.compromised), GPUBufferUsage.STORAGE);
      const output = make('records', chunk * 20, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
      const readback = make('readback', chunk * 20, GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ);
      const pipeline = this.pipeline('walkers', 0);
      for (let first = 0; first < W; first += chunk) {
        const count = Math.min(chunk, W - first);
        const [x, y] = dispatchSize(Math.ceil(count / SMALL_WORKGROUP), device.limits.maxComputeWorkgroupsPerDimension);
        // Walker ids continue across dispatches (firstWalker); starts and records are slices.
        const starts = make(`starts ${first}`, job.starts.subarray(first, first + count), GPUBufferUsage.STORAGE);
        const params = make(
          `params ${first}`,
          new Uint8Array(KERNELS.walkers.params({ walkers: count, hops: job.hops, recordHop: job.recordHop, seed: job.seed >>> 0, groupsX: x, firstWalker: (job.firstWalker ?? 0) + first })),
          GPUBufferUsage.UNIFORM,
        );
        const group = device.createBindGroup({
          label: `anonscope walkers ${first}`,
          layout: pipeline.getBindGroupLayout(0),
          entries: KERNELS.walkers.entries({ params, rowPtr, colIdx, thresholds, compromised, starts, records: output }),
        });
        const encoder = device.createCommandEncoder({ label: `anonscope walkers ${first}` });
        const pass = encoder.beginComputePass({ label: `anonscope walkers ${first}` });
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, group);
        pass.dispatchWorkgroups(x, y);
        pass.end();
        encoder.copyBufferToBuffer(output, 0, readback, 0, count * 20);
        device.queue.submit([encoder.finish()]);
        await this.waitForQueue();
        await readback.mapAsync(GPUMapMode.READ, 0, count * 20);
        records.set(new Uint32Array(readback.getMappedRange(0, count * 20)), first * 5);
        readback.unmap();
      }
      const validation = await device.popErrorScope();
      const memory = await device.popErrorScope();
      if (memory) throw new DeviceError(`anonscope/webgpu: out of GPU memory in the walkers: ${memory.message}`);
      if (validation) throw new DeviceError(`anonscope/webgpu: validation error in the walkers: ${validation.message}`);
    } finally {
      for (const buffer of buffers) buffer.destroy();
    }
    return unpackWalkerRecords(records, W);
  }

  /** Wait for submitted work, turning a lost device or an uncaptured error into a DeviceError. */
  waitForQueue(): Promise<void> {
    return this.gpu.waitForQueue();
  }

  dispose(): void {
    if (this.ownsDevice) this.gpu.destroy();
  }
}

interface TileResources {
  writes: boolean;
  rowSlab: number;
  columnSlab: number;
  shortCount: number;
  longCount: number;
  segmentCount: number;
  /** Bind groups by parity of the hop (which of the two blocks is the input). */
  rows: GPUBindGroup[];
  segments: GPUBindGroup[];
  segmentSum: GPUBindGroup[];
}

/**
 * What a GpuJob propagates: columns starting at e_j for the nodes j in `terminals`, and the
 * per-node vector its reduction reads (the prior of an entropy job, π of a mixing job).
 */
type ColumnsJob = Pick<EntropyJob, 'terminals' | 'hops' | 'prior' | 'onProgress' | 'signal'>;

/** The per-hop reduction of a GpuJob: entropy sums (entropy-partials) or TV to π (tv-partials). */
type ColumnReduction = 'entropy' | 'tv';

/** The buffers and bind groups of one job; destroyed together. */
class GpuJob {
  private readonly buffers: GPUBuffer[] = [];
  private readonly B: number;
  private readonly maxGroups: number;
  private tiles: TileResources[] = [];
  /** blocks[slab][parity]: the two n × B slabs the hops ping-pong between. */
  private blocks: GPUBuffer[][] = [];
  private entropyGroups: GPUBindGroup[][] = [];
  private finishGroup!: GPUBindGroup;
  private result!: GPUBuffer;
  private results!: GPUBuffer;
  private readback!: GPUBuffer;

  constructor(
    private readonly device: GPUDevice,
    private readonly plan: Plan,
    private readonly job: ColumnsJob,
    private readonly reduction: ColumnReduction,
    private readonly pipeline: (kernel: KernelName, batch: number, rounds?: number) => GPUComputePipeline,
    private readonly waitForQueue: () => Promise<void>,
  ) {
    this.B = plan.batch;
    this.maxGroups = device.limits.maxComputeWorkgroupsPerDimension;
  }

  private buffer(label: string, size: number, usage: GPUBufferUsageFlags, data?: ArrayBufferView): GPUBuffer {
    // Bindings may not be empty; round up to 16 bytes for uniforms and vec4 arrays.
    const bytes = Math.max(16, Math.ceil((data?.byteLength ?? size) / 4) * 4);
    const buffer = this.device.createBuffer({ label: `anonscope ${label}`, size: bytes, usage, mappedAtCreation: !!data });
    if (data) {
      new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      buffer.unmap();
    }
    this.buffers.push(buffer);
    return buffer;
  }

  private storage(label: string, data: ArrayBufferView): GPUBuffer {
    return this.buffer(label, data.byteLength, GPUBufferUsage.STORAGE, data);
  }

  /** `kernel`'s params uniform, its fields set by name. */
  private uniform(kernel: KernelName, label: string, fields: Record<string, number>): GPUBuffer {
    return this.buffer(label, 16, GPUBufferUsage.UNIFORM, new Uint8Array(KERNELS[kernel].params(fields)));
  }

  /** A bind group of `kernel`, its buffers named as the shader names its bindings. */
  private bindGroup(kernel: KernelName, label: string, buffers: Record<string, GPUBuffer>, rounds = 0): GPUBindGroup {
    return this.device.createBindGroup({
      label: `anonscope ${kernel} ${label}`,
      layout: this.pipeline(kernel, this.B, rounds).getBindGroupLayout(0),
      entries: KERNELS[kernel].entries(buffers),
    });
  }

  private groupsX(count: number): number {
    return dispatchSize(Math.ceil((count * this.B) / WORKGROUP), this.maxGroups)[0];
  }

  /** Upload the tiles and make every buffer and bind group, inside error scopes. */
  private async setUp(): Promise<void> {
    const { plan, B } = this;
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');

    this.blocks = plan.slabs.map((slab, s) =>
      [0, 1].map((parity) =>
        this.buffer(`block slab ${s} parity ${parity}`, (slab.end - slab.start) * B * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST),
      ),
    );
    const segmentPartial = this.buffer('segment partials', plan.maxSegments * B * 4, GPUBufferUsage.STORAGE);
    // Each hop's (S, T, M, X) per column; the next hop's pull step reads X to renormalise.
    this.result = this.buffer('entropy result', B * 16, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    this.tiles = plan.tiles.map((tile, t) => {
      const name = `tile ${t} (${tile.rowSlab},${tile.columnSlab})`;
      const rowPtr = this.storage(`${name} rowPtr`, tile.rowPtr);
      const colIdx = this.storage(`${name} colIdx`, tile.colIdx);
      const values = this.storage(`${name} values`, tile.values);
      const shortRows = this.storage(`${name} short rows`, tile.shortRows);
      const longRows = this.storage(`${name} long rows`, tile.longRows);
      const segPtr = this.storage(`${name} segPtr`, tile.segPtr);
      const segments = this.storage(`${name} segments`, tile.segments);
      const accumulate = tile.writes ? 0 : 1;
      const shortCount = tile.shortRows.length;
      const longCount = tile.longRows.length;
      const segmentCount = tile.segments.length / 2;
      const rowsParams = this.uniform('spmm-rows', `${name} rows params`, { count: shortCount, accumulate, groupsX: this.groupsX(shortCount) });
      const segParams = this.uniform('spmm-segments', `${name} segments params`, { count: segmentCount, accumulate: 0, groupsX: this.groupsX(segmentCount) });
      const sumParams = this.uniform('spmm-segment-sum', `${name} segment-sum params`, { count: longCount, accumulate, groupsX: this.groupsX(longCount) });
      const input = (parity: number) => this.blocks[tile.columnSlab][parity];
      const output = (parity: number) => this.blocks[tile.rowSlab][1 - parity];
      return {
        writes: tile.writes,
        rowSlab: tile.rowSlab,
        columnSlab: tile.columnSlab,
        shortCount,
        longCount,
        segmentCount,
        rows: [0, 1].map((p) =>
          this.bindGroup('spmm-rows', `${name} parity ${p}`, {
            params: rowsParams, rowPtr, colIdx, values, rows: shortRows, xIn: input(p), xOut: output(p), totals: this.result,
          }),
        ),
        segments: [0, 1].map((p) =>
          this.bindGroup('spmm-segments', `${name} parity ${p}`, {
            params: segParams, segments, colIdx, values, xIn: input(p), partial: segmentPartial, totals: this.result,
          }),
        ),
        segmentSum: [0, 1].map((p) =>
          this.bindGroup('spmm-segment-sum', `${name} parity ${p}`, { params: sumParams, rows: longRows, segPtr, partial: segmentPartial, xOut: output(p) }),
        ),
      };
    });

    const partials = this.buffer('entropy partials', plan.totalChunks * B * 16, GPUBufferUsage.STORAGE);
    this.entropyGroups = plan.slabs.map((slab, s) => {
      const rows = slab.end - slab.start;
      const groupsX = this.groupsX(plan.chunks[s]);
      // The block that holds hop h is blocks[s][h % 2].
      if (this.reduction === 'tv') {
        const stationary = this.storage(`stationary slab ${s}`, Float32Array.from(this.job.prior!.subarray(slab.start, slab.end)));
        const params = this.uniform('tv-partials', `tv params slab ${s}`, { rows, groupsX, base: plan.chunkBase[s] });
        return [0, 1].map((parity) => this.bindGroup('tv-partials', `slab ${s} parity ${parity}`, { params, x: this.blocks[s][parity], stationary, partials }));
      }
      const prior = this.job.prior
        ? this.storage(`prior slab ${s}`, Float32Array.from(this.job.prior.subarray(slab.start, slab.end)))
        : this.buffer(`no prior slab ${s}`, 16, GPUBufferUsage.STORAGE);
      const params = this.uniform('entropy-partials', `entropy params slab ${s}`, { rows, usePrior: this.job.prior ? 1 : 0, groupsX, base: plan.chunkBase[s] });
      return [0, 1].map((parity) =>
        this.bindGroup('entropy-partials', `slab ${s} parity ${parity}`, { params, x: this.blocks[s][parity], prior, partials }),
      );
    });
    this.finishGroup = this.bindGroup('entropy-finish', 'all slabs', {
      params: this.uniform('entropy-finish', 'entropy-finish params', { chunks: plan.totalChunks }),
      partials,
      result: this.result,
    });
    const resultBytes = this.job.hops * B * 16;
    this.results = this.buffer('entropy results per hop', resultBytes, GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    this.readback = this.buffer('entropy readback', resultBytes, GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ);

    const validation = await this.device.popErrorScope();
    const memory = await this.device.popErrorScope();
    if (memory) throw new DeviceError(`anonscope/webgpu: out of GPU memory while uploading the walk: ${memory.message}`);
    if (validation) throw new DeviceError(`anonscope/webgpu: validation error while setting up: ${validation.message}`);
  }

  private dispatch(pass: GPUComputePassEncoder, kernel: KernelName, group: GPUBindGroup, count: number): void {
    if (count === 0) return;
    pass.setPipeline(this.pipeline(kernel, this.B));
    pass.setBindGroup(0, group);
    const [x, y] = dispatchSize(Math.ceil((count * this.B) / WORKGROUP), this.maxGroups);
    pass.dispatchWorkgroups(x, y);
  }

  /** One hop: x ← P x for every slab, then the reduction (entropy or TV) of the new block. */
  private encodeHop(encoder: GPUCommandEncoder, hop: number): void {
    const parity = (hop - 1) % 2; // blocks[·][parity] holds hop - 1
    const pass = encoder.beginComputePass({ label: `anonscope hop ${hop}` });
    for (const tile of this.tiles) {
      this.dispatch(pass, 'spmm-rows', tile.rows[parity], tile.shortCount);
      this.dispatch(pass, 'spmm-segments', tile.segments[parity], tile.segmentCount);
      this.dispatch(pass, 'spmm-segment-sum', tile.segmentSum[parity], tile.longCount);
    }
    this.plan.slabs.forEach((_, s) => {
      const chunks = this.plan.chunks[s];
      pass.setPipeline(this.pipeline(this.reduction === 'tv' ? 'tv-partials' : 'entropy-partials', this.B));
      pass.setBindGroup(0, this.entropyGroups[s][1 - parity]);
      const [x, y] = dispatchSize(Math.ceil((chunks * this.B) / WORKGROUP), this.maxGroups);
      pass.dispatchWorkgroups(x, y);
    });
    pass.setPipeline(this.pipeline('entropy-finish', this.B));
    pass.setBindGroup(0, this.finishGroup);
    pass.dispatchWorkgroups(Math.ceil(this.B / SMALL_WORKGROUP));
    pass.end();
    encoder.copyBufferToBuffer(this.result, 0, this.results, (hop - 1) * this.B * 16, this.B * 16);
  }

  /**
   * Columns of P^t for one batch (column b starts at e_{nodes[b]}), every hop reduced to
   * per-column (Σy, Σy log2 y, max y, max x), each hop's columns renormalised on the GPU by
   * the previous hop's max x; returns those sums, hop-major, B × 4 per hop. The final block
   * stays in blocks[·][hops % 2].
   */
  private async propagate(nodes: Uint32Array, progress: (columns: number) => void): Promise<Float32Array> {
    const { job, plan, B } = this;
    const { hops } = job;
    const nonzeros = plan.tiles.reduce((sum, t) => sum + t.colIdx.length, 0);
    const hopsPerWait = Math.max(1, Math.floor(WORK_PER_WAIT / Math.max(1, nonzeros * B)));
    const encoder = this.device.createCommandEncoder({ label: 'anonscope batch start' });
    for (const slab of this.blocks) encoder.clearBuffer(slab[0]);
    encoder.clearBuffer(this.result); // no renormalisation before the first hop
    this.device.queue.submit([encoder.finish()]);
    nodes.forEach((node, b) => {
      const s = plan.slabs.findIndex((slab) => node < slab.end);
      this.device.queue.writeBuffer(this.blocks[s][0], ((node - plan.slabs[s].start) * B + b) * 4, Float32Array.of(1));
    });
    for (let hop = 1; hop <= hops; hop++) {
      job.signal?.throwIfAborted();
      this.device.pushErrorScope('validation');
      const hopEncoder = this.device.createCommandEncoder({ label: `anonscope hop ${hop}` });
      this.encodeHop(hopEncoder, hop);
      this.device.queue.submit([hopEncoder.finish()]);
      const error = await this.device.popErrorScope();
      if (error) throw new DeviceError(`anonscope/webgpu: validation error at hop ${hop}: ${error.message}`);
      if (hop % hopsPerWait === 0 || hop === hops) {
        await this.waitForQueue();
        progress(nodes.length * hop);
      }
    }
    return this.read(this.results, hops * B * 16);
  }

  private async read(source: GPUBuffer, bytes: number): Promise<Float32Array> {
    const copy = this.device.createCommandEncoder({ label: 'anonscope readback' });
    copy.copyBufferToBuffer(source, 0, this.readback, 0, bytes);
    this.device.queue.submit([copy.finish()]);
    await this.waitForQueue();
    await this.readback.mapAsync(GPUMapMode.READ, 0, bytes);
    const values = new Float32Array(this.readback.getMappedRange(0, bytes).slice(0));
    this.readback.unmap();
    return values;
  }

  async run(): Promise<EntropyTable> {
    await this.setUp();
    const { job, B } = this;
    const T = job.terminals.length;
    const { hops } = job;
    const table = createEntropyTable(hops, T);
    // The host replays the GPU's renormalisation from the same max x to keep log2 of the scale.
    const scales = new ColumnScales(B);
    for (let first = 0; first < T; first += B) {
      const nodes = job.terminals.subarray(first, Math.min(T, first + B));
      const sums = await this.propagate(nodes, (done) => job.onProgress?.(first * hops + done, hops * T));
      scales.reset();
      for (let hop = 1; hop <= hops; hop++) {
        for (let b = 0; b < nodes.length; b++) {
          const at = ((hop - 1) * B + b) * 4;
          storeEntropy(table, hop, first + b, entropiesFromSums(sums[at], sums[at + 1], sums[at + 2]), scales.shift[b], sums[at + 3]);
          scales.renormalise(b, sums[at + 3]);
        }
      }
    }
    return table;
  }

  /** TV distances per source and hop: the first lane of each hop's reduced sums. */
  async runMixing(): Promise<MixingTable> {
    await this.setUp();
    const { job, B } = this;
    const K = job.terminals.length;
    const { hops } = job;
    const tv = new Float64Array(hops * K);
    for (let first = 0; first < K; first += B) {
      const nodes = job.terminals.subarray(first, Math.min(K, first + B));
      const sums = await this.propagate(nodes, (done) => job.onProgress?.(first * hops + done, hops * K));
      for (let hop = 1; hop <= hops; hop++) {
        for (let b = 0; b < nodes.length; b++) tv[(hop - 1) * K + first + b] = sums[((hop - 1) * B + b) * 4];
      }
    }
    return { hops, sources: K, tv };
  }

  /**
   * Entropy after 1..Z independent rounds (job.terminals holds each sample's Z termini):
   * the batch carries whole samples, and after the last hop round-products multiplies each
   * sample's columns, scaled by their maxima, before the usual finish.
   */
  async runRounds(Z: number): Promise<{ shannon: Float64Array; minEntropy: Float64Array }> {
    await this.setUp();
    const { job, plan, B } = this;
    const samplesPerBatch = Math.floor(B / Z);
    if (samplesPerBatch < 1) throw new DeviceError(`anonscope/webgpu: ${Z} rounds do not fit one batch of ${B} columns`);
    const T = job.terminals.length;
    const shannon = new Float64Array(T);
    const minEntropy = new Float64Array(T);
    const scale = this.buffer('round scales', B * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    const partials = this.buffer('round partials', plan.totalChunks * B * 16, GPUBufferUsage.STORAGE);
    const pipeline = this.pipeline('round-products', B, Z);
    const groups = plan.slabs.map((slab, s) => {
      const prior = this.job.prior
        ? this.storage(`round prior slab ${s}`, Float32Array.from(this.job.prior.subarray(slab.start, slab.end)))
        : this.buffer(`round no prior slab ${s}`, 16, GPUBufferUsage.STORAGE);
      const params = this.uniform('round-products', `round params slab ${s}`, {
        rows: slab.end - slab.start, usePrior: this.job.prior ? 1 : 0, groupsX: this.groupsX(plan.chunks[s]), base: plan.chunkBase[s],
      });
      return this.bindGroup('round-products', `slab ${s}`, { params, x: this.blocks[s][job.hops % 2], prior, scale, partials }, Z);
    });
    const finish = this.bindGroup('entropy-finish', 'rounds', {
      params: this.uniform('entropy-finish', 'round finish params', { chunks: plan.totalChunks }),
      partials,
      result: this.result,
    });
    for (let first = 0; first < T; first += samplesPerBatch * Z) {
      const nodes = job.terminals.subarray(first, Math.min(T, first + samplesPerBatch * Z));
      const sums = await this.propagate(nodes, (done) => job.onProgress?.(first * job.hops + done, job.hops * T));
      const last = (job.hops - 1) * B * 4;
      this.device.queue.writeBuffer(scale, 0, Float32Array.from({ length: B }, (_, b) => (sums[last + b * 4 + 2] > 0 ? 1 / sums[last + b * 4 + 2] : 0)));
      const encoder = this.device.createCommandEncoder({ label: 'anonscope rounds' });
      const pass = encoder.beginComputePass({ label: 'anonscope rounds' });
      plan.slabs.forEach((_, s) => {
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, groups[s]);
        const [x, y] = dispatchSize(Math.ceil((plan.chunks[s] * B) / WORKGROUP), this.maxGroups);
        pass.dispatchWorkgroups(x, y);
      });
      pass.setPipeline(this.pipeline('entropy-finish', B));
      pass.setBindGroup(0, finish);
      pass.dispatchWorkgroups(Math.ceil(B / SMALL_WORKGROUP));
      pass.end();
      this.device.queue.submit([encoder.finish()]);
      const rounds = await this.read(this.result, B * 16);
      for (let b = 0; b < nodes.length; b++) {
        const e = entropiesFromSums(rounds[b * 4], rounds[b * 4 + 1], rounds[b * 4 + 2]);
        shannon[first + b] = e.shannon;
        minEntropy[first + b] = e.minEntropy;
      }
    }
    return { shannon, minEntropy };
  }

  destroy(): void {
    for (const buffer of this.buffers) buffer.destroy();
    this.buffers.length = 0;
  }
}
