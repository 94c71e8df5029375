/**
 * The real-GPU measurement (issue 12), one command on a machine with nothing installed:
 * harness/device/run.sh unpacks what it carries and runs this bundle (dist/gpu-bench.js).
 *
 *   1. the Dawn adapter;
 *   2. correctness: ego-Facebook, 25 hops, 404 terminals, simple and MH walks, WebGPU against
 *      the float64 reference (largest |Δ| in bits over every terminal and hop);
 *   3. the device's copy bandwidth (copyBufferToBuffer of a large buffer);
 *   4. the full hop (pull step and entropy reductions) on a generated 1M-node / 10M-edge
 *      R-MAT graph at B = 32, 64, 128, 256: ms per hop, effective GB/s (the minimum traffic
 *      of a pull step), its fraction of the copy bandwidth;
 *   5. the same product through cuSPARSE, as a researcher's CuPy or PyTorch script runs it
 *      (harness/device/cusparse.py, same matrix, same B), for a ratio in the same run;
 *   6. the full job: 1M / 10M, 25 hops, 128 terminals, end to end;
 *   7. the mixnet metric (bench:mixnet's case, harness/bench/mixnet-case.ts): the pool means
 *      on Dawn WebGPU and on the CPU engines against a plain per-packet event loop.
 * Writes --out (harness/results/gpu-<device>.json). --quick shrinks every size, to test the
 * script on a CPU machine (Dawn on SwiftShader) before device minutes are spent.
 *
 * Usage: node dist/gpu-bench.js --ego FILE --out FILE [--device NAME] [--quick] [--python P]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { initiatorEntropy } from '../../src/analyses/initiator-entropy.js';
import { CpuBackend } from '../../src/engines/cpu/cpu-backend.js';
import { adapterName, GpuDevice } from '../../src/engines/webgpu/device.js';
import { DAWN, dawnGpu } from '../../src/engines/webgpu/node-runtime.js';
import { WebGpuBackend } from '../../src/engines/webgpu/webgpu-backend.js';
import { generatedToCsr, rmat } from '../../src/graph/generators.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { transitionMatrix } from '../../src/walks/index.js';
import type { TransitionMatrix } from '../../src/walks/transition.js';
import { cpuMixKernels } from '../../src/engines/cpu/mix-kernels.js';
import { ParallelCpuMixKernels } from '../../src/engines/cpu/parallel-mix-kernels.js';
import { WebGpuMixKernels } from '../../src/engines/webgpu/mix-kernels.js';
import { mixnetBenchCase, type MixnetBenchSetting } from '../bench/mixnet-case.js';
import { spmmBytes, terminalsFor } from '../bench/spmm.js';
import { machineDescription } from '../machine.mjs';

const { values } = parseArgs({
  options: {
    ego: { type: 'string' },
    out: { type: 'string' },
    device: { type: 'string', default: hostname() },
    quick: { type: 'boolean', default: false },
    python: { type: 'string', default: 'python3' },
  },
});
if (!values.ego || !values.out) throw new Error('usage: gpu-bench --ego facebook_combined.txt --out FILE [--device NAME] [--quick]');
const quick = values.quick;
const SIZES = quick
  ? { nodes: 20_000, edges: 200_000, hops: 4, batches: [32, 64], egoHops: 5, egoTerminals: 40, jobHops: 5, jobTerminals: 32, copyBytes: 64 << 20 }
  : { nodes: 1_000_000, edges: 10_000_000, hops: 10, batches: [32, 64, 128, 256], egoHops: 25, egoTerminals: 404, jobHops: 25, jobTerminals: 128, copyBytes: 1 << 30 };
// bench:mixnet's default case (harness/results/mixnet-*.json), so that the GPU row sits beside the CPU records.
const MIXNET: MixnetBenchSetting = quick
  ? { layers: 3, width: 3, rate: 100, clients: 100, targets: 10, replications: 2, seed: 1 }
  : { layers: 3, width: 10, rate: 500, clients: 1000, targets: 100, replications: 8, seed: 1 };

const log = (line: string) => process.stderr.write(`${line}\n`);
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

interface Row {
  backend: string;
  runtime: string;
  nonzeros: number;
  batch: number;
  spmmMsPerHop: number;
  effectiveGBs: number;
  fractionOfCopy?: number;
}

const gpu = await dawnGpu();
const device = await GpuDevice.request(gpu, DAWN, 'node');
const adapter = adapterName(device.adapter);
log(`adapter: ${adapter} (${elapsed()})`);

/** Copy bandwidth: read + write bytes of copyBufferToBuffer, best of several rounds. */
async function copyBandwidth(bytes: number): Promise<number> {
  const size = Math.min(bytes, device.limits.maxBufferSize);
  const usage = GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const a = device.device.createBuffer({ label: 'anonscope copy source', size, usage });
  const b = device.device.createBuffer({ label: 'anonscope copy target', size, usage });
  try {
    let best = Infinity;
    for (let round = 0; round < 5; round++) {
      const encoder = device.device.createCommandEncoder({ label: 'anonscope copy' });
      for (let k = 0; k < 4; k++) encoder.copyBufferToBuffer(a, 0, b, 0, size);
      const t = performance.now();
      device.device.queue.submit([encoder.finish()]);
      await device.waitForQueue();
      best = Math.min(best, (performance.now() - t) / 4);
    }
    return (2 * size) / (best / 1000) / 1e9;
  } finally {
    a.destroy();
    b.destroy();
  }
}

