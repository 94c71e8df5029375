/**
 * `npm run bench:spmm`: the per-hop SpMM benchmark. Generates a seeded R-MAT graph, times the pull step
 * (x ← P x over n × B) on each backend and scipy.sparse in the same run, prints a table and
 * writes JSON to harness/results/. Usage: node dist/bench-spmm.js [--nodes N] [--edges M]
 * [--batch B] [--hops H] [--seed S] [--backends a,b] [--out DIR] [--label NAME]
 */
import { writeFileSync } from 'node:fs';
import { hostname, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generatedToCsr, rmat } from '../../src/graph/generators.js';
import { edgeCount } from '../../src/graph/csr.js';
import {
  benchBrowser,
  benchCpuParallel,
  benchCpuReference,
  benchScipy,
  ensureDir,
  terminalsFor,
  walkOf,
  type SpmmRow,
} from './spmm.js';
import { machineDescription } from '../machine.mjs';
import { textTable } from './text-table.js';

const ALL = ['cpu', 'cpu-parallel', 'cpu-parallel-f32', 'scipy', 'webgpu', 'gpujs'];

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000000' },
    edges: { type: 'string', default: '10000000' },
    batch: { type: 'string', default: '32' },
    hops: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    backends: { type: 'string', default: ALL.join(',') },
    out: { type: 'string', default: 'harness/results' },
    label: { type: 'string', default: hostname() },
  },
});
const nodes = Number(values.nodes);
const edges = Number(values.edges);
const B = Number(values.batch);
const hops = Number(values.hops);
const seed = Number(values.seed);
const wanted = new Set(values.backends.split(','));
for (const name of wanted) if (!ALL.includes(name)) throw new Error(`bench: unknown backend ${name} (known: ${ALL.join(', ')})`);

const log = (line: string) => process.stderr.write(`${line}\n`);
let started = performance.now();
// GTgraph's R-MAT probabilities: power-law skew with under 1% isolated nodes (Graph500's
// defaults leave about 43% of 1M nodes without edges), as the ingestion benchmark uses.
const csr = generatedToCsr(rmat(nodes, edges, seed, { a: 0.45, b: 0.15, c: 0.15, d: 0.25 }));
const walk = walkOf(csr);
const terminals = terminalsFor(csr, B, seed);
log(`graph: R-MAT, ${csr.n} nodes, ${edgeCount(csr)} edges, ${walk.rowPtr[walk.n]} nonzeros in P, built in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const rows: SpmmRow[] = [];
const run = async (name: string, measure: () => Promise<SpmmRow | { missing: string }> | SpmmRow | { missing: string }) => {
  if (!wanted.has(name)) return;
  started = performance.now();
  try {
    const row = await measure();
    if ('missing' in row) log(`${name}: skipped (${row.missing})`);
    else rows.push(row);
  } catch (error) {
    log(`${name}: failed (${(error as Error).message})`);
  }
  log(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
};
await run('scipy', () => benchScipy(walk, B, hops));
await run('cpu', () => benchCpuReference(walk, B, Math.min(hops, 2)));
await run('cpu-parallel', () => benchCpuParallel(walk, B, hops, terminals));
await run('cpu-parallel-f32', () => benchCpuParallel(walk, B, hops, terminals, 'float32'));
await run('webgpu', () => benchBrowser('webgpu', walk, B, Math.min(hops, 2), terminals));
await run('gpujs', () => benchBrowser('gpujs', walk, B, Math.min(hops, 2), terminals));

const scipy = rows.find((r) => r.backend.startsWith('scipy'))?.spmmMsPerHop;
for (const row of rows) if (scipy && row.spmmMsPerHop) row.speedupVsScipy = scipy / row.spmmMsPerHop;

const fmt = (v: number | undefined, digits = 1) => (v === undefined ? '-' : v.toFixed(digits));
const header = ['backend', 'precision', 'B', 'spmm ms/hop', 'hop ms (with entropy)', 'GB/s', 'nnz×B /s', 'vs scipy', 'peak RSS MiB'];
const table = rows.map((r) => [
  r.backend + (r.adapter ? ` on ${r.adapter}` : ''),
  r.precision,
  String(r.batch),
  fmt(r.spmmMsPerHop),
  fmt(r.hopMsPerHop),
  fmt(r.effectiveGBs, 2),
  r.nnzTerminalsPerSecond === undefined ? '-' : r.nnzTerminalsPerSecond.toExponential(2),
  r.speedupVsScipy === undefined ? '-' : `${r.speedupVsScipy.toFixed(2)}×`,
  fmt(r.peakRssMiB, 0),
]);
process.stdout.write(`${textTable(header, table)}\n`);

ensureDir(values.out);
const machine = {
  label: values.label,
  loadAverage: loadavg()[0],
  ...machineDescription(),
};
const file = join(values.out, `spmm-${values.label}.json`);
writeFileSync(
  file,
  JSON.stringify(
    { date: new Date().toISOString(), machine, graph: { model: 'rmat', nodes: csr.n, edges: edgeCount(csr), nonzeros: walk.rowPtr[walk.n], seed }, batch: B, hops, rows },
    null,
    2,
  ) + '\n',
);
log(`wrote ${file}`);
