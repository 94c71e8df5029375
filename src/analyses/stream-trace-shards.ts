import { FormatError } from '../errors.js';
import { SHARD_FILE_FORMAT, SHARD_FILE_VERSION, type ShardFile } from './shard-file.js';
import type { TraceSimulationJob, TraceSimulationShard, TrialColumns } from './stream-trace.js';

/**
 * Trace-simulation shards as shard files: the job, and for curve c and packet count p (the
 * job's order) each trial's LLR and moments as the columns "c<c>.p<p>.llr", ".mean",
 * ".variance".
 */

export const TRACE_SHARD_KIND = 'trace';

const COLUMNS = ['llr', 'mean', 'variance'] as const satisfies readonly (keyof TrialColumns)[];

export function traceShardFile({ job, shard, first, count, columns }: TraceSimulationShard): ShardFile {
  const named: Record<string, Float64Array> = {};
  columns.forEach((points, c) => points.forEach((point, p) => COLUMNS.forEach((name) => (named[`c${c}.p${p}.${name}`] = point[name]))));
  return {
    format: SHARD_FILE_FORMAT,
    version: SHARD_FILE_VERSION,
    kind: TRACE_SHARD_KIND,
    job: { ...job },
    shard,
    items: { total: job.trials, first, count },
    columns: named,
  };
}

/** A shard file's trace-simulation shard, every column checked against the job; errors name `file`. */
export function traceShardOfFile({ job, shard, items, columns }: ShardFile, file: string): TraceSimulationShard {
  const fail = (problem: string): never => {
    throw new FormatError(file, undefined, problem);
  };
  const simulation = job as unknown as TraceSimulationJob;
  if (!Array.isArray(simulation.curves) || !Array.isArray(simulation.packets)) fail('job.curves and job.packets must be lists (the curves and packet counts of the simulation)');
  if (!Number.isSafeInteger(simulation.trials) || simulation.trials !== items.total) fail(`job.trials (${JSON.stringify(simulation.trials)}) is not the shard's total of ${items.total} trials`);
  const read = simulation.curves.map((_, c) =>
    simulation.packets.map((_, p) => {
      const column = (name: (typeof COLUMNS)[number]) => {
        const values = columns[`c${c}.p${p}.${name}`] ?? fail(`no column "c${c}.p${p}.${name}"`);
        if (values.length !== items.count) fail(`column "c${c}.p${p}.${name}" has ${values.length} values, but the shard holds ${items.count} trials`);
        return values;
      };
      return { llr: column('llr'), mean: column('mean'), variance: column('variance') };
    }),
  );
  return { job: simulation, shard, first: items.first, count: items.count, columns: read };
}
