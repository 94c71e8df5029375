import type { AbstractGraph } from 'graphology-types';
import { ParameterError } from '../errors.js';
import { csrChecksum } from '../graph/checksum.js';
import { edgeCount, isCsr, nodeIndex, nodeKey, type Csr } from '../graph/csr.js';
import { fromGraphology } from '../graph/from-graphology.js';
import { type MixKernels, type PoolMeansJob } from '../engines/mix-kernels.js';
import { referenceMixKernels } from '../engines/reference.js';
import { expDelay, scaleDelay, type DelayLaw } from '../mix/delays.js';
import { checkReplicationSize, simulateMixnet, type MixnetEventLog, type MixnetTraffic } from '../mix/mixnet-simulator.js';
import { mixnetTopology, type MixnetTopology, type MixnetTopologyKind } from '../mix/mixnet-topology.js';
import { quantileSorted, summarize } from '../stats/summary.js';
import { quoted } from '../text.js';
import { checkShardSpec, joinColumns, shardRange, shardsOfOneJob, type ShardSpec } from './shards.js';

/**
 * Anonymity of a Loopix-style mixnet, measured as in the Loopix evaluation (Piotrowska et al.,
 * USENIX Security 2017): a global passive observer follows the probability that each packet
 * is a given target message, each mix keeping the running mean of its pool's vectors (exact
 * for memoryless delays, where every pooled packet is equally likely to leave next; for other
 * laws it is the same estimator, no longer the exact posterior). Per target: the Shannon
 * entropy of its mass over the packets that leave the last layer; and the two-sender
 * unlinkability: at a target's own exit, ε = |ln(p_A / p_B)| between the probabilities that
 * A or B sent it, δ the share of targets where one of them is 0.
 *
 * The event logic runs on the CPU (src/mix/mixnet-simulator.ts), one seeded log per
 * replication; the vector algebra over every (replication, column) runs on the kernels.
 */
export interface MixnetOptions {
  topology?: MixnetTopologyKind;
  /** Mixes on every route (free: hops of the walk). */
  layers?: number;
  /** Mixes per layer (not for free routes, whose mixes are the graph's nodes). */
  width?: number;
  /**
   * free only, and required there: the graph the routes walk on. Its nodes are the mixes; a
   * hop goes to a uniformly chosen out-neighbour (edge weights are not used), so every node
   * needs one.
   */
  graph?: AbstractGraph | Csr;
  /** What the result calls the graph (the CLI: its file name). */
  graphName?: string;
  /** Bandwidth weights (>= 0; 0: never picked) of the layers · width mixes, layer by layer (free: of the graph's nodes in its order, the entry law); uniform when absent. */
  weights?: number[];
  /** free only, instead of `weights`: the entry weight of each node by its key (a node not listed: 0, never entered; a key not in the graph is refused). */
  nodeWeights?: ReadonlyMap<string, number>;
  /** Share of corrupt mixes, chosen with the seed. */
  corrupt?: number;
  clients?: number;
  /** λ, the total rate of real messages. */
  rate?: number;
  loopRate?: number;
  dropRate?: number;
  mixLoopRate?: number;
  /** Per-hop delay law (exponential of rate 1 by default). */
  delay?: DelayLaw;
  /** Target messages per replication. */
  targets?: number;
  replications?: number;
  /**
   * Times of the three phases; each 10 · layers · E[delay] by default, the window at least
   * long enough for A and B to send 4 real messages per target (2 · 4 · targets · clients / λ).
   */
  burnIn?: number;
  window?: number;
  coolDown?: number;
  seed?: number;
  kernels?: MixKernels;
  onProgress?: (done: number, total: number) => void;
}

export const MIXNET_DEFAULTS = {
  topology: 'stratified' as MixnetTopologyKind,
  layers: 3,
  width: 3,
  corrupt: 0,
  clients: 100,
  rate: 100,
  loopRate: 0,
  dropRate: 0,
  mixLoopRate: 0,
  targets: 50,
  replications: 8,
  /** Each phase lasts this many mean end-to-end delays (layers · E[delay]) unless given. */
  phaseDelays: 10,
  /** The default window lets A and B each send about this many real messages per target of theirs. */
  targetSupply: 4,
  seed: 1,
};

/** The graph free routes walk on. */
export interface MixnetGraph {
  name?: string;
  nodes: number;
  edges: number;
  directed: boolean;
  /** Whether the graph has edge weights (a hop ignores them). */
  weighted: boolean;
}

