import { FormatError } from '../errors.js';
import type { AdversaryJob, AdversaryShard, WalkerTally } from './adversary.js';
import { SHARD_FILE_FORMAT, SHARD_FILE_VERSION, type ShardFile } from './shard-file.js';

/**
 * Adversary shards as shard files: one file holds the shard of every walk model of a run
 * (the CLI's --walk simple,mh), walk w's row r as the columns "w<w>.r<r>.<name>":
 * - tally: the row graph's nodes, compromised and honest counts, the walkers, then the
 *   walkers that saw M_i for i = 0..L;
 * - h<i> (i = 2..L): H(I | A) of the sampled predecessors of hop i;
 * - k<j> (the j-th two-hop k): walkers with both hops compromised, with the last only, then
 *   H(I | X_k = A) of the sampled relays.
 */

export const ADVERSARY_SHARD_KIND = 'adversary';

/** The shards of one slice, one per walk, as one file. */
export function adversaryShardFile(shards: readonly AdversaryShard[]): ShardFile {
  const { shard, first, count, job } = shards[0];
  const columns: Record<string, Float64Array> = {};
  shards.forEach((s, w) => s.tallies.forEach((tally, r) => Object.assign(columns, tallyColumns(tally, `w${w}.r${r}.`))));
  return {
    format: SHARD_FILE_FORMAT,
    version: SHARD_FILE_VERSION,
    kind: ADVERSARY_SHARD_KIND,
    job: { walks: shards.map((s) => s.job) },
    shard,
    items: { total: job.walkers, first, count },
    columns,
  };
}

/** A shard file's shard of each walk; errors name `file`. */
export function adversaryShardsOfFile(shardFile: ShardFile, file: string): AdversaryShard[] {
  const walks = shardFile.job.walks as AdversaryJob[];
  if (!Array.isArray(walks) || walks.length === 0) throw new FormatError(file, undefined, 'job.walks must be a non-empty list (one job per walk model)');
  const { shard, items } = shardFile;
  return walks.map((job, w) => {
    if (!Array.isArray(job?.attackEdges) || !Array.isArray(job.twoHop) || !Number.isSafeInteger(job.hops) || !Number.isSafeInteger(job.posteriorSamples)) {
      throw new FormatError(file, undefined, `job.walks[${w}] lacks attackEdges, twoHop, hops or posteriorSamples`);
    }
    const tallies = job.attackEdges.map((_, r) => tallyOfColumns(shardFile.columns, `w${w}.r${r}.`, job, file));
    return { job, shard, first: items.first, count: items.count, tallies };
  });
}

/** One row's tally as columns named `prefix`tally, `prefix`h<i>, `prefix`k<j>. */
export function tallyColumns(tally: WalkerTally, prefix = ''): Record<string, Float64Array> {
  const { nodes, compromised, honest } = tally.graph;
  const columns: Record<string, Float64Array> = { [`${prefix}tally`]: Float64Array.of(nodes, compromised, honest, tally.walkers, ...tally.counts) };
  tally.samples.forEach((values, i) => {
    if (i >= 2) columns[`${prefix}h${i}`] = Float64Array.from(values);
  });
  tally.twoHop.forEach((t, j) => (columns[`${prefix}k${j}`] = Float64Array.of(t.both, t.lastOnly, ...t.samples)));
  return columns;
}

/** tallyColumns' inverse, every column checked against the job. */
export function tallyOfColumns(columns: Record<string, Float64Array>, prefix: string, job: AdversaryJob, file: string): WalkerTally {
  const fail = (problem: string): never => {
    throw new FormatError(file, undefined, problem);
  };
  const column = (name: string, least: number, most: number) => {
    const values = columns[prefix + name] ?? fail(`no column "${prefix}${name}"`);
    if (values.length < least || values.length > most) fail(`column "${prefix}${name}" has ${values.length} values, expected ${least === most ? least : `${least}..${most}`}`);
    return Array.from(values);
  };
  const samples = job.posteriorSamples;
  const [nodes, compromised, honest, walkers, ...counts] = column('tally', job.hops + 5, job.hops + 5);
  if ([nodes, compromised, honest, walkers, ...counts].some((v) => !Number.isSafeInteger(v) || v < 0)) fail(`column "${prefix}tally" holds counts that are not integers >= 0`);
  return {
    graph: { nodes, compromised, honest },
    walkers,
    counts,
    samples: Array.from({ length: job.hops + 1 }, (_, i) => (i < 2 ? [] : column(`h${i}`, 0, samples))),
    twoHop: job.twoHop.map((_, j) => {
      const [both, lastOnly, ...values] = column(`k${j}`, 2, 2 + samples);
      return { both, lastOnly, samples: values };
    }),
  };
}
