import { FormatError, ParameterError } from '../errors.js';
import { CsrBuilder } from '../graph/csr-builder.js';
import { Checksum, csrChecksum } from '../graph/checksum.js';
import type { Csr } from '../graph/csr.js';
import { expDelay, sortedUniforms, uniform01, type DelayLaw } from '../mix/delays.js';
import { type MixKernels, type TimeGrid } from '../engines/mix-kernels.js';
import { pullStep } from '../walks/pull-step.js';
import { referenceMixKernels } from '../engines/reference.js';
import { Pcg32, sampleWithoutReplacement } from '../random.js';
import { calibration, type Calibration } from '../stats/calibration.js';
import { shannonOfWeights } from '../stats/entropy.js';
import { transitionMatrix, type TransitionMatrix } from '../walks/index.js';
import { binDensity, defaultStep, delayKernel, MAX_GRID, normalizeRows } from '../mix/time-grid.js';
import { checkShardSpec, joinColumns, shardRange, shardsOfOneJob, type ShardSpec } from './shards.js';

const NETWORK_WHERE = 'anonscope/network';
const NETWORK_MERGE = 'anonscope/mergeMixNetworkShards';

/**
 * Tracing streams through a network of continuous-time mixes (Danezis, PET 2004, §3.4).
 *
 * Simulation: mixes joined by directed links; each stream enters at a mix, follows a path of
 * `pathLength` distinct mixes (each next mix drawn by the routing law P, never one already
 * on the path), and each mix delays each packet independently. The attacker sees the times
 * of every packet on every link and the target's input stream at its entry mix.
 *
 * Attack: at step h = 1, 2, … the target's packets are on a link after h mix delays, so each
 * link b is scored against g_h = d^{*h} * f (convolved once more per hop): s_h(b) = Σ_t
 * ln(C_b(t)/u), the log-likelihood ratio of "b carries the target at step h" against "b
 * carries other traffic" (see stream-trace.ts). The scores become edge weights e^{s_h(b)},
 * and a walk from the entry over the links, each step weighted by the routing law and by
 * the evidence, gives the posterior over where the stream is:
 *     α_1(b) = P(b) e^{s_1(b)} [tail b = entry],   α_h(b) = e^{s_h(b)} Σ_a M_ba α_{h−1}(a),
 * M_ba = P(b) / (1 − P(reverse of a)) when b leaves the mix a enters (no step straight back).
 * This is the forward recursion of the path posterior when links' evidence is independent.
 * The Σ_a M_ba α(a) step is the project's batched pull step (SpMM) on the line graph with
 * every target stream a column of one links × streams block; the evidence is an element-wise
 * factor per column. After h steps the destination law is p_h(v) ∝ Σ_{b into v} α_h(b); the
 * rank of the stream's true (h+1)-th mix and the entropy of p_h are reported. A link that
 * carried fewer packets than the target sent gets weight 0.
 */

// ---------------------------------------------------------------------------------------
// Topologies.

export interface MixTopology {
  csr: Csr;
  /** Weight of each node as an entry (relays' bandwidth); uniform when absent. */
  entryWeights?: Float64Array;
  /** Where it came from, for reports. */
  source: string;
}

function checkRandomTopology(mixes: number, links: number): void {
  if (!Number.isInteger(mixes) || mixes < 2) throw new ParameterError(`anonscope/network: --mixes must be an integer >= 2, got ${mixes}`);
  if (!Number.isInteger(links) || links < 1 || links > mixes - 1) {
    throw new ParameterError(`anonscope/network: --links must be an integer in 1..${mixes - 1} (mixes − 1), got ${links}`);
  }
}

/** Danezis §3.4: `mixes` mixes, each with links to `links` distinct others chosen uniformly. */
export function randomMixTopology(mixes: number, links: number, rng: Pcg32): MixTopology {
  checkRandomTopology(mixes, links);
  const builder = new CsrBuilder(true);
  for (let i = 0; i < mixes; i++) builder.integerNode(i);
  const pool = new Uint32Array(mixes - 1);
  for (let i = 0; i < mixes; i++) {
    for (let j = 0, k = 0; j < mixes; j++) if (j !== i) pool[k++] = j;
    for (let t = 0; t < links; t++) {
      const j = t + rng.below(mixes - 1 - t);
      [pool[t], pool[j]] = [pool[j], pool[t]];
      builder.addEdge(i, pool[t]);
    }
  }
  return { csr: builder.build().csr, source: `random: ${mixes} mixes, ${links} links each` };
}

export interface TorRelay {
  nickname: string;
  identity: string;
  /** The full consensus's descriptor digest (`r` line) or the microdescriptor's (`m` line). */
  digest?: string;
  bandwidth: number;
  flags: string[];
}

/** Tor's two consensus flavours: the full one (`r` lines name a descriptor digest) and the microdescriptor one clients cache. */
export type TorConsensusForm = 'full' | 'microdesc';

export interface TorConsensus {
  form: TorConsensusForm;
  relays: TorRelay[];
}

/** Fields after `r`, per flavour (dir-spec §3.4.1; the microdesc flavour drops the digest). */
const R_FIELDS: Record<TorConsensusForm, string[]> = {
  full: ['nickname', 'identity', 'digest', 'published-date', 'published-time', 'IP', 'ORPort', 'DirPort'],
  microdesc: ['nickname', 'identity', 'published-date', 'published-time', 'IP', 'ORPort', 'DirPort'],
};

const R_FIELD_SHAPES: Record<string, RegExp> = {
  nickname: /^[A-Za-z0-9]{1,19}$/,
  identity: /^[A-Za-z0-9+/]{27}=?$/,
  digest: /^[A-Za-z0-9+/]{27}=?$/,
  'published-date': /^\d{4}-\d{2}-\d{2}$/,
  'published-time': /^\d{2}:\d{2}:\d{2}$/,
  IP: /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/,
  ORPort: /^\d{1,5}$/,
  DirPort: /^\d{1,5}$/,
};

/** Tor's bandwidth weights are 32-bit unsigned integers. */
const MAX_BANDWIDTH = 0xffffffff;

/** A token of the input, shortened so that a huge bad token is not echoed whole. */
const shown = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** The flavour named by the first line, `network-status-version 3 [microdesc]`. */
function consensusForm(firstLine: string, file: string): TorConsensusForm {
  const [keyword, version, flavour, ...extra] = firstLine.trim().split(/\s+/);
  if (keyword !== 'network-status-version') {
    throw new FormatError(file, 1, `not a Tor consensus: the first line must be "network-status-version 3", got ${shown(firstLine)}`);
  }
  if (version !== '3') throw new FormatError(file, 1, `expected a v3 consensus, got network-status-version ${shown(version ?? '')}`);
  if (extra.length > 0 || (flavour !== undefined && flavour !== 'microdesc' && flavour !== 'ns')) {
    throw new FormatError(file, 1, `unknown consensus flavour ${shown(firstLine.trim().slice('network-status-version 3'.length).trim())} (anonscope reads the full consensus and the microdesc one)`);
  }
  return flavour === 'microdesc' ? 'microdesc' : 'full';
}

