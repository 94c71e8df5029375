import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  checkMixNetworkParameters,
  NETWORK_DEFAULTS,
  parseTorConsensus,
  simulateMixNetwork,
  torTopology,
  traceMixNetwork,
  traceMixNetworkShard,
  type MixNetworkResult,
  type MixTopology,
} from '../analyses/mix-network.js';
import { networkShardFile } from '../analyses/mix-network-shards.js';
import { InputError, ParameterError } from '../errors.js';
import { loadGraphFile, type LoadFileOptions } from '../graph/load-file.js';
import { expDelay, parseDelay } from '../mix/delays.js';
import {
  mixJson,
  networkAccuracyChart,
  networkCalibrationCsv,
  networkEntropyChart,
  networkRankCdfChart,
  networkReliabilityCsv,
  networkStepsCsv,
  networkStreamsCsv,
  networkTable,
} from '../report/mix-report.js';
import { choiceOption, formatOption, integerOption, OUTPUT_OPTIONS, prepareOutputDirectory, printResult, realOption, writeOutputs, type OutputFile, type OutputFormat } from './args.js';
import { MIX_KERNEL_HELP, MIX_KERNEL_OPTIONS, withMixKernels } from './mix.js';
import { GRAPH_READ_HELP, GRAPH_READ_OPTIONS, graphReadOptions } from './load-graph.js';
import { withProgress } from './progress.js';
import { SHARD_OPTIONS, shardHelp, shardSettings, writeShard } from './shard-output.js';

const D = NETWORK_DEFAULTS;

export const NETWORK_HELP = `Usage: anonscope network [options]

Tracing streams through a network of continuous-time mixes (Danezis, PET 2004, §3.4).
Streams cross paths of distinct mixes; the attacker sees every link's packet times and each
target's input stream. Every link is scored against the target convolved once per hop
(d^{*h} * f, log-likelihood ratios as in "trace"), the scores become edge weights, and
1, 2, … steps of the walk from the entry mix (the batched SpMM over the links, all target
streams at once) give where each stream went: the rank of its true destination and the
entropy of the destination distribution, and how well calibrated that distribution is (its
top guess's probability against how often the guess is right, a reliability table, the
log-loss of the true destinations): the entropy is the attacker's posterior, which is the
streams' anonymity only when it is calibrated.

Network (defaults: Danezis §3.4):
  --mixes N            mixes in the random topology [${D.mixes}]
  --links K            links from each mix to K distinct others [${D.links}]
  --topology FILE      a real topology instead: a weighted graph (weights = routing
                       preference; any format below), or a Tor v3 consensus, full
                       or microdesc flavour (relays as mixes, links weighted by the next
                       relay's bandwidth)
  --topology-format F  auto | graph | tor [auto: tor when the file is a consensus]
  --max-relays K       Tor: the K largest Running, Valid relays [50]
  --streams N          streams [${D.streams}]
  --path-length L      distinct mixes on each path [${D.pathLength}]
  --packets N          packets per stream [${D.packets}]
  --duration T         the streams' packets are spread over [0, T) ticks [${D.duration}]
  --delay LAW          the mixes' delay: exp:μ | uniform:a,b | erlang:k,μ | lognormal:m,s
                       | pareto:α,xm | hist:FILE [exp:${1 / D.meanDelay}, mean ${D.meanDelay} ticks]
  --seed S             PCG32 seed of the topology, the traffic and the target sample [1]

Attack:
  --targets K|all      trace a uniform sample of K streams, or all [all]
  --step DT            time-grid step [a tenth of the mean delay]
  --temperature T|auto divide the links' log-likelihood scores by T (T > 1 discounts
                       evidence that the independent-links model overcounts); auto fits T
                       by maximum likelihood of the true destinations, which uses the
                       simulation's ground truth: it calibrates the attack model, it is not
                       an attack [1]

Topology file read as a graph (every format anonscope reads):
${GRAPH_READ_HELP}

${MIX_KERNEL_HELP}
Output:
  --format F           table | json | csv (csv: the per-step summary) [table]
  --out DIR            also write results.json, steps.csv, streams.csv, calibration.csv,
                       reliability.csv, network-accuracy.svg, network-entropy.svg,
                       rank-cdf.svg into DIR
  --quiet              no progress or notes on stderr
  -h, --help           this help

Shards (see the README's "Shards, merge and checkpoints"): each shard simulates the whole
network and traces its slice of the streams; not with --temperature auto (one T is fitted
over every stream):
${shardHelp('traced streams')}
`;

async function loadTopology(path: string, format: 'auto' | 'graph' | 'tor', readOptions: LoadFileOptions, maxRelays: number | undefined): Promise<MixTopology> {
  if (format !== 'graph') {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new InputError(`${path}: cannot read the topology (${(error as Error).message})`, { cause: error });
    }
    const isConsensus = /^network-status-version /m.test(text.slice(0, 4096));
    if (format === 'tor' || isConsensus) return torTopology(parseTorConsensus(text, path), maxRelays ?? 50, path);
  }
  if (maxRelays !== undefined) throw new ParameterError(`network: --max-relays applies to a Tor consensus; ${path} is read as a graph`);
  const { csr } = await loadGraphFile(path, readOptions);
  return { csr, source: `${path}: ${csr.n} mixes` };
}

const NETWORK_OPTIONS = {
  mixes: { type: 'string' },
  links: { type: 'string' },
  topology: { type: 'string' },
  'topology-format': { type: 'string', default: 'auto' },
  ...GRAPH_READ_OPTIONS,
  'max-relays': { type: 'string' },
  streams: { type: 'string' },
  'path-length': { type: 'string' },
  packets: { type: 'string' },
  duration: { type: 'string' },
  delay: { type: 'string' },
  seed: { type: 'string' },
  targets: { type: 'string' },
  step: { type: 'string' },
  temperature: { type: 'string' },
  ...OUTPUT_OPTIONS,
  ...MIX_KERNEL_OPTIONS,
  ...SHARD_OPTIONS,
} as const;

