/**
 * The device layer every WebGPU kernel of anonscope stands on: the adapter's description,
 * requesting a device with the adapter's own storage limits, watching it for loss and
 * uncaptured errors, and the pipeline cache. Whoever requests a GpuDevice owns it and
 * destroys it; a GpuDevice wrapped around someone else's GPUDevice never destroys it.
 */
import { DeviceError } from '../../errors.js';

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

export function describeAdapter(info: GPUAdapterInfo | undefined): AdapterDescription {
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
  };
}

/** The adapter as one line: vendor, architecture, description. */
export function adapterName(adapter: AdapterDescription): string {
  return [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ');
}

/** Software adapters (SwiftShader, llvmpipe/lavapipe) emulate a GPU on the CPU. */
export function isSoftwareAdapter(adapter: AdapterDescription): boolean {
  return /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i.test(
    `${adapter.vendor} ${adapter.architecture} ${adapter.description}`,
  );
}

export class GpuDevice {
  private lost: GPUDeviceLostInfo | undefined;
  private readonly lostPromise: Promise<never>;
  private uncaptured: GPUError | undefined;
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  private constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterDescription,
    /** Where it runs, for the output: 'node', 'browser', 'browser worker'. */
    readonly runtime: string | undefined,
    private readonly owned: boolean,
  ) {
    this.lostPromise = device.lost.then((info) => {
      this.lost = info;
      throw this.lostError();
    });
    this.lostPromise.catch(() => {}); // observed where it matters: in settle()
    device.addEventListener('uncapturederror', (event) => {
      this.uncaptured ??= (event as GPUUncapturedErrorEvent).error;
    });
  }

  /**
   * Request a device of `gpu` (navigator.gpu, or Dawn's) with the adapter's own storage
   * limits (the defaults, 128 MiB per binding, are far below what GPUs offer). The result
   * owns the device. `where` names the GPU in the error when there is no adapter.
   */
  static async request(gpu: GPU, where: string, runtime?: string): Promise<GpuDevice> {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new DeviceError(`anonscope/webgpu: ${where} has no WebGPU adapter`);
    const device = await adapter.requestDevice({
      label: 'anonscope',
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
    return new GpuDevice(device, describeAdapter(adapter.info), runtime, true);
  }

  /** Borrow a device someone else requested: destroy() leaves it alive. */
  static fromDevice(device: GPUDevice, adapter: AdapterDescription, runtime?: string): GpuDevice {
    return new GpuDevice(device, adapter, runtime, false);
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** The compute pipeline cached under `key`, made by `make` the first time. */
  pipeline(key: string, make: () => GPUComputePipeline): GPUComputePipeline {
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = make();
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  throwIfLost(): void {
    if (this.lost) throw this.lostError();
  }

  /** `promise`, or a DeviceError as soon as the device is lost. */
  settle<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.lostPromise]);
  }

  /** Wait for submitted work, turning a lost device or an uncaptured error into a DeviceError. */
  async waitForQueue(): Promise<void> {
    await this.settle(this.device.queue.onSubmittedWorkDone());
    this.throwIfLost();
    const error = this.uncaptured;
    if (error) {
      this.uncaptured = undefined;
      throw new DeviceError(`anonscope/webgpu: ${error.constructor.name}: ${error.message}`, { cause: error });
    }
  }

  /** Drop the pipelines; destroy the device only when this GpuDevice requested it. */
  destroy(): void {
    this.pipelines.clear();
    if (this.owned) this.device.destroy();
  }

  private lostError(): DeviceError {
    const info = this.lost!;
    return new DeviceError(`anonscope/webgpu: the GPU device was lost (${info.reason}): ${info.message}`, { cause: info });
  }
}
