/** Packet streams as the stream-tracing analyses hold them: sorted times, one window, links packed for scoreLinks. */
import { ParameterError } from '../errors.js';
import type { Pcg32 } from '../random.js';
import { poissonCount, sortedUniforms, type DelayLaw } from './delays.js';

/** The times sorted, each checked finite (`where: what has …` otherwise). */
export function sortedFiniteTimes(times: ArrayLike<number>, what: string, where: string): Float64Array {
  const out = Float64Array.from(times as ArrayLike<number>);
  for (const t of out) if (!Number.isFinite(t)) throw new ParameterError(`${where}: ${what} has a time that is not a finite number`);
  return out.sort();
}

/** [earliest, latest] packet time of the sorted streams. */
export function packetWindow(streams: Float64Array[]): [number, number] {
  let start = Infinity;
  let end = -Infinity;
  for (const t of streams) {
    if (t.length === 0) continue;
    start = Math.min(start, t[0]);
    end = Math.max(end, t[t.length - 1]);
  }
  return [start, end];
}

/** Links' packet times in one array, link i at packets[offsets[i] .. offsets[i+1]), as scoreLinks takes them. */
export function packLinks(linkTimes: Float64Array[]): { offsets: Uint32Array; packets: Float64Array } {
  const offsets = new Uint32Array(linkTimes.length + 1);
  linkTimes.forEach((times, i) => (offsets[i + 1] = offsets[i] + times.length));
  const packets = new Float64Array(offsets[linkTimes.length]);
  linkTimes.forEach((times, i) => packets.set(times, offsets[i]));
  return { offsets, packets };
}

/**
 * An output link of the mix as seen in [0, window): the target's packets, each delayed
 * independently, beside Poisson cover of rate `coverRate`; sorted.
 */
export function mixedLink(rng: Pcg32, target: Float64Array, delay: DelayLaw, coverRate: number, window: number): Float64Array {
  const cover = poissonCount(rng, coverRate * window);
  const x: number[] = [];
  for (const s of target) {
    const out = s + delay.sample(rng);
    if (out < window) x.push(out);
  }
  for (const c of sortedUniforms(rng, cover, 0, window)) x.push(c);
  return Float64Array.from(x).sort();
}
