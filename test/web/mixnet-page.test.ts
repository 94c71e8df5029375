/**
 * The Loopix-style mixnet on the web page, in headless Chromium on the built bundle
 * (dist/web; `npm run build`): the page's numbers against the library's for the same options
 * and seed (to the bit on cpu, within float32 tolerance on WebGPU, SwiftShader where there is
 * no GPU), a sweep's rows, charts and files, one exponential mix against Danezis'
 * log2(λe/μ), refused parameters in the page's words with nothing old left on screen, the
 * URL, a 390 px phone, `auto` without WebGPU (gpu.js, as for the other mix analyses), and
 * free routes over the chosen graph (the library's run on the same file, to the bit).
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { mixnetAnonymity, mixnetLawSweep, mixnetSweep, type MixnetOptions, type MixnetResult } from '../../src/analyses/mixnet.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { expDelay, parseDelay } from '../../src/mix/delays.js';
import {
  mixnetCsv, mixnetHeader, mixnetJson, mixnetLawSweepCsv, mixnetLawSweepHeader, mixnetLawSweepJson, mixnetLawSweepRows, mixnetRows, mixnetSweepCsv, mixnetSweepJson,
  mixnetSweepRows,
} from '../../src/report/mixnet-report.js';
import { browserWithoutWebGpu, downloadNames, errorOf, errorText, fetchDownload, fetchZip, notesOf, run, servePage, setValue, shown, tableOf, waitForEnd } from '../helpers/page.js';

/** Per target, the float32 pool means' entropy against float64 (as test/mix/mixnet-engines.test.ts bounds the kernel). */
const ENTROPY_TOLERANCE = 1e-4;

const { openPage } = servePage();

/** A small mixnet with corrupt mixes and all three cover rates: the page's controls, and the library's options. */
const SMALL = { layers: 2, width: 2, corrupt: 0.25, clients: 10, rate: 20, loopRate: 1, dropRate: 0.5, mixLoopRate: 0.5, targets: 10, replications: 3, seed: 5 };
const CONTROLS: Record<keyof typeof SMALL, string> = {
  layers: 'mixnet-layers', width: 'mixnet-width', corrupt: 'mixnet-corrupt', clients: 'mixnet-clients', rate: 'mixnet-rate', loopRate: 'mixnet-loop-rate',
  dropRate: 'mixnet-drop-rate', mixLoopRate: 'mixnet-mix-loop-rate', targets: 'mixnet-targets', replications: 'mixnet-replications', seed: 'mixnet-seed',
};

/** A float32 engine's result on the page against the library's float64 one: the CPU-simulated events exactly, each target's entropy within ENTROPY_TOLERANCE. */
async function expectFloat32Result(page: Page, result: MixnetResult, reference: MixnetResult): Promise<void> {
  // The events are simulated on the CPU in float64: the same packets, targets and delays.
  expect(result.targets).toEqual({ ...reference.targets, unexitedMass: result.targets.unexitedMass });
  expect(result.latency).toEqual(reference.latency);
  expect(result.corrupt).toEqual(reference.corrupt);
  const perTarget = (JSON.parse(await fetchDownload(page, '-results.json')) as { perTarget: (number | null)[] }).perTarget;
  expect(perTarget).toHaveLength(reference.perTarget.length);
  perTarget.forEach((h, t) => {
    const want = reference.perTarget[t];
    if (Number.isNaN(want)) expect(h, `target ${t}`).toBeNull();
    else expect(Math.abs(h! - want), `target ${t}`).toBeLessThanOrEqual(ENTROPY_TOLERANCE);
  });
  expect(Math.abs(result.entropy.mean - reference.entropy.mean)).toBeLessThanOrEqual(ENTROPY_TOLERANCE);
  expect(Math.abs(result.targets.unexitedMass - reference.targets.unexitedMass)).toBeLessThanOrEqual(1e-4);
  expect(Math.abs(result.unlinkability.epsilonMean - reference.unlinkability.epsilonMean)).toBeLessThanOrEqual(1e-3);
  expect(result.unlinkability.delta).toBe(reference.unlinkability.delta);
}