/** Checks an `r` line's fields against its flavour; the message names the field that is wrong. */
function checkRouterLine(fields: string[], form: TorConsensusForm, file: string, line: number): void {
  const names = R_FIELDS[form];
  if (fields.length !== names.length) {
    const other: TorConsensusForm = form === 'full' ? 'microdesc' : 'full';
    const hint = fields.length === R_FIELDS[other].length ? `; that is the ${other} flavour's layout, but the first line says ${form === 'full' ? '"network-status-version 3"' : '"network-status-version 3 microdesc"'}` : '';
    throw new FormatError(file, line, `an "r" line of a ${form} consensus has ${names.length} fields (${names.join(' ')}), got ${fields.length}${hint}`);
  }
  names.forEach((name, i) => {
    const ok = R_FIELD_SHAPES[name].test(fields[i]) && (!name.endsWith('Port') || Number(fields[i]) <= 65535);
    if (!ok) throw new FormatError(file, line, `the "r" line's ${name} (field ${i + 1}) is malformed: ${shown(fields[i])}`);
  });
}

/**
 * Relays of a Tor v3 network-status consensus, full or microdescriptor flavour (told by the
 * first line, `network-status-version 3 [microdesc]`): each `r` line starts a relay (full:
 * `r nickname identity digest date time IP ORPort DirPort`; microdesc: the same without the
 * digest, which comes on an `m` line), `s` lists its flags, `w Bandwidth=N` its weight.
 */
export function parseTorConsensus(text: string, file: string): TorConsensus {
  const lines = text.split(/\r?\n/);
  const form = consensusForm(lines[0], file);
  const relays: TorRelay[] = [];
  let current: TorRelay | undefined;
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    const [keyword, ...rest] = raw.trim().split(/\s+/);
    if (keyword === 'r') {
      checkRouterLine(rest, form, file, lineNumber);
      current = { nickname: rest[0], identity: rest[1], bandwidth: NaN, flags: [] };
      if (form === 'full') current.digest = rest[2];
      relays.push(current);
    } else if (keyword === 'm' && current && form === 'microdesc') {
      if (rest.length !== 1) throw new FormatError(file, lineNumber, `an "m" line holds one microdescriptor digest, got ${rest.length} fields`);
      current.digest = rest[0];
    } else if (keyword === 's' && current) {
      current.flags = rest;
    } else if (keyword === 'w' && current) {
      const field = rest.find((f) => f.startsWith('Bandwidth='));
      if (!field) throw new FormatError(file, lineNumber, 'a "w" line without Bandwidth=');
      const value = field.slice('Bandwidth='.length);
      if (!/^\d{1,10}$/.test(value) || Number(value) > MAX_BANDWIDTH) {
        throw new FormatError(file, lineNumber, `Bandwidth must be an integer in 0..${MAX_BANDWIDTH}, got ${shown(value)}`);
      }
      current.bandwidth = Number(value);
    } else if (keyword === 'directory-footer') {
      current = undefined;
    }
  });
  if (relays.length === 0) throw new FormatError(file, undefined, 'the consensus lists no relays ("r" lines)');
  return { form, relays };
}

/**
 * Relays as mixes: those flagged Running and Valid with a positive bandwidth, the `maxRelays`
 * largest by bandwidth; every relay links to every other, the link to v weighted by v's
 * bandwidth (Tor's bandwidth-weighted path selection), and entries weighted by bandwidth.
 */
export function torTopology(consensus: TorConsensus, maxRelays = 50, file = 'consensus'): MixTopology {
  if (!Number.isInteger(maxRelays) || maxRelays < 2) throw new ParameterError(`anonscope/network: --max-relays must be an integer >= 2, got ${maxRelays}`);
  const { relays } = consensus;
  const usable = relays
    .filter((r) => r.flags.includes('Running') && r.flags.includes('Valid') && r.bandwidth > 0)
    .sort((a, b) => b.bandwidth - a.bandwidth || (a.identity < b.identity ? -1 : 1))
    .slice(0, maxRelays);
  if (usable.length < 2) throw new FormatError(file, undefined, `need at least 2 Running, Valid relays with a bandwidth, found ${usable.length}`);
  const counts = new Map<string, number>();
  for (const r of usable) counts.set(r.nickname, (counts.get(r.nickname) ?? 0) + 1);
  const builder = new CsrBuilder(true);
  builder.enableWeights();
  const ids = usable.map((r) => builder.node(counts.get(r.nickname)! > 1 ? `${r.nickname}~${r.identity.slice(0, 8)}` : r.nickname));
  for (let i = 0; i < usable.length; i++) {
    for (let j = 0; j < usable.length; j++) if (i !== j) builder.addEdge(ids[i], ids[j], usable[j].bandwidth);
  }
  const csr = builder.build().csr;
  const entryWeights = new Float64Array(csr.n);
  usable.forEach((r, i) => (entryWeights[ids[i]] = r.bandwidth));
  const flavour = consensus.form === 'microdesc' ? 'microdesc consensus' : 'consensus';
  return { csr, entryWeights, source: `tor ${flavour} ${file}: ${usable.length} of ${relays.length} relays (Running, Valid, by bandwidth)` };
}

// ---------------------------------------------------------------------------------------
// Simulation.

export interface MixNetworkSimulationOptions {
  /** A given topology; default: the random one of Danezis §3.4. */
  topology?: MixTopology;
  mixes?: number;
  links?: number;
  streams?: number;
  /** Mixes on each path (distinct), default 4. */
  pathLength?: number;
  packets?: number;
  duration?: number;
  delay?: DelayLaw;
  seed?: number;
}

export interface MixNetworkSimulation {
  topology: MixTopology;
  /** Routing law per link: P(tail → head) from transitionMatrix(csr, 'simple'). */
  linkPrior: Float64Array;
  linkTail: Uint32Array;
  streams: { entry: number; path: Uint32Array; input: Float64Array }[];
  /** Packet times per link (sorted), grouped: link e holds linkPackets[linkOffsets[e] .. linkOffsets[e+1]). */
  linkOffsets: Uint32Array;
  linkPackets: Float64Array;
  pathLength: number;
  packets: number;
  duration: number;
  /** Observation window [0, window): the duration plus the path's delays' (1 − 1e-6) quantile. */
  window: number;
  /** Link packets that left after the window (not observed). */
  dropped: number;
  /** Streams that met a dead end before pathLength mixes (left out of the attack). */
  shortPaths: number;
  delay: DelayLaw;
  seed: number;
}

export const NETWORK_DEFAULTS = { mixes: 50, links: 10, streams: 500, pathLength: 4, packets: 400, duration: 10_000, meanDelay: 10 } as const;

/** Per-link routing probabilities aligned with csr.colIdx (the walk's P, self-loops left out). */
function linkProbabilities(csr: Csr, walk: TransitionMatrix): Float64Array {
  const out = new Float64Array(csr.colIdx.length);
  for (let i = 0; i < csr.n; i++) {
    let q = walk.rowPtr[i];
    for (let e = csr.rowPtr[i]; e < csr.rowPtr[i + 1]; e++) {
      while (q < walk.rowPtr[i + 1] && walk.colIdx[q] < csr.colIdx[e]) q++;
      out[e] = q < walk.rowPtr[i + 1] && walk.colIdx[q] === csr.colIdx[e] ? walk.values[q] : 0;
    }
  }
  return out;
}

function pickWeighted(rng: Pcg32, weights: ArrayLike<number>, start: number, end: number, allowed: (i: number) => boolean): number {
  let total = 0;
  for (let i = start; i < end; i++) if (allowed(i)) total += weights[i];
  if (!(total > 0)) return -1;
  let r = uniform01(rng) * total;
  let last = -1;
  for (let i = start; i < end; i++) {
    if (!allowed(i)) continue;
    last = i;
    r -= weights[i];
    if (r < 0) return i;
  }
  return last;
}

