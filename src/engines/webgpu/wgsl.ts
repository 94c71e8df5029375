/**
 * WGSL composed, not copied: every kernel is its file under shaders/ preceded by the
 * constants it shares with the host (generated here from the TypeScript values, so no number
 * is written twice) and the shared chunks it calls (shaders/chunks/). The kernel file still
 * starts with its own header: what it computes, its bindings, its workgroup layout.
 */
import columnScaleWgsl from '../../../shaders/chunks/column-scale.wgsl';
import dispatchWgsl from '../../../shaders/chunks/dispatch.wgsl';
import spmmParamsWgsl from '../../../shaders/chunks/spmm-params.wgsl';
import { WORKGROUP } from '../gpu-plan/graph-plan.js';
import { NO_LOG } from '../gpu-plan/mix-plan.js';
import { DENSITY_CODES, NO_MARK, POOL_EVENT, SCORE_FLOOR } from '../mix-kernels.js';

/** Threads per workgroup of the kernels whose threads do little each (mix kernels, walkers, entropy-finish). */
export const SMALL_WORKGROUP = 64;

type Constant = { type: 'u32' | 'f32'; value: number };
const u32 = (value: number): Constant => ({ type: 'u32', value });
const f32 = (value: number): Constant => ({ type: 'f32', value });

/** The numbers the kernels and the host share, by their WGSL names. */
export const SHARED_CONSTANTS: Record<string, Constant> = {
  WORKGROUP: u32(WORKGROUP),
  SMALL_WORKGROUP: u32(SMALL_WORKGROUP),
  SCORE_FLOOR: f32(SCORE_FLOOR),
  LOG_SCORE_FLOOR: f32(Math.log(SCORE_FLOOR)),
  NO_LOG: f32(NO_LOG),
  DENSITY_EXP: u32(DENSITY_CODES.exp),
  DENSITY_UNIFORM: u32(DENSITY_CODES.uniform),
  DENSITY_ERLANG: u32(DENSITY_CODES.erlang),
  DENSITY_LOGNORMAL: u32(DENSITY_CODES.lognormal),
  DENSITY_PARETO: u32(DENSITY_CODES.pareto),
  POOL_INJECT: u32(POOL_EVENT.inject),
  POOL_ARRIVE: u32(POOL_EVENT.arrive),
  POOL_DEPART: u32(POOL_EVENT.depart),
  NO_MARK: u32(NO_MARK),
};

function literal({ type, value }: Constant): string {
  if (type === 'u32') return `${value}u`;
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** The constants chunk: one `const NAME: type = value;` per shared constant. */
export function constantsChunk(): string {
  const lines = Object.entries(SHARED_CONSTANTS).map(([name, c]) => `const ${name}: ${c.type} = ${literal(c)};`);
  return `// constants shared with the host, generated from TypeScript (src/engines/webgpu/wgsl.ts)\n${lines.join('\n')}\n`;
}

export const CHUNKS = { dispatch: dispatchWgsl, spmmParams: spmmParamsWgsl, columnScale: columnScaleWgsl } as const;
export type ChunkName = keyof typeof CHUNKS;

/** A kernel's full source: the constants, the chunks it names, then the kernel file. */
export function composeShader(kernel: string, chunks: readonly ChunkName[] = ['dispatch']): string {
  return [constantsChunk(), ...chunks.map((name) => CHUNKS[name]), kernel].join('\n');
}
