import { parseArgs } from 'node:util';
import { basename, join } from 'node:path';
import {
  DEFAULT_HOPS,
  DEFAULT_TERMINALS,
  initiatorEntropy,
  initiatorEntropyShard,
  type InitiatorEntropyOptions,
  type InitiatorEntropyResult,
} from '../analyses/initiator-entropy.js';
import { entropyFileJson } from '../analyses/initiator-entropy-shards.js';
import type { Backend } from '../engines/backend.js';
import { GPUJS_MODES } from '../engines/gpujs/modes.js';
import { BACKEND_NAMES, createBackend, RUNTIMES } from '../engines/create.js';
import { ParameterError } from '../errors.js';
import { nodeIndex, type Csr } from '../graph/csr.js';
import { checkPriorNodes } from '../graph/prior.js';
import {
  entropyCdfChart,
  entropyJson,
  entropyNotes,
  entropyTable,
  entropyVsHopsChart,
  type EntropyChartOptions,
  hopsCsv,
  perTerminalCsv,
  roundsCsv,
  roundsChart,
} from '../report/entropy-report.js';
import { WALK_MODELS } from '../walks/index.js';
import {
  choiceOption,
  formatOption,
  integerOption,
  listOption,
  OUTPUT_OPTIONS,
  prepareOutputDirectory,
  printResult,
  shardOption,
  writeFileAtomically,
  writeOutputs,
  type OutputFile,
  type OutputFormat,
} from './args.js';
import { checkpointOption, DEFAULT_CHECKPOINT_BATCH, prepareCheckpointDirectory, type CheckpointSettings } from './checkpoint.js';
import { GRAPH_HELP, GRAPH_OPTIONS, loadGraphForCommand } from './load-graph.js';
import { readNodeWeightFile } from './node-weight-file.js';
import { withProgress } from './progress.js';

export const ENTROPY_HELP = `Usage: anonscope entropy <graph-file> [options]

Initiator anonymity of l-hop random walks (Pisces): for sampled terminals j, the entropy
of p_i ∝ q_i (P^t)_ij at every hop t = 1..L, summarized over terminals.

Walk:
  --walk W             simple | mh (Metropolis-Hastings, uniform stationary law) [simple]
  --lazy               stay put with probability 1/2 at each hop
  --hops L             walk length; statistics for every hop 1..L [${DEFAULT_HOPS}]

Terminals:
  --terminals K|all    sample K terminals uniformly, or all nodes for the exact
                       expectation [${DEFAULT_TERMINALS}, or all when n <= ${DEFAULT_TERMINALS}]
  --terminal-ids a,b   these node ids instead of a sample
  --seed S             seed of the terminal sample and of the rounds' walks [1]
  --rounds Z           also the entropy after 1..Z independent rounds of L-hop walks
                       from the same initiator (the adversary sees every terminus)
  --rounds-samples K   initiators sampled for --rounds [100]
  --guessing           also the guessing entropy (expected number of guesses, Massey);
                       sorts every posterior: --backend cpu only
  --prior FILE         prior over initiators: "node weight" lines [uniform]
  --terminal-weighting W
                       uniform | terminus: lead the table and plot with the mean
                       weighted by where walks end (JSON and CSV always have both)
                       [uniform]

${GRAPH_HELP}

Compute and output:
  --backend B          ${BACKEND_NAMES.join(' | ')} [auto]
                       cpu: float64 reference, one core; cpu-parallel: every core
                       (worker threads), float32 (float64 sums; --precision float64
                       for float64 throughout); webgpu: WGSL kernels (float32);
                       gpujs: gpu.js kernels (float32); auto: webgpu on a hardware
                       adapter, else gpujs in a GPU mode, else cpu-parallel (says why)
  --threads N          cpu-parallel only: worker threads [every core]
  --precision P        cpu-parallel only: float32 | float64, storage of P and of the
                       walk columns (sums are float64 either way) [float32]
  --runtime R          ${RUNTIMES.join(' | ')} [auto]: webgpu runs in Node (Dawn) where it
                       has an adapter, else in headless Chromium; browser runs webgpu or
                       gpujs in headless Chromium
  --gpujs-mode M       gpujs only: ${GPUJS_MODES.join(' | ')} [gpu: gpu.js's choice]
  --require-hardware   webgpu only: refuse software adapters (SwiftShader)
  --format F           table | json | csv: what goes to stdout [table]
  --per-terminal       keep every terminal's entropies (JSON, and per-terminal.csv in --out)
  --cdf-hop H          hop of the reported CDF [the last hop]
  --out DIR            also write results.json, hops.csv, entropy-vs-hops.svg,
                       entropy-cdf.svg (and per-terminal.csv, rounds.csv, rounds.svg)
  --quiet              no load summary or progress on stderr
  -h, --help           this help

Shards and checkpoints (see the README's "Shards, merge and checkpoints"):
  --shard K/N          compute only shard K (0-based: 0..N-1) of N of the terminal list
                       and write its per-terminal records to DIR/shard-K-of-N.json
                       (needs --out DIR; nothing on stdout); anonscope merge puts the N
                       shards together into this command's unsharded output. With
                       --rounds the shard also takes slice K of the sampled initiators
  --checkpoint DIR     write DIR/job.json and a DIR/batch-<first>.json per finished batch
                       of terminals, so that a crashed or pre-empted run can go on
  --resume             continue the checkpoint in --checkpoint DIR: take its finished
                       batches, compute the rest (a DIR of another job is refused)
  --checkpoint-batch T terminals per checkpoint batch [${DEFAULT_CHECKPOINT_BATCH}]
`;