/** Per-terminal entropies of a run on `backend`, flattened over hops. */
async function entropies(csr: Awaited<ReturnType<typeof loadGraphFile>>['csr'], walk: 'simple' | 'mh', backend: CpuBackend | WebGpuBackend): Promise<Float64Array> {
  const result = await initiatorEntropy(csr, { walk, hops: SIZES.egoHops, terminals: SIZES.egoTerminals, seed: 1, backend, perTerminal: true });
  return Float64Array.from(result.perTerminal!.flatMap((t) => t.shannon.map((v) => (Number.isFinite(v) ? v : NaN))));
}

async function correctness(): Promise<{ graph: string; hops: number; terminals: number; maxDeviationBits: number; byWalk: Record<string, number> }> {
  const { csr } = await loadGraphFile(values.ego!);
  const byWalk: Record<string, number> = {};
  const webgpu = WebGpuBackend.onDevice(device, { limits: { maxBatch: 64 } });
  for (const walk of ['simple', 'mh'] as const) {
    const reference = await entropies(csr, walk, new CpuBackend());
    const measured = await entropies(csr, walk, webgpu);
    let worst = 0;
    reference.forEach((r, k) => {
      const m = measured[k];
      if (Number.isNaN(r) !== Number.isNaN(m)) worst = Infinity; // different terminals reached
      else if (!Number.isNaN(r)) worst = Math.max(worst, Math.abs(r - m));
    });
    byWalk[walk] = worst;
    log(`correctness ${walk}: max |Δ| = ${worst.toExponential(2)} bits (${elapsed()})`);
  }
  return { graph: values.ego!, hops: SIZES.egoHops, terminals: SIZES.egoTerminals, maxDeviationBits: Math.max(...Object.values(byWalk)), byWalk };
}

/** Full hops on WebGPU at batch B: one batch of B terminals, `hops` hops, ms per hop. */
async function webgpuHop(walk: TransitionMatrix, terminals: Uint32Array, B: number): Promise<number> {
  const backend = WebGpuBackend.onDevice(device, { limits: { maxBatch: B } });
  await backend.terminalEntropies({ walk, terminals: terminals.subarray(0, B), hops: 1 }); // warm-up: pipelines, upload
  const t = performance.now();
  await backend.terminalEntropies({ walk, terminals: terminals.subarray(0, B), hops: SIZES.hops });
  return (performance.now() - t) / SIZES.hops;
}

