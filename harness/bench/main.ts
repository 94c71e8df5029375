/**
 * `npm run bench`: the job a user runs, end to end, against the scripts it replaces.
 * Generates a seeded Chung-Lu graph (power law, shuffled ids: no locality), writes it as an
 * edge list, then times three processes from start to exit on the same file and terminals:
 * `anonscope entropy FILE --terminals T --hops L --seed S` (default backend), and
 * harness/bench/scipy_entropy.py in float32 and in float64. Prints the table with the
 * ratios and the largest entropy difference to the float64 script, and writes JSON to
 * harness/results/. Usage: node dist/bench.js [--nodes N] [--edges M] [--exponent G]
 * [--terminals T] [--hops L] [--seed S] [--out DIR] [--label NAME] [--keep]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chungLu, writeEdgeList } from '../../src/graph/generators.js';
import { machineDescription } from '../machine.mjs';
import { textTable } from './text-table.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000000' },
    edges: { type: 'string', default: '10000000' },
    exponent: { type: 'string', default: '2.5' },
    terminals: { type: 'string', default: '32' },
    hops: { type: 'string', default: '25' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'harness/results' },
    label: { type: 'string', default: hostname() },
    keep: { type: 'boolean', default: false },
  },
});
const [nodes, edges, exponent, terminalCount, hops, seed] = ['nodes', 'edges', 'exponent', 'terminals', 'hops', 'seed'].map((name) => {
  const value = Number(values[name as keyof typeof values]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`bench: --${name} must be a positive number, got ${values[name as keyof typeof values]}`);
  return value;
});

const log = (line: string) => process.stderr.write(`${line}\n`);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import scipy.sparse'], { stdio: 'ignore' }).status === 0);
if (!python) throw new Error('bench: python3 with numpy and scipy is needed (Debian: apt-get install python3-scipy)');

const dir = join(tmpdir(), 'anonscope-bench');
mkdirSync(dir, { recursive: true });
const file = join(dir, `chung-lu-${nodes}-${edges}-${exponent}-${seed}.txt`);
let started = performance.now();
const graph = chungLu(nodes, edges, seed, { exponent });
await writeEdgeList(file, graph);
log(`graph: Chung-Lu (exponent ${exponent}, shuffled ids), ${nodes} nodes, ${graph.src.length} edges, written to ${file} in ${((performance.now() - started) / 1000).toFixed(1)} s`);

/** Wall seconds of a whole process, and its stdout. */
function timed(command: string, args: string[]): { seconds: number; stdout: string } {
  const begin = performance.now();
  const stdout = execFileSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
  return { seconds: (performance.now() - begin) / 1000, stdout };
}

const loadBefore = loadavg();
const anonscopeArgs = ['entropy', file, '--terminals', String(terminalCount), '--hops', String(hops), '--seed', String(seed)];
// Once as a user runs it (table on stdout), then per-terminal JSON for the comparison.
const anonscope = timed(process.execPath, [join(root, 'dist', 'cli.js'), ...anonscopeArgs, '--quiet']);
log(`anonscope: ${anonscope.seconds.toFixed(1)} s`);
const json = JSON.parse(timed(process.execPath, [join(root, 'dist', 'cli.js'), ...anonscopeArgs, '--quiet', '--format', 'json', '--per-terminal']).stdout);
const perTerminal: { id: string; shannon: (number | null)[] }[] = json.perTerminal;
const terminalIds = JSON.stringify(perTerminal.map((t) => Number(t.id)));
const script = join(root, 'harness', 'bench', 'scipy_entropy.py');
const scipy = (dtype: string) => {
  const run = timed(python, [script, file, terminalIds, String(hops), dtype]);
  log(`scipy ${dtype}: ${run.seconds.toFixed(1)} s`);
  return { ...run, shannon: JSON.parse(run.stdout).shannon as number[][] };
};
const scipy32 = scipy('float32');
const scipy64 = scipy('float64');
const loadAfter = loadavg();

/** Largest |H_a − H_b| over terminals and hops, in bits (both undefined counts as equal). */
function maxDeviation(shannon: (t: number, k: number) => number | null): number {
  let worst = 0;
  for (let t = 0; t < hops; t++) {
    perTerminal.forEach((terminal, k) => {
      const a = shannon(t, k);
      const b = terminal.shannon[t];
      worst = Math.max(worst, a === null || b === null ? (a === b ? 0 : Infinity) : Math.abs(a - b));
    });
  }
  return worst;
}
const finite = (v: number) => (Number.isFinite(v) ? v : null);

const rows = [
  { program: `anonscope (${json.backend ?? 'default'} backend)`, command: `node dist/cli.js ${anonscopeArgs.join(' ')}`, seconds: anonscope.seconds, maxDeviationBits: 0 },
  { program: 'scipy float32 (harness/bench/scipy_entropy.py)', command: `python3 scipy_entropy.py FILE TERMINALS ${hops} float32`, seconds: scipy32.seconds, maxDeviationBits: maxDeviation((t, k) => finite(scipy32.shannon[t][k])) },
  { program: 'scipy float64 (harness/bench/scipy_entropy.py)', command: `python3 scipy_entropy.py FILE TERMINALS ${hops} float64`, seconds: scipy64.seconds, maxDeviationBits: maxDeviation((t, k) => finite(scipy64.shannon[t][k])) },
];
const ratios = { scipy32OverAnonscope: scipy32.seconds / anonscope.seconds, scipy64OverAnonscope: scipy64.seconds / anonscope.seconds };
const header = ['program', 'wall s', 'scipy32 / this', 'scipy64 / this', 'max |ΔH| vs anonscope, bits'];
const table = rows.map((r) => [r.program, r.seconds.toFixed(1), (scipy32.seconds / r.seconds).toFixed(2), (scipy64.seconds / r.seconds).toFixed(2), r.maxDeviationBits.toExponential(1)]);
process.stdout.write(`${textTable(header, table)}\n`);
process.stdout.write(`anonscope is ${ratios.scipy32OverAnonscope.toFixed(2)}× as fast as scipy float32 and ${ratios.scipy64OverAnonscope.toFixed(2)}× as fast as scipy float64; load ${loadBefore[0].toFixed(2)} before, ${loadAfter[0].toFixed(2)} after\n`);

mkdirSync(values.out, { recursive: true });
const machine = {
  label: values.label,
  ...machineDescription(),
  loadAverageBefore: loadBefore,
  loadAverageAfter: loadAfter,
};
const output = join(values.out, `e2e-${values.label}.json`);
writeFileSync(
  output,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine,
      graph: { model: 'chung-lu', exponent, shuffledIds: true, nodes, edges: graph.src.length, seed },
      job: { terminals: perTerminal.length, hops, seed },
      rows,
      ...ratios,
      maxDeviationVsFloat64Bits: rows[2].maxDeviationBits,
    },
    null,
    2,
  ) + '\n',
);
log(`wrote ${output}`);
if (!values.keep) rmSync(file);
