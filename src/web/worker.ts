/**
 * The page's module worker: it reads the graph in streamed chunks, builds the backend
 * (WebGPU through the worker's own navigator.gpu, else gpu.js, else the float64 cpu
 * reference), runs the analysis and posts progress, then the result, chart specs (the page
 * draws them), table and downloads. The tab never waits on it: cancelling is
 * worker.terminate() from the page.
 *
 * gpu.js in a worker: there is no DOM, so gpu.js can only use an OffscreenCanvas (webgl2 /
 * webgl where the browser offers it in workers) or its 'cpu' mode; it is imported lazily so
 * that a gpu.js that cannot start here costs nothing and we fall back to the cpu reference.
 * GEXF and GraphML are parsed with xmldom (DOMParser does not exist in workers).
 */
import Graph from 'graphology';
import { write as writeGexf } from 'graphology-gexf';
import { adversaryEntropy } from '../analyses/adversary.js';
import { initiatorEntropy } from '../analyses/initiator-entropy.js';
import { singleMix } from '../analyses/single-mix.js';
import type { Backend, BackendInfo } from '../engines/backend.js';
import { createBrowserBackend, createBrowserMixKernels } from '../engines/create-in-browser.js';
import { DeviceError, FormatError, InputError, ParameterError } from '../errors.js';
import { edgeCount, type Csr } from '../graph/csr.js';
import type { LoadedGraph } from '../graph/loaded-graph.js';
import { readGraph, type GraphByteSource } from '../graph/read-graph.js';
import { parseDelaySync, type DelayLaw } from '../mix/delays.js';
import { type MixKernels } from '../engines/mix-kernels.js';
import { simulateMixNetwork, traceMixNetwork } from '../analyses/mix-network.js';
import { traceSimulation } from '../analyses/stream-trace.js';
import { adversaryCsv, adversaryJson, hioVsAttackEdgesChart } from '../report/adversary-report.js';
import { entropyCdfChart, entropyJson, entropyVsHopsChart, hopsCsv, perTerminalCsv } from '../report/entropy-report.js';
import {
  detectionChart, mixJson, networkAccuracyChart, networkEntropyChart, networkRankCdfChart, networkStepsCsv, networkStreamsCsv,
  singleMixCdfChart, singleMixCsv, traceCsv,
} from '../report/mix-report.js';
import { GEXF_EXPORT_MAX_NODES, type Download, type GraphSource, type RunRequest, type WebBackendName, type WebLimits, type WorkerMessage } from './protocol.js';

const post = (message: WorkerMessage) => (self as unknown as { postMessage(m: WorkerMessage): void }).postMessage(message);
/** Progress, at most every 50 ms per phase (a 1 GB file comes in ~16,000 chunks), and always the last. */
let lastProgress = { phase: '', at: 0 };
function progress(phase: string, done: number, total: number): void {
  const now = performance.now();
  if (phase === lastProgress.phase && now - lastProgress.at < 50 && done < total) return;
  lastProgress = { phase, at: now };
  post({ type: 'progress', phase, done, total });
}

/** The source's bytes as a stream, its size when known, and its name. */
async function open(source: GraphSource): Promise<GraphByteSource> {
  if (source.kind === 'file') return { bytes: source.file.stream(), size: source.file.size, name: source.file.name };
  const response = await fetch(source.url);
  if (!response.ok || !response.body) throw new InputError(`could not fetch ${source.url} (HTTP ${response.status})`);
  return { bytes: response.body, size: Number(response.headers.get('content-length') ?? 0), name: source.name };
}

/** The same loader as the CLI's (read-graph.ts): every format, gzip, edge lists streamed. */
export async function loadGraph(source: GraphSource): Promise<LoadedGraph> {
  return readGraph(await open(source), { onProgress: (read, total) => progress('reading the graph', read, total) });
}

const logToPage = (message: string) => post({ type: 'log', message });

function makeBackend(name: WebBackendName, limits?: WebLimits): Promise<Backend> {
  return createBrowserBackend(name, { runtime: 'browser worker', limits, log: logToPage });
}

const fixed = (v: number | null | undefined, digits = 4) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

