#!/usr/bin/env node
// `npm run bench:import`: what importing the library costs, in fresh Node processes.
// Each run times `await import(entry)` inside the process (so Node's own start-up is not
// counted) for the Node entry, and for each engine's package on its own, for comparison.
// Prints a table and writes harness/results/import-<machine>.json with the machine and load.
// Usage: node harness/bench/import-cost.mjs [--runs 10] [--machine NAME]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { machineDescription } from '../machine.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, machine: { type: 'string', default: hostname() } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);

const targets = [
  ['anonscope (dist/index.js)', pathToFileURL(join(ROOT, 'dist/index.js')).href],
  ['graphology', 'graphology'],
  ['gpu.js', 'gpu.js'],
  ['puppeteer-core', 'puppeteer-core'],
  ['webgpu (Dawn)', 'webgpu'],
];

function importMs(specifier) {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' }));
}

const load = loadavg();
const rows = targets.map(([name, specifier]) => {
  const times = Array.from({ length: runs }, () => importMs(specifier)).sort((a, b) => a - b);
  return { name, medianMs: times[Math.floor(runs / 2)], minMs: times[0], maxMs: times[runs - 1] };
});
const anonscope = rows[0].medianMs;
const host = machineDescription();
console.log(`import cost, median of ${runs} fresh processes on ${values.machine} (${host.cores} cores, load ${load.map((l) => l.toFixed(2)).join(' ')})`);
console.log('module                          median ms   min ms   max ms   × anonscope');
for (const row of rows) {
  console.log(`${row.name.padEnd(30)}  ${row.medianMs.toFixed(1).padStart(9)}  ${row.minMs.toFixed(1).padStart(7)}  ${row.maxMs.toFixed(1).padStart(7)}  ${(row.medianMs / anonscope).toFixed(2).padStart(11)}`);
}
const out = join(ROOT, 'harness', 'results', `import-${values.machine}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ machine: values.machine, cores: host.cores, cpu: host.cpu, loadavg: load, node: host.node, runs, date: new Date().toISOString(), rows }, null, 2) + '\n');
console.log(`wrote ${out}`);
