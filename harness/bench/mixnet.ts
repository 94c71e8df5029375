/**
 * `npm run bench:mixnet`: the mixnet metric on the engines against a straightforward event
 * loop, in the same run (the case: harness/bench/mixnet-case.ts). The event logs of R
 * replications are simulated once on the CPU (timed apart: both paths need them); the table
 * shows each path's time, the ratio and the largest entropy difference, and the result goes
 * to harness/results/mixnet-<label>.json with the machine and its load average.
 * Usage: node dist/bench-mixnet.js [--layers L] [--width W] [--rate λ] [--clients N]
 * [--targets T] [--replications R] [--backends cpu,cpu-parallel,webgpu,gpujs] [--label NAME] [--out DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createMixKernels, MIX_BACKENDS, type MixBackendName } from '../../src/engines/create.js';
import type { MixKernels } from '../../src/engines/mix-kernels.js';
import { loadLine, machineDescription } from '../machine.mjs';
import { mixnetBenchCase, type MixnetBenchRow } from './mixnet-case.js';
import { textTable } from './text-table.js';

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

const loadBefore = loadavg();
const bench = mixnetBenchCase({ layers, width, rate, clients, targets, replications, seed });
const { events, simulateSeconds, delay, phase } = bench;
log(`simulated ${replications} replications of a ${layers} × ${width} mixnet (λ = ${rate}, ${clients} clients): ${events} events in ${simulateSeconds.toFixed(2)} s`);

const rows: MixnetBenchRow[] = [bench.eventLoop()];
log(`event loop: ${rows[0].metricSeconds.toFixed(2)} s`);
for (const name of backends) {
  const started = performance.now();
  let kernels: MixKernels;
  try {
    kernels = await createMixKernels(name, { log });
  } catch (error) {
    log(`${name}: skipped (${(error as Error).message})`);
    continue;
  }
  try {
    const row = await bench.engine(kernels, seconds(started));
    rows.push(row);
    log(`${name}: ${row.metricSeconds.toFixed(2)} s`);
  } finally {
    await kernels.dispose();
  }
}
const loadAfter = loadavg();

const header = ['metric path', 'precision', 'metric s', 'events/s', 'vs event loop', 'max |ΔH| bits'];
const table = rows.map((r) => [r.path, r.precision, r.metricSeconds.toFixed(3), r.eventsPerSecond.toExponential(2), `${r.speedupVsEventLoop.toFixed(2)}×`, r.maxDeviationBits.toExponential(1)]);
process.stdout.write(
  [
    `mixnet ${layers} × ${width}, λ = ${rate}, ${clients} clients, ${targets} targets × ${replications} replications: ${events} events, simulated on the CPU in ${simulateSeconds.toFixed(2)} s (both paths)`,
    textTable(header, table),
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
