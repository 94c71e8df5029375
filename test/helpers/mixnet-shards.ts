import { mixnetShard, type MixnetOptions, type MixnetShard } from '../../src/analyses/mixnet.js';
import { mixnetShardFile, mixnetShardOfFile } from '../../src/analyses/mixnet-shards.js';
import { readShardFile, shardFileBinary, shardFileJson } from '../../src/analyses/shard-file.js';

/** Shards 0..count−1 of a mixnet job, each written as a shard file (every other one binary) and read back. */
export async function mixnetShardsThroughFiles(options: MixnetOptions, count: number): Promise<MixnetShard[]> {
  const shards: MixnetShard[] = [];
  for (let index = 0; index < count; index++) {
    const file = mixnetShardFile(await mixnetShard({ ...options, shard: { index, count } }));
    const bytes = index % 2 === 1 ? shardFileBinary(file) : new TextEncoder().encode(shardFileJson(file));
    shards.push(mixnetShardOfFile(readShardFile(bytes, `shard-${index}`), `shard-${index}`));
  }
  return shards;
}
