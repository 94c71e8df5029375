import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import {
  checkMixnetOptions,
  MIXNET_DEFAULTS,
  MIXNET_SWEEP_PARAMETERS,
  mixnetAnonymity,
  mixnetLawSweep,
  mixnetLawSweepPoints,
  mixnetPointOptions,
  mixnetShard,
  mixnetSweep,
  mixnetSweepPoints,
  type MixnetLawSweepResult,
  type MixnetOptions,
  type MixnetResult,
  type MixnetSweepParameter,
  type MixnetSweepResult,
} from '../analyses/mixnet.js';
import { mixnetShardFile } from '../analyses/mixnet-shards.js';
import { MIX_BACKENDS } from '../engines/create.js';
import { ParameterError } from '../errors.js';
import { checkPriorNodes } from '../graph/prior.js';
import { parseDelay, type DelayLaw } from '../mix/delays.js';
import { MIXNET_TOPOLOGIES } from '../mix/mixnet-topology.js';
import {
  MIXNET_LAW_SWEEP_REPORT,
  MIXNET_SWEEP_REPORT,
  mixnetCsv,
  mixnetEntropyCdfChart,
  mixnetJson,
  mixnetTable,
  type MixnetSweepReport,
} from '../report/mixnet-report.js';
import { choiceOption, formatOption, integerOption, OUTPUT_OPTIONS, prepareOutputDirectory, printResult, realListOption, realOption, writeOutputs, type OutputFormat } from './args.js';
import { GRAPH_HELP, GRAPH_OPTIONS, loadGraphForCommand } from './load-graph.js';
import { MIX_KERNEL_HELP, MIX_KERNEL_OPTIONS, withMixKernels } from './mix.js';
import { readNodeWeightFile } from './node-weight-file.js';
import { withProgress } from './progress.js';
import { SHARD_OPTIONS, shardHelp, shardSettings, writeShard } from './shard-output.js';

const D = MIXNET_DEFAULTS;

