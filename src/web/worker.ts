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
import { adversaryBorders, adversaryEntropy, type AdversaryOptions } from '../analyses/adversary.js';
import { initiatorEntropy } from '../analyses/initiator-entropy.js';
import { initiatorPosterior } from '../analyses/initiator-entropy-posterior.js';
import { DEFAULT_SOURCES, mixingTime } from '../analyses/mixing-time.js';
import {
  checkMixnetOptions, mixnetAnonymity, mixnetLawSweep, mixnetLawSweepPoints, mixnetPointOptions, mixnetSweep, mixnetSweepPoints, type MixnetLawSweepResult, type MixnetOptions,
  type MixnetSweepResult,
} from '../analyses/mixnet.js';
import { singleMix } from '../analyses/single-mix.js';
import type { Backend, BackendInfo } from '../engines/backend.js';
import { createBrowserBackend, createBrowserMixKernels } from '../engines/create-in-browser.js';
import { DeviceError, FormatError, InputError, ParameterError } from '../errors.js';
import { largestComponent, weakComponents, type Components } from '../graph/components.js';
import { edgeCount, nodeIndex, type Csr } from '../graph/csr.js';
import type { LoadedGraph } from '../graph/loaded-graph.js';
import { checkPriorNodes, parsePrior } from '../graph/prior.js';
import { readGraph, type GraphByteSource } from '../graph/read-graph.js';
import { parseDelaySync, type DelayLaw } from '../mix/delays.js';
import { type MixKernels } from '../engines/mix-kernels.js';
import { simulateMixNetwork, traceMixNetwork } from '../analyses/mix-network.js';
import { traceSimulation } from '../analyses/stream-trace.js';
import { checkTraceRocOptions, traceRoc, type TraceRocOptions } from '../analyses/trace-roc.js';
import { chooseNodes } from '../graph/choose-nodes.js';
import { mixingHopRows, mixingHopsCsv, mixingJson, mixingSourcesCsv, mixingSummary, tvVsHopsChart } from '../report/mixing-report.js';
import { adversaryCsv, adversaryJson, hioVsAttackEdgesChart, twoHopChart, twoHopCsv } from '../report/adversary-report.js';
import { entropyCdfChart, entropyJson, entropyVsHopsChart, hopsCsv, perTerminalCsv, roundsChart, roundsCsv } from '../report/entropy-report.js';
import { entropyGexf } from '../report/gexf-export.js';
import {
  MIXNET_LAW_SWEEP_REPORT, MIXNET_SWEEP_REPORT, mixnetCsv, mixnetEntropyCdfChart, mixnetHeader, mixnetInsideNote, mixnetJson, mixnetRows, type MixnetSweepReport,
} from '../report/mixnet-report.js';
import {
  detectionChart, mixJson, networkAccuracyChart, networkEntropyChart, networkRankCdfChart, networkStepsCsv, networkStreamsCsv,
  singleMixCdfChart, singleMixCsv, traceCsv, traceRocChart, traceRocCsv, traceRocCurveCsv, traceRocFootnotes, traceRocRows, tprVsPacketsChart,
} from '../report/mix-report.js';
import {
  ALL_TERMINALS_UP_TO, GEXF_EXPORT_MAX_NODES, type ChartMessage, type Diagnostics, type Download, type EntropyParams, type GraphReading, type GraphSource, type MixnetParams, type PageMessage, type RocParams,
  type PosteriorRequest, type RunRequest, type WebBackendName, type WebLimits, type WorkerMessage,
} from './protocol.js';
import { networkView, viewBorders, viewEntropies, type ViewSelection } from './view-data.js';

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
export async function loadGraph(source: GraphSource, reading: GraphReading): Promise<LoadedGraph> {
  return readGraph(await open(source), { directed: reading.directed, onProgress: (read, total) => progress('reading the graph', read, total) });
}

const logToPage = (message: string) => post({ type: 'log', message });

