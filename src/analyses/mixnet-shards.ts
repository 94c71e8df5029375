import { FormatError } from '../errors.js';
import type { MixnetJob, MixnetOutcomes, MixnetShard } from './mixnet.js';
import { SHARD_FILE_FORMAT, SHARD_FILE_VERSION, type ShardFile } from './shard-file.js';

/** Mixnet shards as shard files: the job, and the outcomes of the shard's replications as columns of the same names. */

export const MIXNET_SHARD_KIND = 'mixnet';

/** The columns of one value per (replication, target); latencyCounts has one per replication, latencies their sum. */
const PER_TARGET = ['sent', 'entropy', 'unexited', 'pA', 'pB'] as const;

export function mixnetShardFile({ job, shard, first, count, outcomes }: MixnetShard): ShardFile {
  return {
    format: SHARD_FILE_FORMAT,
    version: SHARD_FILE_VERSION,
    kind: MIXNET_SHARD_KIND,
    job: { ...job },
    shard,
    items: { total: job.targets.replications, first, count },
    columns: { ...outcomes },
  };
}

/** A shard file's mixnet shard, every column's length checked; errors name `file`. */
export function mixnetShardOfFile({ job, shard, items, columns }: ShardFile, file: string): MixnetShard {
  const fail = (problem: string): never => {
    throw new FormatError(file, undefined, problem);
  };
  const { targets } = job as unknown as MixnetJob;
  if (!Number.isSafeInteger(targets?.replications) || targets.replications !== items.total) {
    fail(`job.targets.replications (${JSON.stringify(targets?.replications)}) is not the shard's total of ${items.total} replications`);
  }
  if (!Number.isSafeInteger(targets.perReplication) || targets.perReplication < 1) fail(`job.targets.perReplication must be an integer >= 1, got ${JSON.stringify(targets.perReplication)}`);
  const column = (name: keyof MixnetOutcomes, length: number): Float64Array => {
    const values = columns[name] ?? fail(`no column "${name}"`);
    if (values.length !== length) fail(`column "${name}" has ${values.length} values, but the shard's ${items.count} replications need ${length}`);
    return values;
  };
  const perTarget = Object.fromEntries(PER_TARGET.map((name) => [name, column(name, items.count * targets.perReplication)])) as Record<(typeof PER_TARGET)[number], Float64Array>;
  const latencyCounts = column('latencyCounts', items.count);
  const latencies = column('latencies', latencyCounts.reduce((sum, n) => sum + n, 0));
  return { job: job as unknown as MixnetJob, shard, first: items.first, count: items.count, outcomes: { ...perTarget, latencyCounts, latencies } };
}
