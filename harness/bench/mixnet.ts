/**
 * `npm run bench:mixnet`: the mixnet metric on the engines against a straightforward event
 * loop, in the same run. The event logs of R replications are simulated once on the CPU
 * (timed apart: both paths need them); then the pool means of the Loopix evaluation are
 * computed (a) by each engine's poolMeans kernel (the job mixnetAnonymity hands it) and
 * (b) by a plain per-packet loop in JavaScript, as an event simulator such as Loopix's
 * does it: every packet an object carrying its own probability vector, every mix a pool
 * object with its mean vector, updated event by event. Both give each target's entropy
 * (the marked exits, which feed the unlinkability, are left out of both timings: the
 * kernel computes them anyway, so the engine's time is if anything overstated);
 * the table shows the times, the ratio and the largest entropy difference, and the result
 * goes to harness/results/mixnet-<label>.json with the machine and its load average.
 * Usage: node dist/bench-mixnet.js [--layers L] [--width W] [--rate λ] [--clients N]
 * [--targets T] [--replications R] [--backends cpu,cpu-parallel,webgpu,gpujs] [--label NAME] [--out DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mixnetPoolMeansJob } from '../../src/analyses/mixnet.js';
import { createMixKernels, describeEngine, MIX_BACKENDS, type MixBackendName } from '../../src/engines/create.js';
import { NO_COLUMN, POOL_EVENT, type MixKernels } from '../../src/engines/mix-kernels.js';
import { expDelay } from '../../src/mix/delays.js';
import { simulateMixnet, type MixnetEventLog, type MixnetTraffic } from '../../src/mix/mixnet-simulator.js';
import { mixnetTopology } from '../../src/mix/mixnet-topology.js';
import { loadLine, machineDescription } from '../machine.mjs';

const { values } = parseArgs({
  options: {
    layers: { type: 'string', default: '3' },
    width: { type: 'string', default: '10' },
    rate: { type: 'string', default: '500' },
    clients: { type: 'string', default: '1000' },
    targets: { type: 'string', default: '100' },
    replications: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    backends: { type: 'string', default: MIX_BACKENDS.join(',') },
    out: { type: 'string', default: 'harness/results' },
    label: { type: 'string', default: hostname() },
  },
});
const [layers, width, rate, clients, targets, replications, seed] = (['layers', 'width', 'rate', 'clients', 'targets', 'replications', 'seed'] as const).map((name) => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < (name === 'seed' ? 0 : 1)) throw new Error(`bench:mixnet: --${name} must be a positive number, got ${values[name]}`);
  return value;
});
const backends = values.backends.split(',').map((name) => {
  if (!(MIX_BACKENDS as readonly string[]).includes(name)) throw new Error(`bench:mixnet: --backends takes ${MIX_BACKENDS.join(', ')}, got ${name}`);
  return name as MixBackendName;
});

const log = (line: string) => process.stderr.write(`${line}\n`);
const seconds = (from: number) => (performance.now() - from) / 1000;

// The phases of mixnetAnonymity's defaults for this size: 10 mean end-to-end delays each.
const delay = expDelay(1);
const phase = 10 * layers * delay.mean;
const topology = mixnetTopology({ layers, width, seed });
const traffic: MixnetTraffic = { clients, rate, loopRate: 0, dropRate: 0, mixLoopRate: 0, delay, targets, burnIn: phase, window: phase, coolDown: phase };
const C = targets + 2;

const loadBefore = loadavg();
let started = performance.now();
const logs: MixnetEventLog[] = [];
for (let r = 0; r < replications; r++) logs.push(simulateMixnet(topology, traffic, seed, r));
const simulateSeconds = seconds(started);
const events = logs.reduce((sum, l) => sum + l.events.length / 4, 0);
log(`simulated ${replications} replications of a ${layers} × ${width} mixnet (λ = ${rate}, ${clients} clients): ${events} events in ${simulateSeconds.toFixed(2)} s`);

/** Entropy in bits of each sent target (r · T + t; NaN where not sent or none of its mass got out) from per-column sums. */
function entropies(mass: ArrayLike<number>, plogp: ArrayLike<number>): Float64Array {
  const out = new Float64Array(replications * targets).fill(NaN);
  logs.forEach((l, r) => {
    for (let t = 0; t < targets; t++) {
      const S = mass[r * C + t];
      if (l.targetsSent[t] && S > 0) out[r * targets + t] = Math.max(0, Math.log(S) - plogp[r * C + t] / S) / Math.LN2;
    }
  });
  return out;
}

