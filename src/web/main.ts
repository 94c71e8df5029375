/**
 * The page's main thread: the form, drag-and-drop, progress and Cancel, and drawing what
 * the worker sends back. It never parses or computes: that is worker.ts's job, so the tab
 * stays responsive; Cancel terminates the worker and starts a fresh one.
 *
 * For tests, #results carries data-result (the result JSON) and data-backend (what ran),
 * and <body> gets data-state = idle | running | done | error.
 */
import { ParameterError } from '../errors.js';
import { leftOutColumns } from '../report/entropy-report.js';
import { renderChart, svgFileText } from '../report/plot.js';
import type { AnalysisName, ChartMessage, Download, GraphSource, RunRequest, WebBackendName, WebLimits, WorkerMessage } from './protocol.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);

const GRAPH_ANALYSES: readonly AnalysisName[] = ['entropy', 'adversary'];
let source: GraphSource | undefined;
let worker: Worker | undefined;
let downloadUrls: string[] = [];

function setState(state: 'idle' | 'running' | 'done' | 'error'): void {
  document.body.dataset.state = state;
  $<HTMLButtonElement>('run').disabled = state === 'running';
  $<HTMLButtonElement>('cancel').disabled = state !== 'running';
  $('progress').classList.toggle('hidden', state !== 'running');
}

function showError(message: string): void {
  $('error').textContent = message;
  setState('error');
}

function analysis(): AnalysisName {
  return (document.querySelector('input[name=analysis]:checked') as HTMLInputElement).value as AnalysisName;
}

function showFieldsFor(name: AnalysisName): void {
  document.querySelectorAll<HTMLElement>('[data-for]').forEach((div) => {
    div.classList.toggle('hidden', !div.dataset.for!.split(' ').includes(name));
  });
  $('graph-box').classList.toggle('hidden', !GRAPH_ANALYSES.includes(name));
}

function choose(next: GraphSource, label: string): void {
  source = next;
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
  const walk = $<HTMLSelectElement>('walk').value as 'simple' | 'mh';
  const hops = integer('hops', 1);
  const seed = integer('seed', 0);
  if (name === 'entropy') {
    const t = input('terminals').value.trim();
    const terminals = t === '' ? undefined : t === 'all' ? 'all' : integer('terminals', 1);
    return { type: 'run', analysis: 'entropy', source, backend, params: { walk, lazy: input('lazy').checked, hops, terminals, seed }, limits: limitsFromUrl() };
  }
  const attackEdges = integerList('attack-edges', 0);
  return {
    type: 'run', analysis: 'adversary', source, backend,
    params: { walk, hops, attackEdges, sybilsPerEdge: integer('sybils-per-edge', 1), walkers: integer('walkers', 1), posteriorSamples: integer('posterior-samples', 1), seed },
    limits: limitsFromUrl(),
  };
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

/** The charts drawn into #plots with hover tips, at the width the page gives them; returns their SVG files. */
function drawCharts(charts: ChartMessage[]): Download[] {
  const plots = $('plots');
  const width = Math.min(720, plots.clientWidth || 720);
  plots.replaceChildren(
    ...charts.map(({ title, spec }) => {
      const figure = document.createElement('figure');
      figure.setAttribute('aria-label', title);
      figure.append(renderChart(spec, { document, width, interactive: true }));
      return figure;
    }),
  );
  return charts.map(({ file, spec }) => ({ name: file, mime: 'image/svg+xml', text: svgFileText(renderChart(spec, { document })) }));
}

function onMessage(message: WorkerMessage): void {
  switch (message.type) {
    case 'progress': {
      const bar = $<HTMLProgressElement>('progress');
      bar.max = Math.max(1, message.total);
      bar.value = message.done;
      $('phase').textContent = ` ${message.phase}${message.total > 1 ? ` ${Math.round((100 * message.done) / message.total)}%` : ''}`;
      break;
    }
    case 'log':
      $('phase').textContent = ` ${message.message}`;
      break;
    case 'error':
      showError(message.message);
      $('error').dataset.kind = message.kind;
      break;
    case 'result': {
      for (const url of downloadUrls) URL.revokeObjectURL(url);
      downloadUrls = [];
      const results = $('results');
      results.classList.remove('hidden');
      results.dataset.result = message.json;
      results.dataset.backend = JSON.stringify(message.ran);
      const adapter = message.ran.adapter;
      const where = adapter ? ` on ${[adapter.vendor, adapter.architecture, adapter.device, adapter.description].filter(Boolean).join(' / ') || 'an unnamed adapter'}` : '';
      const graph = message.graph ? ` — graph: ${message.graph.nodes.toLocaleString('en')} nodes, ${message.graph.edges.toLocaleString('en')} edges (${message.graph.format})` : '';
      $('ran').textContent = `Ran on ${message.ran.name} (${message.ran.precision}${message.ran.runtime ? `, ${message.ran.runtime}` : ''})${where}${graph}`;
      const { table, notes } = message.analysis === 'entropy' ? entropyDisplay(message.json, message.table, message.notes) : message;
      $('notes').replaceChildren(...notes.map((n) => Object.assign(document.createElement('p'), { textContent: n })));
      $('table').replaceChildren(renderTable(table));
      const links = [...message.downloads, ...drawCharts(message.charts)].map((d) => {
        const url = URL.createObjectURL(new Blob([d.text], { type: d.mime }));
        downloadUrls.push(url);
        return Object.assign(document.createElement('a'), { href: url, download: d.name, textContent: d.name });
      });
      $('downloads').replaceChildren('Download: ', ...links);
      $('result-json').textContent = message.json;
      $('phase').textContent = ' done';
      setState('done');
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
  $('error').textContent = '';
  let job: RunRequest;
  try {
    job = request();
  } catch (error) {
    showError((error as Error).message);
    return;
  }
  worker ??= freshWorker();
  setState('running');
  $('phase').textContent = ' starting';
  worker.postMessage(job);
}

function cancel(): void {
  worker?.terminate();
  worker = undefined;
  $('phase').textContent = ' cancelled';
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
  setState('idle');
  void describeWebGpu().then((text) => ($('gpu-support').textContent = text));
  document.querySelectorAll<HTMLInputElement>('input[name=analysis]').forEach((radio) => {
    radio.addEventListener('change', () => showFieldsFor(analysis()));
  });
  showFieldsFor(analysis());
  input('file').addEventListener('change', () => {
    const file = input('file').files?.[0];
    if (file) choose({ kind: 'file', file }, `${file.name} (${file.size.toLocaleString('en')} bytes)`);
  });
  $<HTMLSelectElement>('example').addEventListener('change', (event) => {
    const name = (event.target as HTMLSelectElement).value;
    if (name) choose({ kind: 'url', url: new URL(`./examples/${name}`, location.href).href, name }, `example: ${name}`);
  });
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
    if (file) choose({ kind: 'file', file }, `${file.name} (${file.size.toLocaleString('en')} bytes)`);
  });
  $('run').addEventListener('click', start);
  $('cancel').addEventListener('click', cancel);
}

setUp();
