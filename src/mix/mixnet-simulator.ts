import { ParameterError } from '../errors.js';
import { Pcg32 } from '../random.js';
import { NO_COLUMN, NO_MARK, POOL_EVENT } from '../engines/mix-kernels.js';
import { exponential, uniform01, type DelayLaw } from './delays.js';
import { nextMix, type MixnetTopology } from './mixnet-topology.js';

/**
 * The traffic of a Loopix-style mixnet and a seeded event simulator for it (on the CPU).
 *
 * N clients send real messages as one Poisson process of total rate λ (each client λ/N);
 * each client also sends loop cover (rate per client) and drop cover (rate per client), and
 * each mix sends mix-loop cover (rate per mix). Every hop delays a packet independently by
 * the delay law; links take no time. Client packets cross every layer; a mix-loop starts
 * in its mix's pool (its creation is invisible) and crosses the layers after it (free
 * routes: its mix is the first of its L hops). Loop and drop cover differ only in where
 * they go after the last layer (back to the sender or to a random recipient), which a
 * passive observer of the mixes cannot tell apart.
 *
 * T target messages per replication are real messages of client A (0) and B (1) in turn:
 * target t is its sender's first real message after a uniform time in the measurement
 * window [burnIn, burnIn + window) not already a target (a Poisson arrival after an
 * independent time sees the stationary mixnet, so targets add no traffic and no bias); the
 * simulation ends at burnIn + window + coolDown. The event log (see PoolMeansJob) has
 * columns 0..T−1 for the targets and T, T+1 for "sent by A", "sent by B"; mark t is
 * target t's exit.
 */
export interface MixnetTraffic {
  clients: number;
  /** λ: total rate of real messages. */
  rate: number;
  /** Loop cover per client. */
  loopRate: number;
  /** Drop cover per client. */
  dropRate: number;
  /** Mix-loop cover per mix. */
  mixLoopRate: number;
  delay: DelayLaw;
  targets: number;
  burnIn: number;
  window: number;
  coolDown: number;
}

export interface MixnetEventLog {
  /** 4 words per event (PoolMeansJob). */
  events: Uint32Array;
  /** Slots used (the most packets in flight at once). */
  slots: number;
  /** End-to-end delays of the real messages sent in the window that got out. */
  latencies: Float64Array;
  /** Packets sent (real and cover). */
  packets: number;
  /** 1 where target t was sent before the end. */
  targetsSent: Uint8Array;
  /** The time of each event, when asked for (withTimes). */
  times?: Float64Array;
  /** When the simulation stopped. */
  end: number;
}

/** A replication with more events than this is refused (about 400 MB of log). */
export const MAX_EVENTS_PER_REPLICATION = 25_000_000;

/** The expected events of one replication: each packet logs an injection, an exit and ≤ 2 events per hop. */
export function expectedEvents(topology: MixnetTopology, traffic: MixnetTraffic): number {
  const span = traffic.burnIn + traffic.window + traffic.coolDown;
  const clientRate = traffic.rate + traffic.clients * (traffic.loopRate + traffic.dropRate);
  const mixLoops = topology.mixes * traffic.mixLoopRate;
  return (clientRate + mixLoops) * span * (2 * topology.layers + 2);
}

/** Refuse a replication expected to log more than MAX_EVENTS_PER_REPLICATION events. */
export function checkReplicationSize(topology: MixnetTopology, traffic: MixnetTraffic): void {
  const expected = expectedEvents(topology, traffic);
  if (expected > MAX_EVENTS_PER_REPLICATION) {
    throw new ParameterError(
      `anonscope/mixnet: about ${expected.toPrecision(3)} events per replication is too many (at most ${MAX_EVENTS_PER_REPLICATION}); lower the rates or shorten the burn-in, window or cool-down`,
    );
  }
}

/** A growable log of 4-word events. */
class EventBuffer {
  words = new Uint32Array(1 << 16);
  length = 0;
  /** Event times, kept only when `times` is set. */
  times: number[] | undefined;
  now = 0;

  push(code: number, a: number, b: number, c: number): void {
    this.times?.push(this.now);
    if (this.length + 4 > this.words.length) {
      const bigger = new Uint32Array(this.words.length * 2);
      bigger.set(this.words);
      this.words = bigger;
    }
    const w = this.words;
    w[this.length] = code;
    w[this.length + 1] = a;
    w[this.length + 2] = b;
    w[this.length + 3] = c;
    this.length += 4;
  }
}

/** Pending departures: a binary min-heap of (time, slot). */
class DepartureQueue {
  private times = new Float64Array(256);
  private slots = new Uint32Array(256);
  size = 0;

  push(time: number, slot: number): void {
    if (this.size === this.times.length) {
      const times = new Float64Array(this.size * 2);
      times.set(this.times);
      this.times = times;
      const slots = new Uint32Array(this.size * 2);
      slots.set(this.slots);
      this.slots = slots;
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.times[parent] <= time) break;
      this.times[i] = this.times[parent];
      this.slots[i] = this.slots[parent];
      i = parent;
    }
    this.times[i] = time;
    this.slots[i] = slot;
  }

  get nextTime(): number {
    return this.size > 0 ? this.times[0] : Infinity;
  }

  /** Remove the earliest; returns its slot. */
  pop(): number {
    const top = this.slots[0];
    const time = this.times[--this.size];
    const slot = this.slots[this.size];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.times[child + 1] < this.times[child]) child++;
      if (this.times[child] >= time) break;
      this.times[i] = this.times[child];
      this.slots[i] = this.slots[child];
      i = child;
    }
    this.times[i] = time;
    this.slots[i] = slot;
    return top;
  }
}