/** The graph with each node's entropy at the last hop (terminals only) as GEXF, for Gephi. */
function gexfWithEntropy(csr: Csr, perTerminal: { id: string; shannon: number[]; minEntropy: number[] }[]): string {
  const graph = new Graph({ type: csr.directed ? 'directed' : 'undirected', multi: false });
  for (const key of csr.nodeKeys) graph.addNode(key);
  for (const t of perTerminal) {
    const last = t.shannon.length - 1;
    graph.mergeNodeAttributes(t.id, { entropy: t.shannon[last], minEntropy: t.minEntropy[last] });
  }
  for (let u = 0; u < csr.n; u++) {
    for (let e = csr.rowPtr[u]; e < csr.rowPtr[u + 1]; e++) {
      const v = csr.colIdx[e];
      if (!csr.directed && v < u) continue;
      const a = csr.nodeKeys[u], b = csr.nodeKeys[v];
      if (graph.hasEdge(a, b)) continue;
      const weight = csr.weights ? csr.weights[e] : undefined;
      graph.addEdge(a, b, weight === undefined ? {} : { weight });
    }
  }
  return writeGexf(graph);
}

/** A delay spec (exp:μ, uniform:a,b, …); empty: undefined, the analysis's default. */
function delayOf(spec: string): DelayLaw | undefined {
  if (spec.trim() === '') return undefined;
  try {
    return parseDelaySync(spec);
  } catch (error) {
    throw new ParameterError(`delay "${spec}": ${(error as Error).message}`, { cause: error });
  }
}

/** The mix kernels, on the same engines as the graph analyses; `ran` says which, for the page. */
async function makeMixKernels(name: WebBackendName): Promise<{ kernels: MixKernels; ran: BackendInfo }> {
  const kernels = await createBrowserMixKernels(name, { runtime: 'browser worker', log: logToPage });
  const { name: ranName, precision, adapter } = kernels.info;
  return { kernels, ran: { name: ranName as BackendInfo['name'], precision, adapter, runtime: 'browser worker, mix kernels' } };
}

async function run(request: RunRequest): Promise<void> {
  const onProgress = (done: number, total: number) => progress('computing', done, total);
  if (request.analysis === 'trace' || request.analysis === 'network' || request.analysis === 'mix') {
    const { kernels, ran } = await makeMixKernels(request.backend);
    try {
      await runMix(request, kernels, ran, onProgress);
    } finally {
      await kernels.dispose();
    }
    return;
  }
  await runGraph(request, onProgress);
}

