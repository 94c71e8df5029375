import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mergeInitiatorEntropyShards } from '../analyses/initiator-entropy.js';
import { EntropyFileReader, type EntropyShard } from '../analyses/initiator-entropy-shards.js';
import { InputError, ParameterError } from '../errors.js';
import { fileErrorReason, formatOption, OUTPUT_OPTIONS, prepareOutputDirectory } from './args.js';
import { reportEntropy, terminalWeightingOption } from './entropy.js';

export const MERGE_HELP = `Usage: anonscope merge <shard-file>... [options]

Put the shards of one entropy job (anonscope entropy --shard K/N --out DIR, K = 0..N-1)
together: prints and writes exactly what the unsharded entropy run prints and writes.
Refuses shards of different jobs (graph checksum, options, seed, backend: the differing
fields are named), of different N, and a shard missing or given twice.

Options:
  --format F           table | json | csv: what goes to stdout [table]
  --out DIR            also write results.json, hops.csv, entropy-vs-hops.svg,
                       entropy-cdf.svg (and per-terminal.csv with --per-terminal shards)
  --terminal-weighting W
                       uniform | terminus: lead the table and plot with the mean
                       weighted by where walks end [uniform]
  --graph NAME         the graph's name in the plot titles (the entropy run's
                       graph file name) [the first shard's directory name]
  --quiet              no notes on stderr
  -h, --help           this help
`;

const MERGE_OPTIONS = {
  ...OUTPUT_OPTIONS,
  'terminal-weighting': { type: 'string', default: 'uniform' },
  graph: { type: 'string' },
} as const;

export async function mergeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: MERGE_OPTIONS });
  if (values.help) {
    process.stdout.write(MERGE_HELP);
    return;
  }
  if (positionals.length === 0) throw new ParameterError('merge: expected the shard files (see anonscope merge --help)');
  const log = (line: string) => values.quiet || process.stderr.write(`${line}\n`);
  const format = formatOption(values.format);
  const report = terminalWeightingOption(values['terminal-weighting']);
  if (values.out) await prepareOutputDirectory(values.out);

  const shards = await Promise.all(positionals.map(readShardFile));
  const result = mergeInitiatorEntropyShards(shards, positionals);
  log(`merged ${shards.length} shards: ${result.terminals} terminals`);
  await reportEntropy(result, format, { ...report, graph: values.graph ?? basename(dirname(resolve(positionals[0]))) }, values.out, log);
}

async function readShardFile(file: string): Promise<EntropyShard> {
  const text = await readFile(file, 'utf8').catch((error) => {
    throw new InputError(`${file}: cannot read this file (${fileErrorReason(error)})`, { cause: error });
  });
  return new EntropyFileReader(file).shard(text);
}