/** The packets in flight, by slot. */
class Packets {
  layer: Int32Array = new Int32Array(64);
  mix: Int32Array = new Int32Array(64);
  mark: Uint32Array = new Uint32Array(64);
  sentAt: Float64Array = new Float64Array(64);
  /** Whether its end-to-end delay is recorded. */
  timed: Uint8Array = new Uint8Array(64);
  private free: number[] = [];
  used = 0;

  allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.used === this.layer.length) {
      const grow = <T extends Int32Array | Uint32Array | Float64Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.layer = grow(this.layer);
      this.mix = grow(this.mix);
      this.mark = grow(this.mark);
      this.sentAt = grow(this.sentAt);
      this.timed = grow(this.timed);
    }
    return this.used++;
  }

  release(slot: number): void {
    this.free.push(slot);
  }
}

/** One replication's event log, from its own PCG32 stream of `seed`. */
export function simulateMixnet(topology: MixnetTopology, traffic: MixnetTraffic, seed: number, replication: number, withTimes = false): MixnetEventLog {
  checkReplicationSize(topology, traffic);
  const rng = new Pcg32(seed, 1000 + replication);
  const { layers: L, corrupt } = topology;
  const { clients: N, delay, targets: T } = traffic;
  const end = traffic.burnIn + traffic.window + traffic.coolDown;
  const windowEnd = traffic.burnIn + traffic.window;
  const realRate = traffic.rate;
  const clientRate = realRate + N * (traffic.loopRate + traffic.dropRate);
  const totalRate = clientRate + topology.mixes * traffic.mixLoopRate;
  // Target t waits for a real message of client t % 2 after its time.
  const targetTimes = Float64Array.from({ length: T }, () => traffic.burnIn + uniform01(rng) * traffic.window);
  const waiting = [0, 1].map((sender) => [...targetTimes.keys()].filter((t) => t % 2 === sender).sort((a, b) => targetTimes[a] - targetTimes[b]));
  const nextWaiting = [0, 0];
  const targetsSent = new Uint8Array(T);
  /** The target a real message of `client` sent at t becomes, or NO_MARK. */
  const targetFor = (client: number, t: number): number => {
    if (client > 1) return NO_MARK;
    const queue = waiting[client];
    const next = queue[nextWaiting[client]];
    if (next === undefined || targetTimes[next] > t) return NO_MARK;
    nextWaiting[client]++;
    targetsSent[next] = 1;
    return next;
  };

  const log = new EventBuffer();
  if (withTimes) log.times = [];
  const queue = new DepartureQueue();
  const packets = new Packets();
  const pool = new Uint32Array(topology.mixes);
  const latencies: number[] = [];
  let sent = 0;

  /** The packet in `slot` enters `mix` at `layer` at time t: logged unless the mix is corrupt, and its departure scheduled. */
  const enter = (slot: number, mix: number, layer: number, t: number) => {
    packets.mix[slot] = mix;
    packets.layer[slot] = layer;
    if (!corrupt[mix]) log.push(POOL_EVENT.arrive, slot, mix, pool[mix]++);
    queue.push(t + delay.sample(rng), slot);
  };
  const inject = (t: number, x: number, y: number, mark: number, timed: boolean) => {
    const slot = packets.allocate();
    packets.mark[slot] = mark;
    packets.sentAt[slot] = t;
    packets.timed[slot] = timed ? 1 : 0;
    log.push(POOL_EVENT.inject, slot, x, y);
    sent++;
    return slot;
  };
  const senderColumn = (client: number) => (client < 2 ? T + client : NO_COLUMN);

  let nextSend = totalRate > 0 ? exponential(rng, totalRate) : Infinity;
  for (;;) {
    const t = Math.min(nextSend, queue.nextTime);
    if (!(t <= end)) break;
    log.now = t;
    if (t === queue.nextTime) {
      const slot = queue.pop();
      const mix = packets.mix[slot];
      if (!corrupt[mix]) {
        log.push(POOL_EVENT.depart, slot, mix, 0);
        pool[mix]--;
      }
      const layer = packets.layer[slot];
      if (layer === L - 1) {
        log.push(POOL_EVENT.exit, slot, packets.mark[slot], 0);
        if (packets.timed[slot]) latencies.push(t - packets.sentAt[slot]);
        packets.release(slot);
      } else {
        enter(slot, nextMix(topology, layer + 1, mix, rng), layer + 1, t);
      }
    } else {
      nextSend = t + exponential(rng, totalRate);
      const u = uniform01(rng) * totalRate;
      if (u < clientRate) {
        const client = Math.min(N - 1, Math.floor(uniform01(rng) * N));
        const real = u < realRate;
        const target = real ? targetFor(client, t) : NO_MARK;
        const slot = inject(t, senderColumn(client), target === NO_MARK ? NO_COLUMN : target, target, real && t >= traffic.burnIn && t < windowEnd);
        enter(slot, nextMix(topology, 0, -1, rng), 0, t);
      } else {
        const mix = Math.min(topology.mixes - 1, Math.floor(uniform01(rng) * topology.mixes));
        const slot = inject(t, NO_COLUMN, NO_COLUMN, NO_MARK, false);
        // Its mix's layer: free routes keep their n mixes as one layer, so hop 0 of L.
        enter(slot, mix, Math.floor(mix / topology.width), t);
      }
    }
  }
  return { events: log.words.slice(0, log.length), slots: packets.used, latencies: Float64Array.from(latencies), packets: sent, targetsSent, end, ...(log.times ? { times: Float64Array.from(log.times) } : {}) };
}
