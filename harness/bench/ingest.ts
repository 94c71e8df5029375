/**
 * Ingestion benchmark: how fast, and in how much memory, a 1M-node graph becomes a Csr.
 *
 *   npm run bench:ingest    (builds dist/bench-ingest.js and runs it from the project root)
 *   node dist/bench-ingest.js [--runs 3] [--no-graphology] [--machine NAME] [--cache DIR]
 *
 * It generates once (cached in the temp folder) a 1M-node, 10M-edge R-MAT edge list and a
 * 1M-node, 5M-edge one, converts the first to .csr, then measures, each load in a fresh
 * child process (peak RSS from process.resourceUsage().maxRSS):
 *
 * - anonscope's edge-list loader on 10M edges (the goal: < 3 s, < 1.5 GB on 2 cores);
 * - anonscope's .csr loader on the same graph;
 * - anonscope's edge-list loader on 5M edges, and graphology on the same file (read in
 *   4 MiB chunks, one mergeEdge per line: the usual way to build a graphology Graph from
 *   an edge list), the baseline, slow (about a minute): --no-graphology skips it.
 *
 * Prints a table and writes harness/results/ingest-<machine>.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus, hostname, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Graph from 'graphology';
import { writeCsrFile } from '../../src/graph/binary-csr.js';
import { edgeCount } from '../../src/graph/csr.js';
import { rmat, writeEdgeList } from '../../src/graph/generators.js';
import { loadGraphFile } from '../../src/graph/load-file.js';

const NODES = 1_000_000;
/** GTgraph's R-MAT defaults: a power law whose hubs have ~35× the mean degree, with < 1% of nodes isolated. */
const RMAT = { a: 0.45, b: 0.15, c: 0.15, d: 0.25 };
const SEED = 1;

interface ChildResult {
  loadMs: number;
  /** process.resourceUsage().maxRSS. */
  peakRssMiB: number;
  /** VmHWM from /proc/self/status (Linux): the same peak, for a cross-check. */
  vmHwmMiB?: number;
  nodes: number;
  edges: number;
}

interface Row {
  name: string;
  file: string;
  fileMiB: number;
  nodes: number;
  edges: number;
  /** Median over the runs. */
  loadMs: number;
  peakRssMiB: number;
  runs: ChildResult[];
}

const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;

function vmHwmMiB(): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** In a child: load one file one way, print a ChildResult as JSON. */
async function child(kind: string, file: string): Promise<void> {
  const started = performance.now();
  let nodes: number;
  let edges: number;
  if (kind === 'none') {
    nodes = 0;
    edges = 0;
  } else if (kind === 'graphology') {
    const graph = new Graph({ type: 'undirected' });
    const decoder = new TextDecoder();
    const handle = await open(file, 'r');
    const buffer = new Uint8Array(4 << 20);
    let pending = '';
    const addLines = (text: string) => {
      const lines = text.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line === '' || line[0] === '#') continue;
        const space = line.indexOf(' ');
        const u = line.slice(0, space);
        const v = line.slice(space + 1);
        if (u !== v) graph.mergeEdge(u, v);
      }
    };
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length);
      if (bytesRead === 0) break;
      addLines(pending + decoder.decode(buffer.subarray(0, bytesRead), { stream: true }));
    }
    await handle.close();
    addLines(pending + '\n');
    nodes = graph.order;
    edges = graph.size;
  } else {
    const { csr } = await loadGraphFile(file);
    nodes = csr.n;
    edges = edgeCount(csr);
  }
  const result: ChildResult = { loadMs: performance.now() - started, peakRssMiB: peakRssMiB(), vmHwmMiB: vmHwmMiB(), nodes, edges };
  process.stdout.write(JSON.stringify(result));
}

function measure(name: string, kind: string, file: string, runs: number): Row {
  const results: ChildResult[] = [];
  for (let r = 0; r < runs; r++) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', kind, file], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    results.push(JSON.parse(out) as ChildResult);
    process.stderr.write(
      `  ${name}: run ${r + 1}/${runs}: ${(results[r].loadMs / 1000).toFixed(2)} s, maxRSS ${results[r].peakRssMiB.toFixed(0)} MiB, VmHWM ${results[r].vmHwmMiB?.toFixed(0) ?? '?'} MiB\n`,
    );
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return {
    name,
    file,
    fileMiB: statSync(file).size / 2 ** 20,
    nodes: results[0].nodes,
    edges: results[0].edges,
    loadMs: median(results.map((r) => r.loadMs)),
    peakRssMiB: median(results.map((r) => r.peakRssMiB)),
    runs: results,
  };
}

function inputsIn(cache: string): { edges10M: string; csr10M: string; edges5M: string } {
  return {
    edges10M: join(cache, `rmat-1M-10M-seed${SEED}.txt`),
    csr10M: join(cache, `rmat-1M-10M-seed${SEED}.csr`),
    edges5M: join(cache, `rmat-1M-5M-seed${SEED}.txt`),
  };
}

