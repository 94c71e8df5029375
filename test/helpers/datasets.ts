import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The shared real data sets sit beside the project; a fresh clone has none. */
export const DATASETS = join(import.meta.dirname, '../../../shared/datasets');
export const haveDatasets = existsSync(DATASETS);
export const datasetsSkipReason = `skipped: ${DATASETS} is absent (the shared data sets are not part of a clone)`;

export function dataset(path: string): string {
  return join(DATASETS, path);
}
