import { parseArgs } from 'node:util';
import { DEFAULT_HOPS, DEFAULT_TERMINALS, initiatorEntropy } from '../analyses/initiator-entropy.js';
import { GPUJS_MODES } from '../engines/gpujs/modes.js';
import { BACKEND_NAMES, createBackend, RUNTIMES } from '../engines/create.js';
import { ParameterError } from '../errors.js';
import { nodeIndex, type Csr } from '../graph/csr.js';
import {
  entropyCdfSvg,
  entropyJson,
  entropyNotes,
  entropyTable,
  entropyVsHopsSvg,
  hopsCsv,
  perTerminalCsv,
  roundsCsv,
  roundsSvg,
} from '../report/entropy-report.js';
import { WALK_MODELS } from '../walks/index.js';
import { choiceOption, integerOption, listOption, OUTPUT_OPTIONS, prepareOutputDirectory, writeOutputs } from './args.js';
import { GRAPH_HELP, GRAPH_OPTIONS, loadGraphForCommand } from './load-graph.js';
import { readPriorFile } from './prior-file.js';
import { createProgress } from './progress.js';

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
`;

export async function entropyCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
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
    },
  });
  if (values.help) {
    process.stdout.write(ENTROPY_HELP);
    return;
  }
  if (positionals.length !== 1) {
    throw new ParameterError(`entropy: expected one graph file, got ${positionals.length} (see anonscope entropy --help)`);
  }
  const log = (line: string) => values.quiet || process.stderr.write(`${line}\n`);
  // Every parameter is checked before the graph loads and the backend starts.
  const walk = choiceOption('walk', values.walk, WALK_MODELS);
  const format = choiceOption('format', values.format, ['table', 'json', 'csv'] as const);
  const backendName = guessingBackend(choiceOption('backend', values.backend, BACKEND_NAMES), values.guessing, log);
  const runtime = choiceOption('runtime', values.runtime, RUNTIMES);
  const gpujsMode = values['gpujs-mode'] === undefined ? undefined : choiceOption('gpujs-mode', values['gpujs-mode'], GPUJS_MODES);
  const threads = values.threads === undefined ? undefined : integerOption('threads', values.threads, 1, 1024);
  const precision = values.precision === undefined ? undefined : choiceOption('precision', values.precision, ['float32', 'float64'] as const);
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
  const report = { terminusWeighted: choiceOption('terminal-weighting', values['terminal-weighting'], ['uniform', 'terminus'] as const) === 'terminus' };
  if (values.out) await prepareOutputDirectory(values.out);
  const prior = values.prior ? await readPriorFile(values.prior) : undefined;

  const csr = await loadGraphForCommand(positionals[0], values, log);
  checkTerminals(csr, terminals, terminalIds);
  const backend = await createBackend(backendName, { runtime, gpujsMode, threads, precision, requireHardware: values['require-hardware'], log });
  const progress = createProgress('entropy', process.stderr, values.quiet);
  let result;
  try {
    result = await initiatorEntropy(csr, {
      walk,
      lazy: values.lazy,
      hops,
      terminals,
      terminalIds,
      seed,
      prior,
      backend,
      perTerminal: values['per-terminal'],
      cdfHop,
      rounds,
      guessing: values.guessing,
      roundsSamples,
      onProgress: progress.update,
    });
  } finally {
    progress.finish();
    await backend.dispose();
  }
  for (const note of entropyNotes(result)) log(`note: ${note}`);

  const stdout = format === 'table' ? entropyTable(result, report) : format === 'json' ? entropyJson(result) : hopsCsv(result);
  process.stdout.write(format === 'json' ? `${stdout}\n` : stdout);

  if (values.out) {
    const files: [string, string][] = [
      ['results.json', `${entropyJson(result)}\n`],
      ['hops.csv', hopsCsv(result)],
      ['entropy-vs-hops.svg', entropyVsHopsSvg(result, report)],
      ['entropy-cdf.svg', entropyCdfSvg(result)],
    ];
    if (result.perTerminal) files.push(['per-terminal.csv', perTerminalCsv(result)]);
    if (result.rounds) files.push(['rounds.csv', roundsCsv(result)], ['rounds.svg', roundsSvg(result)]);
    await writeOutputs(values.out, files, log);
  }
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