export const MIXNET_HELP = `Usage: anonscope mixnet [options]
       anonscope mixnet --sweep PARAM=v1,v2,... [options]
       anonscope mixnet --sweep PARAM=v1,v2,... --delay LAW1 --delay LAW2 ... [options]
       anonscope mixnet --topology free --graph FILE [options]

Sender anonymity of a Loopix-style mixnet, measured as the Loopix evaluation measures it
(Piotrowska et al., USENIX Security 2017). Clients send Poisson real traffic and cover
through L layers of W mixes; a global passive observer follows, for each target message,
the probability that each packet is it: every mix keeps the running mean of the
probability vectors of the packets in its pool (exact for a memoryless delay), a packet
leaving carries that mean (a corrupt mix passes the packet's own vector), an emptied pool
resets. Reported: the Shannon entropy of each target's mass over the packets leaving the
last layer (mean, 95% CI, CDF), the two-sender unlinkability (ε = |ln(p_A/p_B)| at the
target's exit, δ the share where one of them is 0) and the end-to-end latency. One mix
(--layers 1 --width 1) with exponential delays gives Danezis' log2(λe/μ).

Topology:
  --topology T         ${MIXNET_TOPOLOGIES.join(' | ')}: each hop picks a mix of the next
                       layer; W fixed cascades (a packet keeps to the one it entered);
                       or free routes over --graph [${D.topology}]
  --layers L           layers (mixes on every route; free: hops) [${D.layers}]
  --width W            mixes per layer (not with free) [${D.width}]
  --weights w1,w2,...  bandwidth weights (>= 0) of the L·W mixes, layer by layer: a hop
                       picks a mix in proportion to them, never one of weight 0 (free: one
                       per node, in the order the nodes first appear in the file: the
                       entry law) [uniform]
  --weights-file FILE  free only, instead of --weights: "node weight" lines (space, tab or
                       comma; # comments), the entry weight of each node by its name in
                       --graph; a node not listed is never entered
  --corrupt F          share of the mixes that are corrupt (round(F·mixes), chosen with
                       the seed) [${D.corrupt}]
  --graph FILE         free only: the mixes are FILE's nodes; a route enters at a node
                       (by its weight) and each next hop is a uniformly chosen
                       out-neighbour (undirected: neighbour) of the last; edge weights
                       are not used, and a node without an out-neighbour is refused;
                       read as the Graph input flags below say (gpujs runs one pass per
                       level of the pools' chains, thousands here: prefer the others)

${GRAPH_HELP}

Traffic:
  --clients N          clients [${D.clients}]
  --rate λ             total rate of real messages [${D.rate}]
  --delay LAW          per-hop delay: exp:μ | uniform:a,b | erlang:k,μ | lognormal:m,s
                       | pareto:α,xm | hist:FILE [exp:1]; with a --sweep, repeat it
                       to run the sweep once per law and overlay them
  --mu μ               scale the delay law (each law) to the mean 1/μ (exp:1 --mu 4
                       is exp:4)
  --loop-rate R        loop cover per client [${D.loopRate}]
  --drop-rate R        drop cover per client [${D.dropRate}]
  --mix-loop-rate R    mix-loop cover per mix [${D.mixLoopRate}]
  --burn-in T          time before the targets are sent [${D.phaseDelays} · L · E[delay]]
  --window T           the targets are sent in [burn-in, burn-in + T) [${D.phaseDelays} · L · E[delay],
                       or longer so that A and B send ${D.targetSupply} real messages per target]
  --cool-down T        time after the window for the targets to get out
                       [${D.phaseDelays} · L · E[delay]]

Measurement:
  --targets T          target messages per replication (sent by clients A and B in
                       turn) [${D.targets}]
  --replications R     independent seeded replications [${D.replications}]
  --seed S             seed of the corrupt mixes and of every replication [${D.seed}]
  --sweep PARAM=v,...  one run per value of PARAM, one of rate, mu (the delay's mean 1/μ,
                       same law), layers, width, corrupt, loop-rate, drop-rate,
                       mix-loop-rate; one row per value (per law and value with
                       several --delay)

${MIX_KERNEL_HELP}(the pool-mean algebra runs on the kernels; the events are simulated on the CPU)

Output:
  --format F           table | json | csv: what goes to stdout [table]; json is the result
                       with the entropy CDF (sweep: { sweep, points }; over several laws
                       { sweep, laws, points }, each point with its law and value), csv one
                       row per run or sweep value (per law and value, a law column first)
  --out DIR            also write results.json (with each target's entropy), mixnet.csv,
                       mixnet-entropy-cdf.svg; a sweep also mixnet-entropy-vs-PARAM.svg
                       (against λ/μ for rate and mu, with log2(λe/μ)) and
                       mixnet-latency-vs-PARAM.svg; over several laws one line per law
  --quiet              no progress or notes on stderr
  -h, --help           this help

Shards (see the README's "Shards, merge and checkpoints"):
${shardHelp('replications')}
  (a --sweep is not sharded: each value is its own run)
`;

const MIXNET_OPTIONS = {
  topology: { type: 'string' },
  layers: { type: 'string' },
  width: { type: 'string' },
  weights: { type: 'string' },
  'weights-file': { type: 'string' },
  corrupt: { type: 'string' },
  clients: { type: 'string' },
  rate: { type: 'string' },
  delay: { type: 'string', multiple: true, default: ['exp:1'] as string[] },
  mu: { type: 'string' },
  'loop-rate': { type: 'string' },
  'drop-rate': { type: 'string' },
  'mix-loop-rate': { type: 'string' },
  'burn-in': { type: 'string' },
  window: { type: 'string' },
  'cool-down': { type: 'string' },
  targets: { type: 'string' },
  replications: { type: 'string' },
  seed: { type: 'string' },
  sweep: { type: 'string' },
  graph: { type: 'string' },
  ...GRAPH_OPTIONS,
  component: { type: 'string' },
  ...OUTPUT_OPTIONS,
  backend: MIX_KERNEL_OPTIONS.backend,
  runtime: MIX_KERNEL_OPTIONS.runtime,
  'gpujs-mode': MIX_KERNEL_OPTIONS['gpujs-mode'],
  ...SHARD_OPTIONS,
} as const;

const parseMixnetArgs = (argv: string[]) => parseArgs({ args: argv, allowPositionals: true, options: MIXNET_OPTIONS });
type MixnetValues = ReturnType<typeof parseMixnetArgs>['values'];

