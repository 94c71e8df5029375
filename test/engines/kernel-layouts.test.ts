/**
 * The WGSL kernels as the host sees them: composed sources that reflect (webgpu-utils), the
 * uniforms filled by field name at the shader's own offsets, bindings matched by name, and
 * the shared numbers written once (in TypeScript) rather than again in a shader.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KernelLayout } from '../../src/engines/webgpu/kernel-layout.js';

const SHADERS = resolve(dirname(fileURLToPath(import.meta.url)), '../../shaders');
let kernels: readonly KernelLayout[] = [];
let wgsl: typeof import('../../src/engines/webgpu/wgsl.js');

beforeAll(async () => {
  // webgpu-utils' reflection reads WebGPU's GPUShaderStage flags (a browser global; Dawn sets them in Node).
  (globalThis as { GPUShaderStage?: object }).GPUShaderStage ??= { VERTEX: 1, FRAGMENT: 2, COMPUTE: 4 };
  const graph = await import('../../src/engines/webgpu/webgpu-backend.js');
  const mix = await import('../../src/engines/webgpu/mix-kernels.js');
  wgsl = await import('../../src/engines/webgpu/wgsl.js');
  kernels = [...graph.GRAPH_KERNELS, ...mix.MIX_KERNELS];
});

describe('WGSL kernels and their host layouts', () => {
  it('every kernel file under shaders/ is composed into one kernel, and each reflects with a params uniform at binding 0', () => {
    const files = readdirSync(SHADERS).filter((f) => f.endsWith('.wgsl')).map((f) => f.replace(/\.wgsl$/, ''));
    expect(kernels.map((k) => k.name).sort()).toEqual(files.sort());
    for (const kernel of kernels) {
      expect(kernel.bindingNames[0], kernel.name).toBe('params');
      const bindings = kernel.bindingNames.map((name) => (kernel.layout.uniforms[name] ?? kernel.layout.storages[name]).binding);
      expect(bindings, kernel.name).toEqual(bindings.map((_, i) => i)); // 0..n-1, none skipped
      expect(kernel.paramFields.length, kernel.name).toBeGreaterThan(0);
    }
  });

  it('params() puts each field at the offset the shader declares, whatever order the host writes them in', () => {
    const entropy = kernels.find((k) => k.name === 'mix-entropy')!;
    // Fields given in reverse order: u32 count..tableSize at bytes 0..15, f32 p0..extra at 16..31.
    const bytes = entropy.params({ extra: 0.5, p2: -2.25, p1: 3, p0: 1.5, tableSize: 9, groupsX: 7, code: 4, count: 11 });
    expect([...new Uint32Array(bytes, 0, 4)]).toEqual([11, 4, 7, 9]);
    expect([...new Float32Array(bytes, 16, 4)]).toEqual([1.5, 3, -2.25, 0.5]);
    const convolve = kernels.find((k) => k.name === 'mix-convolve')!;
    const view = new DataView(convolve.params({ step: 0.25, taps: 6, lo: 5, n0: 4, widthIn: 3, widthOut: 2, count: 1, groupsX: 8 }));
    expect(view.getFloat32(28, true)).toBe(0.25); // the 8th field, a f32 after seven u32
    expect(view.getUint32(24, true)).toBe(8);
  });

  it('params() and entries() refuse a name the shader does not have, or a field or binding left out', () => {
    const rows = kernels.find((k) => k.name === 'spmm-rows')!;
    expect(() => rows.params({ count: 1, accumulate: 0 })).toThrow(/spmm-rows params: missing groupsX/);
    expect(() => rows.params({ count: 1, accumulate: 0, groupsX: 1, rows: 3 })).toThrow(/not in the shader: rows/);
    const fake = {} as GPUBuffer;
    const all = Object.fromEntries(rows.bindingNames.map((n) => [n, fake]));
    expect(rows.entries(all).map((e) => e.binding)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const { totals: _left, ...missing } = all;
    expect(() => rows.entries(missing)).toThrow(/spmm-rows bindings: missing totals/);
    expect(() => rows.entries({ ...all, x: fake })).toThrow(/not in the shader: x/);
  });

  it('the shared numbers come from TypeScript: the constants chunk holds them, no kernel file repeats them', () => {
    const chunk = wgsl.constantsChunk();
    for (const [name, { type, value }] of Object.entries(wgsl.SHARED_CONSTANTS)) {
      const match = new RegExp(`const ${name}: ${type} = ([^;]+);`).exec(chunk);
      expect(match, name).not.toBeNull();
      expect(Number(match![1].replace(/u$/, '')), name).toBeCloseTo(value, 6);
    }
    for (const file of readdirSync(SHADERS).filter((f) => f.endsWith('.wgsl'))) {
      const code = readFileSync(join(SHADERS, file), 'utf8').replace(/\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/@workgroup_size\(\d/); // WORKGROUP or SMALL_WORKGROUP
      expect(code, file).not.toMatch(/\bconst [A-Z_]+: (u32|f32) = /); // constants live in wgsl.ts
      expect(code, file).not.toMatch(/\bcase \d+u:/); // density codes are named
    }
  });
});