function makeBackend(name: WebBackendName, limits?: WebLimits): Promise<Backend> {
  return createBrowserBackend(name, { runtime: 'browser worker', limits, log: logToPage });
}

const fixed = (v: number | null | undefined, digits = 4) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

/** A delay spec (exp:μ, uniform:a,b, …); empty: undefined, the analysis's default. */
function delayOf(spec: string): DelayLaw | undefined {
  if (spec.trim() === '') return undefined;
  try {
    return parseDelaySync(spec);
  } catch (error) {
    throw new ParameterError(`delay "${spec}": ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The mix kernels, on the same engines as the graph analyses; `ran` says which, for the page.
 * `autoTries` narrows what auto tries before the CPU (free routes leave gpu.js out).
 */
async function makeMixKernels(name: WebBackendName, autoTries?: ('webgpu' | 'gpujs')[]): Promise<{ kernels: MixKernels; ran: BackendInfo }> {
  const kernels = await createBrowserMixKernels(name, { runtime: 'browser worker', log: logToPage, autoTries });
  const { name: ranName, precision, adapter } = kernels.info;
  return { kernels, ran: { name: ranName as BackendInfo['name'], precision, adapter, runtime: 'browser worker, mix kernels' } };
}

async function run(request: RunRequest): Promise<void> {
  const onProgress = (done: number, total: number) => progress('computing', done, total);
  if (request.analysis === 'trace' || request.analysis === 'roc' || request.analysis === 'network' || request.analysis === 'mix') {
    if (request.analysis === 'roc') {
      // As the mixnet: every ROC parameter checked by the library before the kernels start.
      checkTraceRocOptions(rocOptions(request.params));
      progress('starting the kernels', 0, 1);
    }
    const { kernels, ran } = await makeMixKernels(request.backend);
    try {
      await runMix(request, kernels, ran, onProgress);
    } finally {
      await kernels.dispose();
    }
    return;
  }
  if (request.analysis === 'mixnet') await runMixnet(request, onProgress);
  else if (request.analysis === 'mixing') await runMixing(request, onProgress);
  else await runGraph(request, onProgress);
}

async function runMix(
  request: Extract<RunRequest, { analysis: 'trace' | 'roc' | 'network' | 'mix' }>,
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
  if (request.analysis === 'roc') {
    const p = request.params;
    const result = await traceRoc({ ...rocOptions(p), onProgress, kernels });
    const json = mixJson(result);
    const charts: ChartMessage[] = [{ title: 'ROC of the tracing score', file: 'roc.svg', spec: traceRocChart(result) }];
    if (result.byPackets.length > 1) charts.push({ title: 'TPR at fixed FPR vs packets', file: 'tpr-vs-packets.svg', spec: tprVsPacketsChart(result) });
    post({
      type: 'result',
      analysis: 'roc',
      json,
      ran,
      charts,
      table: traceRocRows(result),
      downloads: [
        { name: 'results.json', mime: 'application/json', text: json },
        { name: 'roc.csv', mime: 'text/csv', text: traceRocCsv(result) },
        { name: 'roc-curve.csv', mime: 'text/csv', text: traceRocCurveCsv(result) },
      ],
      notes: [`${result.targets} target streams, each on its own link: ${result.targets} true pairs, ${result.targets * (result.targets - 1)} false ones.`, ...traceRocFootnotes(result)],
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

/** The library's options from the page's ROC controls: one packet count, or a list swept. */
function rocOptions(p: RocParams): TraceRocOptions {
  return {
    signalRate: p.signalRate, coverRate: p.coverRate, delay: delayOf(p.delay), targets: p.targets,
    ...(p.packets.length === 1 ? { packets: p.packets[0] } : { sweepPackets: p.packets }), fprs: p.fprs, seed: p.seed,
  };
}

/**
 * The mixnet's delay laws: its control holds one, or several separated by ";" for a sweep
 * over them (the page has no file laws, so ";" is never part of one); empty is the library's
 * default. μ scales each as the CLI's --mu does.
 */
function mixnetLaws(p: MixnetParams): (DelayLaw | undefined)[] {
  const specs = p.delay.split(';').map((spec) => spec.trim()).filter((spec) => spec !== '');
  const laws = specs.length === 0 ? [undefined] : specs.map(delayOf);
  return p.mu === undefined ? laws : laws.map((delay) => mixnetPointOptions({ delay }, 'mu', p.mu!).delay);
}

/** The library's options from the page's, with one of its delay laws. */
function mixnetOptions(p: MixnetParams, delay: DelayLaw | undefined): MixnetOptions {
  return {
    topology: p.topology, layers: p.layers, width: p.width, weights: p.weights, corrupt: p.corrupt, clients: p.clients, rate: p.rate, delay,
    loopRate: p.loopRate, dropRate: p.dropRate, mixLoopRate: p.mixLoopRate, burnIn: p.burnIn, window: p.window, coolDown: p.coolDown,
    targets: p.targets, replications: p.replications, seed: p.seed,
  };
}

/** A mixnet sweep's result for the page: the CLI's rows, notes, charts (entropy and latency against the parameter, the CDFs) and files. */
function postMixnetSweep<R extends MixnetSweepResult | MixnetLawSweepResult>(
  result: R, name: string, report: MixnetSweepReport<R>, ran: BackendInfo, graph: Pick<Extract<WorkerMessage, { type: 'result' }>, 'graph' | 'diagnostics'> | undefined,
): void {
  post({
    type: 'result',
    analysis: 'mixnet',
    ...graph,
    json: report.json(result),
    ran,
    charts: [
      { title: `Entropy against ${name}${report.titleSuffix}`, file: `mixnet-entropy-vs-${name}.svg`, spec: report.entropyChart(result) },
      { title: `Latency against ${name}${report.titleSuffix}`, file: `mixnet-latency-vs-${name}.svg`, spec: report.latencyChart(result) },
      { title: 'CDF of the entropy', file: 'mixnet-entropy-cdf.svg', spec: mixnetEntropyCdfChart(result) },
    ],
    table: report.rows(result),
    downloads: [
      { name: 'results.json', mime: 'application/json', text: `${report.json(result, { perTarget: true })}\n` },
      { name: 'mixnet.csv', mime: 'text/csv', text: report.csv(result) },
    ],
    notes: report.header(result).map(inPageWords),
  });
}

/** A Loopix-style mixnet, or a sweep of one parameter (the CLI's `mixnet`): every point checked by the library before the kernels start. */
async function runMixnet(request: Extract<RunRequest, { analysis: 'mixnet' }>, onProgress: (done: number, total: number) => void): Promise<void> {
  const p = request.params;
  const laws = mixnetLaws(p);
  // Free routes' entry weights: a file read as entropy's prior is (each node's weight by its key), before the graph.
  const entryWeights = p.entryWeights ? await readWeightsFile(p.entryWeights) : undefined;
  // Free routes walk on the loaded graph, read as the walk analyses read it.
  const read = request.source && request.reading ? await readForAnalysis(request.source, request.reading) : undefined;
  if (read) entryWeights?.check(read.csr, read.diagnostics.file);
  const options = { ...mixnetOptions(p, laws[0]), nodeWeights: entryWeights?.weights, ...(read ? { graph: read.csr, graphName: read.diagnostics.file } : {}) };
  const graph = read && { graph: { nodes: read.csr.n, edges: read.diagnostics.edges, directed: read.csr.directed, format: read.loaded.report.format }, diagnostics: read.diagnostics };
  // Several laws come only from specs (never the default): each is a DelayLaw.
  const overLaws = laws.length > 1 ? (laws as DelayLaw[]) : undefined;
  if (overLaws && !p.sweep) throw new ParameterError(`the delay holds ${laws.length} laws: several laws (separated by ";") need a sweep, one line per law`);
  if (overLaws && p.sweep) mixnetLawSweepPoints(options, overLaws, p.sweep.parameter, p.sweep.values);
  else if (p.sweep) mixnetSweepPoints(options, p.sweep.parameter, p.sweep.values);
  else checkMixnetOptions(options);
  progress('starting the kernels', 0, 1);
  // gpu.js's pool means take one pass per level of the pools' chains: thousands on free routes
  // (they chain through the whole run), where the CPU is faster, so auto goes from WebGPU to it.
  const free = p.topology === 'free';
  const { kernels, ran } = await makeMixKernels(request.backend, free ? ['webgpu'] : undefined);
  if (free && request.backend === 'auto' && ran.name === 'cpu') logToPage('auto: free routes run on the CPU without WebGPU (gpu.js would take one pass per level of the pools\' chains, thousands here)');
  try {
    if (overLaws && p.sweep) {
      postMixnetSweep(await mixnetLawSweep({ ...options, laws: overLaws, ...p.sweep, kernels, onProgress }), p.sweep.parameter, MIXNET_LAW_SWEEP_REPORT, ran, graph);
    } else if (p.sweep) {
      postMixnetSweep(await mixnetSweep({ ...options, ...p.sweep, kernels, onProgress }), p.sweep.parameter, MIXNET_SWEEP_REPORT, ran, graph);
    } else {
      const result = await mixnetAnonymity({ ...options, kernels, onProgress });
      post({
        type: 'result',
        analysis: 'mixnet',
        json: mixnetJson(result),
        ran,
        ...graph,
        charts: [{ title: 'CDF of the entropy', file: 'mixnet-entropy-cdf.svg', spec: mixnetEntropyCdfChart(result) }],
        table: [['measure', 'value'], ...mixnetRows(result)],
        downloads: [
          { name: 'results.json', mime: 'application/json', text: `${mixnetJson(result, { perTarget: true })}\n` },
          { name: 'mixnet.csv', mime: 'text/csv', text: mixnetCsv(result) },
        ],
        notes: [...mixnetHeader(result), mixnetInsideNote(result)].map(inPageWords),
      });
    }
  } finally {
    await kernels.dispose();
  }
}

/** The graph of the last run, kept for the network view's questions (a terminus's posterior). */
let lastGraph: { csr: Csr; params: EntropyParams; prior?: Map<string, number>; selection: ViewSelection } | undefined;

/** Guessing entropy sorts every posterior: the float64 cpu engine only (auto picks it, as the CLI does). */
function guessingBackend(name: WebBackendName, guessing: boolean): WebBackendName {
  if (!guessing || name === 'cpu') return name;
  if (name === 'auto') return 'cpu';
  throw new ParameterError(`guessing entropy sorts every posterior and runs on the cpu (float64) backend only, not ${name}`);
}

/** The graph read as asked, its largest component kept if asked, and what the CLI would say about it. */
async function readForAnalysis(source: GraphSource, reading: GraphReading): Promise<{ loaded: LoadedGraph; csr: Csr; components: Components; diagnostics: Diagnostics }> {
  const loaded = await loadGraph(source, reading);
  const { report } = loaded;
  const whole = weakComponents(loaded.csr);
  const cut = reading.component === 'largest' && whole.sizes.length > 1;
  const csr = cut ? largestComponent(loaded.csr, whole) : loaded.csr;
  const components = cut ? weakComponents(csr) : whole;
  const diagnostics: Diagnostics = {
    file: report.file,
    format: report.format,
    nodes: csr.n,
    edges: edgeCount(csr),
    directed: csr.directed,
    weighted: csr.weights !== undefined,
    selfLoopsDropped: report.selfLoops,
    duplicatesMerged: report.duplicates,
    components: whole.sizes.length,
    largestComponent: whole.sizes[whole.largest] ?? 0,
    keptLargest: cut,
  };
  post({ type: 'log', message: `loaded ${report.file}: ${csr.n} nodes, ${diagnostics.edges} edges (${report.format})` });
  return { loaded, csr, components, diagnostics };
}

/** A chosen "node weight" file (entropy's prior, free routes' entry weights), with each node's line for checkPriorNodes. */
async function readWeightsFile(file: File): Promise<{ weights: Map<string, number>; check: (csr: Csr, graph: string) => void }> {
  const lines = new Map<string, number>();
  const weights = parsePrior(await file.text(), file.name, lines);
  return { weights, check: (csr, graph) => checkPriorNodes(lines, csr, file.name, graph) };
}

async function runGraph(
  request: Extract<RunRequest, { analysis: 'entropy' | 'adversary' }>,
  onProgress: (done: number, total: number) => void,
): Promise<void> {
  lastGraph = undefined;
  const backendName = request.analysis === 'entropy' ? guessingBackend(request.backend, request.params.guessing) : request.backend;
  const priorFile = request.analysis === 'entropy' && request.params.prior ? await readWeightsFile(request.params.prior) : undefined;
  const { loaded, csr, components, diagnostics } = await readForAnalysis(request.source, request.reading);
  priorFile?.check(csr, diagnostics.file);
  const prior = priorFile?.weights;
  const graph = { nodes: csr.n, edges: diagnostics.edges, directed: csr.directed, format: loaded.report.format };
  progress('starting the backend', 0, 1);
  const backend = await makeBackend(backendName, request.limits);
  try {
    if (request.analysis === 'entropy') {
      const p = request.params;
      // Small graphs: every node a terminal, so the network view colours every node.
      const terminals = p.terminals ?? (csr.n <= ALL_TERMINALS_UP_TO ? 'all' : undefined);
      const result = await initiatorEntropy(csr, {
        walk: p.walk, lazy: p.lazy, hops: p.hops, terminals, seed: p.seed, prior, rounds: p.rounds, guessing: p.guessing,
        backend, perTerminal: true, onProgress,
      });
      progress('laying out the network', 0, 1);
      const selection = networkView(csr, components, loaded.graph);
      selection.view.entropy = viewEntropies(result, selection, nodeIndex(csr));
      lastGraph = { csr, params: p, prior, selection };
      const notes: string[] = [];
      const downloads: Download[] = [
        { name: 'results.json', mime: 'application/json', text: entropyJson(result) },
        { name: 'hops.csv', mime: 'text/csv', text: hopsCsv(result) },
        { name: 'per-terminal.csv', mime: 'text/csv', text: perTerminalCsv(result) },
      ];
      const charts: ChartMessage[] = [
        { title: 'Entropy vs hops', file: 'entropy-vs-hops.svg', spec: entropyVsHopsChart(result, { graph: diagnostics.file }) },
        { title: 'CDF of the entropy', file: 'entropy-cdf.svg', spec: entropyCdfChart(result, { graph: diagnostics.file }) },
      ];
      if (result.rounds) {
        downloads.push({ name: 'rounds.csv', mime: 'text/csv', text: roundsCsv(result) });
        charts.push({ title: 'Entropy after several rounds', file: 'rounds.svg', spec: roundsChart(result, { graph: diagnostics.file }) });
      }
      if (csr.n <= GEXF_EXPORT_MAX_NODES) {
        progress('writing GEXF', 0, 1);
        downloads.push({ name: 'graph-with-entropy.gexf', mime: 'application/xml', text: entropyGexf(csr, result, { source: loaded.graph }) });
      } else {
        notes.push(`GEXF export is offered up to ${GEXF_EXPORT_MAX_NODES.toLocaleString('en')} nodes; this graph has ${csr.n.toLocaleString('en')}.`);
      }
      // The per-terminal arrays stay in the downloads; the JSON shown on the page is the CLI's without them.
      const shown = { ...result, perTerminal: undefined };
      const guessing = result.hops[0].guessingMean !== undefined;
      post({
        type: 'result',
        analysis: 'entropy',
        json: entropyJson(shown),
        ran: backend.info,
        graph,
        charts,
        diagnostics: { ...diagnostics, danglingNodes: result.graph.danglingNodes, terminals: result.terminals, unreachableByHop: result.hops.map((h) => h.unreachable) },
        view: selection.view,
        table: [
          ['hop', 'mean', 'ci95', 'min', 'p05', 'median', 'max', 'H_min mean', ...(guessing ? ['guesses'] : [])],
          ...result.hops.map((h) => [
            String(h.hop), fixed(h.mean), `${fixed(h.ci95[0], 3)}..${fixed(h.ci95[1], 3)}`, fixed(h.min), fixed(h.p05), fixed(h.median), fixed(h.max), fixed(h.minEntropyMean),
            ...(guessing ? [fixed(h.guessingMean, 2)] : []),
          ]),
        ],
        downloads,
        notes,
      });
    } else {
      const p = request.params;
      const options: AdversaryOptions = {
        walk: p.walk, hops: p.hops, attackEdges: p.attackEdges, sybilsPerEdge: p.sybilsPerEdge, walkers: p.walkers,
        posteriorSamples: p.posteriorSamples, twoHop: p.twoHop, seed: p.seed, backend, onProgress,
      };
      const result = await adversaryEntropy(csr, options);
      progress('laying out the network', 0, 1);
      const selection = networkView(csr, components, loaded.graph);
      const { view } = selection;
      // The Sybil regions the walks ran on (the same options give the same regions).
      view.adversary = viewBorders(adversaryBorders(csr, options), selection);
      const downloads: Download[] = [
        { name: 'results.json', mime: 'application/json', text: adversaryJson([result]) },
        { name: 'adversary.csv', mime: 'text/csv', text: adversaryCsv([result]) },
      ];
      const charts: ChartMessage[] = [{ title: 'H(I|O) vs attack edges', file: 'hio-vs-attack-edges.svg', spec: hioVsAttackEdgesChart([result], { graph: diagnostics.file }) }];
      if (p.twoHop) {
        downloads.push({ name: 'two-hop.csv', mime: 'text/csv', text: twoHopCsv([result]) });
        charts.push({ title: 'Two-hop optimisation', file: 'two-hop.svg', spec: twoHopChart([result], { graph: diagnostics.file }) });
      }
      post({
        type: 'result',
        analysis: 'adversary',
        json: adversaryJson([result]),
        ran: backend.info,
        graph,
        charts,
        diagnostics,
        view,
        table: [
          ['attack edges', 'sybils', 'H(I|O)', 'ci95', 'P(none)'],
          ...result.rows.map((r) => [String(r.attackEdges ?? '—'), String(r.sybils), fixed(r.HIO), `${fixed(r.ci95[0], 3)}..${fixed(r.ci95[1], 3)}`, fixed(r.pNone)]),
        ],
        downloads,
        notes: [`optimal (no adversary): ${fixed(result.optimal)} bits`],
      });
    }
  } finally {
    await backend.dispose();
  }
}

/** The mixing time of the walk on the loaded graph (the CLI's `mixing`), on the page's backend. */
async function runMixing(request: Extract<RunRequest, { analysis: 'mixing' }>, onProgress: (done: number, total: number) => void): Promise<void> {
  lastGraph = undefined;
  const p = request.params;
  const { loaded, csr, components, diagnostics } = await readForAnalysis(request.source, request.reading);
  // Sources checked against the graph before the backend starts (the library would, after).
  chooseNodes(csr, { ids: p.sourceIds, count: p.sources, defaultCount: DEFAULT_SOURCES, seed: p.seed, what: 'source', where: 'anonscope/mixingTime' });
  progress('starting the backend', 0, 1);
  const backend = await makeBackend(request.backend, request.limits);
  try {
    const result = await mixingTime(csr, {
      walk: p.walk, lazy: p.lazy, hops: p.hops, sources: p.sources, sourceIds: p.sourceIds, seed: p.seed, epsilon: p.epsilon, spectrum: p.spectrum,
      backend,
      onProgress(done, total) {
        onProgress(done, total);
        // Lanczos follows the TV steps (reversible walks: undirected graphs), with no progress of its own: say what runs.
        if (done === total && p.spectrum && !csr.directed) progress('the eigenvalues (Lanczos)', 0, 1);
      },
    });
    const json = mixingJson(result);
    const summary = mixingSummary(result);
    post({
      type: 'result',
      analysis: 'mixing',
      json,
      ran: backend.info,
      graph: { nodes: csr.n, edges: diagnostics.edges, directed: csr.directed, format: loaded.report.format },
      charts: [{ title: 'TV distance vs hops', file: 'tv-vs-hops.svg', spec: tvVsHopsChart(result, { graph: diagnostics.file }) }],
      diagnostics: { ...diagnostics, danglingNodes: result.graph.danglingNodes },
      view: networkView(csr, components, loaded.graph).view,
      table: mixingHopRows(result),
      downloads: [
        { name: 'results.json', mime: 'application/json', text: json },
        { name: 'hops.csv', mime: 'text/csv', text: mixingHopsCsv(result) },
        { name: 'sources.csv', mime: 'text/csv', text: mixingSourcesCsv(result) },
      ],
      notes: [summary.spectrum, summary.tau, summary.bound, ...result.notes].filter((line): line is string => line !== undefined).map(inPageWords),
    });
  } finally {
    await backend.dispose();
  }
}

/** The network view's click on a terminus: its posterior over initiators (the library's, float64), on the drawn nodes. */
function answerPosterior(request: PosteriorRequest): void {
  if (!lastGraph) throw new ParameterError('run the initiator entropy analysis first: the posterior is computed on its graph');
  const { csr, params, prior, selection } = lastGraph;
  const { reachable, posterior } = initiatorPosterior(csr, request.terminal, { walk: params.walk, lazy: params.lazy, hop: request.hop, prior });
  const values = new Float64Array(selection.view.keys.length);
  for (let i = 0; i < csr.n; i++) if (selection.index[i] >= 0) values[selection.index[i]] = posterior[i];
  post({ type: 'posterior', terminal: request.terminal, hop: request.hop, reachable, values });
}

/** The page's controls for the CLI flags that library messages name. */
const PAGE_CONTROLS: Record<string, string> = {
  '--directed': 'the "directed" reading',
  '--undirected': 'the "undirected" reading',
  '--backend': 'the backend choice',
  '--delay': 'the delay',
  '--rounds': 'rounds',
  '--cool-down': 'cool-down',
};

/**
 * A library message in the page's words: no function prefix (anonscope/initiatorEntropy:,
 * anonscope/mixnet topology:),
 * and the page's controls where it names a CLI flag (the flags without a control keep their
 * name, unquoted: "--no-header" reads "no header").
 */
export function inPageWords(message: string): string {
  return message
    .replace(/anonscope\/[A-Za-z.-]+(?: [A-Za-z]+)*: /g, '')
    .replace(/--[a-z][a-z-]*/g, (flag) => PAGE_CONTROLS[flag] ?? `"${flag.slice(2).replace(/-/g, ' ')}"`);
}

function classify(error: unknown): WorkerMessage {
  const message = inPageWords((error as Error)?.message ?? String(error));
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

self.addEventListener('message', (event: MessageEvent<PageMessage>) => {
  const message = event.data;
  if (message?.type === 'run') run(message).catch((error: unknown) => post(classify(error)));
  else if (message?.type === 'posterior') {
    try {
      answerPosterior(message);
    } catch (error) {
      post(classify(error));
    }
  }
});