async function runMix(
  request: Extract<RunRequest, { analysis: 'trace' | 'network' | 'mix' }>,
  kernels: MixKernels,
  ran: BackendInfo,
  onProgress: (done: number, total: number) => void,
): Promise<void> {
  if (request.analysis === 'trace') {
    const p = request.params;
    const result = await traceSimulation({
      signalRate: p.signalRate, coverRate: p.coverRate, paddingRate: p.paddingRate, delay: delayOf(p.delay),
      packets: p.packets, trials: p.trials, seed: p.seed, onProgress, kernels,
    });
    const json = mixJson(result);
    post({
      type: 'result',
      analysis: 'trace',
      json,
      ran,
      charts: [{ title: 'Detection vs packets', file: 'detection-vs-packets.svg', spec: detectionChart(result) }],
      table: [
        ['curve', 'packets', 'P(detect)', 'ci95', 'Chebyshev bound', 'mean LLR (nats)'],
        ...result.curves.flatMap((c) => c.points.map((pt) => [c.label, String(pt.packets), fixed(pt.detection.mean), `${fixed(pt.detection.ci95[0], 3)}..${fixed(pt.detection.ci95[1], 3)}`, fixed(pt.bound), fixed(pt.llr.mean, 3)])),
      ],
      downloads: [
        { name: 'results.json', mime: 'application/json', text: json },
        { name: 'trace.csv', mime: 'text/csv', text: traceCsv(result) },
      ],
      notes: [],
    });
    return;
  }
  if (request.analysis === 'network') {
    const p = request.params;
    progress('simulating the network', 0, 1);
    const sim = simulateMixNetwork({
      mixes: p.mixes, links: p.links, streams: p.streams, pathLength: p.pathLength, packets: p.packets, delay: delayOf(p.delay), seed: p.seed,
    });
    const result = await traceMixNetwork(sim, { targets: p.targets, onProgress, kernels });
    const json = mixJson(result);
    const notes: string[] = [];
    if (sim.shortPaths > 0) notes.push(`${sim.shortPaths} streams met a dead end before ${sim.pathLength} mixes; they are not traced.`);
    if (sim.dropped > 0) notes.push(`${sim.dropped} link packets left after the observation window and are not seen.`);
    post({
      type: 'result',
      analysis: 'network',
      json,
      ran,
      charts: [
        { title: 'Tracing accuracy by step', file: 'network-accuracy.svg', spec: networkAccuracyChart(result) },
        { title: 'Entropy by step', file: 'network-entropy.svg', spec: networkEntropyChart(result) },
        { title: 'CDF of the rank of the true mix', file: 'rank-cdf.svg', spec: networkRankCdfChart(result) },
      ],
      table: [
        ['step', 'top-1', 'top-3', 'mean rank', 'mean entropy', 'prior top-1', 'prior mean entropy'],
        ...result.byStep.map((h, i) => [String(h.step), fixed(h.top1), fixed(h.top3), fixed(h.meanRank, 2), fixed(h.meanEntropy), fixed(result.prior[i]?.top1), fixed(result.prior[i]?.meanEntropy)]),
      ],
      downloads: [
        { name: 'results.json', mime: 'application/json', text: json },
        { name: 'steps.csv', mime: 'text/csv', text: networkStepsCsv(result) },
        { name: 'streams.csv', mime: 'text/csv', text: networkStreamsCsv(result) },
      ],
      notes,
    });
    return;
  }
  {
    // The single mix (trace and network returned above).
    const p = request.params;
    const delay = delayOf(p.delay);
    if (!delay) throw new ParameterError('the single mix needs a delay law (e.g. exp:1)');
    const result = await singleMix({ rate: p.rate, delay, trials: p.trials, seed: p.seed, keepTrials: true, onProgress, kernels });
    post({
      type: 'result',
      analysis: 'mix',
      json: mixJson(result),
      ran,
      charts: [{ title: 'CDF of the sender entropy', file: 'mix-cdf.svg', spec: singleMixCdfChart(result) }],
      table: [
        ['rate', 'delay', 'load', 'trials', 'mean H (bits)', 'ci95', 'theory', 'first order'],
        [String(result.rate), result.delay.spec, fixed(result.load, 3), String(result.trials), fixed(result.simulated.mean),
          `${fixed(result.simulated.ci95[0], 3)}..${fixed(result.simulated.ci95[1], 3)}`, fixed(result.theory), fixed(result.theoryFirstOrder)],
      ],
      downloads: [
        { name: 'results.json', mime: 'application/json', text: mixJson(result) },
        { name: 'mix.csv', mime: 'text/csv', text: singleMixCsv(result) },
      ],
      notes: [...result.warnings],
    });
  }
}