/** The last packet time observed: the duration plus the path's delays' (1 − 1e-6) quantile. */
function observationWindow(duration: number, delay: DelayLaw, pathLength: number): number {
  return duration + delay.quantile(1 - 1e-6) * pathLength;
}

/**
 * Refuses bad parameters before any work starts: every simulation and attack parameter. With
 * `topologyToCome` (a topology file not read yet) what depends on its number of mixes waits
 * for the simulation, which checks again, as traceMixNetwork does.
 */
export function checkMixNetworkParameters(
  options: MixNetworkSimulationOptions = {},
  attack: MixNetworkAttackOptions = {},
  { topologyToCome = false }: { topologyToCome?: boolean } = {},
): void {
  const where = 'anonscope/network';
  const { streams = NETWORK_DEFAULTS.streams, pathLength = NETWORK_DEFAULTS.pathLength, packets = NETWORK_DEFAULTS.packets, duration = NETWORK_DEFAULTS.duration } = options;
  if (!options.topology && !topologyToCome) checkRandomTopology(options.mixes ?? NETWORK_DEFAULTS.mixes, options.links ?? NETWORK_DEFAULTS.links);
  const mixes = topologyToCome ? Infinity : (options.topology?.csr.n ?? options.mixes ?? NETWORK_DEFAULTS.mixes);
  if (!Number.isInteger(streams) || streams < 1) throw new ParameterError(`${where}: --streams must be an integer >= 1, got ${streams}`);
  if (!Number.isInteger(pathLength) || pathLength < 2 || pathLength > mixes) {
    throw new ParameterError(`${where}: --path-length must be an integer in 2..${mixes} (the number of mixes), got ${pathLength}`);
  }
  if (!Number.isInteger(packets) || packets < 1) throw new ParameterError(`${where}: --packets must be an integer >= 1, got ${packets}`);
  if (!(duration > 0) || !Number.isFinite(duration)) throw new ParameterError(`${where}: --duration must be a positive number, got ${duration}`);
  if (streams * packets * (pathLength - 1) > 50_000_000) {
    throw new ParameterError(`${where}: streams × packets × (path length − 1) = ${streams * packets * (pathLength - 1)} link packets is too many (at most 5e7)`);
  }

  const { targets = 'all', temperature = 1 } = attack;
  if (targets !== 'all' && (!Number.isInteger(targets) || targets < 1)) {
    throw new ParameterError(`${where}: --targets must be a positive integer or all, got ${targets}`);
  }
  if (temperature !== 'auto' && !(temperature > 0)) {
    throw new ParameterError(`${where}: --temperature must be a positive number or auto, got ${temperature}`);
  }
  const delay = options.delay ?? expDelay(1 / NETWORK_DEFAULTS.meanDelay);
  const step = attack.step ?? defaultStep(delay);
  if (!(step > 0) || !Number.isFinite(step)) throw new ParameterError(`${where}: the grid step must be a positive number, got ${step}`);
  const traced = targets === 'all' ? streams : Math.min(targets, streams);
  const gridLength = Math.ceil(observationWindow(duration, delay, pathLength) / step);
  if (gridLength * traced > 64 * MAX_GRID) {
    throw new ParameterError(`${where}: ${traced} targets × ${gridLength} grid points is too much; trace fewer targets or raise --step`);
  }
}

export function simulateMixNetwork(options: MixNetworkSimulationOptions = {}): MixNetworkSimulation {
  checkMixNetworkParameters(options);
  const seed = options.seed ?? 1;
  const rng = new Pcg32(seed);
  const topology = options.topology ?? randomMixTopology(options.mixes ?? NETWORK_DEFAULTS.mixes, options.links ?? NETWORK_DEFAULTS.links, rng);
  const { csr } = topology;
  const streamCount = options.streams ?? NETWORK_DEFAULTS.streams;
  const pathLength = options.pathLength ?? NETWORK_DEFAULTS.pathLength;
  const packets = options.packets ?? NETWORK_DEFAULTS.packets;
  const duration = options.duration ?? NETWORK_DEFAULTS.duration;
  const delay = options.delay ?? expDelay(1 / NETWORK_DEFAULTS.meanDelay);

  const linkPrior = linkProbabilities(csr, transitionMatrix(csr, 'simple'));
  const entryWeights = topology.entryWeights ?? Float64Array.from({ length: csr.n }, (_, i) => (csr.rowPtr[i + 1] > csr.rowPtr[i] ? 1 : 0));
  const window = observationWindow(duration, delay, pathLength);
  const streams: MixNetworkSimulation['streams'] = [];
  const recorded: LinkRecords = { link: [], time: [], dropped: 0 };
  let shortPaths = 0;
  // One stream at a time, its route then its packets, so that a seed gives one simulation.
  for (let s = 0; s < streamCount; s++) {
    const { entry, path, links } = routeStream(rng, csr, linkPrior, entryWeights, pathLength);
    const input = sortedUniforms(rng, packets, 0, duration);
    if (path.length < pathLength) shortPaths++;
    streams.push({ entry, path: Uint32Array.from(path), input });
    for (const start of input) relayPacket(rng, start, links, delay, window, recorded);
  }
  const { linkOffsets, linkPackets } = groupByLink(recorded, csr.colIdx.length);
  return {
    topology,
    linkPrior,
    linkTail: linkTails(csr),
    streams,
    linkOffsets,
    linkPackets,
    pathLength,
    packets,
    duration,
    window,
    dropped: recorded.dropped,
    shortPaths,
    delay,
    seed,
  };
}

/** The mix each link leaves, aligned with csr.colIdx. */
function linkTails(csr: Csr): Uint32Array {
  const tail = new Uint32Array(csr.colIdx.length);
  for (let i = 0; i < csr.n; i++) for (let e = csr.rowPtr[i]; e < csr.rowPtr[i + 1]; e++) tail[e] = i;
  return tail;
}

/** A stream's entry (by entry weight) and path of up to `pathLength` distinct mixes (by the routing law), with the links it takes. */
function routeStream(rng: Pcg32, csr: Csr, linkPrior: Float64Array, entryWeights: Float64Array, pathLength: number): { entry: number; path: number[]; links: number[] } {
  const entry = pickWeighted(rng, entryWeights, 0, csr.n, () => true);
  const path = [entry];
  const links: number[] = [];
  while (path.length < pathLength) {
    const v = path[path.length - 1];
    const e = pickWeighted(rng, linkPrior, csr.rowPtr[v], csr.rowPtr[v + 1], (e) => !path.includes(csr.colIdx[e]));
    if (e < 0) break;
    links.push(e);
    path.push(csr.colIdx[e]);
  }
  return { entry, path, links };
}

/** Link packets as they are seen, in the order of the simulation, and how many left after the window. */
interface LinkRecords {
  link: number[];
  time: number[];
  dropped: number;
}

/** One packet sent at `start` along `links`, delayed at each mix; recorded on each link until it leaves after the window. */
function relayPacket(rng: Pcg32, start: number, links: number[], delay: DelayLaw, window: number, recorded: LinkRecords): void {
  let t = start;
  for (const e of links) {
    t += delay.sample(rng);
    if (t >= window) {
      recorded.dropped++;
      return;
    }
    recorded.link.push(e);
    recorded.time.push(t);
  }
}