/**
 * Make the missing inputs. This runs in a child process: Linux carries a parent's RSS at
 * fork into the child's maxRSS, so the process that spawns the measured children must
 * stay small.
 */
async function prepareInputs(cache: string): Promise<void> {
  mkdirSync(cache, { recursive: true });
  const { edges10M, csr10M, edges5M } = inputsIn(cache);
  for (const [path, edges] of [
    [edges10M, 10_000_000],
    [edges5M, 5_000_000],
  ] as const) {
    if (existsSync(path)) continue;
    process.stderr.write(`generating ${path} (R-MAT, ${NODES} nodes, ${edges} edges, seed ${SEED})\n`);
    const graph = rmat(NODES, edges, SEED, RMAT);
    await writeEdgeList(`${path}.partial`, graph, [`R-MAT ${JSON.stringify(RMAT)}, ${NODES} nodes, ${edges} edges, seed ${SEED}`]);
    execFileSync('mv', [`${path}.partial`, path]);
  }
  if (!existsSync(csr10M)) {
    process.stderr.write(`converting to ${csr10M}\n`);
    await writeCsrFile(`${csr10M}.partial`, (await loadGraphFile(edges10M)).csr);
    execFileSync('mv', [`${csr10M}.partial`, csr10M]);
  }
}

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) return child(process.argv[childAt + 1], process.argv[childAt + 2]);
  const prepareAt = process.argv.indexOf('--prepare');
  if (prepareAt >= 0) return prepareInputs(process.argv[prepareAt + 1]);

  const runs = Number(option('runs', '3'));
  const machine = option('machine', hostname().replace(/[^\w.-]+/g, '_'));
  const cache = option('cache', join(tmpdir(), 'anonscope-bench-ingest'));
  const withGraphology = !process.argv.includes('--no-graphology');
  execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--prepare', cache], { stdio: 'inherit' });
  const inputs = inputsIn(cache);

  const loadBefore = loadavg();
  const idle = measure('node process, nothing loaded', 'none', inputs.edges10M, 1);
  const rows: Row[] = [
    measure('anonscope edge list, 10M edges', 'edgelist', inputs.edges10M, runs),
    measure('anonscope .csr, 10M edges', 'csr', inputs.csr10M, runs),
    measure('anonscope edge list, 5M edges', 'edgelist', inputs.edges5M, runs),
  ];
  if (withGraphology) rows.push(measure('graphology mergeEdge, 5M edges', 'graphology', inputs.edges5M, 1));

  const byName = (prefix: string) => rows.find((row) => row.name.startsWith(prefix));
  const graphology = byName('graphology');
  const anonscope5M = byName('anonscope edge list, 5M');
  const ratios = graphology && anonscope5M
    ? {
        timeGraphologyOverAnonscope5M: graphology.loadMs / anonscope5M.loadMs,
        rssGraphologyOverAnonscope5M: graphology.peakRssMiB / anonscope5M.peakRssMiB,
        timeGraphology5MOverAnonscope10M: graphology.loadMs / byName('anonscope edge list, 10M')!.loadMs,
        timeGraphology5MOverCsr10M: graphology.loadMs / byName('anonscope .csr')!.loadMs,
      }
    : undefined;

  const pad = (text: string, width: number) => text.padEnd(width);
  const lines = [
    `${pad('what', 34)} ${pad('file MiB', 9)} ${pad('nodes', 9)} ${pad('edges', 10)} ${pad('load s', 8)} ${pad('peak RSS MiB', 12)}`,
    ...rows.map(
      (row) =>
        `${pad(row.name, 34)} ${pad(row.fileMiB.toFixed(0), 9)} ${pad(String(row.nodes), 9)} ${pad(String(row.edges), 10)} ` +
        `${pad((row.loadMs / 1000).toFixed(2), 8)} ${pad(row.peakRssMiB.toFixed(0), 12)}`,
    ),
    `(an idle node process peaks at ${idle.peakRssMiB.toFixed(0)} MiB; times are medians of ${runs} runs, graphology 1 run; ` +
      `load average ${loadBefore[0].toFixed(2)} before, ${loadavg()[0].toFixed(2)} after on ${cpus().length} cpus)`,
  ];
  if (ratios) {
    lines.push(
      `graphology / anonscope on the same 5M-edge file: ${ratios.timeGraphologyOverAnonscope5M.toFixed(1)}× the time, ` +
        `${ratios.rssGraphologyOverAnonscope5M.toFixed(1)}× the memory`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  const result = {
    benchmark: 'ingest',
    date: new Date().toISOString(),
    machine: {
      name: machine,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: totalmem() / 2 ** 30,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      /** 1-minute load average before and after: other work on the machine skews the times. */
      loadAverage: { before: loadBefore[0], after: loadavg()[0] },
    },
    graph: { generator: 'rmat', nodes: NODES, probabilities: RMAT, seed: SEED },
    idleProcessPeakRssMiB: idle.peakRssMiB,
    rows,
    ratios,
  };
  const out = join(process.cwd(), 'harness', 'results', `ingest-${machine}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  process.stderr.write(`wrote ${out}\n`);
}

await main();
