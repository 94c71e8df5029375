import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  NETWORK_DEFAULTS,
  parseTorConsensus,
  simulateMixNetwork,
  torTopology,
  traceMixNetwork,
  type MixTopology,
} from '../analyses/mix-network.js';
import { InputError, ParameterError } from '../errors.js';
import { loadGraphFile } from '../graph/load-file.js';
import { expDelay, parseDelay } from '../mix/delays.js';
import {
  mixJson,
  networkAccuracySvg,
  networkEntropySvg,
  networkRankCdfSvg,
  networkStepsCsv,
  networkStreamsCsv,
  networkTable,
} from '../report/mix-report.js';
import { choiceOption, integerOption, OUTPUT_OPTIONS } from './args.js';
import { createMixKernels, MIX_KERNEL_HELP, MIX_KERNEL_OPTIONS, realOption, writeOutputs } from './mix.js';
import { createProgress } from './progress.js';

const D = NETWORK_DEFAULTS;

export const NETWORK_HELP = `Usage: anonscope network [options]

Tracing streams through a network of continuous-time mixes (Danezis, PET 2004, §3.4).
Streams cross paths of distinct mixes; the attacker sees every link's packet times and each
target's input stream. Every link is scored against the target convolved once per hop
(d^{*h} * f, log-likelihood ratios as in "trace"), the scores become edge weights, and
1, 2, … steps of the walk from the entry mix (the batched SpMM over the links, all target
streams at once) give where each stream went: the rank of its true destination and the
entropy of the destination distribution.

Network (defaults: Danezis §3.4):
  --mixes N            mixes in the random topology [${D.mixes}]
  --links K            links from each mix to K distinct others [${D.links}]
  --topology FILE      a real topology instead: a weighted edge list (weights = routing
                       preference; also GEXF / graphology JSON), or a Tor v3 consensus
                       (relays as mixes, links weighted by the next relay's bandwidth)
  --topology-format F  auto | graph | tor [auto: tor when the file is a consensus]
  --directed           edge lists: lines are arcs u → v [undirected: both ways]
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

${MIX_KERNEL_HELP}
Output:
  --format F           table | json | csv (csv: the per-step summary) [table]
  --out DIR            also write results.json, steps.csv, streams.csv,
                       network-accuracy.svg, network-entropy.svg, rank-cdf.svg into DIR
  --quiet              no progress or notes on stderr
  -h, --help           this help
`;

async function loadTopology(path: string, format: 'auto' | 'graph' | 'tor', directed: boolean, maxRelays: number): Promise<MixTopology> {
  if (format !== 'graph') {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new InputError(`${path}: cannot read the topology (${(error as Error).message})`);
    }
    const isConsensus = /^network-status-version /m.test(text.slice(0, 4096));
    if (format === 'tor' || isConsensus) return torTopology(parseTorConsensus(text, path), maxRelays, path);
  }
  const { csr } = await loadGraphFile(path, { directed });
  return { csr, source: `${path}: ${csr.n} mixes` };
}

export async function networkCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      mixes: { type: 'string' },
      links: { type: 'string' },
      topology: { type: 'string' },
      'topology-format': { type: 'string', default: 'auto' },
      directed: { type: 'boolean', default: false },
      'max-relays': { type: 'string' },
      streams: { type: 'string' },
      'path-length': { type: 'string' },
      packets: { type: 'string' },
      duration: { type: 'string' },
      delay: { type: 'string' },
      seed: { type: 'string' },
      targets: { type: 'string' },
      step: { type: 'string' },
      ...OUTPUT_OPTIONS,
      ...MIX_KERNEL_OPTIONS,
    },
  });
  if (values.help) {
    process.stdout.write(NETWORK_HELP);
    return;
  }
  if (positionals.length > 0) throw new ParameterError(`network: unexpected argument "${positionals[0]}" (use --topology FILE; see anonscope network --help)`);
  const log = (line: string) => values.quiet || process.stderr.write(`${line}\n`);
  const format = choiceOption('format', values.format, ['table', 'json', 'csv'] as const);
  const topologyFormat = choiceOption('topology-format', values['topology-format'], ['auto', 'graph', 'tor'] as const);
  const int = (name: 'mixes' | 'links' | 'streams' | 'path-length' | 'packets' | 'max-relays', min: number) =>
    values[name] === undefined ? undefined : integerOption(name, values[name]!, min, 100_000_000);
  const seed = values.seed === undefined ? 1 : integerOption('seed', values.seed, 0, 2 ** 53 - 1);
  const targets = values.targets === undefined || values.targets === 'all' ? 'all' : integerOption('targets', values.targets, 1);
  const step = values.step === undefined ? undefined : realOption('step', values.step, { exclusiveMin: 0 });
  const duration = values.duration === undefined ? undefined : realOption('duration', values.duration, { exclusiveMin: 0 });
  const delay = values.delay === undefined ? expDelay(1 / D.meanDelay) : await parseDelay(values.delay);

  let topology: MixTopology | undefined;
  if (values.topology !== undefined) {
    if (values.mixes !== undefined || values.links !== undefined) log('note: --mixes and --links are ignored with --topology');
    topology = await loadTopology(values.topology, topologyFormat, values.directed, int('max-relays', 2) ?? 50);
    log(`topology: ${topology.source}, ${topology.csr.colIdx.length} links`);
  }
  const sim = simulateMixNetwork({
    topology,
    mixes: int('mixes', 2),
    links: int('links', 1),
    streams: int('streams', 1),
    pathLength: int('path-length', 2),
    packets: int('packets', 1),
    duration,
    delay,
    seed,
  });
  if (sim.shortPaths > 0) log(`note: ${sim.shortPaths} streams met a dead end before ${sim.pathLength} mixes; they are not traced`);
  if (sim.dropped > 0) log(`note: ${sim.dropped} link packets left after the observation window and are not seen`);
  const kernels = await createMixKernels(values, log);
  const progress = createProgress('network', process.stderr, values.quiet);
  let result;
  try {
    result = await traceMixNetwork(sim, { targets, step, kernels, onProgress: progress.update });
  } finally {
    progress.finish();
    await kernels.dispose();
  }
  process.stdout.write(format === 'table' ? networkTable(result) : format === 'json' ? `${mixJson(result)}\n` : networkStepsCsv(result));
  if (values.out) {
    await writeOutputs(
      values.out,
      [
        ['results.json', `${mixJson(result)}\n`],
        ['steps.csv', networkStepsCsv(result)],
        ['streams.csv', networkStreamsCsv(result)],
        ['network-accuracy.svg', networkAccuracySvg(result)],
        ['network-entropy.svg', networkEntropySvg(result)],
        ['rank-cdf.svg', networkRankCdfSvg(result)],
      ],
      log,
    );
  }
}
