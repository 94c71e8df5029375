/**
 * The float64 reference engine, as the analyses see it: what an analysis runs on when its
 * caller names no engine. Analyses import this seam, never a concrete engine's module.
 */
import type { Backend } from './backend.js';
import { CpuBackend } from './cpu/cpu-backend.js';
import { cpuMixKernels } from './cpu/mix-kernels.js';
import type { MixKernels } from './mix-kernels.js';

/** A fresh float64 reference Backend (it holds no resources: dispose is a no-op). */
export function referenceBackend(): Backend {
  return new CpuBackend();
}

/** The float64 reference MixKernels. */
export const referenceMixKernels: MixKernels = cpuMixKernels;
