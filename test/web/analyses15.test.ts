/**
 * The analyses of issue 15 on the web page, in headless Chromium on the built bundle
 * (dist/web; `npm run build`): the mixing time of a walk on the loaded graph, checked against
 * dense float64 matrix powers and a dense eigen-solver, against the CLI's JSON and CSV, and
 * on the page's float32 engines (WebGPU on SwiftShader where there is no GPU, gpu.js) within
 * float32 tolerance; its notes and errors in the page's words and its parameters in the URL;
 * and the ROC of stream tracing against the library's and a direct count over every pair.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MixingTimeResult } from '../../src/analyses/mixing-time.js';
import { traceRoc, type TraceRocResult } from '../../src/analyses/trace-roc.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { mixJson } from '../../src/report/mix-report.js';
import { denseDistances, denseStationary, jacobiEigenvalues, symmetrised } from '../helpers/dense-mixing.js';
import { denseWalk } from '../helpers/dense-reference.js';
import { downloadNames, errorOf, errorText, fetchDownload, notesOf, run, servePage, setValue, shown, tableOf, upload, waitForEnd } from '../helpers/page.js';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const KARATE = join(ROOT, 'graphs/karate.txt');
/** TV distances from float32 engines against float64 (34 nodes, 30 hops: errors of ~1e-7). */
const TV_TOLERANCE = 1e-5;

const { openPage } = servePage();
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'anonscope-analyses15-'));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The mixing options of the tests, as the page's controls and as the CLI's flags. */
const MIXING = { hops: 30, sources: 12, seed: 3, epsilon: 0.1, lazy: true };

async function chooseMixing(page: Page, backend: string): Promise<void> {
  await setValue(page, '#example', 'karate.txt');
  await page.click('input[name=analysis][value=mixing]');
  await setValue(page, '#backend', backend);
  await setValue(page, '#mixing-hops', String(MIXING.hops));
  await setValue(page, '#sources', String(MIXING.sources));
  await setValue(page, '#mixing-seed', String(MIXING.seed));
  await setValue(page, '#epsilon', String(MIXING.epsilon));
  await page.$eval('#mixing-lazy', (box) => ((box as HTMLInputElement).checked = true));
}

/**
 * The dense float64 reference of the lazy simple walk on karate: each source's TV at every
 * hop (rows of P^t against π), its τ(ε), and λ₂, λ_min and the SLEM by Jacobi rotations.
 */
async function denseKarate(sourceIds: string[]) {
  const { csr } = await loadGraphFile(KARATE);
  const P = denseWalk(csr, 'simple', MIXING.lazy);
  const pi = denseStationary(P);
  const tv = sourceIds.map((id) => denseDistances(P, pi, csr.nodeKeys.indexOf(id), MIXING.hops));
  const tau = sourceIds.map((id, k) => {
    if (1 - pi[csr.nodeKeys.indexOf(id)] <= MIXING.epsilon) return 0;
    const t = tv[k].findIndex((d) => d <= MIXING.epsilon);
    return t < 0 ? null : t + 1;
  });
  const eigenvalues = jacobiEigenvalues(symmetrised(P, pi)); // ascending; the last is 1 (karate is connected)
  const lambda2 = eigenvalues[eigenvalues.length - 2];
  const lambdaMin = eigenvalues[0];
  const meanAt = (t: number) => tv.reduce((sum, row) => sum + row[t], 0) / tv.length;
  const maxAt = (t: number) => Math.max(...tv.map((row) => row[t]));
  return { tv, tau, lambda2, lambdaMin, slem: Math.max(Math.abs(lambda2), Math.abs(lambdaMin)), meanAt, maxAt };
}

function expectMixingLike(r: MixingTimeResult, dense: Awaited<ReturnType<typeof denseKarate>>, tolerance: number, what: string): void {
  expect(r.hops, what).toHaveLength(MIXING.hops);
  r.hops.forEach((h, t) => {
    expect(Math.abs(h.tvMean - dense.meanAt(t)), `${what} hop ${h.hop} TV mean`).toBeLessThanOrEqual(tolerance);
    expect(Math.abs(h.tvMax - dense.maxAt(t)), `${what} hop ${h.hop} TV max`).toBeLessThanOrEqual(tolerance);
  });
  // Lanczos runs in float64 in the worker whatever the engine.
  expect(Math.abs(r.lambda2! - dense.lambda2), `${what} λ₂`).toBeLessThan(1e-8);
  expect(Math.abs(r.lambdaMin! - dense.lambdaMin), `${what} λ_min`).toBeLessThan(1e-8);
  expect(Math.abs(r.slem! - dense.slem), `${what} SLEM`).toBeLessThan(1e-8);
  expect(r.mixingTime.perSource.map((s) => s.tau), `${what} τ per source`).toEqual(dense.tau);
}

