import { FormatError } from '../errors.js';
import type { MixingTimeJob, MixingTimeShard, Spectrum } from './mixing-time.js';
import { SHARD_FILE_FORMAT, SHARD_FILE_VERSION, type ShardFile } from './shard-file.js';

/**
 * Mixing-time shards as shard files: the job; the columns "tv" (each source's TV at hops
 * 1..L, source by source) and "startDistance" (1 − π_s); the labels "ids" (the sources'
 * node ids); and on shard 0 the column "spectrum": λ₂, λ_min, SLEM, converged (0 or 1),
 * the two residuals, restarts and basis, or no value where the walk has no spectrum.
 */

export const MIXING_SHARD_KIND = 'mixing';

const SPECTRUM_VALUES = 8;

export function mixingShardFile({ job, shard, first, rows, spectrum }: MixingTimeShard): ShardFile {
  const columns: Record<string, Float64Array> = { tv: rows.tv, startDistance: rows.startDistance };
  if (spectrum !== undefined) columns.spectrum = spectrum ? spectrumValues(spectrum) : new Float64Array(0);
  return {
    format: SHARD_FILE_FORMAT,
    version: SHARD_FILE_VERSION,
    kind: MIXING_SHARD_KIND,
    job: { ...job },
    shard,
    items: { total: job.sources, first, count: rows.ids.length },
    columns,
    labels: { ids: rows.ids },
  };
}

/** A shard file's mixing-time shard, every column checked against the job; errors name `file`. */
export function mixingShardOfFile({ job, shard, items, columns, labels }: ShardFile, file: string): MixingTimeShard {
  const fail = (problem: string): never => {
    throw new FormatError(file, undefined, problem);
  };
  const mixing = job as unknown as MixingTimeJob;
  if (!Number.isSafeInteger(mixing.hops) || mixing.hops < 1 || mixing.sources !== items.total) fail(`job.hops must be an integer >= 1 and job.sources the shard's total of ${items.total} sources`);
  const K = items.count;
  const column = (name: string, length: number) => {
    const values = columns[name] ?? fail(`no column "${name}"`);
    if (values.length !== length) fail(`column "${name}" has ${values.length} values, expected ${length}`);
    return values;
  };
  const ids = labels?.ids ?? fail('no labels "ids" (the sources\' node ids)');
  if (ids.length !== K) fail(`labels "ids" has ${ids.length} names, but the shard holds ${K} sources`);
  const read: MixingTimeShard = { job: mixing, shard, first: items.first, rows: { ids, tv: column('tv', K * mixing.hops), startDistance: column('startDistance', K) } };
  if (columns.spectrum) {
    if (columns.spectrum.length !== 0 && columns.spectrum.length !== SPECTRUM_VALUES) fail(`column "spectrum" has ${columns.spectrum.length} values, expected ${SPECTRUM_VALUES} (or none)`);
    read.spectrum = columns.spectrum.length === 0 ? null : spectrumOfValues(columns.spectrum);
  }
  return read;
}

function spectrumValues({ lambda2, lambdaMin, slem, lanczos }: Spectrum): Float64Array {
  return Float64Array.of(lambda2, lambdaMin, slem, lanczos.converged ? 1 : 0, ...lanczos.residual, lanczos.restarts, lanczos.basis);
}

function spectrumOfValues(values: Float64Array): Spectrum {
  const [lambda2, lambdaMin, slem, converged, residual2, residualMin, restarts, basis] = values;
  // The fields in the order Lanczos reports them, as the unsharded result has them.
  return { lambda2, lambdaMin, slem, lanczos: { residual: [residual2, residualMin], converged: converged === 1, restarts, basis } };
}
