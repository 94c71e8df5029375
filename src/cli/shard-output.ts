import { join } from 'node:path';
import { SHARD_ENCODINGS, SHARD_EXTENSIONS, shardFileBinary, shardFileJson, type ShardEncoding, type ShardFile } from '../analyses/shard-file.js';
import type { ShardSpec } from '../analyses/shards.js';
import { ParameterError } from '../errors.js';
import { choiceOption, shardOption, writeFileAtomically } from './args.js';

/** The help lines of --shard and --shard-format, for the commands whose Monte-Carlo items shard. */
export const shardHelp = (items: string) => `  --shard K/N          compute only shard K (0-based: 0..N-1) of N of the ${items}
                       and write it to DIR/shard-K-of-N.json (.bin with --shard-format
                       binary; needs --out DIR; nothing on stdout); anonscope merge puts
                       the N shards together into this command's unsharded output
  --shard-format F     json | binary: the shard file's encoding [json]`;

export const SHARD_OPTIONS = {
  shard: { type: 'string' },
  'shard-format': { type: 'string' },
} as const;

export interface ShardSettings {
  spec: ShardSpec;
  encoding: ShardEncoding;
  out: string;
}

/** --shard K/N, --shard-format F (only with --shard), --out DIR (needed with --shard). */
export function shardSettings(values: { shard?: string; 'shard-format'?: string; out?: string }): ShardSettings | undefined {
  if (values.shard === undefined) {
    if (values['shard-format'] !== undefined) throw new ParameterError('--shard-format needs --shard K/N');
    return undefined;
  }
  const spec = shardOption(values.shard);
  const encoding = values['shard-format'] === undefined ? 'json' : choiceOption('shard-format', values['shard-format'], SHARD_ENCODINGS);
  if (values.out === undefined) throw new ParameterError('--shard needs --out DIR: the shard is written there as shard-K-of-N.json');
  return { spec, encoding, out: values.out };
}

/** Write the shard to DIR/shard-K-of-N.<json|bin> and say so. */
export async function writeShard(settings: ShardSettings, file: ShardFile, log: (line: string) => void): Promise<void> {
  const { index, count } = settings.spec;
  const path = join(settings.out, `shard-${index}-of-${count}.${SHARD_EXTENSIONS[settings.encoding]}`);
  await writeFileAtomically(path, settings.encoding === 'binary' ? shardFileBinary(file) : shardFileJson(file));
  const { first, count: items, total } = file.items;
  log(`wrote shard ${index} of ${count} (${file.kind} items ${first}..${first + items - 1} of ${total}) to ${path}`);
}