export interface MixnetResult {
  /** Free routes: width = mixes = the graph's nodes, and `graph` describes it. */
  topology: { kind: MixnetTopologyKind; layers: number; width: number; mixes: number; routing: 'uniform' | 'weighted'; graph?: MixnetGraph };
  rate: { real: number; clients: number; loopPerClient: number; dropPerClient: number; mixLoopPerMix: number; total: number };
  delay: { spec: string; kind: string; mean: number };
  corrupt: { fraction: number; mixes: number[] };
  targets: {
    perReplication: number;
    replications: number;
    total: number;
    /** Targets sent before the end (their sender had a real message after their time). */
    sent: number;
    /** Targets whose own packet left the last layer before the end. */
    exited: number;
    seed: number;
    burnIn: number;
    window: number;
    coolDown: number;
    /** Mean share of a target's mass still inside the mixes at the end (the cool-down is too short if this is not small). */
    unexitedMass: number;
  };
  /** Bits, over the targets with mass out: mean and 95% CI of the mean, and their spread. */
  entropy: { mean: number; ci95: [number, number]; sd: number; min: number; median: number; max: number };
  unlinkability: { epsilonMean: number; epsilonSd: number; delta: number };
  /** End-to-end delays of the real messages sent in the window. */
  latency: { count: number; mean: number; p50: number; p90: number; p99: number; max: number };
  /** Each sent target's entropy in bits (NaN where none of its mass got out), for the CDF. */
  perTarget: number[];
  kernels: string;
  precision: 'float64' | 'float32';
}

const WHERE = 'anonscope/mixnet';
const MERGE = 'anonscope/mergeMixnetShards';
/** Event words handed to one kernel call (replications are grouped up to this). */
const WORDS_PER_CALL = 1 << 24;

interface Resolved {
  topology: MixnetTopology;
  /** The weights the topology was built with, one per mix (from `weights` or `nodeWeights`). */
  weights?: number[];
  /** The graph of free routes. */
  graph?: { csr: Csr; name?: string };
  traffic: MixnetTraffic;
  replications: number;
  seed: number;
}

function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new ParameterError(`${WHERE}: ${name} must be an integer in ${min}..${max}, got ${value}`);
  return value;
}

function rate(name: string, value: number, positive = false): number {
  if (!Number.isFinite(value) || value < 0 || (positive && value === 0)) throw new ParameterError(`${WHERE}: ${name} must be a ${positive ? 'positive' : 'non-negative'} number, got ${value}`);
  return value;
}

/** Every option checked and defaulted, in one place, before any work. */
function resolve(options: MixnetOptions): Resolved {
  const d = MIXNET_DEFAULTS;
  const seed = integer('seed', options.seed ?? d.seed, 0, 2 ** 53 - 1);
  const kind = options.topology ?? d.topology;
  const csr = options.graph && (isCsr(options.graph) ? options.graph : fromGraphology(options.graph).csr);
  const weights = options.nodeWeights ? weightsByNode(options, csr) : options.weights;
  const topology = mixnetTopology({
    kind,
    layers: options.layers ?? d.layers,
    width: options.width ?? (kind === 'free' ? undefined : d.width),
    weights,
    corrupt: options.corrupt ?? d.corrupt,
    seed,
    routes: csr && { rowPtr: csr.rowPtr, colIdx: csr.colIdx, nameOf: (i) => `node "${nodeKey(csr, i)}"` },
  });
  const delay = options.delay ?? expDelay(1);
  const phase = d.phaseDelays * topology.layers * delay.mean;
  if (!Number.isFinite(phase) && [options.burnIn, options.window, options.coolDown].includes(undefined)) {
    throw new ParameterError(`${WHERE}: the delay ${delay.spec} has no finite mean, so the phases have no default length; give the burn-in, window and cool-down`);
  }
  const time = (name: string, value: number | undefined, positive: boolean) => rate(name, value ?? phase, positive);
  const clients = integer('clients', options.clients ?? d.clients, 2, 1e9);
  const realRate = rate('rate (targets are real messages)', options.rate ?? d.rate, true);
  const targets = integer('targets', options.targets ?? d.targets, 1, 100_000);
  const traffic: MixnetTraffic = {
    clients,
    rate: realRate,
    loopRate: rate('loop rate', options.loopRate ?? d.loopRate),
    dropRate: rate('drop rate', options.dropRate ?? d.dropRate),
    mixLoopRate: rate('mix-loop rate', options.mixLoopRate ?? d.mixLoopRate),
    delay,
    targets,
    burnIn: time('burn-in', options.burnIn, false),
    window: rate('window', options.window ?? Math.max(phase, (d.targetSupply * targets * clients) / realRate), true),
    coolDown: time('cool-down', options.coolDown, false),
  };
  checkReplicationSize(topology, traffic);
  const replications = integer('replications', options.replications ?? d.replications, 1, 1_000_000);
  return { topology, weights, traffic, replications, seed, ...(csr ? { graph: { csr, name: options.graphName } } : {}) };
}

