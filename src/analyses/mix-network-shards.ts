import { FormatError } from '../errors.js';
import type { MixNetworkJob, MixNetworkShard, NetworkPosteriors, PosteriorRows } from './mix-network.js';
import { SHARD_FILE_FORMAT, SHARD_FILE_VERSION, type ShardFile } from './shard-file.js';

/**
 * Network shards as shard files: the job (with the mixes' names), and for the shard's
 * traced streams the columns "stream" (its index in the simulation), "path" (its mixes,
 * stream-major, pathLength each) and, for each posterior P of attack, prior and (with a
 * temperature other than 1) untempered, "P.ranks" and "P.entropies" (H = pathLength − 1
 * steps per stream) and "P.destination" (the law over the mixes at the destination).
 */

export const NETWORK_SHARD_KIND = 'network';

const POSTERIORS = ['attack', 'prior', 'untempered'] as const satisfies readonly (keyof NetworkPosteriors)[];
const ROWS = ['ranks', 'entropies', 'destination'] as const satisfies readonly (keyof PosteriorRows)[];

export function networkShardFile({ job, shard, first, count, traced, posteriors }: MixNetworkShard): ShardFile {
  const columns: Record<string, Float64Array> = {
    stream: Float64Array.from(traced.streams),
    path: Float64Array.from(traced.paths.flatMap((path) => Array.from(path))),
  };
  for (const name of POSTERIORS) {
    const rows = posteriors[name];
    if (rows) for (const row of ROWS) columns[`${name}.${row}`] = rows[row];
  }
  return { format: SHARD_FILE_FORMAT, version: SHARD_FILE_VERSION, kind: NETWORK_SHARD_KIND, job: { ...job }, shard, items: { total: job.streams, first, count }, columns };
}

/** A shard file's network shard, every column checked against the job; errors name `file`. */
export function networkShardOfFile({ job, shard, items, columns }: ShardFile, file: string): MixNetworkShard {
  const fail = (problem: string): never => {
    throw new FormatError(file, undefined, problem);
  };
  const network = job as unknown as MixNetworkJob;
  const { pathLength, mixes, streams, temperature, nodeKeys } = network;
  if (![pathLength, mixes, streams].every(Number.isSafeInteger) || pathLength < 2 || !Array.isArray(nodeKeys) || nodeKeys.length !== mixes || typeof temperature !== 'number') {
    fail('job lacks pathLength, mixes, streams, temperature or the mixes\' nodeKeys');
  }
  if (streams !== items.total) fail(`job.streams (${streams}) is not the shard's total of ${items.total} traced streams`);
  const B = items.count;
  const column = (name: string, perStream: number) => {
    const values = columns[name] ?? fail(`no column "${name}"`);
    if (values.length !== B * perStream) fail(`column "${name}" has ${values.length} values, but ${B} streams × ${perStream} make ${B * perStream}`);
    return values;
  };
  const path = column('path', pathLength);
  if (path.some((v) => !Number.isInteger(v) || v < 0 || v >= mixes)) fail(`column "path" holds values that are not mixes 0..${mixes - 1}`);
  const rows = (name: (typeof POSTERIORS)[number]): PosteriorRows => ({
    ranks: column(`${name}.ranks`, pathLength - 1),
    entropies: column(`${name}.entropies`, pathLength - 1),
    destination: column(`${name}.destination`, mixes),
  });
  const posteriors: NetworkPosteriors = { attack: rows('attack'), prior: rows('prior') };
  if (temperature !== 1) posteriors.untempered = rows('untempered');
  return {
    job: network,
    shard,
    first: items.first,
    count: B,
    traced: { streams: Array.from(column('stream', 1)), paths: Array.from({ length: B }, (_, b) => Uint32Array.from(path.subarray(b * pathLength, (b + 1) * pathLength))) },
    posteriors,
  };
}