const parseNetworkArgs = (argv: string[]) => parseArgs({ args: argv, allowPositionals: true, options: NETWORK_OPTIONS });
type NetworkValues = ReturnType<typeof parseNetworkArgs>['values'];

export async function networkCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseNetworkArgs(argv);
  if (values.help) {
    process.stdout.write(NETWORK_HELP);
    return;
  }
  if (positionals.length > 0) throw new ParameterError(`network: unexpected argument "${positionals[0]}" (use --topology FILE; see anonscope network --help)`);
  const log = (line: string) => values.quiet || process.stderr.write(`${line}\n`);
  // Every parameter is checked before the topology is read and the kernels start.
  const { format, topologyFormat, readOptions, maxRelays, simulation, attack, shard } = await networkSettings(values);
  if (values.out) await prepareOutputDirectory(values.out);
  let topology: MixTopology | undefined;
  if (values.topology !== undefined) {
    topology = await loadTopology(values.topology, topologyFormat, readOptions, maxRelays);
    log(`topology: ${topology.source}, ${topology.csr.colIdx.length} links`);
  }
  const sim = simulateMixNetwork({ ...simulation, topology });
  if (sim.shortPaths > 0) log(`note: ${sim.shortPaths} streams met a dead end before ${sim.pathLength} mixes; they are not traced`);
  if (sim.dropped > 0) log(`note: ${sim.dropped} link packets left after the observation window and are not seen`);
  if (shard) {
    const part = await withMixKernels(values, log, (kernels) =>
      withProgress('network', values.quiet, (onProgress) => traceMixNetworkShard(sim, { ...attack, kernels, onProgress, shard: shard.spec })),
    );
    await writeShard(shard, networkShardFile(part), log);
    return;
  }
  const result = await withMixKernels(values, log, (kernels) =>
    withProgress('network', values.quiet, (onProgress) => traceMixNetwork(sim, { ...attack, kernels, onProgress })),
  );
  await reportNetwork(result, format, values.out, log);
}

/** What network and merge both print: the result on stdout (its notes on stderr with CSV), the --out files. */
export async function reportNetwork(result: MixNetworkResult, format: OutputFormat, out: string | undefined, log: (line: string) => void): Promise<void> {
  // The table carries the result's notes; JSON has them as a field; CSV has no place for them.
  if (format === 'csv') result.notes.forEach((note) => log(`note: ${note}`));
  printResult(format, result, { table: networkTable, json: mixJson, csv: networkStepsCsv });
  if (out) await writeOutputs(out, networkFiles(result), log);
}

/** The command line checked, in a fixed order, against each other and against the simulation's limits. */
async function networkSettings(values: NetworkValues) {
  const format = formatOption(values.format);
  const topologyFormat = choiceOption('topology-format', values['topology-format'], ['auto', 'graph', 'tor'] as const);
  const readOptions = graphReadOptions(values);
  const int = (name: 'mixes' | 'links' | 'streams' | 'path-length' | 'packets' | 'max-relays', min: number) =>
    values[name] === undefined ? undefined : integerOption(name, values[name]!, min, 100_000_000);
  if (values.topology !== undefined && (values.mixes !== undefined || values.links !== undefined)) {
    throw new ParameterError('network: --mixes and --links shape the random topology; they cannot be used with --topology');
  }
  const maxRelays = int('max-relays', 2);
  if (maxRelays !== undefined && values.topology === undefined) throw new ParameterError('network: --max-relays applies to a Tor consensus given with --topology');
  const simulation = {
    mixes: int('mixes', 2),
    links: int('links', 1),
    streams: int('streams', 1),
    pathLength: int('path-length', 2),
    packets: int('packets', 1),
    duration: values.duration === undefined ? undefined : realOption('duration', values.duration, { exclusiveMin: 0 }),
    delay: values.delay === undefined ? expDelay(1 / D.meanDelay) : await parseDelay(values.delay),
    seed: values.seed === undefined ? 1 : integerOption('seed', values.seed, 0, 2 ** 53 - 1),
  };
  const attack = {
    targets: values.targets === undefined || values.targets === 'all' ? ('all' as const) : integerOption('targets', values.targets, 1),
    step: values.step === undefined ? undefined : realOption('step', values.step, { exclusiveMin: 0 }),
    temperature: values.temperature === undefined ? 1 : values.temperature === 'auto' ? ('auto' as const) : realOption('temperature', values.temperature, { exclusiveMin: 0 }),
  };
  checkMixNetworkParameters(simulation, attack, { topologyToCome: values.topology !== undefined });
  const shard = shardSettings(values);
  if (shard && attack.temperature === 'auto') {
    throw new ParameterError('network: --temperature auto fits one temperature over every traced stream and cannot be sharded; give --temperature T (say, the one an unsharded run fits on fewer streams)');
  }
  return { format, topologyFormat, readOptions, maxRelays, simulation, attack, shard };
}

function networkFiles(result: MixNetworkResult): OutputFile[] {
  return [
    ['results.json', `${mixJson(result)}\n`],
    ['steps.csv', networkStepsCsv(result)],
    ['streams.csv', networkStreamsCsv(result)],
    ['calibration.csv', networkCalibrationCsv(result)],
    ['reliability.csv', networkReliabilityCsv(result)],
    ['network-accuracy.svg', networkAccuracyChart(result)],
    ['network-entropy.svg', networkEntropyChart(result)],
    ['rank-cdf.svg', networkRankCdfChart(result)],
  ];
}
