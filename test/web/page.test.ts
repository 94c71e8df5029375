/**
 * The web page (src/web) in headless Chromium: load a real graph through the file input,
 * run an analysis in the page's worker on WebGPU (SwiftShader where there is no GPU), and
 * check the numbers it shows against the library's float64 reference in Node, what it says
 * ran, and that the screen is not blank. Runs the built bundle (dist/web): `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adversaryEntropy } from '../../src/analyses/adversary.js';
import { initiatorEntropy, type InitiatorEntropyResult } from '../../src/analyses/initiator-entropy.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { edgeCount, type Csr } from '../../src/graph/csr.js';
import { writeCsrFile } from '../../src/graph/binary-csr.js';
import { parseGexf } from '../../src/graph/gexf.js';
import Graph from 'graphology';
import { write as writeGexf } from 'graphology-gexf';
import type { AdversaryResult } from '../../src/analyses/adversary.js';
import { simulateMixNetwork, traceMixNetwork, type MixNetworkResult } from '../../src/analyses/mix-network.js';
import { traceSimulation, type TraceSimulationResult } from '../../src/analyses/stream-trace.js';
import { dataset, haveDatasets } from '../helpers/datasets.js';
import { browserWithoutWebGpu, downloadNames, errorOf, errorText, fetchDownload, notesOf, run, servePage, setValue, shown, tableOf, upload } from '../helpers/page.js';

const ROOT = join(import.meta.dirname, '../..');
/** float32 on the GPU against float64 on the CPU, in bits. */
const TOLERANCE = 1e-3;
const FACEBOOK = dataset('snap/facebook_combined.txt');
const KARATE = join(ROOT, 'graphs/karate.txt');
const realGraph = haveDatasets && existsSync(FACEBOOK) ? FACEBOOK : KARATE;
if (realGraph === KARATE) console.warn(`page.test: ${FACEBOOK} is absent; using graphs/karate.txt`);

const web = servePage();
const { openPage } = web;
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'anonscope-page-'));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function toGraphology(csr: Csr): Graph {
  const graph = new Graph({ type: csr.directed ? 'directed' : 'undirected' });
  for (const key of csr.nodeKeys) graph.addNode(key);
  for (let u = 0; u < csr.n; u++) {
    for (let e = csr.rowPtr[u]; e < csr.rowPtr[u + 1]; e++) {
      const v = csr.colIdx[e];
      if (csr.directed || u < v) graph.addEdge(csr.nodeKeys[u], csr.nodeKeys[v]);
    }
  }
  return graph;
}

/**
 * Not blank: the PNG, drawn on a canvas in the browser (which decodes it), has a fair share
 * of non-white pixels and many distinct colours. A blank page has one colour.
 */
