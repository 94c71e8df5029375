/**
 * The page's main thread: the form (its state kept in the URL), drag-and-drop, progress with
 * elapsed time and an estimate of what is left, Cancel, and drawing what the worker sends
 * back: the diagnostics, the table, the network view, the plots and the downloads. It never
 * parses or computes: that is worker.ts's job, so the tab stays responsive; Cancel
 * terminates the worker and starts a fresh one. A new run, a cancel or an error clears the
 * previous results first, so nothing on screen is ever from another run than the one named.
 *
 * For tests, #results carries data-result (the result JSON) and data-backend (what ran),
 * <body> gets data-state = idle | running | done | error, and window.anonscopeNetwork is the
 * drawn network (DrawnNetwork: where a node is on screen, its colour).
 */
import { ParameterError } from '../errors.js';
import { count } from '../report/count.js';
import { leftOutColumns } from '../report/entropy-report.js';
import { renderChart, svgFileText } from '../report/plot.js';
import { chartToPng } from '../report/png.js';
import { blobOf, downloadName, downloadStem, pngName, zipOf, type RunFile } from './downloads.js';
import { drawNetwork, type DrawnNetwork } from './network-view.js';
import type { AnalysisName, ChartMessage, Diagnostics, GraphReading, GraphSource, MixingParams, MixnetParams, NetworkView, RunRequest, WebBackendName, WebLimits, WorkerMessage } from './protocol.js';
import { paramsToForm, saveToUrl } from './url-state.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);

const GRAPH_ANALYSES: readonly AnalysisName[] = ['entropy', 'adversary', 'mixing'];
let source: GraphSource | undefined;
let sourceName: string | undefined;
let worker: Worker | undefined;
let downloadUrls: string[] = [];
let network: DrawnNetwork | undefined;
/** The adversary panel's "show row r's pieces" (set by showAdversaryPieces). */
let showAdversaryPiece: ((row: number) => void) | undefined;
/** The run on screen (or running): its request, when it started, the current phase's start and progress. */
let current: { job: RunRequest; started: number; phase: string; phaseStarted: number; done: number; total: number } | undefined;
let clock: number | undefined;

function setState(state: 'idle' | 'running' | 'done' | 'error'): void {
  document.body.dataset.state = state;
  $<HTMLButtonElement>('run').disabled = state === 'running';
  $<HTMLButtonElement>('cancel').disabled = state !== 'running';
  $('progress').classList.toggle('hidden', state !== 'running');
  if (state !== 'running') {
    window.clearInterval(clock);
    clock = undefined;
  }
}

/** Remove every result of an earlier run from the page (and free its downloads and drawing). */
function clearResults(): void {
  for (const url of downloadUrls) URL.revokeObjectURL(url);
  downloadUrls = [];
  network?.destroy();
  network = undefined;
  showAdversaryPiece = undefined;
  (window as unknown as { anonscopeNetwork?: DrawnNetwork }).anonscopeNetwork = undefined;
  const results = $('results');
  results.classList.add('hidden');
  delete results.dataset.result;
  delete results.dataset.backend;
  for (const id of ['ran', 'diagnostics-list', 'notes', 'table', 'adversary-pieces', 'plots', 'downloads', 'result-json', 'network-note', 'selection', 'legend']) $(id).replaceChildren();
  $('network-box').classList.add('hidden');
}

function showError(message: string): void {
  clearResults();
  $('error').textContent = message;
  $('phase').textContent = ' stopped by an error';
  $('elapsed').textContent = '';
  setState('error');
}

const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);

/** "12.3 s elapsed, about 4 s left": the estimate from the current phase's progress rate. */
function updateClock(): void {
  if (!current) return;
  const now = performance.now();
  let text = `${seconds(now - current.started)} elapsed`;
  const { done, total, phaseStarted } = current;
  if (total > 1 && done > 0 && done < total) text += `, about ${seconds(((now - phaseStarted) * (total - done)) / done)} left in ${current.phase}`;
  $('elapsed').textContent = `(${text})`;
}

function analysis(): AnalysisName {
  return (document.querySelector('input[name=analysis]:checked') as HTMLInputElement).value as AnalysisName;
}