const ENTROPY_OPTIONS = {
  ...GRAPH_OPTIONS,
  ...OUTPUT_OPTIONS,
  walk: { type: 'string', default: 'simple' },
  lazy: { type: 'boolean', default: false },
  hops: { type: 'string' },
  terminals: { type: 'string' },
  'terminal-ids': { type: 'string' },
  seed: { type: 'string' },
  prior: { type: 'string' },
  'terminal-weighting': { type: 'string', default: 'uniform' },
  rounds: { type: 'string' },
  'rounds-samples': { type: 'string' },
  guessing: { type: 'boolean', default: false },
  backend: { type: 'string', default: 'auto' },
  runtime: { type: 'string', default: 'auto' },
  'require-hardware': { type: 'boolean', default: false },
  'gpujs-mode': { type: 'string' },
  threads: { type: 'string' },
  precision: { type: 'string' },
  'per-terminal': { type: 'boolean', default: false },
  'cdf-hop': { type: 'string' },
  shard: { type: 'string' },
  checkpoint: { type: 'string' },
  resume: { type: 'boolean', default: false },
  'checkpoint-batch': { type: 'string' },
} as const;

const parseEntropyArgs = (argv: string[]) => parseArgs({ args: argv, allowPositionals: true, options: ENTROPY_OPTIONS });
type EntropyValues = ReturnType<typeof parseEntropyArgs>['values'];

export async function entropyCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseEntropyArgs(argv);
  if (values.help) {
    process.stdout.write(ENTROPY_HELP);
    return;
  }
  if (positionals.length !== 1) {
    throw new ParameterError(`entropy: expected one graph file, got ${positionals.length} (see anonscope entropy --help)`);
  }
  const log = (line: string) => values.quiet || process.stderr.write(`${line}\n`);
  // Every parameter is checked before the graph loads and the backend starts.
  const { format, report, engine, analysis, shard, checkpoint } = entropySettings(values, log);
  if (values.out) await prepareOutputDirectory(values.out);
  if (checkpoint) await prepareCheckpointDirectory(checkpoint);
  const prior = values.prior ? await readNodeWeightFile(values.prior, 'prior file') : undefined;

  const csr = await loadGraphForCommand(positionals[0], values, log);
  if (prior) checkPriorNodes(prior.lines, csr, prior.path, basename(positionals[0]));
  checkTerminals(csr, analysis.terminals, analysis.terminalIds);
  const options = { ...analysis, prior: prior?.weights, checkpoint: checkpoint && checkpointOption(checkpoint, shard, log) };
  if (shard) {
    const records = await onEngine(engine, values.quiet, log, (backend, onProgress) => initiatorEntropyShard(csr, { ...options, shard, backend, onProgress }));
    const file = join(values.out!, `shard-${shard.index}-of-${shard.count}.json`);
    await writeFileAtomically(file, entropyFileJson(records));
    const last = records.first + records.terminals.length - 1;
    log(`wrote shard ${shard.index} of ${shard.count} (terminals ${records.first}..${last} of ${records.job.terminals.count}) to ${file}`);
    return;
  }
  const result = await onEngine(engine, values.quiet, log, (backend, onProgress) => initiatorEntropy(csr, { ...options, backend, onProgress }));
  await reportEntropy(result, format, { ...report, graph: basename(positionals[0]) }, values.out, log);
}

