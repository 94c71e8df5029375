import { ParameterError } from '../errors.js';
import type { Backend } from './backend.js';
import { CpuBackend } from './cpu/cpu-backend.js';

export type { Backend, BackendInfo, EntropyJob, EntropyTable } from './backend.js';
export { CpuBackend } from './cpu/cpu-backend.js';

export const BACKEND_NAMES = ['auto', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface CreateBackendOptions {
  /** Where to say which backend was picked and why others were skipped. */
  log?: (message: string) => void;
}

/** The backend by name; `auto` picks the best one that works here. */
export async function createBackend(name: BackendName, options: CreateBackendOptions = {}): Promise<Backend> {
  switch (name) {
    case 'cpu':
      return new CpuBackend();
    case 'auto':
      options.log?.('backend: cpu (float64 reference; no GPU backend is built in yet)');
      return new CpuBackend();
    default:
      throw new ParameterError(`anonscope: unknown backend "${name}" (expected ${BACKEND_NAMES.join(', ')})`);
  }
}