/** Whether the analysis reads the chosen graph: the walk analyses, and the mixnet's free routes. */
function needsGraph(name: AnalysisName): boolean {
  return GRAPH_ANALYSES.includes(name) || (name === 'mixnet' && mixnetTopology() === 'free');
}

const mixnetTopology = () => $<HTMLSelectElement>('mixnet-topology').value as MixnetParams['topology'];

function showFieldsFor(name: AnalysisName): void {
  document.querySelectorAll<HTMLElement>('[data-for]').forEach((div) => {
    div.classList.toggle('hidden', !div.dataset.for!.split(' ').includes(name));
  });
  // The mixnet's weights: per mix for layered topologies, by node for free routes.
  document.querySelectorAll<HTMLElement>('[data-topology]').forEach((label) => {
    label.classList.toggle('hidden', !label.dataset.topology!.split(' ').includes(mixnetTopology()));
  });
  $('graph-box').classList.toggle('hidden', !needsGraph(name));
}

function choose(next: GraphSource, label: string, name: string): void {
  source = next;
  sourceName = name;
  $('graph-name').textContent = label;
  $('error').textContent = '';
}

function integer(id: string, min: number): number {
  const value = Number(input(id).value);
  if (!Number.isInteger(value) || value < min) throw new ParameterError(`${id.replace(/-/g, ' ')} must be an integer ≥ ${min}`);
  return value;
}

function positive(id: string, allowZero = false): number {
  const value = Number(input(id).value);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) throw new ParameterError(`${id.replace(/-/g, ' ')} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  return value;
}

function integerList(id: string, min: number): number[] {
  const values = input(id).value.split(',').map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < min)) throw new ParameterError(`${id.replace(/-/g, ' ')}: a comma-separated list of integers ≥ ${min}`);
  return values;
}

/** ?limits={"maxBufferSize":4096,…}: tighter WebGPU limits (see WebLimits). */
function limitsFromUrl(): WebLimits | undefined {
  const text = new URLSearchParams(location.search).get('limits');
  if (!text) return undefined;
  try {
    return JSON.parse(text) as WebLimits;
  } catch {
    throw new ParameterError(`the URL's limits parameter is not JSON: ${text}`);
  }
}

function request(): RunRequest {
  const backend = $<HTMLSelectElement>('backend').value as WebBackendName;
  const name = analysis();
  if (name === 'mix') {
    const rate = Number(input('rate').value);
    if (!(rate > 0)) throw new ParameterError('the rate must be > 0');
    return { type: 'run', analysis: 'mix', backend, params: { rate, delay: input('delay').value.trim(), trials: integer('trials', 1), seed: integer('mix-seed', 0) } };
  }
  if (name === 'trace') {
    return {
      type: 'run', analysis: 'trace', backend,
      params: {
        signalRate: positive('signal-rate'), coverRate: positive('cover-rate', true), paddingRate: positive('padding-rate', true),
        delay: input('trace-delay').value.trim(), packets: integerList('packets', 1), trials: integer('trace-trials', 2), seed: integer('trace-seed', 0),
      },
    };
  }
  if (name === 'roc') {
    const fprs = input('fprs').value.split(',').map((s) => Number(s.trim()));
    if (fprs.some((a) => !(a > 0 && a < 1))) throw new ParameterError('FPRs: a comma-separated list of numbers between 0 and 1 (exclusive)');
    return {
      type: 'run', analysis: 'roc', backend,
      params: {
        signalRate: positive('roc-signal-rate'), coverRate: positive('roc-cover-rate', true), delay: input('roc-delay').value.trim(),
        targets: integer('roc-targets', 2), packets: integerList('roc-packets', 1), fprs, seed: integer('roc-seed', 0),
      },
    };
  }
  if (name === 'mixnet') {
    const params = mixnetParams();
    if (params.topology !== 'free') return { type: 'run', analysis: 'mixnet', backend, params };
    if (!source) throw new ParameterError('Free routes walk on a graph: choose one first (a file, or the example).');
    return { type: 'run', analysis: 'mixnet', source, reading: graphReading(), backend, params };
  }
  if (name === 'network') {
    const t = input('targets').value.trim();
    return {
      type: 'run', analysis: 'network', backend,
      params: {
        mixes: integer('mixes', 2), links: integer('links', 1), streams: integer('streams', 1), pathLength: integer('path-length', 2),
        packets: integer('stream-packets', 1), delay: input('network-delay').value.trim(), targets: t === 'all' ? 'all' : integer('targets', 1), seed: integer('network-seed', 0),
      },
    };
  }
  if (!source) throw new ParameterError('Choose a graph first: a file, or the example.');
  if (name === 'mixing') return { type: 'run', analysis: 'mixing', source, reading: graphReading(), backend, params: mixingParams(), limits: limitsFromUrl() };
  const walk = $<HTMLSelectElement>('walk').value as 'simple' | 'mh';
  const hops = integer('hops', 1);
  const seed = integer('seed', 0);
  const reading = graphReading();
  if (name === 'entropy') {
    const t = input('terminals').value.trim();
    const terminals = t === '' ? undefined : t === 'all' ? 'all' : integer('terminals', 1);
    const r = input('rounds').value.trim();
    const rounds = r === '' ? undefined : integer('rounds', 1);
    if (rounds !== undefined && rounds > 256) throw new ParameterError('rounds must be an integer from 1 to 256');
    const guessing = input('guessing').checked;
    if (guessing && backend !== 'auto' && backend !== 'cpu') throw new ParameterError('guessing entropy sorts every posterior: choose the cpu (float64) backend, or auto');
    const prior = input('prior').files?.[0];
    return {
      type: 'run', analysis: 'entropy', source, reading, backend,
      params: { walk, lazy: input('lazy').checked, hops, terminals, seed, rounds, guessing, prior }, limits: limitsFromUrl(),
    };
  }
  const attackEdges = integerList('attack-edges', 0);
  return {
    type: 'run', analysis: 'adversary', source, reading, backend,
    params: {
      walk, hops, attackEdges, sybilsPerEdge: integer('sybils-per-edge', 1), walkers: integer('walkers', 1), posteriorSamples: integer('posterior-samples', 1), seed,
      twoHop: twoHopKs(hops),
    },
    limits: limitsFromUrl(),
  };
}