/** What entropy and merge both print: the notes on stderr, the result on stdout, the --out files. */
export async function reportEntropy(result: InitiatorEntropyResult, format: OutputFormat, report: EntropyChartOptions, out: string | undefined, log: (line: string) => void): Promise<void> {
  for (const note of entropyNotes(result)) log(`note: ${note}`);
  printResult(format, result, { table: (r) => entropyTable(r, report), json: entropyJson, csv: hopsCsv });
  if (out) await writeOutputs(out, entropyFiles(result, report), log);
}

export interface EntropyReportChoice {
  terminusWeighted: boolean;
}

/** --terminal-weighting: which mean leads the table and the plot. */
export function terminalWeightingOption(text: string): EntropyReportChoice {
  return { terminusWeighted: choiceOption('terminal-weighting', text, ['uniform', 'terminus'] as const) === 'terminus' };
}

interface EngineChoice {
  name: (typeof BACKEND_NAMES)[number];
  runtime: (typeof RUNTIMES)[number];
  gpujsMode?: (typeof GPUJS_MODES)[number];
  threads?: number;
  precision?: 'float32' | 'float64';
  requireHardware: boolean;
}

/** The command line checked, option by option in a fixed order (so the first bad one is the one reported). */
function entropySettings(values: EntropyValues, log: (line: string) => void) {
  const walk = choiceOption('walk', values.walk, WALK_MODELS);
  const format = formatOption(values.format);
  const engine = engineChoice(values, log);
  const hops = values.hops === undefined ? DEFAULT_HOPS : integerOption('hops', values.hops, 1, 100_000);
  const terminals =
    values.terminals === undefined || values.terminals === 'all'
      ? values.terminals
      : integerOption('terminals', values.terminals, 1);
  const seed = values.seed === undefined ? undefined : integerOption('seed', values.seed, 0, 2 ** 53 - 1);
  const cdfHop = values['cdf-hop'] === undefined ? undefined : integerOption('cdf-hop', values['cdf-hop'], 1, hops);
  const terminalIds = values['terminal-ids'] === undefined ? undefined : listOption(values['terminal-ids']);
  if (terminalIds?.length === 0) throw new ParameterError('--terminal-ids needs at least one node id');
  const rounds = values.rounds === undefined ? undefined : integerOption('rounds', values.rounds, 1, 256);
  const roundsSamples = values['rounds-samples'] === undefined ? undefined : integerOption('rounds-samples', values['rounds-samples'], 1);
  const report = terminalWeightingOption(values['terminal-weighting']);
  const shard = values.shard === undefined ? undefined : shardOption(values.shard);
  if (shard && values.out === undefined) throw new ParameterError('--shard needs --out DIR: the shard is written there as shard-K-of-N.json');
  const checkpoint = checkpointSettings(values);
  const analysis = {
    walk,
    lazy: values.lazy,
    hops,
    terminals,
    terminalIds,
    seed,
    perTerminal: values['per-terminal'],
    cdfHop,
    rounds,
    guessing: values.guessing,
    roundsSamples,
  } satisfies InitiatorEntropyOptions;
  return { format, report, engine, analysis, shard, checkpoint };
}