export async function mixnetCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseMixnetArgs(argv);
  if (values.help) {
    process.stdout.write(MIXNET_HELP);
    return;
  }
  if (positionals.length > 0) throw new ParameterError(`mixnet: unexpected argument "${positionals[0]}" (see anonscope mixnet --help)`);
  const log = (line: string) => values.quiet || process.stderr.write(`${line}\n`);
  const settings = await mixnetSettings(values, log);
  if (values.out) await prepareOutputDirectory(values.out);
  await withMixKernels(values, log, async (kernels) => {
    const options = { ...settings.options, kernels };
    const { sweep, shard, format, laws } = settings;
    if (sweep && laws.length > 1) {
      const result = await withProgress('mixnet', values.quiet, (onProgress) => mixnetLawSweep({ ...options, ...sweep, laws, onProgress }));
      await reportSweep(result, sweep.parameter, MIXNET_LAW_SWEEP_REPORT, format, values.out, log);
    } else if (sweep) {
      const result = await withProgress('mixnet', values.quiet, (onProgress) => mixnetSweep({ ...options, ...sweep, onProgress }));
      await reportSweep(result, sweep.parameter, MIXNET_SWEEP_REPORT, format, values.out, log);
    } else if (shard) {
      const part = await withProgress('mixnet', values.quiet, (onProgress) => mixnetShard({ ...options, shard: shard.spec, onProgress }));
      await writeShard(shard, mixnetShardFile(part), log);
    } else {
      const result = await withProgress('mixnet', values.quiet, (onProgress) => mixnetAnonymity({ ...options, onProgress }));
      await reportMixnet(result, format, values.out, log);
    }
  });
}

/** A sweep's summary on stdout and, with --out, results.json (every target), mixnet.csv, the CDFs and entropy and latency against the parameter. */
async function reportSweep<R extends MixnetSweepResult | MixnetLawSweepResult>(
  result: R, parameter: string, w: MixnetSweepReport<R>, format: OutputFormat, out: string | undefined, log: (line: string) => void,
): Promise<void> {
  printResult(format, result, { table: w.table, json: (r) => w.json(r), csv: w.csv });
  if (!out) return;
  await writeOutputs(
    out,
    [
      ['results.json', `${w.json(result, { perTarget: true })}\n`],
      ['mixnet.csv', w.csv(result)],
      ['mixnet-entropy-cdf.svg', mixnetEntropyCdfChart(result)],
      [`mixnet-entropy-vs-${parameter}.svg`, w.entropyChart(result)],
      [`mixnet-latency-vs-${parameter}.svg`, w.latencyChart(result)],
    ],
    log,
  );
}

/** Every parameter read and checked (by the library's own checks, every sweep point too) before the kernels start; the graph of free routes loaded after the flags are checked. */
async function mixnetSettings(values: MixnetValues, log: (line: string) => void) {
  const format = formatOption(values.format);
  const optional = <T>(text: string | undefined, read: (text: string) => T) => (text === undefined ? undefined : read(text));
  const real = (name: keyof MixnetValues & string, bounds: Parameters<typeof realOption>[2]) => optional(values[name] as string | undefined, (t) => realOption(name, t, bounds));
  const integer = (name: keyof MixnetValues & string, min: number) => optional(values[name] as string | undefined, (t) => integerOption(name, t, min));
  choiceOption('backend', values.backend, MIX_BACKENDS);
  const mu = real('mu', { exclusiveMin: 0 });
  // Every --delay is a law (a law's own commas, uniform:a,b, need no other separator); --mu rescales each.
  const laws: DelayLaw[] = [];
  for (const text of values.delay) {
    const law = await parseDelay(text);
    laws.push(mu === undefined ? law : mixnetPointOptions({ delay: law }, 'mu', mu).delay!);
  }
  let options: MixnetOptions = {
    topology: optional(values.topology, (t) => choiceOption('topology', t, MIXNET_TOPOLOGIES)),
    layers: integer('layers', 1),
    width: integer('width', 1),
    weights: optional(values.weights, (t) => realListOption('weights', t, { min: 0 })),
    corrupt: real('corrupt', { min: 0, max: 1 }),
    clients: integer('clients', 2),
    rate: real('rate', { exclusiveMin: 0 }),
    delay: laws[0],
    loopRate: real('loop-rate', { min: 0 }),
    dropRate: real('drop-rate', { min: 0 }),
    mixLoopRate: real('mix-loop-rate', { min: 0 }),
    burnIn: real('burn-in', { min: 0 }),
    window: real('window', { exclusiveMin: 0 }),
    coolDown: real('cool-down', { min: 0 }),
    targets: integer('targets', 1),
    replications: integer('replications', 1),
    seed: optional(values.seed, (t) => integerOption('seed', t, 0, 2 ** 53 - 1)),
  };
  const sweep = optional(values.sweep, (t) => sweepOption(t, values));
  const shard = shardSettings(values);
  if (shard && sweep) throw new ParameterError('--shard cannot split a --sweep (each value is its own run): shard one setting at a time');
  checkGraphFlags(values, options.topology, sweep?.parameter);
  if (laws.length > 1 && !sweep) throw new ParameterError(`--delay is given ${laws.length} times: several delay laws need a --sweep (one line per law), one run takes one law`);
  const weightsFile = values['weights-file'] !== undefined ? await readNodeWeightFile(values['weights-file'], 'weights file') : undefined;
  if (values.graph !== undefined) {
    const graph = await loadGraphForCommand(values.graph, values, log);
    if (weightsFile) checkPriorNodes(weightsFile.lines, graph, weightsFile.path, basename(values.graph));
    options = { ...options, graph, graphName: basename(values.graph), nodeWeights: weightsFile?.weights };
  }
  if (sweep && laws.length > 1) mixnetLawSweepPoints(options, laws, sweep.parameter, sweep.values);
  else if (sweep) mixnetSweepPoints(options, sweep.parameter, sweep.values);
  else checkMixnetOptions(options);
  return { format, options, sweep, shard, laws };
}