/** Free routes' entry weights by node key, as one weight per node in the graph's order. */
function weightsByNode({ nodeWeights, weights, topology }: MixnetOptions, csr: Csr | undefined): number[] {
  if (topology !== 'free' || !csr) throw new ParameterError(`${WHERE}: weights by node are for free routes over a graph (topology free); other topologies take weights per mix`);
  if (weights) throw new ParameterError(`${WHERE}: give the weights per mix or by node, not both`);
  const index = nodeIndex(csr);
  const byNode = new Array<number>(csr.n).fill(0);
  for (const [key, weight] of nodeWeights!) {
    const i = index.get(key);
    if (i === undefined) {
      const some = Array.from({ length: Math.min(3, csr.n) }, (_, j) => quoted(nodeKey(csr, j))).join(', ');
      throw new ParameterError(`${WHERE}: the weights name node ${quoted(key)}, which the graph does not have (its nodes are named by their keys: ${some}, …)`);
    }
    byNode[i] = weight;
  }
  return byNode;
}

/** One pool-means job from a group of replications' logs. */
export function mixnetPoolMeansJob(logs: MixnetEventLog[], topology: MixnetTopology, targets: number): PoolMeansJob {
  const offsets = new Uint32Array(logs.length + 1);
  logs.forEach((log, r) => (offsets[r + 1] = offsets[r] + log.events.length / 4));
  const events = new Uint32Array(4 * offsets[logs.length]);
  logs.forEach((log, r) => events.set(log.events, 4 * offsets[r]));
  return { events, eventOffsets: offsets, columns: targets + 2, mixes: topology.mixes, slots: Math.max(1, ...logs.map((l) => l.slots)), marks: targets };
}

function meanAndSd(values: number[]): { mean: number; sd: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { mean, sd };
}

/**
 * What each replication leaves for the summary, replication after replication: per
 * (replication r, target t) at r · targets + t, whether the target was sent (1 or 0), its
 * entropy in bits (NaN where none of its mass got out), its mass still inside at the end,
 * and the probabilities p_A, p_B at its own exit; the latencies of every replication in
 * order, latencyCounts[r] of them for replication r.
 */
export interface MixnetOutcomes {
  sent: Float64Array;
  entropy: Float64Array;
  unexited: Float64Array;
  pA: Float64Array;
  pB: Float64Array;
  latencyCounts: Float64Array;
  latencies: Float64Array;
}

/** Everything of a result that does not depend on the replications' outcomes: equal jobs give shards that merge. */
export interface MixnetJob {
  topology: MixnetResult['topology'] & { weights: number[] | null };
  /** Free routes: of the graph (csrChecksum), so that shards of different graphs do not merge. */
  checksums?: { graph: string };
  rate: MixnetResult['rate'];
  delay: MixnetResult['delay'];
  corrupt: MixnetResult['corrupt'];
  targets: Omit<MixnetResult['targets'], 'sent' | 'exited' | 'unexitedMass'>;
  kernels: string;
  precision: 'float64' | 'float32';
}

function mixnetJob({ topology, weights, traffic, replications, seed, graph }: Resolved, kernels: MixKernels): MixnetJob {
  const { delay } = traffic;
  const free = graph && {
    graph: { ...(graph.name === undefined ? {} : { name: graph.name }), nodes: graph.csr.n, edges: edgeCount(graph.csr), directed: graph.csr.directed, weighted: !!graph.csr.weights },
  };
  return {
    topology: { kind: topology.kind, layers: topology.layers, width: topology.width, mixes: topology.mixes, routing: topology.weighted ? 'weighted' : 'uniform', ...free, weights: weights ? [...weights] : null },
    ...(graph ? { checksums: { graph: csrChecksum(graph.csr) } } : {}),
    rate: {
      real: traffic.rate,
      clients: traffic.clients,
      loopPerClient: traffic.loopRate,
      dropPerClient: traffic.dropRate,
      mixLoopPerMix: traffic.mixLoopRate,
      total: traffic.rate + traffic.clients * (traffic.loopRate + traffic.dropRate) + topology.mixes * traffic.mixLoopRate,
    },
    delay: { spec: delay.spec, kind: delay.kind, mean: delay.mean },
    corrupt: { fraction: topology.corruptFraction, mixes: [...topology.corrupt.keys()].filter((m) => topology.corrupt[m]) },
    targets: {
      perReplication: traffic.targets,
      replications,
      total: traffic.targets * replications,
      seed,
      burnIn: traffic.burnIn,
      window: traffic.window,
      coolDown: traffic.coolDown,
    },
    kernels: kernels.info.name,
    precision: kernels.info.precision,
  };
}

