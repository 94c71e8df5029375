import { FormatError } from '../errors.js';
import { SHARD_FILE_FORMAT, SHARD_FILE_VERSION, type ShardFile } from './shard-file.js';
import type { RocRows, TraceRocJob, TraceRocShard } from './trace-roc.js';

/**
 * Trace-ROC shards as shard files: the job, and for packet count p (the job's order) the
 * shard's target rows as the columns "p<p>.counts" (packets inside the window), "p<p>.truth"
 * (the link carrying the target, −1 for none) and "p<p>.scores" (against every link, row by row).
 */

export const TRACE_ROC_SHARD_KIND = 'trace-roc';

const COLUMNS = ['counts', 'truth', 'scores'] as const satisfies readonly (keyof RocRows)[];

export function traceRocShardFile({ job, shard, first, count, rows }: TraceRocShard): ShardFile {
  const columns: Record<string, Float64Array> = {};
  rows.forEach((point, p) => COLUMNS.forEach((name) => (columns[`p${p}.${name}`] = point[name])));
  return { format: SHARD_FILE_FORMAT, version: SHARD_FILE_VERSION, kind: TRACE_ROC_SHARD_KIND, job: { ...job }, shard, items: { total: job.head.targets, first, count }, columns };
}

/** A shard file's trace-ROC shard, every column checked against the job; errors name `file`. */
export function traceRocShardOfFile({ job, shard, items, columns }: ShardFile, file: string): TraceRocShard {
  const fail = (problem: string): never => {
    throw new FormatError(file, undefined, problem);
  };
  const roc = job as unknown as TraceRocJob;
  if (!Array.isArray(roc.points) || typeof roc.head !== 'object' || roc.head === null) fail('job lacks head and points (the ROC settings and its packet counts)');
  if (roc.head.targets !== items.total || !Number.isSafeInteger(roc.head.links)) fail(`job.head.targets (${JSON.stringify(roc.head.targets)}) is not the shard's total of ${items.total} targets, or job.head.links is missing`);
  const rows = roc.points.map((_, p) => {
    const column = (name: (typeof COLUMNS)[number], perRow: number) => {
      const values = columns[`p${p}.${name}`] ?? fail(`no column "p${p}.${name}"`);
      if (values.length !== items.count * perRow) fail(`column "p${p}.${name}" has ${values.length} values, but ${items.count} targets × ${perRow} make ${items.count * perRow}`);
      return values;
    };
    return { counts: column('counts', 1), truth: column('truth', 1), scores: column('scores', roc.head.links) };
  });
  return { job: roc, shard, first: items.first, count: items.count, rows };
}