/** --graph goes with --topology free and nothing else, the graph-reading flags with --graph; free routes have no width. */
function checkGraphFlags(values: MixnetValues, topology: MixnetOptions['topology'], swept: MixnetSweepParameter | undefined): void {
  const free = topology === 'free';
  if (free && values.graph === undefined) throw new ParameterError('--topology free needs --graph FILE: the routes walk on its nodes');
  if (!free && values.graph !== undefined) throw new ParameterError(`--graph is for --topology free (free routes over the graph), not ${topology ?? D.topology}`);
  if (values.graph === undefined) {
    const reading = (Object.keys(GRAPH_OPTIONS) as (keyof typeof GRAPH_OPTIONS)[]).find((flag) => values[flag] !== undefined);
    if (reading) throw new ParameterError(`--${reading} says how to read --graph, and there is no --graph`);
  }
  if (values['weights-file'] !== undefined && !free) throw new ParameterError('--weights-file weighs the nodes of --graph (--topology free); give the weights of other topologies\' mixes with --weights');
  if (values['weights-file'] !== undefined && values.weights !== undefined) throw new ParameterError('--weights and --weights-file both give the weights: give one of them');
  if (free && (values.width !== undefined || swept === 'width')) throw new ParameterError(`${values.width !== undefined ? '--width' : '--sweep width'} does not apply to --topology free: its mixes are the graph's nodes`);
}

/** --sweep PARAM=v1,v2,...: the parameter, its values, and no option that sets it too. */
function sweepOption(text: string, values: MixnetValues): { parameter: MixnetSweepParameter; values: number[] } {
  const at = text.indexOf('=');
  if (at < 0) throw new ParameterError(`--sweep must be PARAM=v1,v2,... (PARAM one of ${MIXNET_SWEEP_PARAMETERS.join(', ')}), got "${text}"`);
  const parameter = choiceOption('sweep', text.slice(0, at).trim(), MIXNET_SWEEP_PARAMETERS);
  // Each sweep parameter is named as the option that sets it.
  if (values[parameter] !== undefined) throw new ParameterError(`--${parameter} and --sweep ${parameter}=… both set ${parameter}: give one of them`);
  if (values.weights !== undefined && values.topology !== 'free' && (parameter === 'layers' || parameter === 'width')) {
    throw new ParameterError(`--weights cannot go with --sweep ${parameter}: there is one weight per mix, and the number of mixes changes`);
  }
  return { parameter, values: realListOption('sweep', text.slice(at + 1)) };
}

/** What mixnet and merge both print: the summary on stdout, the --out files (with every target's entropy). */
export async function reportMixnet(result: MixnetResult, format: OutputFormat, out: string | undefined, log: (line: string) => void): Promise<void> {
  printResult(format, result, { table: mixnetTable, json: (r) => mixnetJson(r), csv: mixnetCsv });
  if (out) {
    await writeOutputs(
      out,
      [
        ['results.json', `${mixnetJson(result, { perTarget: true })}\n`],
        ['mixnet.csv', mixnetCsv(result)],
        ['mixnet-entropy-cdf.svg', mixnetEntropyCdfChart(result)],
      ],
      log,
    );
  }
}
