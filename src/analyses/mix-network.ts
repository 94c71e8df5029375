import { pullStep } from '../backends/cpu/cpu-backend.js';
import { FormatError, ParameterError } from '../errors.js';
import { CsrBuilder } from '../graph/csr-builder.js';
import type { Csr } from '../graph/csr.js';
import { expDelay, sortedUniforms, uniform01, type DelayLaw } from '../mix/delays.js';
import { cpuMixKernels, type MixKernels, type TimeGrid } from '../mix/kernels.js';
import { Pcg32, sampleWithoutReplacement } from '../random.js';
import { shannonOfWeights } from '../stats/entropy.js';
import { transitionMatrix, type TransitionMatrix } from '../walks/index.js';
import { binDensity, defaultStep, delayKernel, MAX_GRID, normalizeRows } from './stream-trace.js';

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

/** Danezis §3.4: `mixes` mixes, each with links to `links` distinct others chosen uniformly. */
export function randomMixTopology(mixes: number, links: number, rng: Pcg32): MixTopology {
  if (!Number.isInteger(mixes) || mixes < 2) throw new ParameterError(`anonscope/network: --mixes must be an integer >= 2, got ${mixes}`);
  if (!Number.isInteger(links) || links < 1 || links > mixes - 1) {
    throw new ParameterError(`anonscope/network: --links must be an integer in 1..${mixes - 1} (mixes − 1), got ${links}`);
  }
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
  bandwidth: number;
  flags: string[];
}

/**
 * Relays of a Tor v3 network-status consensus: each `r nickname identity digest date time
 * IP ORPort DirPort` line starts a relay, `s` lists its flags, `w Bandwidth=N` its weight.
 */
export function parseTorConsensus(text: string, file: string): TorRelay[] {
  const relays: TorRelay[] = [];
  let current: TorRelay | undefined;
  let sawHeader = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trimEnd();
    const lineNumber = index + 1;
    if (line.startsWith('network-status-version')) {
      sawHeader = true;
      const version = line.split(/\s+/)[1];
      if (version !== '3') throw new FormatError(file, lineNumber, `expected a v3 consensus, got network-status-version ${version}`);
      return;
    }
    const [keyword, ...rest] = line.split(/\s+/);
    if (keyword === 'r') {
      if (rest.length < 8) throw new FormatError(file, lineNumber, `an "r" line has 8 fields (nickname identity digest date time IP ORPort DirPort), got ${rest.length}`);
      current = { nickname: rest[0], identity: rest[1], bandwidth: NaN, flags: [] };
      relays.push(current);
    } else if (keyword === 's' && current) {
      current.flags = rest;
    } else if (keyword === 'w' && current) {
      const field = rest.find((f) => f.startsWith('Bandwidth='));
      if (!field) throw new FormatError(file, lineNumber, 'a "w" line without Bandwidth=');
      const value = field.slice('Bandwidth='.length);
      const bandwidth = Number(value);
      if (!/^\d+$/.test(value) || !Number.isFinite(bandwidth)) throw new FormatError(file, lineNumber, `Bandwidth must be a non-negative integer, got "${value}"`);
      current.bandwidth = bandwidth;
    } else if (keyword === 'directory-footer') {
      current = undefined;
    }
  });
  if (!sawHeader) throw new FormatError(file, undefined, 'not a Tor consensus (no "network-status-version 3" line)');
  if (relays.length === 0) throw new FormatError(file, undefined, 'the consensus lists no relays ("r" lines)');
  return relays;
}

/**
 * Relays as mixes: those flagged Running and Valid with a positive bandwidth, the `maxRelays`
 * largest by bandwidth; every relay links to every other, the link to v weighted by v's
 * bandwidth (Tor's bandwidth-weighted path selection), and entries weighted by bandwidth.
 */