/**
 * The outcomes of replications first .. last − 1 (each is seeded by its index, so a slice
 * is what the whole run computes for it); the event logs are simulated on the CPU and
 * grouped into kernel calls of up to WORDS_PER_CALL words, the next group simulated while
 * the kernels work on the last.
 */
async function replicationOutcomes(
  { topology, traffic, seed }: Resolved,
  kernels: MixKernels,
  [first, last]: [number, number],
  onProgress?: (done: number, total: number) => void,
): Promise<MixnetOutcomes> {
  const T = traffic.targets;
  const C = T + 2;
  const n = last - first;
  const outcomes: MixnetOutcomes = {
    sent: new Float64Array(n * T),
    entropy: new Float64Array(n * T).fill(NaN),
    unexited: new Float64Array(n * T),
    pA: new Float64Array(n * T),
    pB: new Float64Array(n * T),
    latencyCounts: new Float64Array(n),
    latencies: new Float64Array(0),
  };
  const latencies: Float64Array[] = [];
  let simulated = 0;
  /** The next group of replications' logs, up to WORDS_PER_CALL words (at least one log). */
  const simulateGroup = (): MixnetEventLog[] => {
    const logs: MixnetEventLog[] = [];
    let words = 0;
    while (simulated < n && (logs.length === 0 || words < WORDS_PER_CALL)) {
      const log = simulateMixnet(topology, traffic, seed, first + simulated);
      logs.push(log);
      words += log.events.length;
      latencies.push(log.latencies);
      outcomes.latencyCounts[simulated] = log.latencies.length;
      simulated++;
    }
    return logs;
  };
  let done = 0;
  let group = simulateGroup();
  while (group.length > 0) {
    // The kernels work on this group while the CPU simulates the next (workers, a GPU).
    const means = kernels.poolMeans(mixnetPoolMeansJob(group, topology, T));
    means.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
    const next = simulateGroup();
    const { mass, plogp, marked } = await means;
    for (let r = 0; r < group.length; r++) {
      for (let t = 0; t < T; t++) {
        if (!group[r].targetsSent[t]) continue;
        const at = (done + r) * T + t;
        const S = mass[r * C + t];
        outcomes.sent[at] = 1;
        outcomes.unexited[at] = Math.max(0, 1 - S);
        if (S > 0) outcomes.entropy[at] = Math.max(0, Math.log(S) - plogp[r * C + t] / S) / Math.LN2;
        const row = (r * T + t) * C;
        outcomes.pA[at] = marked[row + T];
        outcomes.pB[at] = marked[row + T + 1];
      }
    }
    done += group.length;
    onProgress?.(done, n);
    group = next;
  }
  outcomes.latencies = joinColumns(latencies);
  return outcomes;
}

/** The result of a job from the outcomes of all its replications, in order. */
function mixnetResult(job: MixnetJob, outcomes: MixnetOutcomes): MixnetResult {
  const perTarget: number[] = [];
  const epsilons: number[] = [];
  let zeroEstimates = 0;
  let sent = 0;
  let exited = 0;
  let unexited = 0;
  for (let at = 0; at < outcomes.sent.length; at++) {
    if (!outcomes.sent[at]) continue;
    sent++;
    unexited += outcomes.unexited[at];
    perTarget.push(outcomes.entropy[at]);
    const pA = outcomes.pA[at];
    const pB = outcomes.pB[at];
    if (pA === 0 && pB === 0) continue; // its own packet never got out
    exited++;
    if (pA === 0 || pB === 0) zeroEstimates++;
    else epsilons.push(Math.abs(Math.log(pA / pB)));
  }
  const summary = summarize(perTarget, false);
  const { sd } = meanAndSd(perTarget.filter((h) => !Number.isNaN(h)));
  const epsilon = meanAndSd(epsilons);
  const latencies = outcomes.latencies;
  const sortedLatency = Float64Array.from(latencies).sort();
  const q = (p: number) => (sortedLatency.length ? quantileSorted(sortedLatency, p) : NaN);
  const { weights, ...topology } = job.topology;
  const { perReplication, replications, total, ...phases } = job.targets;
  return {
    topology,
    rate: job.rate,
    delay: job.delay,
    corrupt: job.corrupt,
    targets: { perReplication, replications, total, sent, exited, ...phases, unexitedMass: unexited / sent },
    entropy: { mean: summary.mean, ci95: summary.ci95, sd, min: summary.min, median: summary.median, max: summary.max },
    unlinkability: { epsilonMean: epsilon.mean, epsilonSd: epsilon.sd, delta: exited > 0 ? zeroEstimates / exited : NaN },
    latency: { count: sortedLatency.length, mean: meanAndSd(Array.from(latencies)).mean, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: sortedLatency.length ? sortedLatency[sortedLatency.length - 1] : NaN },
    perTarget,
    kernels: job.kernels,
    precision: job.precision,
  };
}