/** The records grouped by link (CSR-like offsets), each link's times sorted. */
function groupByLink(recorded: LinkRecords, L: number): { linkOffsets: Uint32Array; linkPackets: Float64Array } {
  const linkOffsets = new Uint32Array(L + 1);
  for (const e of recorded.link) linkOffsets[e + 1]++;
  for (let e = 0; e < L; e++) linkOffsets[e + 1] += linkOffsets[e];
  const fill = linkOffsets.slice(0, L);
  const linkPackets = new Float64Array(recorded.time.length);
  recorded.link.forEach((e, r) => (linkPackets[fill[e]++] = recorded.time[r]));
  for (let e = 0; e < L; e++) linkPackets.subarray(linkOffsets[e], linkOffsets[e + 1]).sort();
  return { linkOffsets, linkPackets };
}

// ---------------------------------------------------------------------------------------
// The attack.

export interface MixNetworkAttackOptions {
  /** How many streams to trace (a uniform sample), or 'all' (default). */
  targets?: number | 'all';
  /** Seed of the target sample (default: the simulation's). */
  seed?: number;
  /** Grid step; default a tenth of the mean delay. */
  step?: number;
  /**
   * T divides every log-likelihood score before it weighs the walk (a tempered posterior).
   * 1 (default) treats the links' evidence as independent; links are not (a path's links
   * carry the same packets, cover traffic is shared), so that posterior is overconfident and
   * T > 1 discounts the evidence; Infinity leaves the routing law alone. 'auto' fits T by
   * maximum likelihood of the true destinations: it uses the simulation's ground truth.
   */
  temperature?: number | 'auto';
  kernels?: MixKernels;
  /** Keep each stream's rows in the result (default true). */
  perStream?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface HopStats {
  /** Walk steps from the entry (the (step+1)-th mix of the path is the truth). */
  step: number;
  top1: number;
  top3: number;
  meanRank: number;
  meanEntropy: number;
}

export interface StreamRow {
  stream: number;
  entry: string;
  destination: string;
  path: string[];
  /** Rank of the true mix and entropy (bits) after 1, 2, … steps. */
  ranks: number[];
  entropies: number[];
  rank: number;
  entropy: number;
  /** At the destination: the posterior's top probability and the probability it gives the truth. */
  confidence: number;
  truthProbability: number;
}

export interface MixNetworkResult {
  topology: string;
  mixes: number;
  links: number;
  totalStreams: number;
  /** Streams traced. */
  streams: number;
  pathLength: number;
  packets: number;
  duration: number;
  delay: string;
  meanDelay: number;
  seed: number;
  step: number;
  /** The temperature of the reported posterior, and whether it was given or fitted ('auto'). */
  temperature: number;
  temperatureFit: 'given' | 'auto';
  /** At the destination (the last step). */
  top1: number;
  top3: number;
  meanRank: number;
  meanEntropy: number;
  /** How far the destination posterior can be believed (see stats/calibration.ts). */
  calibration: Calibration;
  /** The posterior at temperature 1 (links independent), when another one is reported. */
  untempered?: { top1: number; meanEntropy: number; calibration: Calibration };
  byStep: HopStats[];
  /** The same walk with no timing evidence (routing law only): what the entry alone tells. */
  prior: HopStats[];
  /** Ranks of uniform guessing among the mixes: top1 = 1/(mixes − 1), meanRank = mixes/2. */
  chance: { top1: number; top3: number; meanRank: number; entropy: number };
  dropped: number;
  shortPaths: number;
  /** What the numbers mean where they could mislead (the entropy of a miscalibrated posterior, a fitted temperature). */
  notes: string[];
  perStream?: StreamRow[];
  kernels: string;
  precision: 'float64' | 'float32';
}

/** The walk over links: the line graph's M, each link's normaliser Z, and the link between two mixes. */
interface LineWalk {
  M: TransitionMatrix;
  /** Z(a) = Σ P(b) over b leaving head(a), the step back to tail(a) excluded. */
  Z: Float64Array;
  /** linksInto(v)[u]: the link u → v, or −1 (built once per v). */
  linksInto: (v: number) => Int32Array;
}

const lineWalks = new WeakMap<MixNetworkSimulation, LineWalk>();

/** The simulation's line walk, built once: a temperature fit walks it many times. */
function lineWalkOf(sim: MixNetworkSimulation): LineWalk {
  let line = lineWalks.get(sim);
  if (!line) lineWalks.set(sim, (line = lineGraph(sim.topology.csr, sim.linkPrior, sim.linkTail)));
  return line;
}

/** The line graph's M (rows b, columns a): M_ba = P(b) / Z(a) for b leaving head(a), b ≠ reverse(a). */
function lineGraph(csr: Csr, prior: Float64Array, tail: Uint32Array): LineWalk {
  const L = csr.colIdx.length;
  const head = csr.colIdx;
  // In-links of each node.
  const inPtr = new Uint32Array(csr.n + 1);
  for (let e = 0; e < L; e++) inPtr[head[e] + 1]++;
  for (let v = 0; v < csr.n; v++) inPtr[v + 1] += inPtr[v];
  const inFill = inPtr.slice(0, csr.n);
  const inLinks = new Uint32Array(L);
  for (let e = 0; e < L; e++) inLinks[inFill[head[e]]++] = e;
  const outSum = new Float64Array(csr.n);
  for (let e = 0; e < L; e++) outSum[tail[e]] += prior[e];
  const findLink = (u: number, v: number) => {
    for (let e = csr.rowPtr[u]; e < csr.rowPtr[u + 1]; e++) if (head[e] === v) return e;
    return -1;
  };
  // Z(a) = Σ P(b) over b leaving head(a), the step back to tail(a) excluded.
  const Z = new Float64Array(L);
  for (let a = 0; a < L; a++) {
    const back = findLink(head[a], tail[a]);
    Z[a] = outSum[head[a]] - (back >= 0 ? prior[back] : 0);
  }
  const rowPtr = new Uint32Array(L + 1);
  const cols: number[] = [];
  const values: number[] = [];
  for (let b = 0; b < L; b++) {
    const v = tail[b];
    for (let q = inPtr[v]; q < inPtr[v + 1]; q++) {
      const a = inLinks[q];
      if (tail[a] === head[b] || !(Z[a] > 0) || !(prior[b] > 0)) continue;
      cols.push(a);
      values.push(prior[b] / Z[a]);
    }
    rowPtr[b + 1] = cols.length;
  }
  const M: TransitionMatrix = { n: L, rowPtr, colIdx: Uint32Array.from(cols), values: Float64Array.from(values), model: 'simple', lazy: false, danglingNodes: 0 };
  const into = new Map<number, Int32Array>();
  const linksInto = (v: number) => {
    let links = into.get(v);
    if (!links) {
      links = new Int32Array(csr.n).fill(-1);
      for (let q = inPtr[v]; q < inPtr[v + 1]; q++) links[tail[inLinks[q]]] = inLinks[q];
      into.set(v, links);
    }
    return links;
  };
  return { M, Z, linksInto };
}

/** Rank of `truth` in p (1 = most likely; ties share the average rank). */
function rankOf(p: Float64Array, truth: number): number {
  let greater = 0;
  let equal = 0;
  for (let v = 0; v < p.length; v++) {
    if (v === truth) continue;
    if (p[v] > p[truth]) greater++;
    else if (p[v] === p[truth]) equal++;
  }
  return 1 + greater + equal / 2;
}

function stats(step: number, ranks: number[], entropies: number[]): HopStats {
  const k = ranks.length;
  return {
    step,
    top1: ranks.filter((r) => r <= 1).length / k,
    top3: ranks.filter((r) => r <= 3).length / k,
    meanRank: ranks.reduce((a, b) => a + b, 0) / k,
    meanEntropy: entropies.reduce((a, b) => a + b, 0) / k,
  };
}

/** Step h's timing evidence: the (target column, link) pairs the walk can reach and that can hold the target's packets, with their scores. */
export interface EvidenceStep {
  pairSignal: Uint32Array;
  pairLink: Uint32Array;
  /** Log-likelihood ratios (nats) of "the link carries the target at step h". */
  scores: Float64Array;
}

export interface NetworkEvidence {
  /** The traced streams (indices into sim.streams), one column each. */
  targets: number[];
  /** The time-grid step the scores were computed on. */
  step: number;
  /** Steps 1 … pathLength − 1. */
  steps: EvidenceStep[];
}

function chooseTargets(sim: MixNetworkSimulation, options: MixNetworkAttackOptions): number[] {
  const eligible = sim.streams.map((s, i) => (s.path.length === sim.pathLength ? i : -1)).filter((i) => i >= 0);
  if (eligible.length === 0) throw new ParameterError('anonscope/network: no stream has a full path to trace');
  const requested = options.targets ?? 'all';
  if (requested === 'all' || requested >= eligible.length) return eligible;
  return Array.from(sampleWithoutReplacement(eligible.length, requested, options.seed ?? sim.seed), (i) => eligible[i]).sort((a, b) => a - b);
}

/**
 * The walk's prediction of step h in y (links × targets): the entry's out-links at h = 1,
 * else M α. Paths never revisit a mix: M already forbids the step straight back, and here
 * each column also forbids the step into its entry, the rest of the routing law renormalised,
 * so the walk follows the simulator's law exactly on paths of up to 4 mixes (longer ones may
 * still revisit a mix in the middle).
 */
function predict(sim: MixNetworkSimulation, line: LineWalk, targets: number[], h: number, alpha: Float64Array, y: Float64Array): void {
  const { csr } = sim.topology;
  const B = targets.length;
  const L = csr.colIdx.length;
  const entries = targets.map((s) => sim.streams[s].entry);
  if (h === 1) {
    y.fill(0);
    entries.forEach((entry, b) => {
      for (let e = csr.rowPtr[entry]; e < csr.rowPtr[entry + 1]; e++) y[e * B + b] = sim.linkPrior[e];
    });
    return;
  }
  const renormalized = alpha.slice();
  const intoEntry = entries.map((entry) => line.linksInto(entry));
  for (let a = 0; a < L; a++) {
    for (let b = 0; b < B; b++) {
      const i = a * B + b;
      if (renormalized[i] === 0 || sim.linkTail[a] === entries[b]) continue; // the step back to the entry is already excluded
      const toEntry = intoEntry[b][csr.colIdx[a]];
      if (toEntry < 0) continue;
      const rest = line.Z[a] - sim.linkPrior[toEntry];
      renormalized[i] = rest > 1e-12 * line.Z[a] ? (renormalized[i] * line.Z[a]) / rest : 0;
    }
  }
  pullStep(line.M, renormalized, y, B);
  for (let e = 0; e < L; e++) {
    for (let b = 0; b < B; b++) if (csr.colIdx[e] === entries[b]) y[e * B + b] = 0;
  }
}

/** Each column divided by its sum: the posterior over links. */
function normalizeColumns(y: Float64Array, B: number): void {
  const total = new Float64Array(B);
  for (let i = 0; i < y.length; i++) total[i % B] += y[i];
  for (let i = 0; i < y.length; i++) if (total[i % B] > 0) y[i] /= total[i % B];
}

/**
 * Scores every link the walk can reach at each step against every target, g_h = d^{*h} * f
 * (the kernels' convolve and scoreLinks). Reachable means reachable by the routing law from
 * the entry through links able to hold the target's packets, so the scores serve the walk at
 * any temperature.
 */
export async function scoreNetworkLinks(sim: MixNetworkSimulation, options: MixNetworkAttackOptions = {}): Promise<NetworkEvidence> {
  return scoreTargets(sim, chooseTargets(sim, options), options);
}

/** The grid step of the attack: the option, or a tenth of the mean delay. */
function attackStep(sim: MixNetworkSimulation, options: MixNetworkAttackOptions): number {
  const step = options.step ?? defaultStep(sim.delay);
  if (!(step > 0)) throw new ParameterError(`anonscope/network: the grid step must be positive, got ${step}`);
  return step;
}

/** scoreNetworkLinks for the given targets (each column is scored alone, so any subset scores as in the whole). */
async function scoreTargets(sim: MixNetworkSimulation, targets: number[], options: MixNetworkAttackOptions): Promise<NetworkEvidence> {
  const kernels = options.kernels ?? referenceMixKernels;
  const L = sim.topology.csr.colIdx.length;
  const H = sim.pathLength - 1;
  const B = targets.length;
  const step = attackStep(sim, options);
  const N = Math.ceil(sim.window / step);
  if (N * B > 64 * MAX_GRID) throw new ParameterError(`anonscope/network: ${B} targets × ${N} grid points is too much; trace fewer targets or raise --step`);
  const grid: TimeGrid = { start: 0, step, length: N };
  const u = 1 / (N * step);
  const kernel = delayKernel(sim.delay, step, N);
  const line = lineWalkOf(sim);

  // g_0 = f: each target's input stream as a density.
  let signals: Float64Array = new Float64Array(B * N);
  const sent = new Float64Array(B);
  targets.forEach((s, b) => (sent[b] = binDensity(sim.streams[s].input, grid, signals, b * N)));
  let support = new Float64Array(L * B);
  let y = new Float64Array(L * B);
  const steps: EvidenceStep[] = [];
  for (let h = 1; h <= H; h++) {
    predict(sim, line, targets, h, support, y);
    signals = await kernels.convolve({ kernel, signals, length: N, step });
    const mass = normalizeRows(signals, N, step);
    const pairs = scorablePairs(sim, y, sent, mass, B);
    const evidence = { pairSignal: Uint32Array.from(pairs.signal), pairLink: Uint32Array.from(pairs.link) };
    const scores = await kernels.scoreLinks({
      grid,
      signals,
      packets: sim.linkPackets,
      linkOffsets: sim.linkOffsets,
      ...evidence,
      pairWeight: Float64Array.from(pairs.weight),
      pairNoise: new Float64Array(pairs.signal.length).fill(u),
    });
    steps.push({ ...evidence, scores: Float64Array.from(scores) });
    normalizeColumns(y, B);
    [support, y] = [y, support];
    options.onProgress?.(h, H);
  }
  return { targets, step, steps };
}

/**
 * The (target, link) pairs worth scoring at this step: those the walk reaches (y > 0) on a
 * link with enough packets to carry the target's expected share; the others get y = 0. The
 * weight is the target's expected fraction of the link's packets.
 */
function scorablePairs(sim: MixNetworkSimulation, y: Float64Array, sent: Float64Array, mass: Float64Array, B: number): { signal: number[]; link: number[]; weight: number[] } {
  const pairs = { signal: [] as number[], link: [] as number[], weight: [] as number[] };
  for (let e = 0; e < sim.topology.csr.colIdx.length; e++) {
    const n = sim.linkOffsets[e + 1] - sim.linkOffsets[e];
    for (let b = 0; b < B; b++) {
      if (!(y[e * B + b] > 0)) continue;
      const expected = sent[b] * mass[b];
      if (n + 3 * Math.sqrt(expected) + 1 < expected) {
        y[e * B + b] = 0; // too few packets to carry the target
        continue;
      }
      pairs.signal.push(b);
      pairs.link.push(e);
      pairs.weight.push(n > 0 ? Math.min(1, expected / n) : 1);
    }
  }
  return pairs;
}

/**
 * y ← y ⊙ e^{s/T} on the evidence's pairs, 0 elsewhere (links unreachable or unable to carry
 * the target). Computed in logs, each column shifted by its largest term, so that a column
 * never underflows to all zeros.
 */
function weighByEvidence(evidence: EvidenceStep, y: Float64Array, B: number, temperature: number): void {
  const { pairSignal, pairLink, scores } = evidence;
  const logWeight = new Float64Array(scores.length);
  const best = new Float64Array(B).fill(-Infinity);
  for (let p = 0; p < scores.length; p++) {
    const prior = y[pairLink[p] * B + pairSignal[p]];
    logWeight[p] = prior > 0 ? Math.log(prior) + (temperature === Infinity ? 0 : scores[p] / temperature) : -Infinity;
    best[pairSignal[p]] = Math.max(best[pairSignal[p]], logWeight[p]);
  }
  y.fill(0);
  for (let p = 0; p < scores.length; p++) {
    if (logWeight[p] > -Infinity) y[pairLink[p] * B + pairSignal[p]] = Math.exp(logWeight[p] - best[pairSignal[p]]);
  }
}

/**
 * The forward recursion α_h(b) = e^{s_h(b)/T} Σ_a M_ba α_{h−1}(a) for every target at once,
 * each column normalised: `visit(h, α)` sees the posterior over links after step h. Without
 * evidence it is the walk of the routing law alone.
 */
function walkLinks(sim: MixNetworkSimulation, targets: number[], evidence: EvidenceStep[] | undefined, temperature: number, visit: (h: number, alpha: Float64Array) => void): void {
  const L = sim.topology.csr.colIdx.length;
  const B = targets.length;
  const line = lineWalkOf(sim);
  let alpha = new Float64Array(L * B);
  let y = new Float64Array(L * B);
  for (let h = 1; h < sim.pathLength; h++) {
    predict(sim, line, targets, h, alpha, y);
    if (evidence) weighByEvidence(evidence[h - 1], y, B, temperature);
    normalizeColumns(y, B);
    [alpha, y] = [y, alpha];
    visit(h, alpha);
  }
}

/**
 * Where each target is after 1, 2, … steps: per step a targets × mixes block whose row b is
 * target b's law over the mix its stream has reached, p_h(v) ∝ Σ_{links b into v} α_h(b).
 * With `evidence` at temperature T (1: links independent; Infinity: the routing law through
 * links able to carry the target); without, the routing law alone.
 */
export function destinationLaws(sim: MixNetworkSimulation, targets: number[], evidence?: EvidenceStep[], temperature = 1): Float64Array[] {
  const { csr } = sim.topology;
  const B = targets.length;
  const laws: Float64Array[] = [];
  walkLinks(sim, targets, evidence, temperature, (_h, alpha) => {
    const law = new Float64Array(B * csr.n);
    for (let e = 0; e < csr.colIdx.length; e++) {
      for (let b = 0; b < B; b++) law[b * csr.n + csr.colIdx[e]] += alpha[e * B + b];
    }
    laws.push(law);
  });
  return laws;
}

/** The mix each target's stream is at after `step` steps (its truth). */
const truthAt = (sim: MixNetworkSimulation, targets: number[], step: number) => targets.map((s) => sim.streams[s].path[step]);

/** Mean −ln p_T(truth at the destination) over `targets`' columns listed in `columns`. */
function destinationLogLoss(sim: MixNetworkSimulation, evidence: NetworkEvidence, temperature: number, columns: number[]): number {
  const { csr } = sim.topology;
  const B = evidence.targets.length;
  const truths = truthAt(sim, evidence.targets, sim.pathLength - 1);
  const truthMass = new Float64Array(B);
  walkLinks(sim, evidence.targets, evidence.steps, temperature, (h, alpha) => {
    if (h < sim.pathLength - 1) return;
    for (let e = 0; e < csr.colIdx.length; e++) {
      for (let b = 0; b < B; b++) if (csr.colIdx[e] === truths[b]) truthMass[b] += alpha[e * B + b];
    }
  });
  return columns.reduce((sum, b) => sum - Math.log(truthMass[b]), 0) / columns.length;
}

/** log10 of the temperatures a fit tries, and the step of its first grid. */
const TEMPERATURE_RANGE = [-2, 6] as const;
const GRID_STEP = 0.5;

/** Where x minimises f: a grid of x = log10 T over TEMPERATURE_RANGE by halves, then golden-section search around the best point. */
function minimizeOnLogScale(f: (x: number) => number): number {
  const [lowest, highest] = TEMPERATURE_RANGE;
  let bestX = 0;
  let bestValue = f(0);
  const consider = (x: number) => {
    const value = f(x);
    if (value < bestValue) [bestX, bestValue] = [x, value];
    return value;
  };
  for (let x = lowest; x <= highest; x += GRID_STEP) consider(x);
  let low = Math.max(lowest, bestX - GRID_STEP);
  let high = Math.min(highest, bestX + GRID_STEP);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let left = high - ratio * (high - low);
  let right = low + ratio * (high - low);
  let fLeft = consider(left);
  let fRight = consider(right);
  for (let i = 0; i < 20; i++) {
    if (fLeft <= fRight) {
      [high, right, fRight] = [right, left, fLeft];
      left = high - ratio * (high - low);
      fLeft = consider(left);
    } else {
      [low, left, fLeft] = [left, right, fRight];
      right = low + ratio * (high - low);
      fRight = consider(right);
    }
  }
  return bestX;
}

/**
 * The temperature that maximises the likelihood of the true destinations (minimises the mean
 * log-loss) over the traced streams. It reads the ground truth, so it calibrates the attack
 * model on a simulation; a deployed attacker has no truth to fit it on. Streams whose truth no
 * temperature can reach (probability 0 even by the routing law) are left out of the fit.
 */
export function fitTemperature(sim: MixNetworkSimulation, evidence: NetworkEvidence): number {
  const { csr } = sim.topology;
  const reach = destinationLaws(sim, evidence.targets, evidence.steps, Infinity)[sim.pathLength - 2];
  const truths = truthAt(sim, evidence.targets, sim.pathLength - 1);
  const columns = truths.map((t, b) => (reach[b * csr.n + t] > 0 ? b : -1)).filter((b) => b >= 0);
  if (columns.length === 0) throw new ParameterError('anonscope/network: no traced stream can reach its destination; cannot fit a temperature');
  return 10 ** minimizeOnLogScale((x) => destinationLogLoss(sim, evidence, 10 ** x, columns));
}

/** The traced streams: their indices in the simulation and their paths (path[h]: the mix after h steps, the truth). */
export interface TracedStreams {
  streams: number[];
  paths: Uint32Array[];
}

/**
 * One posterior (the attack's, the routing law's, the untempered one) per traced stream,
 * stream-major: the rank of the truth and the entropy (bits) after step h = 1..H at
 * b · H + h − 1, and the law over the mixes at the destination at b · n + v.
 */
export interface PosteriorRows {
  ranks: Float64Array;
  entropies: Float64Array;
  destination: Float64Array;
}

const tracedOf = (sim: MixNetworkSimulation, targets: number[]): TracedStreams => ({ streams: [...targets], paths: targets.map((s) => sim.streams[s].path) });

/** The rows of the laws of destinationLaws (one targets × mixes block per step). */
function posteriorRows(n: number, paths: Uint32Array[], laws: Float64Array[]): PosteriorRows {
  const B = paths.length;
  const H = laws.length;
  const rows = { ranks: new Float64Array(B * H), entropies: new Float64Array(B * H), destination: laws[H - 1] };
  laws.forEach((law, h) => {
    for (let b = 0; b < B; b++) {
      const row = law.subarray(b * n, (b + 1) * n);
      rows.ranks[b * H + h] = rankOf(row, paths[b][h + 1]);
      rows.entropies[b * H + h] = shannonOfWeights(row);
    }
  });
  return rows;
}

/** Ranks and entropies per step, and the destination's calibration, of a posterior's rows over H steps. */
function summarizeRows(n: number, H: number, paths: Uint32Array[], rows: PosteriorRows) {
  const B = paths.length;
  const byTarget = (values: Float64Array) => Array.from({ length: H }, (_, h) => Array.from({ length: B }, (_, b) => values[b * H + h]));
  const ranks = byTarget(rows.ranks);
  const entropies = byTarget(rows.entropies);
  const { destination } = rows;
  const truths = paths.map((path) => path[H]);
  const row = (b: number) => destination.subarray(b * n, (b + 1) * n);
  return {
    byStep: ranks.map((r, h) => stats(h + 1, r, entropies[h])),
    ranks,
    entropies,
    calibration: calibration(destination, n, truths),
    confidence: Array.from({ length: B }, (_, b) => row(b).reduce((top, p) => Math.max(top, p), 0)),
    truthProbability: truths.map((t, b) => destination[b * n + t]),
  };
}

/** The notes of a result: what its entropy is when the posterior is miscalibrated, and where a fitted temperature comes from. */
function interpretationNotes(temperature: number, fitted: boolean, meanEntropy: number, c: Calibration): string[] {
  const notes: string[] = [];
  if (fitted) {
    notes.push(
      `temperature ${Number(temperature.toPrecision(3))} fitted by maximum likelihood of the true destinations: it uses the simulation's ground truth, ` +
        'so it calibrates the attack model; a deployed attacker could not fit it',
    );
  }
  if (fitted && (Math.log10(temperature) < TEMPERATURE_RANGE[0] + GRID_STEP || Math.log10(temperature) > TEMPERATURE_RANGE[1] - GRID_STEP)) {
    notes.push(
      `the fit stopped at the end of the range tried (${TEMPERATURE_RANGE.map((x) => `1e${x}`).join('..')})` +
        (temperature > 1 ? ': the timing evidence does not improve on the routing law for the destination' : ''),
    );
  }
  if (!c.consistent) {
    // Overconfident: the top guess is right less often than claimed, or the truth gets less than the posterior expects.
    const confidenceOff = !(c.confidenceGap.ci95[0] <= 0 && c.confidenceGap.ci95[1] >= 0);
    const direction = (confidenceOff ? c.confidenceGap.mean : c.truthGap.mean) > 0 ? 'overconfident' : 'underconfident';
    notes.push(
      `the mean destination entropy (${meanEntropy.toFixed(3)} bits) is the entropy of the attacker's posterior, not the streams' anonymity: ` +
        `that posterior is ${direction} (it puts ${c.meanConfidence.toFixed(3)} on its top guess, which is right for ${c.accuracy.toFixed(3)} of the streams; ` +
        `it gives the true destination ${c.meanTruthProbability.toFixed(3)} on average where it expects ${c.expectedTruthProbability.toFixed(3)})` +
        (fitted ? '' : '; --temperature auto calibrates it'),
    );
  }
  return notes;
}

/** The attack's options checked against the simulation they are to run on (its streams, paths, packets, delays, topology). */
function checkAttackOn(sim: MixNetworkSimulation, options: MixNetworkAttackOptions): void {
  const { streams, pathLength, packets, duration, delay, topology } = sim;
  checkMixNetworkParameters({ streams: streams.length, pathLength, packets, duration, delay, topology }, options);
}

/**
 * The attack on a simulation: score the links, choose the temperature, walk with and without
 * the evidence, and report each step's ranks and entropies beside the prior and chance.
 */
export async function traceMixNetwork(sim: MixNetworkSimulation, options: MixNetworkAttackOptions = {}): Promise<MixNetworkResult> {
  checkAttackOn(sim, options);
  const kernels = options.kernels ?? referenceMixKernels;
  const evidence = await scoreNetworkLinks(sim, { ...options, kernels });
  const fitted = options.temperature === 'auto';
  const temperature = options.temperature === 'auto' ? fitTemperature(sim, evidence) : (options.temperature ?? 1);
  const job = networkJob(sim, evidence.targets, { step: evidence.step, temperature, fitted, kernels, perStream: options.perStream !== false });
  return networkResult(job, tracedOf(sim, evidence.targets), posteriorsOf(sim, evidence, temperature));
}

/** Shard `shard` of the attack the other options define: its slice of the traced streams (see shardRange). */
export interface MixNetworkShardOptions extends MixNetworkAttackOptions {
  shard: ShardSpec;
}

/**
 * Everything of a network result that does not depend on the traced streams' posteriors,
 * the mixes' names, and what ties it to its inputs (the topology with its routing law, the
 * list of traced streams): equal jobs give shards that merge.
 */
export type MixNetworkJob = Pick<
  MixNetworkResult,
  | 'topology' | 'mixes' | 'links' | 'totalStreams' | 'streams' | 'pathLength' | 'packets' | 'duration' | 'delay' | 'meanDelay'
  | 'seed' | 'step' | 'temperature' | 'temperatureFit' | 'dropped' | 'shortPaths' | 'kernels' | 'precision'
> & {
  /** Whether the shards hold the per-stream rows. */
  perStream: boolean;
  nodeKeys: string[];
  /** Of the topology (csrChecksum), of its routing law and entry weights (float bits), of the list of traced streams. */
  checksums: { topology: string; routing: string; traced: string };
};

/** The posteriors of one set of traced streams: with the evidence, without it (the prior), and at T = 1 when T is not 1. */
export interface NetworkPosteriors {
  attack: PosteriorRows;
  prior: PosteriorRows;
  untempered?: PosteriorRows;
}

/** Shard `shard` of an attack: streams first .. first + count − 1 of the job's list of traced streams, and their posteriors. */
export interface MixNetworkShard {
  job: MixNetworkJob;
  shard: ShardSpec;
  first: number;
  count: number;
  traced: TracedStreams;
  posteriors: NetworkPosteriors;
}

/**
 * Shard `options.shard` of the attack: its slice of the traced streams, scored and walked
 * alone (each stream is one column of the walk, computed as in the whole run). A fitted
 * temperature ('auto') is one over every traced stream, so it is refused: give the
 * temperature (an unsharded run's fit on fewer streams, say).
 */
export async function traceMixNetworkShard(sim: MixNetworkSimulation, options: MixNetworkShardOptions): Promise<MixNetworkShard> {
  checkShardSpec(options.shard, NETWORK_WHERE);
  checkAttackOn(sim, options);
  if (options.temperature === 'auto') {
    throw new ParameterError(`${NETWORK_WHERE}: temperature auto fits one temperature over every traced stream, so it cannot be sharded; give the temperature (say, the one an unsharded run fits on fewer streams)`);
  }
  const kernels = options.kernels ?? referenceMixKernels;
  const temperature = options.temperature ?? 1;
  const targets = chooseTargets(sim, options);
  const [first, last] = shardRange(targets.length, options.shard);
  const slice = targets.slice(first, last);
  const job = networkJob(sim, targets, { step: attackStep(sim, options), temperature, fitted: false, kernels, perStream: options.perStream !== false });
  const posteriors = slice.length === 0 ? noPosteriors(temperature) : posteriorsOf(sim, await scoreTargets(sim, slice, { ...options, kernels }), temperature);
  const { index, count } = options.shard;
  return { job, shard: { index, count }, first, count: slice.length, traced: tracedOf(sim, slice), posteriors };
}

/**
 * The result of the attack the shards are slices of: the object traceMixNetwork returns for
 * it, from the shards alone. Refuses shards of different jobs, a shard missing or repeated.
 */
export function mergeMixNetworkShards(shards: readonly MixNetworkShard[], sources?: readonly string[]): MixNetworkResult {
  const label = (i: number) => sources?.[i] ?? `shard #${i} (index ${shards[i].shard.index})`;
  if (shards.length === 0) throw new ParameterError(`${NETWORK_MERGE}: no shards to merge`);
  const { job } = shards[0];
  const ordered = shardsOfOneJob(shards, (s) => ({ job: s.job, shard: s.shard, first: s.first, count: s.count }), job.streams, label, NETWORK_MERGE);
  const joined = (pick: (s: MixNetworkShard) => PosteriorRows): PosteriorRows => ({
    ranks: joinColumns(ordered.map((s) => pick(s).ranks)),
    entropies: joinColumns(ordered.map((s) => pick(s).entropies)),
    destination: joinColumns(ordered.map((s) => pick(s).destination)),
  });
  const traced = { streams: ordered.flatMap((s) => s.traced.streams), paths: ordered.flatMap((s) => s.traced.paths) };
  const posteriors: NetworkPosteriors = { attack: joined((s) => s.posteriors.attack), prior: joined((s) => s.posteriors.prior) };
  if (job.temperature !== 1) posteriors.untempered = joined((s) => s.posteriors.untempered!);
  return networkResult(job, traced, posteriors);
}

/** The walk's posteriors of the evidence's targets, as rows. */
function posteriorsOf(sim: MixNetworkSimulation, evidence: NetworkEvidence, temperature: number): NetworkPosteriors {
  const { targets, steps } = evidence;
  const n = sim.topology.csr.n;
  const { paths } = tracedOf(sim, targets);
  const rows = (laws: Float64Array[]) => posteriorRows(n, paths, laws);
  const posteriors: NetworkPosteriors = { attack: rows(destinationLaws(sim, targets, steps, temperature)), prior: rows(destinationLaws(sim, targets)) };
  if (temperature !== 1) posteriors.untempered = rows(destinationLaws(sim, targets, steps, 1));
  return posteriors;
}

/** The posteriors of no stream (a shard whose slice is empty). */
function noPosteriors(temperature: number): NetworkPosteriors {
  const none = (): PosteriorRows => ({ ranks: new Float64Array(0), entropies: new Float64Array(0), destination: new Float64Array(0) });
  return { attack: none(), prior: none(), ...(temperature === 1 ? {} : { untempered: none() }) };
}

function networkJob(
  sim: MixNetworkSimulation,
  targets: number[],
  run: { step: number; temperature: number; fitted: boolean; kernels: MixKernels; perStream: boolean },
): MixNetworkJob {
  const { csr } = sim.topology;
  return {
    topology: sim.topology.source,
    mixes: csr.n,
    links: csr.colIdx.length,
    totalStreams: sim.streams.length,
    streams: targets.length,
    pathLength: sim.pathLength,
    packets: sim.packets,
    duration: sim.duration,
    delay: sim.delay.spec,
    meanDelay: sim.delay.mean,
    seed: sim.seed,
    step: run.step,
    temperature: run.temperature,
    temperatureFit: run.fitted ? 'auto' : 'given',
    dropped: sim.dropped,
    shortPaths: sim.shortPaths,
    perStream: run.perStream,
    kernels: run.kernels.info.name,
    precision: run.kernels.info.precision,
    nodeKeys: [...csr.nodeKeys],
    checksums: {
      topology: csrChecksum(csr),
      routing: new Checksum().floats(sim.linkPrior).floats(sim.topology.entryWeights ?? new Float64Array(0)).hex(),
      traced: new Checksum().words(Uint32Array.from(targets)).hex(),
    },
  };
}

type LawSummary = ReturnType<typeof summarizeRows>;

function networkResult(job: MixNetworkJob, traced: TracedStreams, posteriors: NetworkPosteriors): MixNetworkResult {
  const H = job.pathLength - 1;
  const summary = (rows: PosteriorRows) => summarizeRows(job.mixes, H, traced.paths, rows);
  const attack = summary(posteriors.attack);
  const prior = summary(posteriors.prior);
  const untempered = posteriors.untempered && summary(posteriors.untempered);
  const last = attack.byStep[H - 1];
  return {
    topology: job.topology,
    mixes: job.mixes,
    links: job.links,
    totalStreams: job.totalStreams,
    streams: job.streams,
    pathLength: job.pathLength,
    packets: job.packets,
    duration: job.duration,
    delay: job.delay,
    meanDelay: job.meanDelay,
    seed: job.seed,
    step: job.step,
    temperature: job.temperature,
    temperatureFit: job.temperatureFit,
    top1: last.top1,
    top3: last.top3,
    meanRank: last.meanRank,
    meanEntropy: last.meanEntropy,
    calibration: attack.calibration,
    untempered: untempered && { top1: untempered.byStep[H - 1].top1, meanEntropy: untempered.byStep[H - 1].meanEntropy, calibration: untempered.calibration },
    byStep: attack.byStep,
    prior: prior.byStep,
    chance: chanceOf(job.mixes - 1),
    dropped: job.dropped,
    shortPaths: job.shortPaths,
    notes: interpretationNotes(job.temperature, job.temperatureFit === 'auto', last.meanEntropy, attack.calibration),
    perStream: job.perStream ? streamRows(job.nodeKeys, traced, attack) : undefined,
    kernels: job.kernels,
    precision: job.precision,
  };
}

/** Uniform guessing among the `others` mixes a stream can end at. */
function chanceOf(others: number): MixNetworkResult['chance'] {
  return { top1: 1 / others, top3: Math.min(1, 3 / others), meanRank: (others + 1) / 2, entropy: Math.log2(others) };
}

/** One row per traced stream: its path, and the attack's rank and entropy at every step. */
function streamRows(nodeKeys: readonly string[], traced: TracedStreams, attack: LawSummary): StreamRow[] {
  return traced.streams.map((s, b) => {
    const path = traced.paths[b];
    const H = path.length - 1;
    const ranks = attack.ranks.map((r) => r[b]);
    const entropies = attack.entropies.map((r) => r[b]);
    return {
      stream: s,
      entry: nodeKeys[path[0]],
      destination: nodeKeys[path[H]],
      path: Array.from(path, (v) => nodeKeys[v]),
      ranks,
      entropies,
      rank: ranks[H - 1],
      entropy: entropies[H - 1],
      confidence: attack.confidence[b],
      truthProbability: attack.truthProbability[b],
    };
  });
}