async function chooseMixnet(page: Page, backend: string, options: Partial<typeof SMALL> = SMALL): Promise<void> {
  await page.click('input[name=analysis][value=mixnet]');
  await setValue(page, '#backend', backend);
  for (const [key, value] of Object.entries(options)) await setValue(page, `#${CONTROLS[key as keyof typeof SMALL]}`, String(value));
}

describe('the Loopix mixnet on the page', () => {
  it("cpu: the library's result to the bit, its rows and notes, the entropy CDF, named files and their zip, the URL", async () => {
    const reference = await mixnetAnonymity(SMALL);
    const page = await openPage();
    try {
      await chooseMixnet(page, 'cpu');
      expect(await page.$eval('#graph-box', (e) => e.classList.contains('hidden'))).toBe(true);
      expect(await run(page), await errorText(page)).toBe('done');
      const { result, backend } = await shown<MixnetResult>(page);
      expect(backend).toMatchObject({ name: 'cpu', precision: 'float64' });
      expect(result).toEqual(JSON.parse(mixnetJson(reference)));
      expect(result.corrupt.mixes).toHaveLength(1); // round(0.25 · 4)
      expect(result.rate.total).toBeCloseTo(20 + 10 * (1 + 0.5) + 4 * 0.5, 12);

      expect(await tableOf(page)).toEqual([['measure', 'value'], ...mixnetRows(reference)]);
      const notes = await notesOf(page);
      expect(notes).toEqual([
        ...mixnetHeader(reference),
        `mass still inside at the end: ${reference.targets.unexitedMass.toPrecision(3)} of each target's (a longer cool-down if this is not small)`,
      ]);
      expect(notes.join(' ')).not.toMatch(/--[a-z]/);
      expect(await page.$$eval('#plots svg', (s) => s.length)).toBe(1);

      await page.waitForSelector('#downloads a[data-zip]');
      const stem = 'mixnet-stratified-2x2-corrupt0.25-clients10-rate20-delayexp-1-loop1-drop0.5-mixloop0.5-targets10-reps3-seed5';
      const files = ['results.json', 'mixnet.csv', 'mixnet-entropy-cdf.svg', 'mixnet-entropy-cdf.png'].map((name) => `${stem}-${name}`);
      expect(await downloadNames(page)).toEqual([`${stem}.zip`, ...files]);
      // results.json is the CLI's --out file: every target's entropy with the summary.
      expect(await fetchDownload(page, '-results.json')).toBe(`${mixnetJson(reference, { perTarget: true })}\n`);
      expect(await fetchDownload(page, '-mixnet.csv')).toBe(mixnetCsv(reference));
      expect(await fetchDownload(page, '-mixnet-entropy-cdf.svg')).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*Mixnet sender anonymity/);
      const zip = await fetchZip(page);
      expect(Object.keys(zip).sort()).toEqual([...files].sort());
      expect([...zip[`${stem}-mixnet-entropy-cdf.png`].subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);

      // The parameters are in the URL: the link, opened afresh, runs the same job by itself.
      const link = new URL(page.url());
      expect(Object.fromEntries(link.searchParams)).toMatchObject({
        analysis: 'mixnet', backend: 'cpu', 'mixnet-layers': '2', 'mixnet-width': '2', 'mixnet-corrupt': '0.25', 'mixnet-clients': '10', 'mixnet-rate': '20',
        'mixnet-loop-rate': '1', 'mixnet-drop-rate': '0.5', 'mixnet-mix-loop-rate': '0.5', 'mixnet-targets': '10', 'mixnet-replications': '3', 'mixnet-seed': '5',
      });
      const again = await openPage(link.search);
      try {
        await waitForEnd(again, 120_000);
        expect((await shown<MixnetResult>(again)).result).toEqual(result);
      } finally {
        await again.close();
      }
    } finally {
      await page.close();
    }
  }, 300_000);

  it("cpu, a sweep over the rate: the library's sweep, its progress in the status line, a row per value, entropy and latency against λ/μ, the CDFs; the rate control is not read", async () => {
    const base = { ...SMALL, corrupt: 0, loopRate: 0, dropRate: 0, mixLoopRate: 0, rate: undefined };
    const rates = [10, 40];
    const reference = await mixnetSweep({ ...base, parameter: 'rate', values: rates });
    const page = await openPage();
    try {
      const { rate: _rate, ...controls } = base;
      await chooseMixnet(page, 'cpu', controls);
      await setValue(page, '#mixnet-rate', '0'); // refused were it read
      await setValue(page, '#mixnet-sweep', 'rate');
      await setValue(page, '#mixnet-sweep-values', rates.join(','));
      // Every phase the status line shows: the kernels starting, then the sweep's progress (a value done of two).
      await page.$eval('#phase', (phase) => {
        const seen: string[] = [];
        (window as unknown as { phases: string[] }).phases = seen;
        new MutationObserver(() => seen.push(phase.textContent ?? '')).observe(phase, { childList: true, characterData: true, subtree: true });
      });
      expect(await run(page), await errorText(page)).toBe('done');
      const phases = await page.evaluate(() => (window as unknown as { phases: string[] }).phases);
      expect(phases.filter((p) => p !== ' starting')).toEqual([' starting the kernels', ' computing 50%', ' computing 100%', ' done']);
      const { result } = await shown<unknown>(page);
      expect(result).toEqual(JSON.parse(mixnetSweepJson(reference)));
      expect(await tableOf(page)).toEqual(mixnetSweepRows(reference));
      // Entropy grows with the load λ·E[D] (10 → 40 real messages per mean hop delay).
      expect(reference.points[1].entropy.mean).toBeGreaterThan(reference.points[0].entropy.mean);
      const titles = await page.$$eval('#plots figure', (figures) => figures.map((f) => f.getAttribute('aria-label')));
      expect(titles).toEqual(['Entropy against rate', 'Latency against rate', 'CDF of the entropy']);
      expect(await page.$eval('#plots', (p) => p.textContent)).toContain('log2(λe/μ)');
      await page.waitForSelector('#downloads a[data-zip]');
      const stem = 'mixnet-stratified-2x2-clients10-delayexp-1-targets10-reps3-seed5-sweep-rate-10-40';
      const names = ['results.json', 'mixnet.csv', 'mixnet-entropy-vs-rate.svg', 'mixnet-latency-vs-rate.svg', 'mixnet-entropy-cdf.svg'];
      expect(await downloadNames(page)).toEqual([`${stem}.zip`, ...names.map((n) => `${stem}-${n}`), ...names.slice(2).map((n) => `${stem}-${n.replace(/svg$/, 'png')}`)]);
      expect(await fetchDownload(page, '-mixnet.csv')).toBe(mixnetSweepCsv(reference));
      expect(new URL(page.url()).searchParams.get('mixnet-sweep')).toBe('rate');
    } finally {
      await page.close();
    }
  }, 300_000);

  it("cpu, a sweep over the rate for several delay laws (the delay control, ';' between laws): each law the library's sweep of it alone, a row per (law, value), a line per law, the files", async () => {
    const { rate: _rate, ...controls } = { ...SMALL, corrupt: 0, loopRate: 0, dropRate: 0, mixLoopRate: 0, replications: 2 };
    const specs = ['exp:1', 'erlang:3,3', 'uniform:0,2'];
    const rates = [10, 40];
    const laws = await Promise.all(specs.map((spec) => parseDelay(spec)));
    const reference = await mixnetLawSweep({ ...controls, laws, parameter: 'rate', values: rates });
    const page = await openPage();
    try {
      await chooseMixnet(page, 'cpu', controls);
      await setValue(page, '#mixnet-delay', specs.join('; '));
      await setValue(page, '#mixnet-sweep', 'rate');
      await setValue(page, '#mixnet-sweep-values', rates.join(','));
      expect(await run(page), await errorText(page)).toBe('done');
      const { result } = await shown<{ laws: string[]; points: (Record<string, unknown> & { law: string; value: number })[] }>(page);
      expect(result).toEqual(JSON.parse(mixnetLawSweepJson(reference)));
      expect(result.laws).toEqual(specs);
      // Each law's points: what the single-law sweep of that law alone gives, to the bit.
      for (const [k, delay] of laws.entries()) {
        const alone = JSON.parse(mixnetSweepJson(await mixnetSweep({ ...controls, delay, parameter: 'rate', values: rates }))).points;
        expect(result.points.filter((p) => p.law === specs[k]).map(({ law: _law, value: _value, ...point }) => point)).toEqual(alone);
      }
      expect(await tableOf(page)).toEqual(mixnetLawSweepRows(reference));
      expect(await notesOf(page)).toEqual(mixnetLawSweepHeader(reference));
      const titles = await page.$$eval('#plots figure', (figures) => figures.map((f) => f.getAttribute('aria-label')));
      expect(titles).toEqual(['Entropy against rate, per delay law', 'Latency against rate, per delay law', 'CDF of the entropy']);
      // The chart's own text, without the tip that follows the pointer (it repeats a series' name when the pointer is over the chart).
      const entropyText = await page.$eval('#plots figure svg', (svg) => {
        const chart = svg.cloneNode(true) as Element;
        chart.querySelectorAll('[aria-label="tip"]').forEach((tip) => tip.remove());
        return chart.textContent ?? '';
      });
      for (const spec of specs) expect(entropyText).toContain(`${spec} 95% CI`);
      expect(entropyText.split('log2(λe/μ)').length - 1).toBe(1);
      await page.waitForSelector('#downloads a[data-zip]');
      const stem = 'mixnet-stratified-2x2-clients10-delayexp-1-erlang-3-3-uniform-0-2-targets10-reps2-seed5-sweep-rate-10-40';
      const names = ['results.json', 'mixnet.csv', 'mixnet-entropy-vs-rate.svg', 'mixnet-latency-vs-rate.svg', 'mixnet-entropy-cdf.svg'];
      expect(await downloadNames(page)).toEqual([`${stem}.zip`, ...names.map((n) => `${stem}-${n}`), ...names.slice(2).map((n) => `${stem}-${n.replace(/svg$/, 'png')}`)]);
      expect(await fetchDownload(page, '-mixnet.csv')).toBe(mixnetLawSweepCsv(reference));
      expect(await fetchDownload(page, '-results.json')).toBe(`${mixnetLawSweepJson(reference, { perTarget: true })}\n`);

      // Several laws without a sweep, or one bad law among them: refused before any work, nothing old left.
      const refusals: [string, string, RegExp][] = [
        ['', specs.join('; '), /^Bad parameters: the delay holds 3 laws: several laws \(separated by ";"\) need a sweep, one line per law$/],
        ['rate', 'exp:1; erlang:0,1', /^Bad parameters: delay "erlang:0,1": .*k must be an integer in 1\.\.1000, got 0$/],
        ['rate', 'exp:1; exp:1', /^Bad parameters: the delay law exp:1 is given twice$/],
      ];
      for (const [sweep, delay, message] of refusals) {
        await setValue(page, '#mixnet-sweep', sweep);
        await setValue(page, '#mixnet-delay', delay);
        expect(await run(page), delay).toBe('error');
        expect(await errorText(page)).toMatch(message);
        expect(await page.$eval('#results', (e) => e.classList.contains('hidden') && !(e as HTMLElement).dataset.result)).toBe(true);
        expect(await page.$$eval('#plots svg, #downloads a, #table tr', (e) => e.length)).toBe(0);
      }
    } finally {
      await page.close();
    }
  }, 300_000);

  it("WebGPU (auto) and gpu.js: the library's float64 result within float32 tolerance, the event logic's numbers exactly", async () => {
    const reference = await mixnetAnonymity(SMALL);
    const page = await openPage();
    try {
      for (const [choice, engine] of [['auto', 'webgpu'], ['gpujs', 'gpujs']]) {
        await chooseMixnet(page, choice);
        expect(await run(page), await errorText(page)).toBe('done');
        const { result, backend } = await shown<MixnetResult>(page);
        expect(backend).toMatchObject({ name: engine, precision: 'float32' });
        expect(result.kernels).toBe(engine);
        await expectFloat32Result(page, result, reference);
      }
    } finally {
      await page.close();
    }
  }, 300_000);

  it("free routes over the chosen graph: the graph box shown for them only, the library's run on the same file to the bit, its name in the files; no graph refused", async () => {
    const { csr } = await loadGraphFile(fileURLToPath(new URL('../../graphs/karate.txt', import.meta.url)));
    const options = { layers: 3, corrupt: 0.1, clients: 10, rate: 20, mixLoopRate: 0.2, targets: 8, replications: 2, seed: 4 };
    const reference = await mixnetAnonymity({ ...options, topology: 'free', graph: csr, graphName: 'karate.txt' });
    const page = await openPage();
    try {
      const { width: _width, ...controls } = { ...SMALL, ...options, loopRate: 0, dropRate: 0 };
      await chooseMixnet(page, 'cpu', controls);
      await setValue(page, '#mixnet-width', '0'); // refused were it read
      const graphBoxHidden = () => page.$eval('#graph-box', (e) => e.classList.contains('hidden'));
      expect(await graphBoxHidden()).toBe(true);
      await setValue(page, '#mixnet-topology', 'free');
      expect(await graphBoxHidden()).toBe(false);
      expect(await run(page)).toBe('error');
      expect(await errorText(page)).toBe('Free routes walk on a graph: choose one first (a file, or the example).');
      await setValue(page, '#example', 'karate.txt');
      expect(await run(page), await errorText(page)).toBe('done');
      const { result } = await shown<MixnetResult>(page);
      expect(result).toEqual(JSON.parse(mixnetJson(reference)));
      expect(result.topology).toMatchObject({ kind: 'free', mixes: 34, graph: { name: 'karate.txt', nodes: 34, edges: 78, directed: false } });
      expect((await notesOf(page))[0]).toBe(mixnetHeader(reference)[0]);
      expect((await notesOf(page))[0]).toMatch(/^mixnet: free routes of 3 hops over the 34 nodes of karate\.txt \(3 corrupt\)/);
      expect(await page.$eval('#ran', (e) => e.textContent)).toMatch(/graph: 34 nodes, 78 edges/);
      await page.waitForSelector('#downloads a[data-zip]');
      expect((await downloadNames(page))[0]).toBe('karate-mixnet-free-3hops-corrupt0.1-clients10-rate20-delayexp-1-mixloop0.2-targets8-reps2-seed4.zip');
      // The link names the example and the topology: opened afresh, it runs the same job by itself.
      const link = new URL(page.url());
      expect(Object.fromEntries(link.searchParams)).toMatchObject({ analysis: 'mixnet', example: 'karate.txt', 'mixnet-topology': 'free' });
      const again = await openPage(link.search);
      try {
        await again.waitForSelector('body[data-state=done], body[data-state=error]', { timeout: 120_000 });
        expect((await shown<MixnetResult>(again)).result).toEqual(result);
      } finally {
        await again.close();
      }
      await setValue(page, '#mixnet-topology', 'stratified');
      expect(await graphBoxHidden()).toBe(true);
    } finally {
      await page.close();
    }
  }, 300_000);

  it("one mix with Poisson input and exponential delay (μ from its control): Danezis' log2(λe/μ)", async () => {
    // One target per replication, so that the targets are independent and the CI is that of
    // their mean; the closed form is the large-load limit, the metric's finite-load term O(μ/λ) bits.
    const [lambda, mu, replications] = [60, 2, 300];
    const page = await openPage();
    try {
      await chooseMixnet(page, 'cpu', { layers: 1, width: 1, clients: 2, rate: lambda, targets: 1, replications, seed: 3 });
      await setValue(page, '#mixnet-mu', String(mu));
      expect(await run(page), await errorText(page)).toBe('done');
      const { result } = await shown<MixnetResult>(page);
      expect(result.delay).toMatchObject({ spec: `exp:${mu}`, mean: 1 / mu });
      expect(result.targets.sent).toBe(replications);
      expect(result.targets.unexitedMass).toBeLessThan(1e-3);
      const se = (result.entropy.ci95[1] - result.entropy.ci95[0]) / (2 * 1.959963984540054);
      const closed = Math.log2((lambda * Math.E) / mu);
      expect(Math.abs(result.entropy.mean - closed), `${result.entropy.mean} against ${closed}`).toBeLessThan(3 * se + (2 * mu) / lambda);
      // The same run from the library, with the delay law given as the page's μ scales it.
      const options: MixnetOptions = { layers: 1, width: 1, clients: 2, rate: lambda, targets: 1, replications, seed: 3, delay: expDelay(mu) };
      expect(result.entropy).toEqual(JSON.parse(mixnetJson(await mixnetAnonymity(options))).entropy);
    } finally {
      await page.close();
    }
  }, 300_000);

  it("bad parameters are refused in the page's words, before any work, and clear the last results", async () => {
    const page = await openPage();
    try {
      await chooseMixnet(page, 'cpu');
      expect(await run(page), await errorText(page)).toBe('done');
      const cases: [string, string, string][] = [
        ['#mixnet-layers', '0', 'Bad parameters: layers must be an integer in 1..64, got 0'],
        ['#mixnet-clients', '1', 'Bad parameters: clients must be an integer in 2..1000000000, got 1'],
        ['#mixnet-corrupt', '1.5', 'Bad parameters: the corrupt share must be in [0, 1], got 1.5'],
        ['#mixnet-targets', '2.5', 'Bad parameters: targets must be an integer in 1..100000, got 2.5'],
      ];
      for (const [control, value, message] of cases) {
        await chooseMixnet(page, 'cpu');
        await setValue(page, control, value);
        expect(await run(page), control).toBe('error');
        expect(await errorText(page)).toBe(message);
        expect((await errorOf(page)).kind).toBe('parameter');
        expect(await page.$eval('#results', (e) => e.classList.contains('hidden') && !(e as HTMLElement).dataset.result)).toBe(true);
        expect(await page.$$eval('#plots svg, #downloads a, #table tr', (e) => e.length)).toBe(0);
      }
      await chooseMixnet(page, 'cpu');
      await setValue(page, '#mixnet-rate', '1e6');
      expect(await run(page)).toBe('error');
      expect(await errorText(page)).toMatch(/^Bad parameters: about [\d.e+]+ events per replication is too many \(at most 25000000\); lower the rates/);
      await setValue(page, '#mixnet-rate', '20');
      await setValue(page, '#mixnet-sweep', 'layers');
      await setValue(page, '#mixnet-sweep-values', '');
      expect(await run(page)).toBe('error');
      expect(await errorText(page)).toBe('sweep values: a comma-separated list of numbers, one run per value of layers');
      // Every point of a sweep is checked before the first runs.
      await setValue(page, '#mixnet-sweep-values', '1,2,65');
      expect(await run(page)).toBe('error');
      expect(await errorText(page)).toBe('Bad parameters: layers must be an integer in 1..64, got 65');
    } finally {
      await page.close();
    }
  }, 300_000);

  it('a phone (390 px): the mixnet controls (stratified and free routes) and a sweep\'s results do not scroll sideways', async () => {
    const page = await openPage('', { viewport: { width: 390, height: 844 } });
    try {
      await chooseMixnet(page, 'cpu', { ...SMALL, replications: 1 });
      await setValue(page, '#mixnet-sweep', 'width');
      await setValue(page, '#mixnet-sweep-values', '1,2');
      expect(await run(page), await errorText(page)).toBe('done');
      await page.waitForSelector('#downloads a[data-zip]');
      const layout = await page.evaluate(() => {
        const visible = (e: Element) => (e as HTMLElement).offsetParent !== null;
        const overflowing = Array.from(document.querySelectorAll('body *'))
          .filter((e) => visible(e) && e.getBoundingClientRect().right > 390.5 && !e.closest('.scroll'))
          .map((e) => `${e.tagName.toLowerCase()}#${e.id} (${Math.round(e.getBoundingClientRect().right)} px)`);
        const controls = Array.from(document.querySelectorAll('[data-for="mixnet"] input, [data-for="mixnet"] select'));
        return { scrollWidth: document.documentElement.scrollWidth, overflowing, controls: controls.length, shown: controls.filter(visible).length };
      });
      // Every mixnet control but free routes' entry weights file (stratified here).
      expect(layout.controls).toBe(21);
      expect(layout.shown).toBe(20);
      expect(layout.scrollWidth, layout.overflowing.join('; ')).toBeLessThanOrEqual(390);
      expect(layout.overflowing).toEqual([]);
      // Free routes: the graph box and the entry weights file show, the width and weights list hide; nothing scrolls sideways either.
      await setValue(page, '#mixnet-topology', 'free');
      const free = await page.evaluate(() => {
        const visible = (id: string) => document.getElementById(id)!.offsetParent !== null;
        const overflowing = Array.from(document.querySelectorAll('body *')).filter((e) => (e as HTMLElement).offsetParent !== null && e.getBoundingClientRect().right > 390.5 && !e.closest('.scroll'));
        return { scrollWidth: document.documentElement.scrollWidth, overflowing: overflowing.length, entry: visible('mixnet-entry-weights'), weights: visible('mixnet-weights'), graph: visible('graph-box') };
      });
      expect(free).toEqual({ scrollWidth: free.scrollWidth, overflowing: 0, entry: true, weights: false, graph: true });
      expect(free.scrollWidth).toBeLessThanOrEqual(390);
    } finally {
      await page.close();
    }
  }, 300_000);
});