async function runGraph(
  request: Extract<RunRequest, { analysis: 'entropy' | 'adversary' }>,
  onProgress: (done: number, total: number) => void,
): Promise<void> {
  const { csr, report } = await loadGraph(request.source);
  const graph = { nodes: csr.n, edges: edgeCount(csr), directed: csr.directed, format: report.format };
  post({ type: 'log', message: `loaded ${report.file}: ${graph.nodes} nodes, ${graph.edges} edges (${report.format})` });
  progress('starting the backend', 0, 1);
  const backend = await makeBackend(request.backend, request.limits);
  try {
    if (request.analysis === 'entropy') {
      const p = request.params;
      const result = await initiatorEntropy(csr, {
        walk: p.walk, lazy: p.lazy, hops: p.hops, terminals: p.terminals, seed: p.seed, backend, perTerminal: true, onProgress,
      });
      const notes: string[] = [];
      const downloads: Download[] = [
        { name: 'results.json', mime: 'application/json', text: entropyJson(result) },
        { name: 'hops.csv', mime: 'text/csv', text: hopsCsv(result) },
        { name: 'per-terminal.csv', mime: 'text/csv', text: perTerminalCsv(result) },
      ];
      if (csr.n <= GEXF_EXPORT_MAX_NODES) {
        progress('writing GEXF', 0, 1);
        downloads.push({ name: 'graph-with-entropy.gexf', mime: 'application/xml', text: gexfWithEntropy(csr, result.perTerminal ?? []) });
      } else {
        notes.push(`GEXF export is offered up to ${GEXF_EXPORT_MAX_NODES.toLocaleString('en')} nodes; this graph has ${csr.n.toLocaleString('en')}.`);
      }
      // The per-terminal arrays stay in the downloads; the JSON shown on the page is the CLI's without them.
      const shown = { ...result, perTerminal: undefined };
      post({
        type: 'result',
        analysis: 'entropy',
        json: entropyJson(shown),
        ran: backend.info,
        graph,
        charts: [
          { title: 'Entropy vs hops', file: 'entropy-vs-hops.svg', spec: entropyVsHopsChart(result, { graph: report.file }) },
          { title: 'CDF of the entropy', file: 'entropy-cdf.svg', spec: entropyCdfChart(result, { graph: report.file }) },
        ],
        table: [
          ['hop', 'mean', 'ci95', 'min', 'p05', 'median', 'max', 'H_min mean'],
          ...result.hops.map((h) => [String(h.hop), fixed(h.mean), `${fixed(h.ci95[0], 3)}..${fixed(h.ci95[1], 3)}`, fixed(h.min), fixed(h.p05), fixed(h.median), fixed(h.max), fixed(h.minEntropyMean)]),
        ],
        downloads,
        notes,
      });
    } else {
      const p = request.params;
      const result = await adversaryEntropy(csr, {
        walk: p.walk, hops: p.hops, attackEdges: p.attackEdges, sybilsPerEdge: p.sybilsPerEdge, walkers: p.walkers,
        posteriorSamples: p.posteriorSamples, seed: p.seed, backend, onProgress,
      });
      post({
        type: 'result',
        analysis: 'adversary',
        json: adversaryJson([result]),
        ran: backend.info,
        graph,
        charts: [{ title: 'H(I|O) vs attack edges', file: 'hio-vs-attack-edges.svg', spec: hioVsAttackEdgesChart([result], { graph: report.file }) }],
        table: [
          ['attack edges', 'sybils', 'H(I|O)', 'ci95', 'P(none)'],
          ...result.rows.map((r) => [String(r.attackEdges ?? '—'), String(r.sybils), fixed(r.HIO), `${fixed(r.ci95[0], 3)}..${fixed(r.ci95[1], 3)}`, fixed(r.pNone)]),
        ],
        downloads: [
          { name: 'results.json', mime: 'application/json', text: adversaryJson([result]) },
          { name: 'adversary.csv', mime: 'text/csv', text: adversaryCsv([result]) },
        ],
        notes: [`optimal (no adversary): ${fixed(result.optimal)} bits`],
      });
    }
  } finally {
    await backend.dispose();
  }
}

function classify(error: unknown): WorkerMessage {
  const message = (error as Error)?.message ?? String(error);
  if (error instanceof FormatError) return { type: 'error', kind: 'format', message: `The file does not parse: ${message}` };
  if (error instanceof ParameterError) return { type: 'error', kind: 'parameter', message: `Bad parameters: ${message}` };
  if (error instanceof RangeError || /out of memory|allocation failed|Array buffer allocation/i.test(message)) {
    return { type: 'error', kind: 'memory', message: `The graph is too large for this browser or device: ${message}` };
  }
  if (error instanceof DeviceError || /GPU|device|buffer size|binding size/i.test(message)) {
    return { type: 'error', kind: 'device', message: `The device could not run this job (the graph may be too large for it): ${message}` };
  }
  return { type: 'error', kind: 'other', message };
}

self.addEventListener('message', (event: MessageEvent<RunRequest>) => {
  if (event.data?.type !== 'run') return;
  run(event.data).catch((error: unknown) => post(classify(error)));
});
