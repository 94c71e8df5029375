/**
 * A kernel's host-side layout read from its WGSL (webgpu-utils' reflection), so the host
 * fills uniforms and binds buffers by the names the shader gives them, never by position:
 * renaming or reordering a field or a binding in the shader cannot silently shift the data.
 */
import { makeShaderDataDefinitions, makeStructuredView, type ShaderDataDefinitions } from 'webgpu-utils';
import { DeviceError } from '../../errors.js';

/** Fields a host never sets: alignment padding. */
const PADDING = /^pad\d*$/;

export class KernelLayout {
  private definitions: ShaderDataDefinitions | undefined;

  constructor(
    readonly name: string,
    /** The composed WGSL source (wgsl.ts). */
    readonly code: string,
  ) {}

  /** The shader's reflection, read once, when first needed (it needs WebGPU's globals). */
  get layout(): ShaderDataDefinitions {
    this.definitions ??= makeShaderDataDefinitions(this.code);
    return this.definitions;
  }

  /** The binding names in binding order (the uniform `params` first). */
  get bindingNames(): string[] {
    const { uniforms, storages } = this.layout;
    return Object.entries({ ...uniforms, ...storages })
      .sort(([, a], [, b]) => a.binding - b.binding)
      .map(([name]) => name);
  }

  /** The names of the uniform `params` struct's fields the host must set (all but padding). */
  get paramFields(): string[] {
    const params = this.layout.uniforms.params;
    if (!params) return [];
    return Object.keys((params.typeDefinition as unknown as { fields: Record<string, unknown> }).fields).filter((f) => !PADDING.test(f));
  }

  /** The `params` uniform's bytes, every field set by name: a missing or unknown one is an error. */
  params(values: Record<string, number>): ArrayBuffer {
    const expected = this.paramFields;
    const given = Object.keys(values);
    const missing = expected.filter((f) => !(f in values));
    const unknown = given.filter((f) => !expected.includes(f));
    if (missing.length || unknown.length) {
      throw new DeviceError(`anonscope/webgpu: ${this.name} params: ${[missing.length ? `missing ${missing.join(', ')}` : '', unknown.length ? `not in the shader: ${unknown.join(', ')}` : ''].filter(Boolean).join('; ')}`);
    }
    const view = makeStructuredView(this.layout.uniforms.params);
    view.set(values);
    return view.arrayBuffer;
  }

  /** Bind-group entries from buffers named as the shader names its bindings; each one exactly once. */
  entries(buffers: Record<string, GPUBuffer>): GPUBindGroupEntry[] {
    const names = this.bindingNames;
    const missing = names.filter((n) => !(n in buffers));
    const unknown = Object.keys(buffers).filter((n) => !names.includes(n));
    if (missing.length || unknown.length) {
      throw new DeviceError(`anonscope/webgpu: ${this.name} bindings: ${[missing.length ? `missing ${missing.join(', ')}` : '', unknown.length ? `not in the shader: ${unknown.join(', ')}` : ''].filter(Boolean).join('; ')}`);
    }
    const { uniforms, storages } = this.layout;
    return names.map((name) => ({ binding: (uniforms[name] ?? storages[name]).binding, resource: { buffer: buffers[name] } }));
  }
}
