/** gpu.js's modes, in a module of their own so that naming one does not load gpu.js. */
export const GPUJS_MODES = ['gpu', 'webgl2', 'webgl', 'webgpu', 'headlessgl', 'webasm', 'cpu'] as const;
export type GpuJsMode = (typeof GPUJS_MODES)[number];
