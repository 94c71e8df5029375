import { DeviceError } from '../../errors.js';
import { requestDevice, WebGpuBackend, type WebGpuBackendOptions } from './webgpu-backend.js';

/**
 * WebGPU in Node through Dawn (the `webgpu` package). Dawn needs a Vulkan loader and driver
 * the process can find when it starts (LD_LIBRARY_PATH / VK_ICD_FILENAMES are read at load
 * time): present on machines with a GPU driver, absent on plain CPU machines, where this
 * returns a DeviceError and the browser runtime is the way to WebGPU.
 */
export async function createNodeWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  let gpu: GPU;
  try {
    const dawn = await import('webgpu');
    Object.assign(globalThis, dawn.globals); // GPUBufferUsage, GPUMapMode, … as in a browser
    gpu = dawn.create([]);
  } catch (error) {
    throw new DeviceError(`anonscope/webgpu: Dawn for Node (npm "webgpu") did not load: ${(error as Error).message}`);
  }
  const { device, adapter } = await requestDevice(gpu, 'Dawn for Node');
  return new WebGpuBackend(device, adapter, { ...options, runtime: 'node', ownsDevice: true });
}

/** Software adapters (SwiftShader, llvmpipe/lavapipe) emulate a GPU on the CPU. */
export function isSoftwareAdapter(adapter: { vendor: string; architecture: string; description: string }): boolean {
  return /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i.test(
    `${adapter.vendor} ${adapter.architecture} ${adapter.description}`,
  );
}