export async function mixnetAnonymity(options: MixnetOptions = {}): Promise<MixnetResult> {
  const resolved = resolve(options);
  const kernels = options.kernels ?? referenceMixKernels;
  const outcomes = await replicationOutcomes(resolved, kernels, [0, resolved.replications], options.onProgress);
  return mixnetResult(mixnetJob(resolved, kernels), outcomes);
}

/** Every option checked as mixnetAnonymity checks it, without running anything (a CLI checks before it starts the kernels). */
export function checkMixnetOptions(options: MixnetOptions): void {
  resolve(options);
}

/** Shard `shard` of the job the other options define: its slice of the replications (see shardRange). */
export interface MixnetShardOptions extends MixnetOptions {
  shard: ShardSpec;
}

/** Shard `shard` of a job: the outcomes of replications first .. first + count − 1. */
export interface MixnetShard {
  job: MixnetJob;
  shard: ShardSpec;
  first: number;
  count: number;
  outcomes: MixnetOutcomes;
}

/** Shard `options.shard` of the job: its slice of the replications, each seeded by its index as in the whole run. */
export async function mixnetShard(options: MixnetShardOptions): Promise<MixnetShard> {
  checkShardSpec(options.shard, WHERE);
  const resolved = resolve(options);
  const kernels = options.kernels ?? referenceMixKernels;
  const range = shardRange(resolved.replications, options.shard);
  const outcomes = await replicationOutcomes(resolved, kernels, range, options.onProgress);
  const { index, count } = options.shard;
  return { job: mixnetJob(resolved, kernels), shard: { index, count }, first: range[0], count: range[1] - range[0], outcomes };
}

/**
 * The result of the job the shards are slices of: the object mixnetAnonymity returns for it,
 * from the shards alone (the outcomes put back in replication order, then summarized as the
 * whole run summarizes them). Refuses shards of different jobs, a shard missing or repeated.
 */
export function mergeMixnetShards(shards: readonly MixnetShard[], sources?: readonly string[]): MixnetResult {
  const label = (i: number) => sources?.[i] ?? `shard #${i} (index ${shards[i].shard.index})`;
  if (shards.length === 0) throw new ParameterError(`${MERGE}: no shards to merge`);
  const part = (s: MixnetShard) => ({ job: s.job, shard: s.shard, first: s.first, count: s.count });
  const ordered = shardsOfOneJob(shards, part, shards[0].job.targets.replications, label, MERGE);
  const column = (name: keyof MixnetOutcomes) => joinColumns(ordered.map((s) => s.outcomes[name]));
  const outcomes: MixnetOutcomes = {
    sent: column('sent'),
    entropy: column('entropy'),
    unexited: column('unexited'),
    pA: column('pA'),
    pB: column('pB'),
    latencyCounts: column('latencyCounts'),
    latencies: column('latencies'),
  };
  return mixnetResult(shards[0].job, outcomes);
}

/** The parameters a sweep may vary (CLI names). */
export const MIXNET_SWEEP_PARAMETERS = ['rate', 'mu', 'layers', 'width', 'corrupt', 'loop-rate', 'drop-rate', 'mix-loop-rate'] as const;
export type MixnetSweepParameter = (typeof MIXNET_SWEEP_PARAMETERS)[number];

export interface MixnetSweepOptions extends MixnetOptions {
  parameter: MixnetSweepParameter;
  values: number[];
}

export interface MixnetSweepResult {
  sweep: { parameter: MixnetSweepParameter; values: number[] };
  points: MixnetResult[];
}