export function torTopology(relays: TorRelay[], maxRelays = 50, file = 'consensus'): MixTopology {
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
  return { csr, entryWeights, source: `tor consensus ${file}: ${usable.length} of ${relays.length} relays (Running, Valid, by bandwidth)` };
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

export function simulateMixNetwork(options: MixNetworkSimulationOptions = {}): MixNetworkSimulation {
  const seed = options.seed ?? 1;
  const rng = new Pcg32(seed);
  const topology = options.topology ?? randomMixTopology(options.mixes ?? NETWORK_DEFAULTS.mixes, options.links ?? NETWORK_DEFAULTS.links, rng);
  const { csr } = topology;
  const streamCount = options.streams ?? NETWORK_DEFAULTS.streams;
  const pathLength = options.pathLength ?? NETWORK_DEFAULTS.pathLength;
  const packets = options.packets ?? NETWORK_DEFAULTS.packets;
  const duration = options.duration ?? NETWORK_DEFAULTS.duration;
  const delay = options.delay ?? expDelay(1 / NETWORK_DEFAULTS.meanDelay);
  const where = 'anonscope/network';
  if (!Number.isInteger(streamCount) || streamCount < 1) throw new ParameterError(`${where}: --streams must be an integer >= 1, got ${streamCount}`);
  if (!Number.isInteger(pathLength) || pathLength < 2 || pathLength > csr.n) {
    throw new ParameterError(`${where}: --path-length must be an integer in 2..${csr.n} (the number of mixes), got ${pathLength}`);
  }
  if (!Number.isInteger(packets) || packets < 1) throw new ParameterError(`${where}: --packets must be an integer >= 1, got ${packets}`);
  if (!(duration > 0) || !Number.isFinite(duration)) throw new ParameterError(`${where}: --duration must be a positive number, got ${duration}`);
  if (streamCount * packets * (pathLength - 1) > 50_000_000) {
    throw new ParameterError(`${where}: streams × packets × (path length − 1) = ${streamCount * packets * (pathLength - 1)} link packets is too many (at most 5e7)`);
  }

  const walk = transitionMatrix(csr, 'simple');
  const linkPrior = linkProbabilities(csr, walk);
  const linkTail = new Uint32Array(csr.colIdx.length);
  for (let i = 0; i < csr.n; i++) for (let e = csr.rowPtr[i]; e < csr.rowPtr[i + 1]; e++) linkTail[e] = i;
  const entryWeights = topology.entryWeights ?? Float64Array.from({ length: csr.n }, (_, i) => (csr.rowPtr[i + 1] > csr.rowPtr[i] ? 1 : 0));

  const window = duration + delay.quantile(1 - 1e-6) * pathLength;
  const streams: MixNetworkSimulation['streams'] = [];
  const recordLink: number[] = [];
  const recordTime: number[] = [];
  let shortPaths = 0;
  let dropped = 0;
  for (let s = 0; s < streamCount; s++) {
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
    const input = sortedUniforms(rng, packets, 0, duration);
    if (path.length < pathLength) shortPaths++;
    streams.push({ entry, path: Uint32Array.from(path), input });
    for (const start of input) {
      let t = start;
      for (const e of links) {
        t += delay.sample(rng);
        if (t >= window) {
          dropped++;
          break;
        }
        recordLink.push(e);
        recordTime.push(t);
      }
    }
  }
  const L = csr.colIdx.length;
  const linkOffsets = new Uint32Array(L + 1);
  for (const e of recordLink) linkOffsets[e + 1]++;
  for (let e = 0; e < L; e++) linkOffsets[e + 1] += linkOffsets[e];
  const fill = linkOffsets.slice(0, L);
  const linkPackets = new Float64Array(recordTime.length);
  recordLink.forEach((e, r) => (linkPackets[fill[e]++] = recordTime[r]));
  for (let e = 0; e < L; e++) linkPackets.subarray(linkOffsets[e], linkOffsets[e + 1]).sort();
  return {
    topology,
    linkPrior,
    linkTail,
    streams,
    linkOffsets,
    linkPackets,
    pathLength,
    packets,
    duration,
    window,
    dropped,
    shortPaths,
    delay,
    seed,
  };
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
  /** At the destination (the last step). */
  top1: number;
  top3: number;
  meanRank: number;
  meanEntropy: number;
  byStep: HopStats[];
  /** The same walk with no timing evidence (routing law only): what the entry alone tells. */
  prior: HopStats[];
  /** Ranks of uniform guessing among the mixes: top1 = 1/(mixes − 1), meanRank = mixes/2. */
  chance: { top1: number; top3: number; meanRank: number; entropy: number };
  dropped: number;
  shortPaths: number;
  perStream?: StreamRow[];
  kernels: string;
  precision: 'float64' | 'float32';
}

/** The line graph's M (rows b, columns a): M_ba = P(b) / (1 − P(reverse of a)) for b leaving head(a), b ≠ reverse(a). */
function lineGraph(csr: Csr, prior: Float64Array, tail: Uint32Array): TransitionMatrix {
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
  return { n: L, rowPtr, colIdx: Uint32Array.from(cols), values: Float64Array.from(values), model: 'simple', lazy: false, danglingNodes: 0 };
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

export async function traceMixNetwork(sim: MixNetworkSimulation, options: MixNetworkAttackOptions = {}): Promise<MixNetworkResult> {
  const kernels = options.kernels ?? cpuMixKernels;
  const { csr } = sim.topology;
  const L = csr.colIdx.length;
  const H = sim.pathLength - 1;
  const eligible = sim.streams.map((s, i) => (s.path.length === sim.pathLength ? i : -1)).filter((i) => i >= 0);
  if (eligible.length === 0) throw new ParameterError('anonscope/network: no stream has a full path to trace');
  const requested = options.targets ?? 'all';
  if (requested !== 'all' && (!Number.isInteger(requested) || requested < 1)) {
    throw new ParameterError(`anonscope/network: --targets must be a positive integer or all, got ${requested}`);
  }
  const targets =
    requested === 'all' || requested >= eligible.length
      ? eligible
      : Array.from(sampleWithoutReplacement(eligible.length, requested, options.seed ?? sim.seed), (i) => eligible[i]).sort((a, b) => a - b);
  const B = targets.length;
  const step = options.step ?? defaultStep(sim.delay);
  if (!(step > 0)) throw new ParameterError(`anonscope/network: the grid step must be positive, got ${step}`);
  const N = Math.ceil(sim.window / step);
  if (N * B > 64 * MAX_GRID) throw new ParameterError(`anonscope/network: ${B} targets × ${N} grid points is too much; trace fewer targets or raise --step`);
  const grid: TimeGrid = { start: 0, step, length: N };
  const u = 1 / (N * step);
  const kernel = delayKernel(sim.delay, step, N);
  const M = lineGraph(csr, sim.linkPrior, sim.linkTail);

  // g_0 = f: each target's input stream as a density.
  let g = new Float64Array(B * N);
  const sent = new Float64Array(B);
  targets.forEach((s, b) => (sent[b] = binDensity(sim.streams[s].input, grid, g, b * N)));
  const linkCount = (e: number) => sim.linkOffsets[e + 1] - sim.linkOffsets[e];

  const walk = async (evidence: boolean) => {
    const ranks: number[][] = [];
    const entropies: number[][] = [];
    let alpha = new Float64Array(L * B);
    let y = new Float64Array(L * B);
    let signals: Float64Array = g;
    for (let h = 1; h <= H; h++) {
      if (h === 1) {
        y.fill(0);
        targets.forEach((s, b) => {
          const entry = sim.streams[s].entry;
          for (let e = csr.rowPtr[entry]; e < csr.rowPtr[entry + 1]; e++) y[e * B + b] = sim.linkPrior[e];
        });
      } else {
        pullStep(M, alpha, y, B);
      }
      if (evidence) {
        signals = await kernels.convolve({ kernel, signals, length: N, step });
        const mass = normalizeRows(signals, N, step);
        // Pairs (target, link) the walk can reach, and able to hold the target's packets.
        const pairSignal: number[] = [];
        const pairLink: number[] = [];
        const pairWeight: number[] = [];
        for (let e = 0; e < L; e++) {
          const n = linkCount(e);
          for (let b = 0; b < B; b++) {
            if (!(y[e * B + b] > 0)) continue;
            const expected = sent[b] * mass[b];
            if (n + 3 * Math.sqrt(expected) + 1 < expected) {
              y[e * B + b] = 0; // too few packets to carry the target
              continue;
            }
            pairSignal.push(b);
            pairLink.push(e);
            pairWeight.push(n > 0 ? Math.min(1, expected / n) : 1);
          }
        }
        const scores = await kernels.scoreLinks({
          grid,
          signals,
          packets: sim.linkPackets,
          linkOffsets: sim.linkOffsets,
          pairSignal: Uint32Array.from(pairSignal),
          pairLink: Uint32Array.from(pairLink),
          pairWeight: Float64Array.from(pairWeight),
          pairNoise: new Float64Array(pairSignal.length).fill(u),
        });
        const best = new Float64Array(B).fill(-Infinity);
        for (let p = 0; p < scores.length; p++) best[pairSignal[p]] = Math.max(best[pairSignal[p]], scores[p]);
        for (let p = 0; p < scores.length; p++) {
          const index = pairLink[p] * B + pairSignal[p];
          y[index] *= Math.exp(scores[p] - best[pairSignal[p]]);
        }
      }
      // Normalize each column: the posterior over links after h steps.
      const total = new Float64Array(B);
      for (let i = 0; i < L * B; i++) total[i % B] += y[i];
      for (let i = 0; i < L * B; i++) if (total[i % B] > 0) y[i] /= total[i % B];
      [alpha, y] = [y, alpha];
      const hopRanks: number[] = [];
      const hopEntropies: number[] = [];
      const p = new Float64Array(csr.n);
      for (let b = 0; b < B; b++) {
        p.fill(0);
        for (let e = 0; e < L; e++) p[csr.colIdx[e]] += alpha[e * B + b];
        hopRanks.push(rankOf(p, sim.streams[targets[b]].path[h]));
        hopEntropies.push(shannonOfWeights(p));
      }
      ranks.push(hopRanks);
      entropies.push(hopEntropies);
      options.onProgress?.(h + (evidence ? H : 0), 2 * H);
    }
    return { ranks, entropies };
  };

  const prior = await walk(false);
  const attack = await walk(true);
  g = new Float64Array(0);
  const byStep = attack.ranks.map((r, h) => stats(h + 1, r, attack.entropies[h]));
  const priorStats = prior.ranks.map((r, h) => stats(h + 1, r, prior.entropies[h]));
  const last = byStep[H - 1];
  const key = (v: number) => csr.nodeKeys[v];
  const others = csr.n - 1;
  return {
    topology: sim.topology.source,
    mixes: csr.n,
    links: L,
    totalStreams: sim.streams.length,
    streams: B,
    pathLength: sim.pathLength,
    packets: sim.packets,
    duration: sim.duration,
    delay: sim.delay.spec,
    meanDelay: sim.delay.mean,
    seed: sim.seed,
    step,
    top1: last.top1,
    top3: last.top3,
    meanRank: last.meanRank,
    meanEntropy: last.meanEntropy,
    byStep,
    prior: priorStats,
    chance: { top1: 1 / others, top3: Math.min(1, 3 / others), meanRank: (others + 1) / 2, entropy: Math.log2(others) },
    dropped: sim.dropped,
    shortPaths: sim.shortPaths,
    perStream:
      options.perStream === false
        ? undefined
        : targets.map((s, b) => {
            const stream = sim.streams[s];
            const ranks = attack.ranks.map((r) => r[b]);
            const entropies = attack.entropies.map((r) => r[b]);
            return {
              stream: s,
              entry: key(stream.entry),
              destination: key(stream.path[H]),
              path: Array.from(stream.path, key),
              ranks,
              entropies,
              rank: ranks[H - 1],
              entropy: entropies[H - 1],
            };
          }),
    kernels: kernels.info.name,
    precision: kernels.info.precision,
  };
}
