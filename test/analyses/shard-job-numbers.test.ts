/**
 * A shard's job holds numbers JSON cannot (NaN, ±Infinity, -0: a delay law of infinite mean,
 * say): they are written tagged and read back as themselves, in both encodings, so that the
 * merge rebuilds the unsharded result and still tells apart jobs that differ only in them.
 */
import { describe, expect, it } from 'vitest';
import { mergeMixnetShards, mixnetAnonymity, mixnetShard, type MixnetOptions } from '../../src/analyses/mixnet.js';
import { mixnetShardFile, mixnetShardOfFile } from '../../src/analyses/mixnet-shards.js';
import { readShardFile, shardFileBinary, shardFileJson, SHARD_FILE_FORMAT, SHARD_FILE_VERSION, type ShardFile } from '../../src/analyses/shard-file.js';
import { ParameterError } from '../../src/errors.js';
import { parseDelaySync } from '../../src/mix/delays.js';

const viaJson = (file: ShardFile, name: string) => readShardFile(new TextEncoder().encode(shardFileJson(file)), name);
const viaBinary = (file: ShardFile, name: string) => readShardFile(shardFileBinary(file), name);

describe("a shard job's non-finite numbers", () => {
  // Every number JSON cannot hold, beside the strings and the null that look like their encodings.
  const job = {
    mean: Infinity,
    low: -Infinity,
    missing: NaN,
    signed: -0,
    nested: { values: [1.5, Infinity, NaN, -0, 0] },
    name: 'Infinity',
    names: ['-0', 'NaN', 'null'],
    weights: null,
    lookalike: { float64: 'ninety' },
  };
  const file: ShardFile = {
    format: SHARD_FILE_FORMAT, version: SHARD_FILE_VERSION, kind: 'test', job, shard: { index: 0, count: 1 }, items: { total: 2, first: 0, count: 2 },
    columns: { x: Float64Array.of(1, Infinity) },
  };

  it('round-trip through JSON and binary files as themselves; strings, null and a look-alike object stay as they were', () => {
    for (const [encoding, read] of [['json', viaJson], ['binary', viaBinary]] as const) {
      const back = read(file, `f.${encoding}`).job as typeof job;
      expect(back.mean, encoding).toBe(Infinity);
      expect(back.low, encoding).toBe(-Infinity);
      expect(back.missing, encoding).toBeNaN();
      expect(Object.is(back.signed, -0), encoding).toBe(true);
      expect(back.nested.values.map((v) => (Object.is(v, -0) ? '-0' : String(v))), encoding).toEqual(['1.5', 'Infinity', 'NaN', '-0', '0']);
      expect(back.name, encoding).toBe('Infinity');
      expect(back.names, encoding).toEqual(['-0', 'NaN', 'null']);
      expect(back.weights, encoding).toBeNull();
      expect(back.lookalike, encoding).toEqual({ float64: 'ninety' });
    }
  });

  it('are written as tags in the JSON text, not as null', () => {
    const parsed = JSON.parse(shardFileJson(file)) as { job: Record<string, unknown> };
    expect(parsed.job.mean).toEqual({ float64: 'Infinity' });
    expect(parsed.job.low).toEqual({ float64: '-Infinity' });
    expect(parsed.job.missing).toEqual({ float64: 'NaN' });
    expect(parsed.job.signed).toEqual({ float64: '-0' });
    expect(parsed.job.weights).toBeNull();
  });
});

describe('mixnet shards of a delay law with no finite mean (Pareto, α = 0.9)', () => {
  // The phases must be given: their defaults are multiples of the mean delay.
  const OPTIONS: MixnetOptions = {
    layers: 1, width: 2, clients: 4, rate: 10, delay: parseDelaySync('pareto:0.9,0.05'), burnIn: 1, window: 2, coolDown: 2, targets: 3, replications: 4, seed: 2,
  };
  const shardFiles = () => Promise.all([0, 1].map(async (index) => mixnetShardFile(await mixnetShard({ ...OPTIONS, shard: { index, count: 2 } }))));

  it('merged from JSON and binary files are the unsharded result, its mean delay Infinity', async () => {
    const whole = await mixnetAnonymity(OPTIONS);
    expect(whole.delay.mean).toBe(Infinity);
    const files = await shardFiles();
    for (const read of [viaJson, viaBinary]) {
      const merged = mergeMixnetShards(files.map((f, k) => mixnetShardOfFile(read(f, `s${k}`), `s${k}`)));
      expect(merged.delay.mean).toBe(Infinity);
      expect(merged).toEqual(whole);
    }
  });

  it('of jobs that differ only in Infinity against NaN or -Infinity are refused, the values named', async () => {
    const [a, b] = await shardFiles();
    for (const other of [NaN, -Infinity]) {
      const changed: ShardFile = { ...b, job: { ...b.job, delay: { ...(b.job.delay as object), mean: other } } };
      const shards = [viaJson(a, 'a.json'), viaJson(changed, 'b.json')].map((f, k) => mixnetShardOfFile(f, ['a.json', 'b.json'][k]));
      expect(() => mergeMixnetShards(shards, ['a.json', 'b.json'])).toThrow(ParameterError);
      expect(() => mergeMixnetShards(shards, ['a.json', 'b.json'])).toThrow(`they differ in delay.mean (Infinity in a.json, ${other} in b.json)`);
    }
  });
});
