import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DeviceError } from '../../errors.js';

/**
 * WebGPU in Node through Dawn (the `webgpu` package): its GPU object, to request devices
 * from. Dawn needs a Vulkan loader and driver the process can find when it starts
 * (LD_LIBRARY_PATH / VK_ICD_FILENAMES are read at load time): present on machines with a GPU
 * driver, absent on plain CPU machines, where this throws a DeviceError and the browser
 * runtime is the way to WebGPU.
 */
export async function dawnGpu(): Promise<GPU> {
  if (process.platform === 'linux' && !vulkanLoaderFound()) {
    // Dawn would only print "Couldn't load Vulkan" and find no adapter.
    throw new DeviceError('anonscope/webgpu: Dawn for Node has no WebGPU adapter: no Vulkan loader (libvulkan.so.1) on this machine');
  }
  try {
    const dawn = await import('webgpu');
    Object.assign(globalThis, dawn.globals); // GPUBufferUsage, GPUMapMode, … as in a browser
    return dawn.create([]);
  } catch (error) {
    throw new DeviceError(`anonscope/webgpu: Dawn for Node (npm "webgpu") did not load: ${(error as Error).message}`, { cause: error });
  }
}

/** Where Dawn's adapter errors say the GPU is. */
export const DAWN = 'Dawn for Node';

/** Whether the dynamic loader can find libvulkan.so.1: LD_LIBRARY_PATH, then ldconfig's cache. */
function vulkanLoaderFound(): boolean {
  const library = 'libvulkan.so.1';
  const paths = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  if (paths.some((dir) => existsSync(join(dir, library)))) return true;
  try {
    return execFileSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes(library);
  } catch {
    return ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'].some((dir) => existsSync(join(dir, library)));
  }
}