describe('mixing time on the page', () => {
  it('the cpu backend gives the dense float64 TV, τ and eigenvalues, and the CLI\'s JSON and CSV; the table, notes, plot and downloads show them', async () => {
    const flags = ['--hops', String(MIXING.hops), '--sources', String(MIXING.sources), '--seed', String(MIXING.seed), '--epsilon', String(MIXING.epsilon), '--lazy', '--backend', 'cpu', '--quiet'];
    const cli = JSON.parse(execFileSync(process.execPath, [CLI, 'mixing', KARATE, ...flags, '--format', 'json'], { encoding: 'utf8' })) as MixingTimeResult;
    const cliCsv = execFileSync(process.execPath, [CLI, 'mixing', KARATE, ...flags, '--format', 'csv'], { encoding: 'utf8' });
    const page = await openPage();
    try {
      await chooseMixing(page, 'cpu');
      expect(await page.$eval('#graph-box', (e) => e.classList.contains('hidden'))).toBe(false);
      await page.evaluate(() => {
        const phases: string[] = ((window as unknown as { phases: string[] }).phases = []);
        const phase = document.getElementById('phase')!;
        new MutationObserver(() => phases.push(phase.textContent ?? '')).observe(phase, { childList: true, characterData: true, subtree: true });
      });
      expect(await run(page), await errorText(page)).toBe('done');
      // The status line named the Lanczos phase after the TV steps.
      const phases = await page.evaluate(() => (window as unknown as { phases: string[] }).phases);
      expect(phases.indexOf(' the eigenvalues (Lanczos)'), phases.join(' | ')).toBeGreaterThan(phases.findIndex((p) => /computing/.test(p)));
      const { result, backend } = await shown<MixingTimeResult>(page);
      expect(backend).toMatchObject({ name: 'cpu', precision: 'float64' });
      const dense = await denseKarate(result.mixingTime.perSource.map((s) => s.id));
      expectMixingLike(result, dense, 1e-12, 'page cpu');
      // The same computation as the CLI's: every number of its JSON (the runtime aside).
      expect({ ...result, runtime: undefined }).toEqual({ ...cli, runtime: undefined });
      expect(await fetchDownload(page, '-hops.csv')).toBe(cliCsv);

      // The table: a row per hop, TV mean in column 2 (6 decimals); the notes: SLEM and τ.
      const means = (await tableOf(page)).slice(1).map((row) => Number(row[1]));
      expect(means).toHaveLength(MIXING.hops);
      means.forEach((mean, t) => expect(Math.abs(mean - dense.meanAt(t))).toBeLessThanOrEqual(5e-7));
      const notes = await notesOf(page);
      expect(notes).toContain(`spectrum: λ₂ ${dense.lambda2.toFixed(6)}, λ_min ${dense.lambdaMin.toFixed(6)}, SLEM ${dense.slem.toFixed(6)}`);
      const mixedTaus = dense.tau.filter((t): t is number => t !== null);
      expect(notes.some((n) => n.startsWith(`τ(${MIXING.epsilon}): mean ${(mixedTaus.reduce((a, b) => a + b, 0) / mixedTaus.length).toFixed(2)}`)), notes.join('\n')).toBe(true);
      expect(notes.some((n) => n.startsWith('SLEM bounds: relaxation time '))).toBe(true);
      expect(notes.join(' ')).not.toMatch(/--[a-z]/);
      // The dangling-node count in the diagnostics; one plot; the downloads named after the run.
      expect(await page.$eval('#diagnostics-list', (e) => e.textContent)).toContain('dangling nodes');
      expect(await page.$$eval('#plots svg', (s) => s.length)).toBe(1);
      await page.waitForSelector('#downloads a[data-zip]');
      const stem = 'karate-mixing-simple-lazy-30hops-sources-12-eps0.1-seed3';
      const downloads = await downloadNames(page);
      expect(downloads).toEqual([`${stem}.zip`, ...['results.json', 'hops.csv', 'sources.csv', 'tv-vs-hops.svg', 'tv-vs-hops.png'].map((name) => `${stem}-${name}`)]);
      expect(JSON.parse(await fetchDownload(page, '-results.json'))).toEqual(result);
      expect(await fetchDownload(page, '-tv-vs-hops.svg')).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*TV distance/);

      // The parameters are in the URL: the link, opened afresh, runs the same job by itself.
      const link = new URL(page.url());
      expect(Object.fromEntries(link.searchParams)).toMatchObject({
        analysis: 'mixing', example: 'karate.txt', backend: 'cpu', 'mixing-hops': '30', sources: '12', 'mixing-seed': '3', epsilon: '0.1', 'mixing-lazy': '1',
      });
      const again = await openPage(link.search);
      try {
        await waitForEnd(again, 120_000);
        expect((await shown<MixingTimeResult>(again)).result.hops).toEqual(result.hops);
      } finally {
        await again.close();
      }
    } finally {
      await page.close();
    }
  }, 300_000);

  for (const backend of ['webgpu', 'gpujs'] as const) {
    it(`${backend} gives the dense float64 TV within float32 tolerance, and the same τ and eigenvalues`, async () => {
      const page = await openPage();
      try {
        await chooseMixing(page, backend);
        expect(await run(page), await errorText(page)).toBe('done');
        const { result, backend: ran } = await shown<MixingTimeResult>(page);
        expect(ran).toMatchObject({ name: backend, precision: 'float32' });
        expectMixingLike(result, await denseKarate(result.mixingTime.perSource.map((s) => s.id)), TV_TOLERANCE, `page ${backend}`);
      } finally {
        await page.close();
      }
    }, 300_000);
  }

  it('notes speak the page\'s language (a periodic walk, a directed graph); bad sources are refused before any work, and leave no result', async () => {
    const square = join(scratch, 'square.txt');
    writeFileSync(square, 'a b\nb c\nc d\nd a\n');
    const page = await openPage();
    try {
      await upload(page, square);
      await page.click('input[name=analysis][value=mixing]');
      await setValue(page, '#backend', 'cpu');
      await setValue(page, '#mixing-hops', '5');
      expect(await run(page), await errorText(page)).toBe('done');
      // The 4-cycle is bipartite: eigenvalues 1, 0, 0, −1; from a corner the walk alternates sides and never mixes.
      const periodic = (await shown<MixingTimeResult>(page)).result;
      expect(periodic.lambdaMin).toBeCloseTo(-1, 10);
      expect(periodic.slem).toBeCloseTo(1, 10);
      expect(periodic.mixingTime).toMatchObject({ notMixed: 4, max: null });
      const notes = await notesOf(page);
      expect(notes).toContain('τ(0.25): mean —, median —, max —; 4 sources not mixed within 5 hops');
      expect(notes).toContain('SLEM = 1 (λ_min = −1: a bipartite component makes the walk periodic): the walk never mixes from some start; a lazy walk ("lazy") is aperiodic');

      // Read as arcs, the cycle a → b → c → d → a is not reversible: no eigenvalues, a note says why.
      await setValue(page, '#direction', 'directed');
      expect(await run(page), await errorText(page)).toBe('done');
      const directed = (await shown<MixingTimeResult>(page)).result;
      expect(directed).toMatchObject({ reversible: false, slem: null, lambda2: null });
      expect((await notesOf(page)).some((n) => n.startsWith('the walk on a directed graph is not reversible: the SLEM bound does not apply'))).toBe(true);

      await setValue(page, '#source-ids', 'a,zz');
      expect(await run(page)).toBe('error');
      expect((await errorOf(page)).kind).toBe('parameter');
      expect(await errorText(page)).toBe('Bad parameters: unknown source id "zz" (not a node of the graph)');
      expect(await page.$eval('#results', (e) => e.classList.contains('hidden') && !(e as HTMLElement).dataset.result)).toBe(true);

      await setValue(page, '#sources', '2');
      expect(await run(page)).toBe('error');
      expect(await errorText(page)).toBe('give sources (a count) or source ids, not both: empty one of them');
      await setValue(page, '#source-ids', '');
      await setValue(page, '#epsilon', '1');
      expect(await run(page)).toBe('error');
      expect(await errorText(page)).toBe('ε must be a number between 0 and 1 (exclusive)');
      await setValue(page, '#epsilon', '0.25');
      await setValue(page, '#mixing-hops', '200000');
      expect(await run(page)).toBe('error');
      expect(await errorText(page)).toBe('mixing hops must be an integer from 1 to 100000');
    } finally {
      await page.close();
    }
  }, 300_000);
});

