import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MIXING_HOPS, DEFAULT_SOURCES, mixingTime, mixingTimeShard, type MixingTimeOptions, type MixingTimeResult } from '../analyses/mixing-time.js';
import { mixingShardFile } from '../analyses/mixing-time-shards.js';
import { BACKEND_NAMES, createBackend, RUNTIMES } from '../engines/create.js';
import { GPUJS_MODES } from '../engines/gpujs/modes.js';
import { ParameterError } from '../errors.js';
import { nodeIndex, type Csr } from '../graph/csr.js';
import { mixingHopsCsv, mixingJson, mixingSourcesCsv, mixingTable, tvVsHopsChart } from '../report/mixing-report.js';
import { WALK_MODELS } from '../walks/index.js';
import { choiceOption, formatOption, integerOption, listOption, OUTPUT_OPTIONS, prepareOutputDirectory, printResult, realOption, writeOutputs, type OutputFormat } from './args.js';
import { GRAPH_HELP, GRAPH_OPTIONS, loadGraphForCommand } from './load-graph.js';
import { withProgress } from './progress.js';
import { SHARD_OPTIONS, shardHelp, shardSettings, writeShard } from './shard-output.js';

export const MIXING_HELP = `Usage: anonscope mixing <graph-file> [options]

How fast a random walk forgets where it started: for K sources s, the total-variation
distance ‖P^t(s,·) − π‖_TV to the stationary law after t = 1..L hops (pushed forward on
the engine: x ← Pᵀx), per hop its mean, median, max and quantiles over the sources, and
the mixing time τ(ε) (the first t with TV ≤ ε) of each source. For reversible walks
(undirected graphs) also λ₂, λ_min and the SLEM of P (Lanczos on D^½ P D^-½) and the
bounds they give on τ(ε); for directed graphs π comes from power iteration and only the
sampled TV is reported. Several components: each source against its own component's law.

Walk:
  --walk W             ${WALK_MODELS.join(' | ')}: π_i ∝ strength (simple), uniform (mh) [simple]
  --lazy               stay put with probability 1/2 at each hop (aperiodic)
  --hops L             longest walk; every hop 1..L is reported [${DEFAULT_MIXING_HOPS}]
  --sources K|all      sources sampled uniformly [${DEFAULT_SOURCES}, or all when n <= ${DEFAULT_SOURCES}]
  --source-ids a,b,c   these node ids as sources instead of a sample
  --seed S             seed of the source sample and of Lanczos' start vector [1]
  --epsilon E          τ(ε) is the first hop with TV ≤ ε, 0 < ε < 1 [0.25]
  --no-spectrum        skip the Lanczos eigenvalues (reversible walks)

${GRAPH_HELP}

Compute and output:
  --backend B          ${BACKEND_NAMES.join(' | ')} [auto]
  --runtime R          ${RUNTIMES.join(' | ')} [auto]
  --gpujs-mode M       gpujs only: ${GPUJS_MODES.join(' | ')} [gpu]
  --threads N          cpu-parallel only: worker threads [every core]
  --format F           table | json | csv [table]
  --out DIR            also write results.json, hops.csv, sources.csv (τ per source),
                       tv-vs-hops.svg
  --quiet              no load summary or progress on stderr
  -h, --help           this help

Shards (see the README's "Shards, merge and checkpoints"): the TV distances of a slice of
the sources; the spectrum (Lanczos, once over the whole graph) is computed by shard 0:
${shardHelp('sources')}
`;

const MIXING_OPTIONS = {
  ...GRAPH_OPTIONS,
  walk: { type: 'string', default: 'simple' },
  lazy: { type: 'boolean', default: false },
  hops: { type: 'string', default: String(DEFAULT_MIXING_HOPS) },
  sources: { type: 'string' },
  'source-ids': { type: 'string' },
  seed: { type: 'string', default: '1' },
  epsilon: { type: 'string', default: '0.25' },
  'no-spectrum': { type: 'boolean', default: false },
  backend: { type: 'string', default: 'auto' },
  runtime: { type: 'string', default: 'auto' },
  'gpujs-mode': { type: 'string' },
  threads: { type: 'string' },
  ...OUTPUT_OPTIONS,
  ...SHARD_OPTIONS,
} as const;