describe('the mixnet in a browser without WebGPU', () => {
  const noGpu = browserWithoutWebGpu();

  it("auto without WebGPU runs gpu.js, as the other mix analyses do: the library's result within float32 tolerance", async () => {
    const reference = await mixnetAnonymity(SMALL);
    const page = await openPage('', { on: noGpu.browser });
    try {
      await chooseMixnet(page, 'auto');
      expect(await run(page), await errorText(page)).toBe('done');
      const { result, backend } = await shown<MixnetResult>(page);
      expect(backend).toMatchObject({ name: 'gpujs', precision: 'float32' });
      await expectFloat32Result(page, result, reference);
    } finally {
      await page.close();
    }
  }, 300_000);

  it("auto without WebGPU runs free routes on the CPU, not gpu.js (a pass per level of the pools' chains): the library's cpu run to the bit", async () => {
    const { csr } = await loadGraphFile(fileURLToPath(new URL('../../graphs/karate.txt', import.meta.url)));
    const options = { layers: 3, clients: 10, rate: 20, targets: 6, replications: 2, seed: 2 };
    const reference = await mixnetAnonymity({ ...options, topology: 'free', graph: csr, graphName: 'karate.txt' });
    const page = await openPage('', { on: noGpu.browser });
    try {
      const { width: _width, ...controls } = { ...SMALL, ...options, corrupt: 0, loopRate: 0, dropRate: 0, mixLoopRate: 0 };
      await chooseMixnet(page, 'auto', controls);
      await setValue(page, '#mixnet-topology', 'free');
      await setValue(page, '#example', 'karate.txt');
      expect(await run(page), await errorText(page)).toBe('done');
      const { result, backend } = await shown<MixnetResult>(page);
      expect(backend).toMatchObject({ name: 'cpu', precision: 'float64' });
      expect(result).toEqual(JSON.parse(mixnetJson(reference)));
    } finally {
      await page.close();
    }
  }, 300_000);
});