/** How the graph file is read: the direction and component controls. */
function graphReading(): GraphReading {
  const direction = $<HTMLSelectElement>('direction').value;
  return {
    directed: direction === 'directed' ? true : direction === 'undirected' ? false : undefined,
    component: $<HTMLSelectElement>('component').value === 'largest' ? 'largest' : 'all',
  };
}

/** The longest walk, as the CLI bounds it (the TV table holds hops × sources values). */
function mixingHops(): number {
  const hops = integer('mixing-hops', 1);
  if (hops > 100_000) throw new ParameterError('mixing hops must be an integer from 1 to 100000');
  return hops;
}

/** The mixing controls: sources a count, all or empty (the library's default), or source ids instead; ε in (0, 1). */
function mixingParams(): MixingParams {
  const count = input('sources').value.trim();
  const ids = input('source-ids').value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (count !== '' && ids.length > 0) throw new ParameterError('give sources (a count) or source ids, not both: empty one of them');
  const epsilon = Number(input('epsilon').value);
  if (!(epsilon > 0 && epsilon < 1)) throw new ParameterError('ε must be a number between 0 and 1 (exclusive)');
  return {
    walk: $<HTMLSelectElement>('mixing-walk').value as MixingParams['walk'],
    lazy: input('mixing-lazy').checked,
    hops: mixingHops(),
    sources: count === '' ? undefined : count === 'all' ? 'all' : integer('sources', 1),
    sourceIds: ids.length > 0 ? ids : undefined,
    seed: integer('mixing-seed', 0),
    epsilon,
    spectrum: input('spectrum').checked,
  };
}

