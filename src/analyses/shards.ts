import { ParameterError } from '../errors.js';

/**
 * Shards: the K-th of N deterministic, disjoint, covering slices of an analysis's work
 * (terminals, walkers, trials), so that Slurm array tasks, Kubernetes Indexed Jobs or GNU
 * parallel run the slices unchanged and a merge puts them back exactly.
 */

/** Shard `index` of `count`, 0-based as Slurm array IDs and JOB_COMPLETION_INDEX are. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** Refuse a shard spec that names no slice. */
export function checkShardSpec(spec: ShardSpec, where: string): void {
  const { index, count } = spec;
  if (!Number.isSafeInteger(count) || count < 1) throw new ParameterError(`${where}: the shard count must be an integer >= 1, got ${count}`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new ParameterError(`${where}: the shard index must be an integer in 0..${count - 1} (0-based), got ${index}`);
  }
}

/** The items [first, last) of shard k of N over `total` items: [floor(kT/N), floor((k+1)T/N)). */
export function shardRange(total: number, spec: ShardSpec): [number, number] {
  // With T = qN + r, floor(kT/N) = qk + floor(rk/N): no product beyond T·1 or N², so exact at any safe size.
  const cut = (k: number) => Math.floor(total / spec.count) * k + Math.floor(((total % spec.count) * k) / spec.count);
  return [cut(spec.index), cut(spec.index + 1)];
}

/**
 * A set of shards that should make up one job: the same N, each index once. `label(i)` names
 * shard i for the message (its file, or its position).
 */
export function checkShardSet(specs: readonly ShardSpec[], label: (i: number) => string, where: string): void {
  if (specs.length === 0) throw new ParameterError(`${where}: no shards to merge`);
  const { count } = specs[0];
  const seen = new Map<number, number>();
  specs.forEach((spec, i) => {
    checkShardSpec(spec, `${where}: ${label(i)}`);
    if (spec.count !== count) throw new ParameterError(`${where}: ${label(i)} is shard ${spec.index} of ${spec.count}, but ${label(0)} is one of ${count}`);
    const earlier = seen.get(spec.index);
    if (earlier !== undefined) throw new ParameterError(`${where}: shard ${spec.index} of ${count} is given twice: ${label(earlier)} and ${label(i)}`);
    seen.set(spec.index, i);
  });
  const missing = Array.from({ length: count }, (_, k) => k).filter((k) => !seen.has(k));
  if (missing.length > 0) {
    const listed = missing.length <= 10 ? missing.join(', ') : `${missing.slice(0, 10).join(', ')}, … (${missing.length} in all)`;
    throw new ParameterError(`${where}: shard${missing.length === 1 ? '' : 's'} ${listed} of ${count} missing`);
  }
}

/** The dotted names of the fields in which two jobs (or any JSON values) differ. */
function differingFields(a: unknown, b: unknown, path = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((key) => differingFields(a[key], b[key], path ? `${path}.${key}` : key));
  }
  return Object.is(a, b) ? [] : [path || '(the whole value)'];
}

/** What differs, with both values: 'hops (4 in a.json, 5 in b.json)' for names ['a.json', 'b.json']. */
export function describeDifferences(a: unknown, b: unknown, [nameA, nameB]: [string, string]): string {
  const at = (value: unknown, path: string) => path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
  // Numbers as JavaScript writes them: JSON would show NaN and ±Infinity all as null.
  const shown = (value: unknown) => (typeof value === 'number' ? (Object.is(value, -0) ? '-0' : String(value)) : (JSON.stringify(value) ?? 'absent'));
  return differingFields(a, b)
    .map((path) => `${path} (${shown(at(a, path))} in ${nameA}, ${shown(at(b, path))} in ${nameB})`)
    .join(', ');
}


/** What a merge reads of each shard to tell whether the shards make up one job. */
export interface ShardPart {
  job: unknown;
  shard: ShardSpec;
  /** The index of its first item in the job's list, and how many it holds. */
  first: number;
  count: number;
}

/**
 * The one check of every merge: the shards are of one job (equal `job`s: the differing
 * fields are named), each of the N slices once, each holding exactly its slice of the job's
 * `total` items. Returns the shards in slice order; `label(i)` names shard i (its file).
 */
export function shardsOfOneJob<S>(shards: readonly S[], part: (shard: S) => ShardPart, total: number, label: (i: number) => string, where: string): S[] {
  if (shards.length === 0) throw new ParameterError(`${where}: no shards to merge`);
  const parts = shards.map(part);
  parts.forEach(({ job }, i) => {
    const differences = describeDifferences(parts[0].job, job, [label(0), label(i)]);
    if (differences) throw new ParameterError(`${where}: ${label(i)} is a shard of another job than ${label(0)}; they differ in ${differences}`);
  });
  checkShardSet(parts.map((p) => p.shard), label, where);
  const order = parts.map((_, i) => i).sort((a, b) => parts[a].shard.index - parts[b].shard.index);
  for (const i of order) {
    const { shard, first, count } = parts[i];
    const [from, to] = shardRange(total, shard);
    if (first !== from || count !== to - from) {
      throw new ParameterError(`${where}: ${label(i)} holds ${count} items from index ${first}, but shard ${shard.index} of ${shard.count} of a job of ${total} items holds ${to - from} from index ${from}`);
    }
  }
  return order.map((i) => shards[i]);
}

/** The shards' columns of per-item results, in slice order, as one column of the job's items. */
export function joinColumns(parts: readonly Float64Array[]): Float64Array {
  const all = new Float64Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}