/** --checkpoint DIR, --resume, --checkpoint-batch T; the last two only with the first. */
function checkpointSettings(values: EntropyValues): CheckpointSettings | undefined {
  const batch = values['checkpoint-batch'];
  if (values.checkpoint === undefined) {
    if (values.resume) throw new ParameterError('--resume needs --checkpoint DIR (the checkpoint to continue)');
    if (batch !== undefined) throw new ParameterError('--checkpoint-batch needs --checkpoint DIR');
    return undefined;
  }
  const batchTerminals = batch === undefined ? DEFAULT_CHECKPOINT_BATCH : integerOption('checkpoint-batch', batch, 1);
  return { dir: values.checkpoint, resume: values.resume, batchTerminals };
}

/** --backend (cpu for --guessing under auto), --runtime, --gpujs-mode, --threads, --precision, --require-hardware. */
function engineChoice(values: EntropyValues, log: (line: string) => void): EngineChoice {
  return {
    name: guessingBackend(choiceOption('backend', values.backend, BACKEND_NAMES), values.guessing, log),
    runtime: choiceOption('runtime', values.runtime, RUNTIMES),
    gpujsMode: values['gpujs-mode'] === undefined ? undefined : choiceOption('gpujs-mode', values['gpujs-mode'], GPUJS_MODES),
    threads: values.threads === undefined ? undefined : integerOption('threads', values.threads, 1, 1024),
    precision: values.precision === undefined ? undefined : choiceOption('precision', values.precision, ['float32', 'float64'] as const),
    requireHardware: values['require-hardware'],
  };
}

/** Work on the backend asked for, with progress on stderr; the backend is released however it ends. */
async function onEngine<R>(
  engine: EngineChoice,
  quiet: boolean,
  log: (line: string) => void,
  work: (backend: Backend, onProgress: (done: number, total: number) => void) => Promise<R>,
): Promise<R> {
  const { name, ...backendOptions } = engine;
  const backend = await createBackend(name, { ...backendOptions, log });
  try {
    return await withProgress('entropy', quiet, (onProgress) => work(backend, onProgress));
  } finally {
    await backend.dispose();
  }
}

/** The files of --out DIR: the per-terminal and rounds files only when the result has them. */
function entropyFiles(result: InitiatorEntropyResult, report: EntropyChartOptions): OutputFile[] {
  const files: OutputFile[] = [
    ['results.json', `${entropyJson(result)}\n`],
    ['hops.csv', hopsCsv(result)],
    ['entropy-vs-hops.svg', entropyVsHopsChart(result, report)],
    ['entropy-cdf.svg', entropyCdfChart(result, report)],
  ];
  if (result.perTerminal) files.push(['per-terminal.csv', perTerminalCsv(result)]);
  if (result.rounds) files.push(['rounds.csv', roundsCsv(result)], ['rounds.svg', roundsChart(result, report)]);
  return files;
}

/** Guessing entropy sorts every posterior column: the float64 cpu backend only (auto picks it). */
function guessingBackend(name: (typeof BACKEND_NAMES)[number], guessing: boolean, log: (line: string) => void): (typeof BACKEND_NAMES)[number] {
  if (!guessing || name === 'cpu') return name;
  if (name === 'auto') {
    log('backend auto: cpu, the one backend that computes guessing entropy');
    return 'cpu';
  }
  throw new ParameterError(`--guessing sorts every posterior and runs on --backend cpu only, not ${name}`);
}

/** The terminal options that need the graph, checked before the backend starts. */
function checkTerminals(csr: Csr, terminals: number | 'all' | undefined, terminalIds: string[] | undefined): void {
  if (typeof terminals === 'number' && terminals > csr.n) {
    throw new ParameterError(`--terminals must be 'all' or an integer in 1..${csr.n} (the node count), got ${terminals}`);
  }
  if (terminalIds) {
    const index = nodeIndex(csr);
    const unknown = terminalIds.find((id) => !index.has(id));
    if (unknown !== undefined) throw new ParameterError(`--terminal-ids: unknown terminal id "${unknown}" (not a node of the graph)`);
  }
}