/** A number control of the mixnet: empty is the library's default; its range is the library's to check (in the worker, before any work). */
function optionalNumber(id: string, label: string): number | undefined {
  const text = input(id).value.trim();
  if (text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new ParameterError(`${label}: "${text}" is not a number`);
  return value;
}

/** The mixnet's weights list: empty is uniform; each a number (their count and range are the library's to check). */
function mixnetWeights(): number[] | undefined {
  const text = input('mixnet-weights').value.trim();
  if (text === '') return undefined;
  return text.split(',').map((cell) => {
    const value = Number(cell.trim());
    if (cell.trim() === '' || !Number.isFinite(value)) throw new ParameterError(`weights: "${cell.trim()}" is not a number (give one weight per mix, comma-separated, layer by layer)`);
    return value;
  });
}

/** The mixnet's parameter each sweep varies (the sweep's values replace its control, which is then not read). */
const MIXNET_SWEPT: Record<NonNullable<MixnetParams['sweep']>['parameter'], keyof MixnetParams> = {
  rate: 'rate', mu: 'mu', layers: 'layers', width: 'width', corrupt: 'corrupt', 'loop-rate': 'loopRate', 'drop-rate': 'dropRate', 'mix-loop-rate': 'mixLoopRate',
};

/** The mixnet controls: numbers as typed (empty: the library's default), the delay law, and one parameter swept over a list of values, or none. */
function mixnetParams(): MixnetParams {
  const parameter = $<HTMLSelectElement>('mixnet-sweep').value as NonNullable<MixnetParams['sweep']>['parameter'] | '';
  let sweep: MixnetParams['sweep'];
  if (parameter !== '') {
    const values = input('mixnet-sweep-values').value.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
    if (values.length === 0 || values.some((v) => !Number.isFinite(v))) throw new ParameterError(`sweep values: a comma-separated list of numbers, one run per value of ${parameter}`);
    sweep = { parameter, values };
  }
  const topology = mixnetTopology();
  // Free routes weigh the graph's nodes (the entry weights file), the others each mix (the weights list): the other control is not read.
  const weights = topology === 'free' ? undefined : mixnetWeights();
  if (weights && (parameter === 'layers' || parameter === 'width')) {
    throw new ParameterError(`weights cannot go with a sweep over ${parameter}: there is one weight per mix, and the number of mixes changes`);
  }
  const params: MixnetParams = {
    topology,
    layers: optionalNumber('mixnet-layers', 'layers'),
    // Free routes' mixes are the graph's nodes: the width control is not read.
    width: topology === 'free' ? undefined : optionalNumber('mixnet-width', 'width'),
    weights,
    entryWeights: topology === 'free' ? input('mixnet-entry-weights').files?.[0] : undefined,
    corrupt: optionalNumber('mixnet-corrupt', 'corrupt share'),
    clients: optionalNumber('mixnet-clients', 'clients'),
    rate: optionalNumber('mixnet-rate', 'rate λ'),
    delay: input('mixnet-delay').value.trim(),
    mu: optionalNumber('mixnet-mu', 'μ'),
    loopRate: optionalNumber('mixnet-loop-rate', 'loop rate'),
    dropRate: optionalNumber('mixnet-drop-rate', 'drop rate'),
    mixLoopRate: optionalNumber('mixnet-mix-loop-rate', 'mix-loop rate'),
    burnIn: optionalNumber('mixnet-burn-in', 'burn-in'),
    window: optionalNumber('mixnet-window', 'window'),
    coolDown: optionalNumber('mixnet-cool-down', 'cool-down'),
    targets: optionalNumber('mixnet-targets', 'targets'),
    replications: optionalNumber('mixnet-replications', 'replications'),
    seed: optionalNumber('mixnet-seed', 'seed'),
    sweep,
  };
  if (sweep) delete params[MIXNET_SWEPT[sweep.parameter]];
  return params;
}

/** The two-hop k: empty (none), "sweep" (every k in 1..hops-1) or a list, each in 1..hops-1. */
function twoHopKs(hops: number): number[] | undefined {
  const text = input('two-hop').value.trim();
  if (text === '') return undefined;
  if (hops < 2) throw new ParameterError('the two-hop optimisation needs walks of at least 2 hops');
  if (text === 'sweep') return Array.from({ length: hops - 1 }, (_, k) => k + 1);
  const ks = text.split(',').map((s) => Number(s.trim()));
  if (ks.some((k) => !Number.isInteger(k) || k < 1 || k >= hops)) throw new ParameterError(`two-hop k: "sweep" or a comma-separated list of integers from 1 to ${hops - 1}`);
  return ks;
}

function renderTable(rows: string[][]): HTMLTableElement {
  const table = document.createElement('table');
  rows.forEach((row, i) => {
    const tr = table.insertRow();
    for (const cell of row) {
      const td = document.createElement(i === 0 ? 'th' : 'td');
      td.textContent = cell;
      tr.append(td);
    }
  });
  return table;
}

/**
 * The entropy table gets the per-hop count of terminals left out of the statistics, and the
 * notes say which (both from the result JSON, as the CLI prints them).
 */
function entropyDisplay(json: string, table: string[][], notes: string[]): { table: string[][]; notes: string[] } {
  const result = JSON.parse(json) as { hops: { hop: number; unreachable: number; zeroPriorOnly?: number }[]; notes?: string[] };
  const columns = leftOutColumns(result.hops);
  return { table: table.map((row, i) => [...row, ...columns[i]]), notes: [...(result.notes ?? []), ...notes] };
}

/** A chart on the page: its figure (where its own SVG and PNG links go) and its SVG file. */
interface DrawnChart {
  figure: HTMLElement;
  svg: SVGSVGElement;
  file: RunFile;
}

/** The charts drawn into #plots with hover tips, at the width the page gives them, each with its file's chart (no hover marks). */
function drawCharts(charts: ChartMessage[]): DrawnChart[] {
  const plots = $('plots');
  const width = Math.min(720, plots.clientWidth || 720);
  const drawn = charts.map(({ title, file, spec }) => {
    const figure = document.createElement('figure');
    figure.setAttribute('aria-label', title);
    figure.append(renderChart(spec, { document, width, interactive: true }));
    const svg = renderChart(spec, { document });
    return { figure, svg, file: { name: file, mime: 'image/svg+xml', text: svgFileText(svg) } };
  });
  plots.replaceChildren(...drawn.map((c) => c.figure));
  return drawn;
}

/** Each chart as a PNG (the browser draws its SVG on a canvas), named as its SVG file is. */
function chartPngs(charts: readonly DrawnChart[]): Promise<RunFile[]> {
  return Promise.all(
    charts.map(async ({ svg, file }) => ({ name: pngName(file.name), mime: 'image/png', bytes: new Uint8Array(await (await chartToPng(svg)).arrayBuffer()) })),
  );
}

const yesNo = (v: boolean) => (v ? 'yes' : 'no');

/** What the CLI prints when it loads a graph, and what the analysis found, as a list. */
function renderDiagnostics(d: Diagnostics, ran: string): void {
  const rows: [string, string][] = [
    ['file', `${d.file} (${d.format})`],
    ['nodes', d.nodes.toLocaleString('en')],
    [d.directed ? 'arcs' : 'edges', d.edges.toLocaleString('en')],
    ['directed', yesNo(d.directed)],
    ['weighted', yesNo(d.weighted)],
    ['self-loops dropped', d.selfLoopsDropped.toLocaleString('en')],
    ['duplicate edges merged', d.duplicatesMerged.toLocaleString('en')],
    ['weakly connected components', `${d.components.toLocaleString('en')} (largest: ${count(d.largestComponent, 'node')})`],
  ];
  if (d.keptLargest) rows.push(['analysed', `the largest component only: ${count(d.nodes, 'node')}`]);
  if (d.danglingNodes !== undefined) rows.push(['dangling nodes (no out-edges; walks stay put)', d.danglingNodes.toLocaleString('en')]);
  if (d.terminals !== undefined) rows.push(['terminals used', d.terminals.toLocaleString('en')]);
  if (d.unreachableByHop) rows.push(['unreachable terminals by hop', d.unreachableByHop.map((u, t) => `${t + 1}: ${u}`).join(', ')]);
  rows.push(['ran on', ran]);
  $('diagnostics-list').replaceChildren(
    ...rows.flatMap(([term, value]) => [Object.assign(document.createElement('dt'), { textContent: term }), Object.assign(document.createElement('dd'), { textContent: value })]),
  );
  const list = $('diagnostics-list');
  list.dataset.unreachable = JSON.stringify(d.unreachableByHop ?? null);
}

/** The adversary's pieces for one attack-edge count: P(M_i) and H(I|M_i) hop by hop. */
function showAdversaryPieces(result: { rows: { attackEdges: number | null; pM: number[]; pMHalfWidth: number[]; HIM: (number | null)[]; pNone: number; HIO: number }[] }): void {
  const box = $('adversary-pieces');
  const detail = Object.assign(document.createElement('div'), { className: 'scroll', id: 'adversary-piece' });
  const buttons = result.rows.map((row, r) => {
    const button = Object.assign(document.createElement('button'), { type: 'button', textContent: `g = ${row.attackEdges ?? 'given set'}` });
    button.setAttribute('aria-controls', 'adversary-piece');
    button.addEventListener('click', () => showPiece(r));
    return button;
  });
  /** Row r's pieces in the panel: its button's click, and a click on its Sybil region or attack edges in the network view. */
  function showPiece(r: number): void {
    const row = result.rows[r];
    const table = renderTable([
      ['hop i', 'P(M_i)', '± (95%)', 'H(I|M_i) bits'],
      ...row.pM.map((p, i) => [String(i + 1), p.toFixed(4), row.pMHalfWidth[i].toFixed(4), row.HIM[i] === null ? '— (never seen)' : row.HIM[i]!.toFixed(4)]),
    ]);
    const caption = table.createCaption();
    caption.textContent = `g = ${row.attackEdges ?? 'given'}: H(I|O) = ${row.HIO.toFixed(4)} bits = Σ P(M_i) H(I|M_i) + P(none) log2 n, with P(none) = ${row.pNone.toFixed(4)}`;
    detail.replaceChildren(table);
    buttons.forEach((b, k) => b.setAttribute('aria-pressed', String(k === r)));
  }
  showAdversaryPiece = showPiece;
  box.replaceChildren(Object.assign(document.createElement('p'), { textContent: 'The pieces of H(I|O) for each number of attack edges g (the Sybil region it attaches): ' }), ...buttons, detail);
}

/** The network view, drawn once the results section is visible (sigma needs a sized container). */
function showNetwork(view: NetworkView): void {
  $('network-box').classList.remove('hidden');
  const layout = view.layout.by === 'file' ? 'at the positions the file gives' : `laid out by ForceAtlas2 (${view.layout.iterations} iterations in ${seconds(view.layout.ms)}, in the worker)`;
  const what = view.sampled ? `${view.sampled} The drawn nodes are ${view.layout.by === 'file' ? 'placed ' : ''}${layout}.` : `All ${count(view.keys.length, 'node')} drawn${view.layout.by === 'file' ? ' ' : ', '}${layout}.`;
  const hint = view.entropy
    ? 'Hover a node for its numbers; click a terminus for its posterior over initiators (click the background to go back).'
    : view.adversary?.some((b) => b.ends.length > 0)
      ? 'Each Sybil region is drawn as one red node, joined by its attack edges to their honest ends; click it or one of its edges for its pieces of H(I|O).'
      : '';
  $('network-note').textContent = `${what} ${hint}`;
  const slider = input('view-hop');
  const hops = view.entropy?.hops ?? 1;
  slider.max = String(hops);
  slider.value = String(hops);
  $('view-hop-value').textContent = String(hops);
  $('view-hop-label').classList.toggle('hidden', !view.entropy);
  network = drawNetwork($('network'), $('legend'), $('tooltip'), view, {
    onTerminal(terminal, hop) {
      $('selection').textContent = `computing the posterior of a ${hop}-hop walk seen ending at ${terminal}…`;
      worker?.postMessage({ type: 'posterior', terminal, hop });
    },
    onAdversaryRow(row) {
      showAdversaryPiece?.(row);
      $('selection').textContent = `The Sybil region behind g = ${view.adversary![row].attackEdges} attack edges: its pieces of H(I|O) are in the table above.`;
    },
  });
  (window as unknown as { anonscopeNetwork?: DrawnNetwork }).anonscopeNetwork = network;
}

function showPosterior(message: Extract<WorkerMessage, { type: 'posterior' }>): void {
  if (!network) return;
  if (!message.reachable) {
    $('selection').textContent = `No ${message.hop}-hop walk ends at ${message.terminal} (from an initiator the prior allows): it has no posterior at this hop.`;
    network.showPosterior(undefined);
    return;
  }
  network.showPosterior(message.terminal, message.values);
  let best = 0;
  message.values.forEach((v, k) => (v > message.values[best] ? (best = k) : 0));
  $('selection').textContent = `The adversary's view of a ${message.hop}-hop walk seen ending at ${message.terminal}: the likeliest initiator drawn is ${lastView?.keys[best] ?? '?'} (p = ${message.values[best].toPrecision(3)}).`;
}

let lastView: NetworkView | undefined;

function onMessage(message: WorkerMessage): void {
  switch (message.type) {
    case 'progress': {
      const bar = $<HTMLProgressElement>('progress');
      bar.max = Math.max(1, message.total);
      bar.value = message.done;
      $('phase').textContent = ` ${message.phase}${message.total > 1 ? ` ${Math.round((100 * message.done) / message.total)}%` : ''}`;
      if (current) {
        if (current.phase !== message.phase) Object.assign(current, { phase: message.phase, phaseStarted: performance.now() });
        Object.assign(current, { done: message.done, total: message.total });
      }
      break;
    }
    case 'posterior':
      showPosterior(message);
      break;
    case 'log':
      $('phase').textContent = ` ${message.message}`;
      break;
    case 'error':
      showError(message.message);
      $('error').dataset.kind = message.kind;
      break;
    case 'result': {
      clearResults();
      const results = $('results');
      results.classList.remove('hidden');
      results.dataset.result = message.json;
      results.dataset.backend = JSON.stringify(message.ran);
      const adapter = message.ran.adapter;
      const where = adapter ? ` on ${[adapter.vendor, adapter.architecture, adapter.device, adapter.description].filter(Boolean).join(' / ') || 'an unnamed adapter'}` : '';
      const graph = message.graph ? ` — graph: ${message.graph.nodes.toLocaleString('en')} nodes, ${message.graph.edges.toLocaleString('en')} edges (${message.graph.format})` : '';
      const ran = `${message.ran.name} (${message.ran.precision}${message.ran.runtime ? `, ${message.ran.runtime}` : ''})${where}`;
      $('ran').textContent = `Ran on ${ran}${graph}`;
      if (message.diagnostics) renderDiagnostics(message.diagnostics, ran);
      $('diagnostics').classList.toggle('hidden', !message.diagnostics);
      const { table, notes } = message.analysis === 'entropy' ? entropyDisplay(message.json, message.table, message.notes) : message;
      $('notes').replaceChildren(...notes.map((n) => Object.assign(document.createElement('p'), { textContent: n })));
      $('table').replaceChildren(renderTable(table));
      const stem = downloadStem(current!.job, 'source' in current!.job ? sourceName : undefined);
      const link = (file: RunFile, text = downloadName(stem, file.name), download = downloadName(stem, file.name)) => {
        const url = URL.createObjectURL(blobOf(file));
        downloadUrls.push(url);
        return Object.assign(document.createElement('a'), { href: url, download, textContent: text });
      };
      const charts = drawCharts(message.charts);
      const files: RunFile[] = [...message.downloads, ...charts.map((c) => c.file)];
      const links = files.map((file) => link(file));
      $('downloads').replaceChildren('Download: ', ...links);
      const chartFiles = charts.map(({ figure, file }) => {
        const box = Object.assign(document.createElement('p'), { className: 'chart-files' });
        box.append('This chart as ', link(file, 'SVG'));
        figure.append(box);
        return box;
      });
      // The PNGs, the zip and the drawing each in a task of their own, so that no one task holds the tab long.
      const shownRun = current;
      const stillShown = () => current === shownRun && document.body.dataset.state === 'done';
      const note = (text: string) => $('notes').append(Object.assign(document.createElement('p'), { textContent: text }));
      void chartPngs(charts)
        .catch((error: unknown) => {
          if (stillShown()) note(`The charts could not be made into PNGs in this browser (${(error as Error).message}); the SVG files are there.`);
          return [];
        })
        .then((pngs) => {
          if (!stillShown()) return;
          pngs.forEach((png, k) => chartFiles[k].append(' or ', link(png, 'PNG')));
          $('downloads').append(...pngs.map((png) => link(png)));
          const zip = link({ name: 'zip', mime: 'application/zip', bytes: zipOf(stem, [...files, ...pngs]) }, `everything (${stem}.zip)`, `${stem}.zip`);
          zip.dataset.zip = '';
          $('downloads').insertBefore(zip, links[0] ?? null);
        });
      $('result-json').textContent = message.json;
      if (message.analysis === 'adversary') showAdversaryPieces(JSON.parse(message.json));
      lastView = message.view;
      if (message.view) window.setTimeout(() => stillShown() && showNetwork(message.view!));
      $('phase').textContent = ' done';
      updateClock();
      setState('done');
      results.scrollIntoView({ behavior: 'smooth', block: 'start' });
      results.focus({ preventScroll: true });
      break;
    }
  }
}

function freshWorker(): Worker {
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  w.addEventListener('message', (event: MessageEvent<WorkerMessage>) => onMessage(event.data));
  w.addEventListener('error', (event) => showError(`The worker failed: ${event.message || 'could not start (see the console)'}`));
  return w;
}

function start(): void {
  if (document.body.dataset.state === 'running') return;
  $('error').textContent = '';
  delete $('error').dataset.kind;
  clearResults();
  let job: RunRequest;
  try {
    job = request();
  } catch (error) {
    showError((error as Error).message);
    return;
  }
  saveToUrl($<HTMLFormElement>('form'));
  worker ??= freshWorker();
  const now = performance.now();
  current = { job, started: now, phase: 'starting', phaseStarted: now, done: 0, total: 1 };
  setState('running');
  $('phase').textContent = ' starting';
  updateClock();
  clock = window.setInterval(updateClock, 250);
  worker.postMessage(job);
}

function cancel(): void {
  if (document.body.dataset.state !== 'running') return;
  worker?.terminate();
  worker = undefined;
  clearResults();
  $('phase').textContent = ' cancelled; nothing from this run is shown';
  updateClock();
  setState('idle');
}

const NO_WEBGPU =
  'the graph analyses fall back to gpu.js (WebGL) or the float64 CPU reference, which are slower. Chrome and Edge (Windows, macOS, ChromeOS, Android), Safari 26 and Firefox 141 on Windows have WebGPU; on Linux, Chrome needs chrome://flags/#enable-unsafe-webgpu.';

/** What the page tells the user about WebGPU here: missing, no adapter, or which adapter. */
async function describeWebGpu(): Promise<string> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return `This browser has no WebGPU (navigator.gpu is missing): ${NO_WEBGPU}`;
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return `This browser has WebGPU but no adapter (no usable GPU, or WebGPU is disabled here): ${NO_WEBGPU}`;
    const info = adapter.info;
    const name = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' / ');
    return `This browser offers WebGPU${name ? ` (adapter: ${name})` : ''}.`;
  } catch (error) {
    return `WebGPU failed here (${(error as Error).message}): ${NO_WEBGPU}`;
  }
}

