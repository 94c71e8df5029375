/**
 * The mixnet metric's benchmark case, shared by `npm run bench:mixnet` and the real-GPU run
 * (harness/device/gpu-bench.ts): the event logs of R replications simulated once on the CPU,
 * then the Loopix pool means computed (a) by an engine's poolMeans kernel (the job
 * mixnetAnonymity hands it) and (b) by a plain per-packet loop in JavaScript, as an event
 * simulator such as Loopix's does it: every packet an object carrying its own probability
 * vector, every mix a pool object with its mean vector, updated event by event. Both give
 * each target's entropy (the marked exits, which feed the unlinkability, are left out of both
 * timings: the kernel computes them anyway, so the engine's time is if anything overstated).
 */
import { mixnetPoolMeansJob } from '../../src/analyses/mixnet.js';
import { describeEngine } from '../../src/engines/create.js';
import { NO_COLUMN, POOL_EVENT, type MixKernels } from '../../src/engines/mix-kernels.js';
import { expDelay } from '../../src/mix/delays.js';
import { simulateMixnet, type MixnetEventLog, type MixnetTraffic } from '../../src/mix/mixnet-simulator.js';
import { mixnetTopology } from '../../src/mix/mixnet-topology.js';

export interface MixnetBenchSetting {
  layers: number;
  width: number;
  rate: number;
  clients: number;
  targets: number;
  replications: number;
  seed: number;
}

/** One way of computing the metric, timed: the event loop or an engine. */
export interface MixnetBenchRow {
  path: string;
  precision: string;
  metricSeconds: number;
  startSeconds?: number;
  eventsPerSecond: number;
  speedupVsEventLoop: number;
  maxDeviationBits: number;
}

const seconds = (from: number) => (performance.now() - from) / 1000;

/** The setting's logs, simulated once (timed apart: both paths need them), and the two ways of computing the metric on them. */
export function mixnetBenchCase({ layers, width, rate, clients, targets, replications, seed }: MixnetBenchSetting) {
  // The phases of mixnetAnonymity's defaults for this size: 10 mean end-to-end delays each.
  const delay = expDelay(1);
  const phase = 10 * layers * delay.mean;
  const topology = mixnetTopology({ layers, width, seed });
  const traffic: MixnetTraffic = { clients, rate, loopRate: 0, dropRate: 0, mixLoopRate: 0, delay, targets, burnIn: phase, window: phase, coolDown: phase };
  const C = targets + 2;
  const started = performance.now();
  const logs: MixnetEventLog[] = [];
  for (let r = 0; r < replications; r++) logs.push(simulateMixnet(topology, traffic, seed, r));
  const simulateSeconds = seconds(started);
  const events = logs.reduce((sum, l) => sum + l.events.length / 4, 0);

  /** Entropy in bits of each sent target (r · T + t; NaN where not sent or none of its mass got out) from per-column sums. */
  const entropies = (mass: ArrayLike<number>, plogp: ArrayLike<number>): Float64Array => {
    const out = new Float64Array(replications * targets).fill(NaN);
    logs.forEach((l, r) => {
      for (let t = 0; t < targets; t++) {
        const S = mass[r * C + t];
        if (l.targetsSent[t] && S > 0) out[r * targets + t] = Math.max(0, Math.log(S) - plogp[r * C + t] / S) / Math.LN2;
      }
    });
    return out;
  };

  /** The straightforward loop: packets as objects with their own vectors (a new one each time one leaves a mix), pools as objects, sums in plain arrays; the same events in order. */
  const eventLoopEntropies = (): Float64Array => {
    const mass = new Array<number>(replications * C).fill(0);
    const plogp = new Array<number>(replications * C).fill(0);
    logs.forEach((l, r) => {
      const inFlight = new Map<number, { vector: number[] }>();
      const pools = Array.from({ length: topology.mixes }, () => ({ mean: new Array<number>(C).fill(0) }));
      const e = l.events;
      for (let i = 0; i < e.length; i += 4) {
        const [code, slot, b, c] = [e[i], e[i + 1], e[i + 2], e[i + 3]];
        if (code === POOL_EVENT.inject) {
          const vector = new Array<number>(C).fill(0);
          if (b !== NO_COLUMN) vector[b] = 1;
          if (c !== NO_COLUMN) vector[c] = 1;
          inFlight.set(slot, { vector });
        } else if (code === POOL_EVENT.arrive) {
          // c: the pool's size before the arrival (0: it was empty, and the mean resets).
          const pool = pools[b];
          const packet = inFlight.get(slot)!;
          pool.mean = pool.mean.map((m, j) => (c * m + packet.vector[j]) / (c + 1));
        } else if (code === POOL_EVENT.depart) {
          inFlight.get(slot)!.vector = [...pools[b].mean];
        } else {
          const packet = inFlight.get(slot)!;
          packet.vector.forEach((v, j) => {
            if (v > 0) {
              mass[r * C + j] += v;
              plogp[r * C + j] += v * Math.log(v);
            }
          });
          inFlight.delete(slot);
        }
      }
    });
    return entropies(mass, plogp);
  };

  let baseline: { seconds: number; entropies: Float64Array } | undefined;
  /** The event loop's row (run once; the engines' deviations are against its entropies). */
  const eventLoop = (): MixnetBenchRow => {
    const t = performance.now();
    const h = eventLoopEntropies();
    baseline = { seconds: seconds(t), entropies: h };
    return { path: 'event loop (per-packet objects, JS)', precision: 'float64', metricSeconds: baseline.seconds, eventsPerSecond: events / baseline.seconds, speedupVsEventLoop: 1, maxDeviationBits: 0 };
  };

  const maxDeviation = (h: Float64Array) => {
    let worst = 0;
    h.forEach((v, k) => {
      const w = baseline!.entropies[k];
      worst = Math.max(worst, Number.isNaN(v) || Number.isNaN(w) ? (Number.isNaN(v) === Number.isNaN(w) ? 0 : Infinity) : Math.abs(v - w));
    });
    return worst;
  };

  const job = mixnetPoolMeansJob(logs, topology, targets);
  /** An engine's row, after one warm-up call on the first replication (pipelines compiled, buffers made); the event loop must have run. */
  const engine = async (kernels: MixKernels, startSeconds?: number): Promise<MixnetBenchRow> => {
    if (!baseline) throw new Error('mixnet bench: run the event loop first (the engines are compared with it)');
    await kernels.poolMeans(mixnetPoolMeansJob(logs.slice(0, 1), topology, targets));
    const t = performance.now();
    const { mass, plogp } = await kernels.poolMeans(job);
    const metricSeconds = seconds(t);
    const path = `engine ${describeEngine('kernels', kernels.info).replace(/^kernels: /, '')}`;
    return { path, precision: kernels.info.precision, metricSeconds, startSeconds, eventsPerSecond: events / metricSeconds, speedupVsEventLoop: baseline.seconds / metricSeconds, maxDeviationBits: maxDeviation(entropies(mass, plogp)) };
  };

  return { delay, phase, events, simulateSeconds, eventLoop, engine };
}