const parseMixingArgs = (argv: string[]) => parseArgs({ args: argv, allowPositionals: true, options: MIXING_OPTIONS });
type MixingValues = ReturnType<typeof parseMixingArgs>['values'];

export async function mixingCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseMixingArgs(argv);
  if (values.help) {
    process.stdout.write(MIXING_HELP);
    return;
  }
  if (positionals.length !== 1) throw new ParameterError(`mixing: expected one graph file, got ${positionals.length} (see anonscope mixing --help)`);
  const log = (line: string) => values.quiet || process.stderr.write(`${line}\n`);
  // Every parameter is checked before the graph loads and the backend starts.
  const { options, format, engine } = mixingSettings(values);
  const shard = shardSettings(values);
  if (values.out) await prepareOutputDirectory(values.out);
  const csr = await loadGraphForCommand(positionals[0], values, log);
  checkSources(csr, options);
  const { name, ...backendOptions } = engine;
  const backend = await createBackend(name, { ...backendOptions, log });
  try {
    if (shard) {
      const part = await withProgress('mixing', values.quiet, (onProgress) => mixingTimeShard(csr, { ...options, backend, onProgress, shard: shard.spec }));
      await writeShard(shard, mixingShardFile(part), log);
      return;
    }
    const result = await withProgress('mixing', values.quiet, (onProgress) => mixingTime(csr, { ...options, backend, onProgress }));
    await reportMixing(result, format, basename(positionals[0]), values.out, log);
  } finally {
    await backend.dispose();
  }
}

/** What mixing and merge both print: the result on stdout, the --out files (`graph` names the graph in the plot's title). */
export async function reportMixing(result: MixingTimeResult, format: OutputFormat, graph: string, out: string | undefined, log: (line: string) => void): Promise<void> {
  printResult(format, result, { table: mixingTable, json: mixingJson, csv: mixingHopsCsv });
  if (out) {
    await writeOutputs(
      out,
      [
        ['results.json', `${mixingJson(result)}\n`],
        ['hops.csv', mixingHopsCsv(result)],
        ['sources.csv', mixingSourcesCsv(result)],
        ['tv-vs-hops.svg', tvVsHopsChart(result, { graph })],
      ],
      log,
    );
  }
}

/** The command line checked, option by option in a fixed order (the first bad one is the one reported). */
function mixingSettings(values: MixingValues) {
  const options: MixingTimeOptions = {
    walk: choiceOption('walk', values.walk, WALK_MODELS),
    lazy: values.lazy,
    hops: integerOption('hops', values.hops, 1, 100_000),
    seed: integerOption('seed', values.seed, 0, 2 ** 32 - 1),
    epsilon: realOption('epsilon', values.epsilon, { exclusiveMin: 0 }),
    spectrum: !values['no-spectrum'],
  };
  if (!(options.epsilon! < 1)) throw new ParameterError(`--epsilon must be < 1, got ${options.epsilon}`);
  if (values['source-ids'] !== undefined) {
    if (values.sources !== undefined) throw new ParameterError('--sources and --source-ids cannot be used together');
    options.sourceIds = listOption(values['source-ids']);
    if (options.sourceIds.length === 0) throw new ParameterError('--source-ids needs at least one node id');
  } else if (values.sources !== undefined) {
    options.sources = values.sources === 'all' ? 'all' : integerOption('sources', values.sources, 1);
  }
  const format = formatOption(values.format);
  const engine = {
    name: choiceOption('backend', values.backend, BACKEND_NAMES),
    runtime: choiceOption('runtime', values.runtime, RUNTIMES),
    gpujsMode: values['gpujs-mode'] === undefined ? undefined : choiceOption('gpujs-mode', values['gpujs-mode'], GPUJS_MODES),
    threads: values.threads === undefined ? undefined : integerOption('threads', values.threads, 1, 1024),
  };
  return { options, format, engine };
}

/** --sources above the node count and unknown --source-ids are refused before the backend starts. */
function checkSources(csr: Csr, options: MixingTimeOptions): void {
  if (typeof options.sources === 'number' && options.sources > csr.n) {
    throw new ParameterError(`--sources ${options.sources} exceeds the graph's ${csr.n} nodes (use --sources all)`);
  }
  const index = nodeIndex(csr);
  const unknown = options.sourceIds?.find((id) => !index.has(id));
  if (unknown !== undefined) throw new ParameterError(`--source-ids: node "${unknown}" is not a node of the graph`);
}