/** The options with one parameter set as a sweep sets it: `mu` scales the delay law to the mean 1/μ. */
export function mixnetPointOptions(options: MixnetOptions, parameter: MixnetSweepParameter, value: number): MixnetOptions {
  switch (parameter) {
    case 'rate':
      return { ...options, rate: value };
    case 'mu': {
      if (!(value > 0 && Number.isFinite(value))) throw new ParameterError(`${WHERE}: sweep mu: μ must be positive, got ${value}`);
      const delay = options.delay ?? expDelay(1);
      return { ...options, delay: scaleDelay(delay, 1 / (value * delay.mean)) };
    }
    case 'layers':
      // Free routes weigh the graph's nodes, whatever the route length; layers weigh L · W mixes.
      return { ...options, layers: value, weights: options.topology === 'free' ? options.weights : undefined };
    case 'width':
      return { ...options, width: value, weights: undefined };
    case 'corrupt':
      return { ...options, corrupt: value };
    case 'loop-rate':
      return { ...options, loopRate: value };
    case 'drop-rate':
      return { ...options, dropRate: value };
    case 'mix-loop-rate':
      return { ...options, mixLoopRate: value };
  }
}

/** The options of each point of a sweep, every one checked. */
export function mixnetSweepPoints(options: MixnetOptions, parameter: MixnetSweepParameter, values: readonly number[]): MixnetOptions[] {
  if (!MIXNET_SWEEP_PARAMETERS.includes(parameter)) throw new ParameterError(`${WHERE}: cannot sweep "${parameter}" (expected ${MIXNET_SWEEP_PARAMETERS.join(', ')})`);
  if (values.length === 0) throw new ParameterError(`${WHERE}: the sweep over ${parameter} has no values`);
  const points = values.map((v) => mixnetPointOptions(options, parameter, v));
  points.forEach(resolve);
  return points;
}

/** mixnetAnonymity at each value of one parameter, every point checked before the first runs. */
export async function mixnetSweep(options: MixnetSweepOptions): Promise<MixnetSweepResult> {
  const { parameter, values, onProgress, ...base } = options;
  const points = mixnetSweepPoints(base, parameter, values);
  const results: MixnetResult[] = [];
  for (const [i, point] of points.entries()) {
    results.push(await mixnetAnonymity({ ...point, onProgress: onProgress && ((done, total) => onProgress(i * total + done, values.length * total)) }));
  }
  return { sweep: { parameter, values }, points: results };
}

/** A sweep run once per delay law (the same values, options and seeds), to overlay the laws. */
export interface MixnetLawSweepOptions extends Omit<MixnetSweepOptions, 'delay'> {
  laws: DelayLaw[];
}

export interface MixnetLawSweepResult {
  sweep: MixnetSweepResult['sweep'];
  /** The laws as given (a `mu` sweep rescales each; its points' delay.spec is the rescaled law). */
  laws: string[];
  /** sweeps[k]: the sweep of laws[k], what mixnetSweep returns for it alone. */
  sweeps: MixnetSweepResult[];
}

/** The options of each point of each law's sweep, every one checked (a law given twice is refused). */
export function mixnetLawSweepPoints(options: MixnetOptions, laws: readonly DelayLaw[], parameter: MixnetSweepParameter, values: readonly number[]): MixnetOptions[][] {
  if (laws.length === 0) throw new ParameterError(`${WHERE}: a sweep over delay laws needs at least one law`);
  const twice = laws.find((law, k) => laws.findIndex((other) => other.spec === law.spec) !== k);
  if (twice) throw new ParameterError(`${WHERE}: the delay law ${twice.spec} is given twice`);
  return laws.map((delay) => mixnetSweepPoints({ ...options, delay }, parameter, values));
}

/** mixnetSweep once per law, every point of every law checked before the first runs. */
export async function mixnetLawSweep(options: MixnetLawSweepOptions): Promise<MixnetLawSweepResult> {
  const { laws, parameter, values, onProgress, ...base } = options;
  mixnetLawSweepPoints(base, laws, parameter, values);
  const sweeps: MixnetSweepResult[] = [];
  for (const [k, delay] of laws.entries()) {
    sweeps.push(await mixnetSweep({ ...base, delay, parameter, values, onProgress: onProgress && ((done, total) => onProgress(k * total + done, laws.length * total)) }));
  }
  return { sweep: { parameter, values: [...values] }, laws: laws.map((law) => law.spec), sweeps };
}
