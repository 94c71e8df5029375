import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mergeAdversaryShards } from '../analyses/adversary.js';
import { ADVERSARY_SHARD_KIND, adversaryShardsOfFile } from '../analyses/adversary-shards.js';
import { mergeInitiatorEntropyShards } from '../analyses/initiator-entropy.js';
import { EntropyFileReader, SHARD_FORMAT } from '../analyses/initiator-entropy-shards.js';
import { isBinaryShard, readShardFile, type ShardFile } from '../analyses/shard-file.js';
import { shardsOfOneJob } from '../analyses/shards.js';
import { mergeMixNetworkShards } from '../analyses/mix-network.js';
import { mergeMixingTimeShards } from '../analyses/mixing-time.js';
import { MIXING_SHARD_KIND, mixingShardOfFile } from '../analyses/mixing-time-shards.js';
import { NETWORK_SHARD_KIND, networkShardOfFile } from '../analyses/mix-network-shards.js';
import { mergeSingleMixShards } from '../analyses/single-mix.js';
import { MIX_SHARD_KIND, singleMixShardOfFile } from '../analyses/single-mix-shards.js';
import { mergeTraceSimulationShards } from '../analyses/stream-trace.js';
import { TRACE_SHARD_KIND, traceShardOfFile } from '../analyses/stream-trace-shards.js';
import { mergeMixnetShards } from '../analyses/mixnet.js';
import { MIXNET_SHARD_KIND, mixnetShardOfFile } from '../analyses/mixnet-shards.js';
import { mergeTraceRocShards } from '../analyses/trace-roc.js';
import { TRACE_ROC_SHARD_KIND, traceRocShardOfFile } from '../analyses/trace-roc-shards.js';
import { InputError, ParameterError } from '../errors.js';
import { reportAdversary } from './adversary.js';
import { fileErrorReason, formatOption, OUTPUT_OPTIONS, prepareOutputDirectory, type OutputFormat } from './args.js';
import { reportEntropy, terminalWeightingOption, type EntropyReportChoice } from './entropy.js';
import { reportSingleMix } from './mix.js';
import { reportMixnet } from './mixnet.js';
import { reportMixing } from './mixing.js';
import { reportNetwork } from './network.js';
import { reportTraceSimulation } from './trace.js';
import { reportTraceRoc } from './trace-roc.js';

export const MERGE_HELP = `Usage: anonscope merge <shard-file>... [options]

Put the shards of one job together (anonscope entropy | adversary | mixing | mix | mixnet |
trace | network ... --shard K/N --out DIR, K = 0..N-1; JSON or --shard-format binary files,
in any order): prints and writes exactly what the unsharded run prints and writes. Refuses
shards of different jobs or analyses (graph checksum, options, seed, backend: the differing
fields are named), of different N, and a shard missing or given twice.

Options:
  --format F           table | json | csv: what goes to stdout [table]
  --out DIR            also write the files the unsharded run writes to --out DIR
                       (entropy: results.json, hops.csv, entropy-vs-hops.svg,
                       entropy-cdf.svg, per-terminal.csv with --per-terminal shards,
                       rounds.csv and rounds.svg with --rounds; adversary: results.json,
                       adversary.csv, its plots; mix: results.json with every trial,
                       mix.csv, mix-entropy-cdf.svg; mixnet: results.json with every
                       target, mixnet.csv, mixnet-entropy-cdf.svg; trace: results.json,
                       trace.csv, detection-vs-packets.svg (--roc: roc.csv, roc-curve.csv,
                       roc.svg, tpr-vs-packets.svg); network: results.json, steps.csv,
                       streams.csv, calibration.csv, reliability.csv and its plots;
                       mixing: results.json, hops.csv, sources.csv, tv-vs-hops.svg)
  --terminal-weighting W
                       entropy shards: uniform | terminus: lead the table and plot
                       with the mean weighted by where walks end [uniform]
  --graph NAME         the graph's name in the plot titles (the graph file name of
                       the sharded run) [the first shard's directory name]
  --quiet              no notes on stderr
  -h, --help           this help
`;

const MERGE_OPTIONS = {
  ...OUTPUT_OPTIONS,
  'terminal-weighting': { type: 'string', default: 'uniform' },
  graph: { type: 'string' },
} as const;

const WHERE = 'merge';

interface MergeOutput {
  format: OutputFormat;
  report: EntropyReportChoice;
  /** The graph's name for the plot titles. */
  graph: string;
  out?: string;
  log: (line: string) => void;
}