/** The same product through cuSPARSE (CuPy, then PyTorch), by harness/device/cusparse.py. */
function cusparse(walk: TransitionMatrix): { rows: Row[]; note?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'anonscope-cusparse-'));
  writeFileSync(join(dir, 'rowPtr.bin'), walk.rowPtr);
  writeFileSync(join(dir, 'colIdx.bin'), walk.colIdx);
  writeFileSync(join(dir, 'values.bin'), Float32Array.from(walk.values));
  const script = join(dirname(process.argv[1]), '..', 'harness', 'device', 'cusparse.py');
  try {
    const out = execFileSync(values.python!, [script, dir, SIZES.batches.join(','), String(SIZES.hops)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const nonzeros = walk.rowPtr[walk.n];
    const rows = (JSON.parse(out) as { backend: string; runtime: string; batch: number; msPerProduct: number }[]).map((r) => ({
      backend: r.backend,
      runtime: r.runtime,
      nonzeros,
      batch: r.batch,
      spmmMsPerHop: r.msPerProduct,
      effectiveGBs: spmmBytes(walk, r.batch, 4) / (r.msPerProduct / 1000) / 1e9,
    }));
    return { rows };
  } catch (error) {
    return { rows: [], note: `cuSPARSE not measured: ${(error as Error).message.split('\n')[0]}` };
  }
}

const load = loadavg();
const host = machineDescription();
const record: Record<string, unknown> = {
  device: values.device,
  adapter,
  machine: { host: hostname(), cpu: host.cpu, cores: host.cores, loadavg: load, node: host.node },
  date: new Date().toISOString(),
  quick,
};
record.correctness = await correctness();
const copyGBs = await copyBandwidth(SIZES.copyBytes);
record.copyGBs = copyGBs;
log(`copy bandwidth: ${copyGBs.toFixed(1)} GB/s (${elapsed()})`);

const graph = generatedToCsr(rmat(SIZES.nodes, SIZES.edges, 1));
const walk = transitionMatrix(graph, 'simple');
const terminals = terminalsFor(graph, Math.max(...SIZES.batches, SIZES.jobTerminals), 2);
const nonzeros = walk.rowPtr[walk.n];
log(`R-MAT ${graph.n} nodes, ${nonzeros} nonzeros (${elapsed()})`);
const rows: Row[] = [];
for (const B of SIZES.batches) {
  const ms = await webgpuHop(walk, terminals, B);
  const effectiveGBs = spmmBytes(walk, B, 4) / (ms / 1000) / 1e9;
  rows.push({ backend: 'webgpu', runtime: 'node (Dawn)', nonzeros, batch: B, spmmMsPerHop: ms, effectiveGBs, fractionOfCopy: effectiveGBs / copyGBs });
  log(`webgpu B=${B}: ${ms.toFixed(2)} ms/hop, ${effectiveGBs.toFixed(1)} GB/s, ${((100 * effectiveGBs) / copyGBs).toFixed(0)}% of copy (${elapsed()})`);
}
const sparse = cusparse(walk);
for (const row of sparse.rows) {
  rows.push({ ...row, fractionOfCopy: row.effectiveGBs / copyGBs });
  log(`${row.backend} B=${row.batch}: ${row.spmmMsPerHop.toFixed(2)} ms/product, ${row.effectiveGBs.toFixed(1)} GB/s`);
}
if (sparse.note) log(sparse.note);
record.rows = rows;
record.notes = [
  'webgpu rows: a full hop (pull step, entropy reductions, column renormalisation); cuSPARSE rows: the product alone (csr @ dense), float32 both',
  ...(sparse.note ? [sparse.note] : []),
];

const jobStart = performance.now();
const job = await initiatorEntropy(graph, {
  hops: SIZES.jobHops,
  terminals: SIZES.jobTerminals,
  seed: 1,
  backend: WebGpuBackend.onDevice(device, { limits: { maxBatch: 128 } }),
});
record.fullJob = { nodes: graph.n, nonzeros, hops: SIZES.jobHops, terminals: SIZES.jobTerminals, seconds: (performance.now() - jobStart) / 1000, lastHopMeanBits: job.hops.at(-1)?.mean };
log(`full job: ${(record.fullJob as { seconds: number }).seconds.toFixed(2)} s (${elapsed()})`);

const mixnet = mixnetBenchCase(MIXNET);
const mixnetRows = [mixnet.eventLoop()];
const parallel = new ParallelCpuMixKernels();
try {
  for (const kernels of [cpuMixKernels, parallel, WebGpuMixKernels.onDevice(device)]) mixnetRows.push(await mixnet.engine(kernels));
} finally {
  await parallel.dispose();
}
record.mixnet = { setting: { ...MIXNET, delay: mixnet.delay.spec, burnIn: mixnet.phase, window: mixnet.phase, coolDown: mixnet.phase }, events: mixnet.events, simulateSeconds: mixnet.simulateSeconds, rows: mixnetRows };
for (const row of mixnetRows) log(`mixnet ${row.path}: ${row.metricSeconds.toFixed(3)} s, ${row.speedupVsEventLoop.toFixed(2)}× the event loop, max |ΔH| ${row.maxDeviationBits.toExponential(1)} bits (${elapsed()})`);

device.destroy();
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(record, null, 2)}\n`);
log(`wrote ${values.out} (${elapsed()})`);