/** TPR at target FPR α counted directly over every pair: thresholds allowing at most ⌊α·N⌋ false positives. */
function directOperatingPoint(positives: number[], negatives: number[], alpha: number): number {
  const allowed = Math.floor(alpha * negatives.length + 1e-9);
  const descending = [...negatives].sort((a, b) => b - a);
  if (allowed >= descending.length) return 1;
  const bar = descending[allowed]; // the threshold must lie above this negative
  return positives.filter((s) => s > bar).length / positives.length;
}

/** P(S₁ > S₀) + ½ P(S₁ = S₀) over every (positive, negative) pair. */
function directAuc(positives: number[], negatives: number[]): number {
  let wins = 0;
  for (const p of positives) for (const n of negatives) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}

describe('the ROC of stream tracing on the page', () => {
  const ROC = { targets: 60, sweepPackets: [5, 20], seed: 7, signalRate: 50, coverRate: 150 };

  async function chooseRoc(page: Page, backend: string): Promise<void> {
    await page.click('input[name=analysis][value=roc]');
    await setValue(page, '#backend', backend);
    await setValue(page, '#roc-targets', String(ROC.targets));
    await setValue(page, '#roc-packets', ROC.sweepPackets.join(','));
    await setValue(page, '#roc-seed', String(ROC.seed));
  }

  it('the cpu kernels give the library\'s ROC exactly, and its AUC and TPRs equal a direct count over every pair', async () => {
    const reference = await traceRoc({ ...ROC, keepScores: true });
    const page = await openPage();
    try {
      await chooseRoc(page, 'cpu');
      expect(await page.$eval('#graph-box', (e) => e.classList.contains('hidden'))).toBe(true);
      expect(await run(page), await errorText(page)).toBe('done');
      const { result, backend } = await shown<TraceRocResult>(page);
      expect(backend).toMatchObject({ name: 'cpu', precision: 'float64' });
      const withoutScores: TraceRocResult = { ...reference, byPackets: reference.byPackets.map(({ pairScores: _scores, ...point }) => point) };
      expect(result).toEqual(JSON.parse(mixJson(withoutScores)));
      reference.byPackets.forEach((point, k) => {
        const T = ROC.targets;
        const scores = Array.from(point.pairScores!);
        const positives = scores.filter((_s, p) => Math.floor(p / T) === p % T);
        const negatives = scores.filter((_s, p) => Math.floor(p / T) !== p % T);
        const shownPoint = result.byPackets[k];
        expect(shownPoint.auc.value).toBeCloseTo(directAuc(positives, negatives), 12);
        shownPoint.atFpr.forEach((o, i) => expect(o.tpr, `${point.packets} packets, FPR ${result.fprs[i]}`).toBeCloseTo(directOperatingPoint(positives, negatives, result.fprs[i]), 12));
      });
      // The table: a row per packet count with the AUC; two plots (the ROC, and TPR against packets); the CSVs.
      const table = await tableOf(page);
      expect(table[0].slice(0, 5)).toEqual(['packets', 'true', 'false', 'AUC', 'AUC 95% CI']);
      expect(table.slice(1).map((row) => [row[0], row[1], row[2], row[3]])).toEqual(
        reference.byPackets.map((p) => [String(p.packets), String(ROC.targets), String(ROC.targets * (ROC.targets - 1)), p.auc.value.toFixed(4)]),
      );
      expect(await page.$$eval('#plots svg', (s) => s.length)).toBe(2);
      await page.waitForSelector('#downloads a[data-zip]');
      const downloads = await downloadNames(page);
      const stem = 'roc-targets60-packets5-20-seed7';
      expect(downloads).toEqual([`${stem}.zip`, ...['results.json', 'roc.csv', 'roc-curve.csv', 'roc.svg', 'tpr-vs-packets.svg', 'roc.png', 'tpr-vs-packets.png'].map((name) => `${stem}-${name}`)]);
      const csv = (await fetchDownload(page, '-roc.csv')).trim().split('\n');
      expect(csv).toHaveLength(1 + ROC.sweepPackets.length * result.fprs.length);
    } finally {
      await page.close();
    }
  }, 300_000);

  it('on WebGPU (auto) the AUC and TPRs are the library\'s float64 ones within float32 tolerance', async () => {
    const reference = await traceRoc(ROC);
    const page = await openPage();
    try {
      await chooseRoc(page, 'auto');
      expect(await run(page), await errorText(page)).toBe('done');
      const { result, backend } = await shown<TraceRocResult>(page);
      expect(backend).toMatchObject({ name: 'webgpu', precision: 'float32' });
      result.byPackets.forEach((point, k) => {
        const want = reference.byPackets[k];
        expect(point.packets).toBe(want.packets);
        // float32 scores can swap a true and a false pair whose scores are within rounding: a few pairs at most.
        expect(Math.abs(point.auc.value - want.auc.value)).toBeLessThan(1e-3);
        point.atFpr.forEach((o, i) => expect(Math.abs(o.tpr - want.atFpr[i].tpr), `FPR ${o.targetFpr}`).toBeLessThanOrEqual(2 / ROC.targets + 1e-12));
      });
    } finally {
      await page.close();
    }
  }, 300_000);

  it('on a phone (390 px) neither the mixing time\'s nor the ROC\'s controls and results scroll the page sideways', async () => {
    const page = await openPage('', { viewport: { width: 390, height: 844 } });
    const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
    try {
      await chooseMixing(page, 'cpu');
      expect(await pageWidth()).toBeLessThanOrEqual(390);
      expect(await run(page), await errorText(page)).toBe('done');
      expect(await pageWidth()).toBeLessThanOrEqual(390);
      await chooseRoc(page, 'cpu');
      await setValue(page, '#roc-targets', '20');
      expect(await pageWidth()).toBeLessThanOrEqual(390);
      expect(await run(page), await errorText(page)).toBe('done');
      expect(await page.$$eval('#table tr:first-child th', (th) => th.length)).toBe(11); // wide: it scrolls inside itself
      expect(await pageWidth()).toBeLessThanOrEqual(390);
    } finally {
      await page.close();
    }
  }, 300_000);

  it('bad parameters are refused in the page\'s words, by the library\'s checks before the kernels start, and clear the last results', async () => {
    const page = await openPage();
    // After a run the page scrolls smoothly to the results: wait for its files and the scroll to end before the next click.
    const settled = async () => {
      await page.waitForSelector('#downloads a[data-zip]');
      await page.waitForFunction(() => new Promise((stop) => { const y = window.scrollY; requestAnimationFrame(() => requestAnimationFrame(() => stop(window.scrollY === y))); }));
    };
    try {
      await chooseRoc(page, 'cpu');
      await setValue(page, '#roc-targets', '10');
      expect(await run(page), await errorText(page)).toBe('done');
      await settled();
      await chooseRoc(page, 'cpu'); // the analysis chosen again: the page leaves the "done" state
      await setValue(page, '#fprs', '0.1,1');
      expect(await run(page)).toBe('error');
      expect(await errorText(page)).toBe('FPRs: a comma-separated list of numbers between 0 and 1 (exclusive)');
      await setValue(page, '#fprs', '0.1');
      // Checked by the library (its limits, not the page's), in the worker, before the kernels start.
      const cases: [string, string, string][] = [
        ['#roc-targets', '5000', 'Bad parameters: 5000 targets make 25000000 pairs, more than 16777216; use fewer targets'],
        ['#roc-targets', '100001', 'Bad parameters: the number of targets must be an integer in 2..100000, got 100001'],
        ['#roc-packets', '5,2000000', 'Bad parameters: a packet count must be an integer in 1..1000000, got 2000000'],
      ];
      for (const [control, value, message] of cases) {
        await chooseRoc(page, 'cpu');
        expect(await run(page), await errorText(page)).toBe('done');
        await settled();
        await page.$eval('#phase', (phase) => {
          const seen: string[] = [];
          (window as unknown as { phases: string[] }).phases = seen;
          new MutationObserver(() => seen.push(phase.textContent ?? '')).observe(phase, { childList: true, characterData: true, subtree: true });
        });
        await setValue(page, control, value);
        expect(await run(page), `${control} ${value}`).toBe('error');
        expect(await errorText(page)).toBe(message);
        expect(await page.$eval('#error', (e) => (e as HTMLElement).dataset.kind)).toBe('parameter');
        const phases = await page.evaluate(() => (window as unknown as { phases: string[] }).phases);
        expect(phases.some((p) => /kernels|computing/.test(p)), phases.join('|')).toBe(false);
        expect(await page.$eval('#results', (e) => e.classList.contains('hidden') && !(e as HTMLElement).dataset.result)).toBe(true);
        expect(await page.$$eval('#plots svg, #downloads a, #table tr', (e) => e.length)).toBe(0);
      }
      // A good job after a refusal starts the kernels (the status line says so) and runs.
      await chooseRoc(page, 'cpu');
      await page.$eval('#phase', (phase) => {
        const seen: string[] = [];
        (window as unknown as { phases: string[] }).phases = seen;
        new MutationObserver(() => seen.push(phase.textContent ?? '')).observe(phase, { childList: true, characterData: true, subtree: true });
      });
      expect(await run(page), await errorText(page)).toBe('done');
      expect(await page.evaluate(() => (window as unknown as { phases: string[] }).phases)).toContain(' starting the kernels');
    } finally {
      await page.close();
    }
  }, 120_000);
});