async function screenshotStats(png: Uint8Array): Promise<{ nonWhite: number; colours: number }> {
  const page = await web.browser.newPage();
  try {
    const base64 = Buffer.from(png).toString('base64');
    return await page.evaluate(async (data) => {
      const image = new Image();
      image.src = `data:image/png;base64,${data}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let nonWhite = 0;
      const colours = new Set<number>();
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i] < 240 || pixels[i + 1] < 240 || pixels[i + 2] < 240) nonWhite++;
        colours.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
      }
      return { nonWhite: nonWhite / (pixels.length / 4), colours: colours.size };
    }, base64);
  } finally {
    await page.close();
  }
}

describe('the web page in headless Chromium', () => {
  it(`initiator entropy of ${realGraph.split('/').pop()} on WebGPU shows the CLI's numbers (float64 cpu)`, async () => {
    const options = { hops: 5, terminals: 20, seed: 1 } as const;
    // The reference: the CLI's own JSON, on the float64 cpu backend.
    const cli = execFileSync(
      process.execPath,
      [join(ROOT, 'dist/cli.js'), 'entropy', realGraph, '--hops', String(options.hops), '--terminals', String(options.terminals),
        '--seed', String(options.seed), '--backend', 'cpu', '--format', 'json', '--quiet'],
      { encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    const reference = JSON.parse(cli) as InitiatorEntropyResult;
    expect(reference.backend).toBe('cpu');

    const page = await openPage();
    try {
      const blank = await screenshotStats(await page.screenshot({ encoding: 'binary' }));
      await setValue(page, '#backend', 'webgpu');
      await setValue(page, '#hops', String(options.hops));
      await setValue(page, '#terminals', String(options.terminals));
      await setValue(page, '#seed', String(options.seed));
      await upload(page, realGraph);
      const state = await run(page);
      expect(state, await errorText(page)).toBe('done');

      const { result, backend, ranText } = await shown(page);
      const r = result as InitiatorEntropyResult;
      expect(backend).toMatchObject({ name: 'webgpu', precision: 'float32' });
      expect(backend.adapter!.vendor.length + backend.adapter!.architecture.length + backend.adapter!.description.length).toBeGreaterThan(0);
      expect(ranText).toMatch(/Ran on webgpu \(float32/);
      expect(r.graph).toEqual(reference.graph);
      expect(r.terminals).toBe(reference.terminals);
      expect(r.hops).toHaveLength(options.hops);
      for (let t = 0; t < options.hops; t++) {
        const [a, b] = [r.hops[t], reference.hops[t]];
        for (const key of ['mean', 'min', 'p05', 'median', 'max', 'minEntropyMean'] as const) {
          expect(Math.abs(a[key] - b[key]), `hop ${t + 1} ${key}`).toBeLessThan(TOLERANCE);
        }
        expect(Math.abs(a.ci95[0] - b.ci95[0])).toBeLessThan(TOLERANCE);
        expect(Math.abs(a.ci95[1] - b.ci95[1])).toBeLessThan(TOLERANCE);
      }
      // The table shows each hop's mean (column 2, 4 decimals).
      const means = (await tableOf(page)).slice(1).map((row) => Number(row[1]));
      expect(means).toHaveLength(options.hops);
      means.forEach((mean, t) => expect(Math.abs(mean - reference.hops[t].mean)).toBeLessThan(TOLERANCE + 5e-5));
      // Plots and downloads are there.
      expect(await page.$$eval('#plots svg', (s) => s.length)).toBe(2);
      await page.waitForSelector('#downloads a[data-zip]'); // the zip is made in a task after the results
      const downloads = await downloadNames(page);
      const stem = `${realGraph.split('/').pop()!.replace(/\.txt$/, '').replace(/_/g, '-')}-entropy-simple-5hops-terminals-20-seed1`;
      expect(downloads).toEqual([`${stem}.zip`, ...['results.json', 'hops.csv', 'per-terminal.csv', 'graph-with-entropy.gexf', 'entropy-vs-hops.svg', 'entropy-cdf.svg', 'entropy-vs-hops.png', 'entropy-cdf.png'].map((name) => `${stem}-${name}`)]);
      const gexf = await fetchDownload(page, '.gexf');
      expect(gexf).toContain('<gexf');
      expect(gexf).toMatch(/for="entropy"|id="entropy"|title="entropy"/);

      const done = await screenshotStats(await page.screenshot({ encoding: 'binary', fullPage: true }));
      console.log(`screenshot: before ${JSON.stringify(blank)}, after ${JSON.stringify(done)}`);
      expect(blank.colours).toBeGreaterThan(1); // the empty form has text, but…
      expect(done.nonWhite).toBeGreaterThan(blank.nonWhite * 1.5); // …plots and a table add a lot
      expect(done.colours).toBeGreaterThan(50);
    } finally {
      await page.close();
    }
  }, 600_000);

  it('the bundled example, the adversary, on the auto backend', async () => {
    const options = { hops: 4, attackEdges: [0, 2], sybilsPerEdge: 5, walkers: 4000, posteriorSamples: 20, seed: 3 };
    const { csr } = await loadGraphFile(KARATE);
    const reference = await adversaryEntropy(csr, options);
    const page = await openPage();
    try {
      await setValue(page, '#example', 'karate.txt');
      await page.click('input[name=analysis][value=adversary]');
      await setValue(page, '#hops', String(options.hops));
      await setValue(page, '#seed', String(options.seed));
      await setValue(page, '#attack-edges', options.attackEdges.join(','));
      await setValue(page, '#sybils-per-edge', String(options.sybilsPerEdge));
      await setValue(page, '#walkers', String(options.walkers));
      await setValue(page, '#posterior-samples', String(options.posteriorSamples));
      expect(await run(page), await errorText(page)).toBe('done');
      const { result, backend } = await shown(page);
      expect(backend.name).toBe('webgpu'); // auto picks WebGPU where the browser has it
      const rows = (result as AdversaryResult).rows;
      expect(rows.map((row) => row.attackEdges)).toEqual(options.attackEdges);
      rows.forEach((row, i) => {
        expect(row.pM).toEqual(reference.rows[i].pM); // the same walks on every backend
        expect(Math.abs(row.HIO - reference.rows[i].HIO)).toBeLessThan(TOLERANCE);
      });
      expect(await page.$$eval('#plots svg', (s) => s.length)).toBe(1);
    } finally {
      await page.close();
    }
  }, 300_000);

  it('GEXF, graphology JSON and .csr files load in the worker; the GEXF download carries the entropies', async () => {
    const { csr } = await loadGraphFile(KARATE);
    const graph = toGraphology(csr);
    const files = {
      gexf: join(scratch, 'karate.gexf'),
      json: join(scratch, 'karate.json'),
      csr: join(scratch, 'karate.csr'),
    };
    writeFileSync(files.gexf, writeGexf(graph));
    writeFileSync(files.json, JSON.stringify(graph.export()));
    await writeCsrFile(files.csr, csr);
    for (const [format, path] of Object.entries(files)) {
      const reference = await initiatorEntropy((await loadGraphFile(path)).csr, { hops: 4, perTerminal: true });
      const page = await openPage();
      try {
        await upload(page, path);
        await setValue(page, '#hops', '4');
        await setValue(page, '#backend', 'cpu');
        expect(await run(page), `${format}: ${await errorText(page)}`).toBe('done');
        const r = (await shown(page)).result as InitiatorEntropyResult;
        expect(r.graph, format).toEqual(reference.graph);
        r.hops.forEach((h, t) => expect(h.mean, `${format} hop ${t + 1}`).toBeCloseTo(reference.hops[t].mean, 12));
        if (format === 'gexf') {
          // The download, read back as Gephi would: every node carries its last-hop entropy.
          const text = await fetchDownload(page, '.gexf');
          const { csr: back } = parseGexf(text, 'download.gexf');
          expect(back.n).toBe(csr.n);
          expect(edgeCount(back)).toBe(edgeCount(csr));
          const { parse } = await import('graphology-gexf');
          const exported = parse(Graph, text);
          for (const t of reference.perTerminal!) {
            expect(exported.getNodeAttribute(t.id, 'entropy'), `node ${t.id}`).toBeCloseTo(t.shannon[3], 12);
          }
        }
      } finally {
        await page.close();
      }
    }
  }, 300_000);

  it('GraphML, GML and gzip-compressed files load in the worker with the reader the CLI uses; a truncated .gz is a format error', async () => {
    const { csr } = await loadGraphFile(KARATE);
    const edges: [string, string][] = [];
    for (let u = 0; u < csr.n; u++) {
      for (let e = csr.rowPtr[u]; e < csr.rowPtr[u + 1]; e++) if (u < csr.colIdx[e]) edges.push([csr.nodeKeys[u], csr.nodeKeys[csr.colIdx[e]]]);
    }
    const graphml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n<graph edgedefault="undirected">\n' +
      csr.nodeKeys.map((key) => `<node id="${key}"/>`).join('\n') +
      edges.map(([a, b]) => `<edge source="${a}" target="${b}"/>`).join('\n') +
      '\n</graph>\n</graphml>\n';
    const gml = `graph [\n  directed 0\n${csr.nodeKeys.map((key) => `  node [ id ${key} ]`).join('\n')}\n${edges.map(([a, b]) => `  edge [ source ${a} target ${b} ]`).join('\n')}\n]\n`;
    const csv = `Source,Target,Weight\n${edges.map(([a, b]) => `${a},${b},1`).join('\n')}\n`;
    const files: Record<string, string> = {
      graphml: join(scratch, 'karate.graphml'),
      gml: join(scratch, 'karate.gml'),
      'edgelist, gzip': join(scratch, 'karate.txt.gz'),
      'graphml, gzip': join(scratch, 'karate.graphml.gz'),
      'csv with a header, gzip': join(scratch, 'karate.csv.gz'),
    };
    writeFileSync(files.graphml, graphml);
    writeFileSync(files.gml, gml);
    writeFileSync(files['edgelist, gzip'], gzipSync(readFileSync(KARATE)));
    writeFileSync(files['graphml, gzip'], gzipSync(graphml));
    writeFileSync(files['csv with a header, gzip'], gzipSync(csv));
    for (const [what, path] of Object.entries(files)) {
      const page = await openPage();
      try {
        await upload(page, path);
        await setValue(page, '#hops', '2');
        await setValue(page, '#backend', 'cpu');
        expect(await run(page), `${what}: ${await errorText(page)}`).toBe('done');
        const r = (await shown(page)).result as InitiatorEntropyResult;
        expect(r.graph, what).toMatchObject({ nodes: csr.n, edges: edgeCount(csr), directed: false });
      } finally {
        await page.close();
      }
    }
    const truncated = join(scratch, 'truncated.txt.gz');
    const whole = gzipSync(readFileSync(KARATE));
    writeFileSync(truncated, whole.subarray(0, whole.length - 16));
    const page = await openPage();
    try {
      await upload(page, truncated);
      expect(await run(page)).toBe('error');
      const error = await errorOf(page);
      expect(error.kind).toBe('format');
      expect(error.text).toMatch(/^The file does not parse: truncated\.txt\.gz: not valid gzip data: /);
    } finally {
      await page.close();
    }
  }, 300_000);

  it('the entropy table and notes say how many terminals each hop leaves out', async () => {
    // A directed cycle a → b → c → a and d → a: d has no in-arcs, so every hop leaves 1 terminal out.
    const text = join(scratch, 'one-unreachable.txt');
    writeFileSync(text, 'a b\nb c\nc a\nd a\n');
    const path = join(scratch, 'one-unreachable.csr');
    await writeCsrFile(path, (await loadGraphFile(text, { directed: true })).csr);
    const page = await openPage();
    try {
      await upload(page, path);
      await setValue(page, '#hops', '3');
      await setValue(page, '#backend', 'cpu');
      expect(await run(page), await errorText(page)).toBe('done');
      const table = await tableOf(page);
      expect(table[0].at(-1)).toBe('unreachable');
      expect(table.slice(1).map((row) => row.at(-1))).toEqual(['1', '1', '1']);
      const notes = await notesOf(page);
      expect(notes).toContain('terminals reached by no walk of that length are left out of the statistics: hops 1-3: 1');
    } finally {
      await page.close();
    }
  }, 120_000);

  it('a file that does not parse gives a clear message', async () => {
    const page = await openPage();
    try {
      const bad = join(scratch, 'broken.json');
      writeFileSync(bad, '{ "nodes": [ {"key": "a"} ');
      await upload(page, bad);
      expect(await run(page)).toBe('error');
      const error = await errorOf(page);
      expect(error.kind).toBe('format');
      expect(error.text).toMatch(/^The file does not parse: .*broken\.json.*not valid JSON/);

      const badEdges = join(scratch, 'edges.txt');
      writeFileSync(badEdges, '1 2\n2 3\n3 4 heavy\n');
      await upload(page, badEdges);
      expect(await run(page)).toBe('error');
      expect(await errorText(page)).toMatch(/^The file does not parse: .*edges\.txt.*3/);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('a graph too large for the device (limits forced tiny through ?limits=) gives a clear message', async () => {
    // Bindings of 2 bytes hold no float: not even one row of the block fits, however it is tiled.
    const limits = JSON.stringify({ maxStorageBufferBindingSize: 2, maxBufferSize: 2 });
    const page = await openPage(`?limits=${encodeURIComponent(limits)}`);
    try {
      await setValue(page, '#example', 'karate.txt');
      await setValue(page, '#backend', 'webgpu');
      expect(await run(page)).toBe('error');
      const error = await errorOf(page);
      expect(error.kind).toBe('device');
      expect(error.text).toMatch(/^The device could not run this job.*too large for this device/);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('a graph dropped on the page (drag-and-drop) is loaded', async () => {
    const page = await openPage();
    try {
      await page.evaluate(() => {
        const transfer = new DataTransfer();
        transfer.items.add(new File(['a b\nb c\nc a\nc d\n'], 'dropped.txt', { type: 'text/plain' }));
        document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      });
      expect(await page.$eval('#graph-name', (e) => e.textContent)).toMatch(/^dropped\.txt/);
      await setValue(page, '#backend', 'cpu');
      await setValue(page, '#hops', '3');
      expect(await run(page), await errorText(page)).toBe('done');
      const { result, backend } = await shown(page);
      expect(backend).toMatchObject({ name: 'cpu', precision: 'float64' });
      expect((result as InitiatorEntropyResult).graph).toMatchObject({ nodes: 4, edges: 4 });
    } finally {
      await page.close();
    }
  }, 120_000);

  it('says so when no graph is chosen, and Cancel stops a running job', async () => {
    const page = await openPage();
    try {
      expect(await run(page)).toBe('error');
      expect(await errorText(page)).toMatch(/Choose a graph first/);
      await page.click('input[name=analysis][value=mix]');
      await setValue(page, '#trials', '100000000');
      await page.click('#run');
      await page.waitForSelector('body[data-state=running]');
      await page.click('#cancel');
      await page.waitForSelector('body[data-state=idle]', { timeout: 5000 });
      expect(await page.$eval('#phase', (e) => e.textContent)).toMatch(/cancelled/);
      // The page still works after a cancel: a small mix job runs on a fresh worker.
      await setValue(page, '#trials', '200');
      expect(await run(page)).toBe('done');
      expect(await page.$$eval('#plots svg', (s) => s.length)).toBe(1);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('stream tracing and the mix network run on the GPU mix kernels and give the library\'s float64 numbers within float32 tolerance', async () => {
    const trace = { packets: [1, 5, 20], trials: 40, seed: 2 };
    const traceReference = await traceSimulation(trace);
    const net = { mixes: 12, links: 3, streams: 40, pathLength: 3, packets: 60, seed: 4 };
    const netReference = await traceMixNetwork(simulateMixNetwork(net), { targets: 'all' });
    const page = await openPage();
    try {
      await page.click('input[name=analysis][value=trace]');
      expect(await page.$eval('#graph-box', (e) => e.classList.contains('hidden'))).toBe(true);
      await setValue(page, '#packets', trace.packets.join(','));
      await setValue(page, '#trace-trials', String(trace.trials));
      await setValue(page, '#trace-seed', String(trace.seed));
      expect(await run(page), await errorText(page)).toBe('done');
      const tracedShown = await shown(page);
      expect(tracedShown.backend.name).toBe('webgpu');
      const traced = tracedShown.result as TraceSimulationResult;
      expect(traced.curves).toHaveLength(traceReference.curves.length);
      traced.curves[0].points.forEach((point, i) => {
        const want = traceReference.curves[0].points[i];
        expect(point.packets).toBe(want.packets);
        // float32 scores can flip a trial whose LLR is within rounding of 0: at most one
        expect(Math.abs(point.detection.mean - want.detection.mean)).toBeLessThanOrEqual(1 / trace.trials + 1e-12);
        expect(Math.abs(point.llr.mean - want.llr.mean)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(want.llr.mean)));
      });
      expect(await page.$$eval('#plots svg', (s) => s.length)).toBe(1);

      await page.click('input[name=analysis][value=network]');
      await setValue(page, '#mixes', String(net.mixes));
      await setValue(page, '#links', String(net.links));
      await setValue(page, '#streams', String(net.streams));
      await setValue(page, '#path-length', String(net.pathLength));
      await setValue(page, '#stream-packets', String(net.packets));
      await setValue(page, '#network-seed', String(net.seed));
      expect(await run(page), await errorText(page)).toBe('done');
      const networkShown = await shown(page);
      expect(networkShown.backend.name).toBe('webgpu');
      const network = networkShown.result as MixNetworkResult;
      expect(network.streams).toBe(netReference.streams);
      expect(network.top1).toBe(netReference.top1);
      expect(Math.abs(network.meanEntropy - netReference.meanEntropy)).toBeLessThanOrEqual(1e-3);
      expect(await page.$$eval('#plots svg', (s) => s.length)).toBe(3);
    } finally {
      await page.close();
    }
  }, 300_000);
});

describe('a million-node edge list', () => {
  it('loads and runs without freezing the tab (parsed in the worker, streamed)', async () => {
    // A ring plus one chord per node: 1,000,000 nodes, 2,000,000 edges, about 27 MB.
    const n = 1_000_000;
    const lines: string[] = ['# ring with chords'];
    for (let i = 0; i < n; i++) lines.push(`${i} ${(i + 1) % n}`, `${i} ${(i * 7919 + 13) % n}`);
    const big = join(scratch, 'million.txt');
    writeFileSync(big, lines.join('\n') + '\n');
    const page = await openPage();
    try {
      // The longest gap between timer ticks on the main thread while the job runs, and the
      // progress texts the page showed.
      await page.evaluate(() => {
        const w = window as unknown as { maxGap: number; last: number; ticker: number; phases: string[] };
        w.phases = [];
        new MutationObserver(() => w.phases.push(document.getElementById('phase')!.textContent ?? '')).observe(document.getElementById('phase')!, {
          childList: true, characterData: true, subtree: true,
        });
        w.maxGap = 0;
        w.last = performance.now();
        w.ticker = window.setInterval(() => {
          const now = performance.now();
          // The job's gaps only: the network view drawn after it compiles sigma's WebGL
          // programs on SwiftShader (about 1 s on the main thread, whatever the graph's size).
          if (document.body.dataset.state !== 'done') w.maxGap = Math.max(w.maxGap, now - w.last);
          w.last = now;
        }, 20);
      });
      await upload(page, big);
      await setValue(page, '#hops', '2');
      await setValue(page, '#terminals', '3');
      const state = await run(page, 300_000);
      expect(state, await errorText(page)).toBe('done');
      const maxGap = await page.evaluate(() => {
        const w = window as unknown as { maxGap: number; ticker: number };
        clearInterval(w.ticker);
        return w.maxGap;
      });
      const { result, ranText } = await shown(page);
      const { csr } = await loadGraphFile(big); // the same loader in Node: the same graph
      expect((result as InitiatorEntropyResult).graph).toMatchObject({ nodes: n, edges: edgeCount(csr), directed: false });
      expect(ranText).toContain('1,000,000 nodes');
      // GEXF export is refused above 200k nodes, with a note saying so.
      expect(await page.$eval('#notes', (e) => e.textContent)).toMatch(/GEXF export is offered up to 200,000 nodes/);
      expect(await page.$$eval('#downloads a[download$=".gexf"]', (a) => a.length)).toBe(0);
      // A frozen tab would show gaps of seconds (the parse alone takes longer than that).
      console.log(`million-node job: longest main-thread gap ${maxGap.toFixed(0)} ms`);
      const phases = await page.evaluate(() => (window as unknown as { phases: string[] }).phases);
      expect(phases.some((p) => /reading the graph \d+%/.test(p))).toBe(true);
      expect(phases.some((p) => /reading the graph (\d|[1-8]\d)%/.test(p))).toBe(true); // seen before the end
      expect(phases.some((p) => /computing/.test(p))).toBe(true);
      expect(maxGap).toBeLessThan(1000);
    } finally {
      await page.close();
    }
  }, 600_000);
});

describe('the web page in a browser without WebGPU', () => {
  const noGpu = browserWithoutWebGpu();

  it('says so, falls back to gpu.js on auto, and explains why webgpu cannot run', async () => {
    const { csr } = await loadGraphFile(KARATE);
    const reference = await initiatorEntropy(csr, { hops: 6 });
    const page = await openPage('', { on: noGpu.browser });
    try {
      expect(await page.$eval('#gpu-support', (e) => e.textContent)).toMatch(/no WebGPU|WebGPU but no adapter/);
      await setValue(page, '#example', 'karate.txt');
      await setValue(page, '#hops', '6');
      expect(await run(page), await errorText(page)).toBe('done');
      const { result, backend, ranText } = await shown(page);
      expect(backend.name).toBe('gpujs');
      expect(ranText).toMatch(/Ran on gpujs \(float32, browser worker (webgl2|webgl|cpu)/);
      const r = result as InitiatorEntropyResult;
      expect(r.terminalSelection).toBe('all'); // the library's default for n ≤ 100
      r.hops.forEach((h, t) => expect(Math.abs(h.mean - reference.hops[t].mean)).toBeLessThan(TOLERANCE));

      await setValue(page, '#backend', 'webgpu');
      expect(await run(page)).toBe('error');
      expect(await errorText(page)).toMatch(/WebGPU is not available/);
    } finally {
      await page.close();
    }
  }, 300_000);
});