function setUp(): void {
  const form = $<HTMLFormElement>('form');
  const unknown = paramsToForm(form, new URLSearchParams(location.search));
  setState('idle');
  if (unknown.length > 0) $('error').textContent = `This link has parameters the page does not know (ignored): ${unknown.join(', ')}`;
  void describeWebGpu().then((text) => ($('gpu-support').textContent = text));
  document.querySelectorAll<HTMLInputElement>('input[name=analysis]').forEach((radio) => {
    radio.addEventListener('change', () => showFieldsFor(analysis()));
  });
  $('mixnet-topology').addEventListener('change', () => showFieldsFor(analysis()));
  showFieldsFor(analysis());
  input('file').addEventListener('change', () => {
    const file = input('file').files?.[0];
    if (file) choose({ kind: 'file', file }, `${file.name} (${file.size.toLocaleString('en')} bytes)`, file.name);
  });
  const example = $<HTMLSelectElement>('example');
  const chooseExample = () => {
    const name = example.value;
    if (name) choose({ kind: 'url', url: new URL(`./examples/${name}`, location.href).href, name }, `example: ${name}`, name);
  };
  example.addEventListener('change', chooseExample);
  chooseExample(); // an example named in the URL
  const drop = $('drop');
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file) choose({ kind: 'file', file }, `${file.name} (${file.size.toLocaleString('en')} bytes)`, file.name);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault(); // Enter in any field, or the Run button
    start();
  });
  $('cancel').addEventListener('click', cancel);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') cancel();
  });
  input('view-hop').addEventListener('input', () => {
    const hop = Number(input('view-hop').value);
    $('view-hop-value').textContent = String(hop);
    $('selection').textContent = '';
    network?.setHop(hop);
  });
  // A shared link reproduces its run: it names the analysis, and the example when a graph is needed.
  const params = new URLSearchParams(location.search);
  if (params.has('analysis') && (source || !needsGraph(analysis()))) start();
}

setUp();