interface Packet {
  vector: number[];
}
interface Pool {
  mean: number[];
}

/**
 * The straightforward loop: packets as objects with their own vectors (a new one each time
 * one leaves a mix), pools as objects, sums in plain arrays; the same events in order.
 */
function eventLoopEntropies(): Float64Array {
  const mass = new Array<number>(replications * C).fill(0);
  const plogp = new Array<number>(replications * C).fill(0);
  logs.forEach((l, r) => {
    const inFlight = new Map<number, Packet>();
    const pools: Pool[] = Array.from({ length: topology.mixes }, () => ({ mean: new Array<number>(C).fill(0) }));
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
}

started = performance.now();
const baseline = eventLoopEntropies();
const baselineSeconds = seconds(started);
log(`event loop: ${baselineSeconds.toFixed(2)} s`);

interface Row {
  path: string;
  precision: string;
  metricSeconds: number;
  startSeconds?: number;
  eventsPerSecond: number;
  speedupVsEventLoop: number;
  maxDeviationBits: number;
}
const rows: Row[] = [];
const maxDeviation = (h: Float64Array) => {
  let worst = 0;
  h.forEach((v, k) => {
    const w = baseline[k];
    worst = Math.max(worst, Number.isNaN(v) || Number.isNaN(w) ? (Number.isNaN(v) === Number.isNaN(w) ? 0 : Infinity) : Math.abs(v - w));
  });
  return worst;
};
rows.push({ path: 'event loop (per-packet objects, JS)', precision: 'float64', metricSeconds: baselineSeconds, eventsPerSecond: events / baselineSeconds, speedupVsEventLoop: 1, maxDeviationBits: 0 });

const job = mixnetPoolMeansJob(logs, topology, targets);
for (const name of backends) {
  started = performance.now();
  let kernels: MixKernels;
  try {
    kernels = await createMixKernels(name, { log });
  } catch (error) {
    log(`${name}: skipped (${(error as Error).message})`);
    continue;
  }
  const startSeconds = seconds(started);
  try {
    await kernels.poolMeans(mixnetPoolMeansJob(logs.slice(0, 1), topology, targets)); // warm-up: pipelines compiled, buffers made
    started = performance.now();
    const { mass, plogp } = await kernels.poolMeans(job);
    const metricSeconds = seconds(started);
    const path = `engine ${describeEngine('kernels', kernels.info).replace(/^kernels: /, '')}`;
    rows.push({ path, precision: kernels.info.precision, metricSeconds, startSeconds, eventsPerSecond: events / metricSeconds, speedupVsEventLoop: baselineSeconds / metricSeconds, maxDeviationBits: maxDeviation(entropies(mass, plogp)) });
    log(`${name}: ${metricSeconds.toFixed(2)} s`);
  } finally {
    await kernels.dispose();
  }
}
const loadAfter = loadavg();

const header = ['metric path', 'precision', 'metric s', 'events/s', 'vs event loop', 'max |ΔH| bits'];
const table = rows.map((r) => [r.path, r.precision, r.metricSeconds.toFixed(3), r.eventsPerSecond.toExponential(2), `${r.speedupVsEventLoop.toFixed(2)}×`, r.maxDeviationBits.toExponential(1)]);
const widths = header.map((h, c) => Math.max(h.length, ...table.map((row) => row[c].length)));
const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
process.stdout.write(
  [
    `mixnet ${layers} × ${width}, λ = ${rate}, ${clients} clients, ${targets} targets × ${replications} replications: ${events} events, simulated on the CPU in ${simulateSeconds.toFixed(2)} s (both paths)`,
    line(header),
    ...table.map(line),
    loadLine(loadBefore, loadAfter),
  ].join('\n') + '\n',
);

mkdirSync(values.out, { recursive: true });
const output = join(values.out, `mixnet-${values.label}.json`);
const machine = {
  label: values.label,
  ...machineDescription(),
  loadAverageBefore: loadBefore,
  loadAverageAfter: loadAfter,
};
const setting = { layers, width, rate, clients, delay: delay.spec, targets, replications, seed, burnIn: phase, window: phase, coolDown: phase };
writeFileSync(output, `${JSON.stringify({ benchmark: 'mixnet', date: new Date().toISOString(), machine, setting, events, simulateSeconds, rows }, null, 2)}\n`);
log(`wrote ${output}`);
