import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pullStep } from '../../src/walks/pull-step.js';
import { ParallelCpuBackend } from '../../src/engines/cpu/parallel-backend.js';
import type { Backend } from '../../src/engines/backend.js';
import type { Csr } from '../../src/graph/csr.js';
import { sampleWithoutReplacement } from '../../src/random.js';
import { transitionMatrix, type TransitionMatrix } from '../../src/walks/index.js';

/** One measured configuration: a row of the table and of the JSON. */
export interface SpmmRow {
  backend: string;
  adapter?: string;
  precision: 'float64' | 'float32';
  batch: number;
  hops: number;
  /** Median milliseconds of one pull step (x ← P x over the n × B block). */
  spmmMsPerHop?: number;
  /** Median milliseconds of one full hop: pull step plus the per-terminal entropy reductions. */
  hopMsPerHop?: number;
  /** Bytes one pull step must move at least, divided by its time. */
  effectiveGBs?: number;
  /** Nonzeros × terminals per second in the pull step. */
  nnzTerminalsPerSecond?: number;
  /** Peak resident memory of the process that ran it, MiB. */
  peakRssMiB: number;
  /** The same pull step's time in scipy divided by this one's (> 1: faster than scipy). */
  speedupVsScipy?: number;
  note?: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;

/** Minimum traffic of a pull step: CSR once, one gathered row of x per nonzero, one written row per node. */
export function spmmBytes(walk: TransitionMatrix, B: number, bytesPerValue: number): number {
  const nnz = walk.rowPtr[walk.n];
  return (walk.n + 1) * 4 + nnz * (4 + bytesPerValue) + nnz * B * bytesPerValue + walk.n * B * bytesPerValue;
}

function withRates(row: SpmmRow, walk: TransitionMatrix, bytesPerValue: number): SpmmRow {
  if (row.spmmMsPerHop === undefined) return row;
  const seconds = row.spmmMsPerHop / 1000;
  return {
    ...row,
    effectiveGBs: spmmBytes(walk, row.batch, bytesPerValue) / seconds / 1e9,
    nnzTerminalsPerSecond: (walk.rowPtr[walk.n] * row.batch) / seconds,
  };
}

/** The float64 reference, one core. */
export function benchCpuReference(walk: TransitionMatrix, B: number, hops: number): SpmmRow {
  const x = Float64Array.from({ length: walk.n * B }, () => Math.random());
  const next = new Float64Array(walk.n * B);
  const times: number[] = [];
  for (let hop = 0; hop < hops; hop++) {
    const started = performance.now();
    pullStep(walk, hop % 2 ? next : x, hop % 2 ? x : next, B);
    times.push(performance.now() - started);
  }
  return withRates({ backend: 'cpu', precision: 'float64', batch: B, hops, spmmMsPerHop: median(times), peakRssMiB: peakRssMiB() }, walk, 8);
}

/** Every core through worker threads: full hops (pull step fused with the entropies). */
export async function benchCpuParallel(
  walk: TransitionMatrix,
  B: number,
  hops: number,
  terminals: Uint32Array,
  precision: 'float64' | 'float32' = 'float64',
): Promise<SpmmRow> {
  const backend = new ParallelCpuBackend({ batch: B, precision });
  const full = await timeFullHops(backend, walk, terminals.subarray(0, B), hops);
  return { backend: `cpu-parallel (${backend.info.runtime})`, precision, batch: B, hops, hopMsPerHop: full, peakRssMiB: peakRssMiB() };
}

/** A backend's full hop (pull step and entropies), from terminalEntropies over one batch. */
export async function timeFullHops(backend: Backend, walk: TransitionMatrix, terminals: Uint32Array, hops: number): Promise<number> {
  const started = performance.now();
  await backend.terminalEntropies({ walk, terminals, hops });
  return (performance.now() - started) / hops;
}

/**
 * scipy.sparse CSR @ dense on the same matrix (Debian's python3-scipy, /usr/bin/python3):
 * the baseline the issue names. Returns undefined with the reason where scipy is missing.
 */
export function benchScipy(walk: TransitionMatrix, B: number, hops: number): SpmmRow | { missing: string } {
  const python = ['/usr/bin/python3', 'python3'].find((p) => {
    try {
      execFileSync(p, ['-c', 'import scipy.sparse'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  if (!python) return { missing: 'scipy is not installed (Debian: apt-get install python3-scipy)' };
  const dir = join(tmpdir(), 'anonscope-bench');
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => join(dir, `${name}.bin`);
  writeFileSync(file('rowPtr'), walk.rowPtr);
  writeFileSync(file('colIdx'), walk.colIdx);
  writeFileSync(file('values'), walk.values);
  const script = `
import json, resource, time, numpy as np, scipy, scipy.sparse as sp
rp = np.fromfile(${JSON.stringify(file('rowPtr'))}, dtype=np.uint32)
ci = np.fromfile(${JSON.stringify(file('colIdx'))}, dtype=np.uint32)
v = np.fromfile(${JSON.stringify(file('values'))}, dtype=np.float64)
n = len(rp) - 1
A = sp.csr_matrix((v, ci, rp), shape=(n, n))
X = np.random.rand(n, ${B})
times = []
for _ in range(${hops}):
    t = time.perf_counter(); X = A @ X; times.append((time.perf_counter() - t) * 1000)
hwm = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')]
print(json.dumps({"times": times, "maxrss_kib": hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "scipy": scipy.__version__}))
`;
  const out = JSON.parse(execFileSync(python, ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 20 }));
  return withRates(
    {
      backend: `scipy ${out.scipy} (CSR @ dense, one core)`,
      precision: 'float64',
      batch: B,
      hops,
      spmmMsPerHop: median(out.times),
      peakRssMiB: out.maxrss_kib / 1024,
    },
    walk,
    8,
  );
}

/** WebGPU (or gpu.js) in headless Chromium: full hops only, through the harness. */
export async function benchBrowser(kind: 'webgpu' | 'gpujs', walk: TransitionMatrix, B: number, hops: number, terminals: Uint32Array): Promise<SpmmRow> {
  const { BrowserBackend } = await import('../../src/engines/browser/browser-backend.js');
  const backend = await BrowserBackend.start({ backend: kind, limits: { maxBatch: B } });
  try {
    const full = await timeFullHops(backend, walk, terminals.subarray(0, B), hops);
    const adapter = backend.info.adapter;
    return {
      backend: `${kind} (${backend.info.runtime})`,
      adapter: adapter ? [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ') : undefined,
      precision: 'float32',
      batch: B,
      hops,
      hopMsPerHop: full,
      peakRssMiB: peakRssMiB(),
      note: 'browser process memory not included',
    };
  } finally {
    await backend.dispose();
  }
}

export function terminalsFor(csr: Csr, count: number, seed: number): Uint32Array {
  return sampleWithoutReplacement(csr.n, Math.min(count, csr.n), seed);
}

export function walkOf(csr: Csr): TransitionMatrix {
  return transitionMatrix(csr, 'simple');
}

export function ensureDir(path: string): void {
  if (!existsSync(path)) mkdirSync(path, { recursive: true });
}