export async function mergeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: MERGE_OPTIONS });
  if (values.help) {
    process.stdout.write(MERGE_HELP);
    return;
  }
  if (positionals.length === 0) throw new ParameterError('merge: expected the shard files (see anonscope merge --help)');
  const log = (line: string) => values.quiet || process.stderr.write(`${line}\n`);
  const graph = values.graph ?? basename(dirname(resolve(positionals[0])));
  const output: MergeOutput = { format: formatOption(values.format), report: terminalWeightingOption(values['terminal-weighting']), graph, out: values.out, log };
  if (values.out) await prepareOutputDirectory(values.out);

  const files = await Promise.all(positionals.map(readShard));
  const kinds = files.map((f) => (f.entropy ? 'entropy' : f.shard!.kind));
  const other = kinds.findIndex((kind) => kind !== kinds[0]);
  if (other >= 0) throw new ParameterError(`${WHERE}: ${positionals[other]} is a ${kinds[other]} shard, but ${positionals[0]} is a ${kinds[0]} shard`);
  if (kinds[0] === 'entropy') return mergeEntropy(files.map((f) => f.entropy!), positionals, output);
  const shards = files.map((f) => f.shard!);
  // The one job-identity check, on the files as a whole (every walk's job at once).
  shardsOfOneJob(shards, (s) => ({ job: { kind: s.kind, ...s.job }, shard: s.shard, first: s.items.first, count: s.items.count }), shards[0].items.total, (i) => positionals[i], WHERE);
  if (kinds[0] === ADVERSARY_SHARD_KIND) return mergeAdversary(shards, positionals, output);
  if (kinds[0] === MIX_SHARD_KIND) return mergeSingleMix(shards, positionals, output);
  if (kinds[0] === TRACE_SHARD_KIND) return mergeTraceSimulation(shards, positionals, output);
  if (kinds[0] === MIXNET_SHARD_KIND) return mergeMixnet(shards, positionals, output);
  if (kinds[0] === TRACE_ROC_SHARD_KIND) return mergeTraceRoc(shards, positionals, output);
  if (kinds[0] === NETWORK_SHARD_KIND) return mergeNetwork(shards, positionals, output);
  if (kinds[0] === MIXING_SHARD_KIND) return mergeMixing(shards, positionals, output);
  throw new ParameterError(`${WHERE}: ${positionals[0]} is a shard of kind ${JSON.stringify(kinds[0])}, which this anonscope does not merge`);
}

async function mergeEntropy(shards: ReturnType<EntropyFileReader['shard']>[], sources: string[], { format, report, graph, out, log }: MergeOutput): Promise<void> {
  const result = mergeInitiatorEntropyShards(shards, sources);
  log(`merged ${shards.length} shards: ${result.terminals} terminals`);
  await reportEntropy(result, format, { ...report, graph }, out, log);
}

async function mergeAdversary(files: ShardFile[], sources: string[], { format, graph, out, log }: MergeOutput): Promise<void> {
  const perFile = files.map((file, i) => adversaryShardsOfFile(file, sources[i]));
  const results = perFile[0].map((_, w) => mergeAdversaryShards(perFile.map((shards) => shards[w]), sources));
  log(`merged ${files.length} shards: ${results[0].walkers} walkers per row`);
  const { twoHop, compromisedNodes } = perFile[0][0].job;
  await reportAdversary(results, format, out, { twoHop, compromised: compromisedNodes }, { graph }, log);
}

async function mergeSingleMix(files: ShardFile[], sources: string[], { format, out, log }: MergeOutput): Promise<void> {
  const result = mergeSingleMixShards(files.map((file, i) => singleMixShardOfFile(file, sources[i])), out !== undefined, sources);
  log(`merged ${files.length} shards: ${result.trials} trials`);
  await reportSingleMix(result, format, out, log);
}

async function mergeTraceSimulation(files: ShardFile[], sources: string[], { format, out, log }: MergeOutput): Promise<void> {
  const result = mergeTraceSimulationShards(files.map((file, i) => traceShardOfFile(file, sources[i])), sources);
  log(`merged ${files.length} shards: ${result.trials} trials per point`);
  await reportTraceSimulation(result, format, out, log);
}

async function mergeMixnet(files: ShardFile[], sources: string[], { format, out, log }: MergeOutput): Promise<void> {
  const result = mergeMixnetShards(files.map((file, i) => mixnetShardOfFile(file, sources[i])), sources);
  log(`merged ${files.length} shards: ${result.targets.replications} replications`);
  await reportMixnet(result, format, out, log);
}

async function mergeTraceRoc(files: ShardFile[], sources: string[], { format, out, log }: MergeOutput): Promise<void> {
  const result = mergeTraceRocShards(files.map((file, i) => traceRocShardOfFile(file, sources[i])), sources);
  log(`merged ${files.length} shards: ${result.targets} target streams`);
  await reportTraceRoc(result, format, out, log);
}

async function mergeNetwork(files: ShardFile[], sources: string[], { format, out, log }: MergeOutput): Promise<void> {
  const result = mergeMixNetworkShards(files.map((file, i) => networkShardOfFile(file, sources[i])), sources);
  log(`merged ${files.length} shards: ${result.streams} traced streams`);
  await reportNetwork(result, format, out, log);
}

async function mergeMixing(files: ShardFile[], sources: string[], { format, graph, out, log }: MergeOutput): Promise<void> {
  const result = mergeMixingTimeShards(files.map((file, i) => mixingShardOfFile(file, sources[i])), sources);
  log(`merged ${files.length} shards: ${result.sources} sources`);
  await reportMixing(result, format, graph, out, log);
}

/** A shard file of either family: the entropy shards (their own JSON format) or the shard files of the other analyses. */
async function readShard(file: string): Promise<{ entropy?: ReturnType<EntropyFileReader['shard']>; shard?: ShardFile }> {
  const bytes = await readFile(file).catch((error) => {
    throw new InputError(`${file}: cannot read this file (${fileErrorReason(error)})`, { cause: error });
  });
  if (!isBinaryShard(bytes) && isEntropyShard(bytes)) return { entropy: new EntropyFileReader(file).shard(new TextDecoder().decode(bytes)) };
  return { shard: readShardFile(bytes, file) };
}

/** The entropy shards say so in their first lines. */
const isEntropyShard = (bytes: Uint8Array) => new TextDecoder().decode(bytes.subarray(0, 200)).includes(`"format": "${SHARD_FORMAT}"`);
