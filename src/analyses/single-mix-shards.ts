import { FormatError } from '../errors.js';
import { SHARD_FILE_FORMAT, SHARD_FILE_VERSION, type ShardFile } from './shard-file.js';
import type { SingleMixJob, SingleMixShard } from './single-mix.js';

/** Single-mix shards as shard files: the job, and each trial's entropy as the column "entropy". */

export const MIX_SHARD_KIND = 'mix';

export function singleMixShardFile({ job, shard, first, entropies }: SingleMixShard): ShardFile {
  return {
    format: SHARD_FILE_FORMAT,
    version: SHARD_FILE_VERSION,
    kind: MIX_SHARD_KIND,
    job: { ...job },
    shard,
    items: { total: job.trials, first, count: entropies.length },
    columns: { entropy: entropies },
  };
}

/** A shard file's single-mix shard; errors name `file`. */
export function singleMixShardOfFile({ job, shard, items, columns }: ShardFile, file: string): SingleMixShard {
  const entropies = columns.entropy;
  if (!entropies) throw new FormatError(file, undefined, 'no column "entropy" (each trial\'s entropy)');
  if (entropies.length !== items.count) throw new FormatError(file, undefined, `column "entropy" has ${entropies.length} values, but the shard holds ${items.count} trials`);
  if (!Number.isSafeInteger(job.trials) || job.trials !== items.total) throw new FormatError(file, undefined, `job.trials (${JSON.stringify(job.trials)}) is not the shard's total of ${items.total} trials`);
  return { job: job as unknown as SingleMixJob, shard, first: items.first, entropies };
}
