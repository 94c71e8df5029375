/**
 * The mixnet's weights on the web page, in headless Chromium on the built bundle (dist/web;
 * `npm run build`): a stratified mixnet's bandwidth weights (the "weights" list) and free
 * routes' entry weights (the "entry weights" file, "node weight" lines) give the library's
 * result for the same options to the bit on cpu; each control shows for its topologies only
 * and the other is not read; the list is in the link, the file is not; the files are named
 * after the weights; bad weights are refused in the page's words, before the kernels start,
 * with nothing old left on screen. And in Node: the weighted runs' download names.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { mixnetAnonymity, type MixnetResult } from '../../src/analyses/mixnet.js';
import { Checksum } from '../../src/graph/checksum.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { mixnetJson } from '../../src/report/mixnet-report.js';
import { downloadStem } from '../../src/web/downloads.js';
import type { MixnetParams, RunRequest } from '../../src/web/protocol.js';
import { downloadNames, errorOf, errorText, run, servePage, setValue, shown, upload, waitForEnd } from '../helpers/page.js';
import { scratchFolder } from '../helpers/scratch.js';

const { openPage } = servePage();

const { file } = scratchFolder('mixnet-weights');

/** A 2 × 3 stratified mixnet; the weights give one mix of layer 1 weight 0 (never picked) and favour others. */
const STRATIFIED = { layers: 2, width: 3, clients: 10, rate: 20, targets: 10, replications: 3, seed: 5 };
const WEIGHTS = [3, 1, 0, 1, 1, 2];
/** Free routes over karate, entered at three of its nodes only. */
const FREE = { layers: 3, clients: 10, rate: 20, targets: 8, replications: 2, seed: 4 };
const ENTRY_FILE = '# entry weights of three karate members\n0 5\n33\t2.5\n\n5,1\n';
const ENTRY_WEIGHTS = new Map([['0', 5], ['33', 2.5], ['5', 1]]);

const CONTROLS: Record<string, string> = {
  layers: 'mixnet-layers', width: 'mixnet-width', clients: 'mixnet-clients', rate: 'mixnet-rate', targets: 'mixnet-targets', replications: 'mixnet-replications', seed: 'mixnet-seed',
};

async function chooseMixnet(page: Page, options: Record<string, number>): Promise<void> {
  await page.click('input[name=analysis][value=mixnet]');
  await setValue(page, '#backend', 'cpu');
  for (const [key, value] of Object.entries(options)) await setValue(page, `#${CONTROLS[key]}`, String(value));
}

const hidden = (page: Page, id: string) => page.$eval(`#${id}`, (e) => e.closest('label')!.classList.contains('hidden'));

/** Whether nothing of an earlier run is on screen. */
const resultsCleared = (page: Page) =>
  page.evaluate(() => {
    const results = document.getElementById('results')!;
    return results.classList.contains('hidden') && !results.dataset.result && document.querySelectorAll('#plots svg, #downloads a, #table tr').length === 0;
  });

/** Record every text the status line shows from now on (to see whether the kernels started). */
const watchPhases = (page: Page) =>
  page.$eval('#phase', (phase) => {
    const seen: string[] = [];
    (window as unknown as { phases: string[] }).phases = seen;
    new MutationObserver(() => seen.push(phase.textContent ?? '')).observe(phase, { childList: true, characterData: true, subtree: true });
  });
const phasesSeen = (page: Page) => page.evaluate(() => (window as unknown as { phases: string[] }).phases);

describe('the mixnet weights on the page', () => {
  it("stratified: the weights list gives the library's weighted run to the bit, is in the link and the file names; the entry weights file shows for free routes only", async () => {
    const reference = await mixnetAnonymity({ ...STRATIFIED, weights: WEIGHTS });
    const uniform = await mixnetAnonymity(STRATIFIED);
    const page = await openPage();
    try {
      await chooseMixnet(page, STRATIFIED);
      expect(await hidden(page, 'mixnet-weights')).toBe(false);
      expect(await hidden(page, 'mixnet-entry-weights')).toBe(true);
      await setValue(page, '#mixnet-weights', WEIGHTS.join(', '));
      expect(await run(page), await errorText(page)).toBe('done');
      const { result } = await shown<MixnetResult>(page);
      expect(result).toEqual(JSON.parse(mixnetJson(reference)));
      expect(result.topology.routing).toBe('weighted');
      // The weights were read: the uniform run of the same seed is another one.
      expect(result.entropy).not.toEqual(JSON.parse(mixnetJson(uniform)).entropy);

      await page.waitForSelector('#downloads a[data-zip]');
      const stem = 'mixnet-stratified-2x3-weights3-1-0-1-1-2-clients10-rate20-delayexp-1-targets10-reps3-seed5';
      expect(await downloadNames(page)).toEqual([`${stem}.zip`, ...['results.json', 'mixnet.csv', 'mixnet-entropy-cdf.svg', 'mixnet-entropy-cdf.png'].map((name) => `${stem}-${name}`)]);

      // The list is in the link: opened afresh, it runs the same weighted job by itself.
      const link = new URL(page.url());
      expect(link.searchParams.get('mixnet-weights')).toBe(WEIGHTS.join(', '));
      const again = await openPage(link.search);
      try {
        expect(await waitForEnd(again, 120_000), await errorText(again)).toBe('done');
        expect((await shown<MixnetResult>(again)).result).toEqual(result);
      } finally {
        await again.close();
      }

      await setValue(page, '#mixnet-topology', 'cascade');
      expect(await hidden(page, 'mixnet-weights')).toBe(false);
      expect(await hidden(page, 'mixnet-entry-weights')).toBe(true);
      await setValue(page, '#mixnet-topology', 'free');
      expect(await hidden(page, 'mixnet-weights')).toBe(true);
      expect(await hidden(page, 'mixnet-entry-weights')).toBe(false);
    } finally {
      await page.close();
    }
  }, 300_000);

  it("free routes over karate with an entry weights file: the library's run with those node weights to the bit; the weights list is not read; the file is named in the downloads, not in the link", async () => {
    const { csr } = await loadGraphFile(fileURLToPath(new URL('../../graphs/karate.txt', import.meta.url)));
    const reference = await mixnetAnonymity({ ...FREE, topology: 'free', graph: csr, graphName: 'karate.txt', nodeWeights: ENTRY_WEIGHTS });
    const page = await openPage();
    try {
      await chooseMixnet(page, FREE);
      await setValue(page, '#mixnet-weights', 'not read'); // refused were it read
      await setValue(page, '#mixnet-topology', 'free');
      await setValue(page, '#example', 'karate.txt');
      await upload(page, file('karate-entry.txt', ENTRY_FILE), '#mixnet-entry-weights');
      expect(await run(page), await errorText(page)).toBe('done');
      const { result } = await shown<MixnetResult>(page);
      expect(result).toEqual(JSON.parse(mixnetJson(reference)));
      expect(result.topology).toMatchObject({ kind: 'free', mixes: 34, routing: 'weighted' });
      await page.waitForSelector('#downloads a[data-zip]');
      expect((await downloadNames(page))[0]).toBe('karate-mixnet-free-3hops-entry-weights-karate-entry-clients10-rate20-delayexp-1-targets8-reps2-seed4.zip');
      const link = new URL(page.url());
      expect(link.searchParams.get('mixnet-topology')).toBe('free');
      expect([...link.searchParams.keys()].filter((name) => /entry/.test(name))).toEqual([]);
    } finally {
      await page.close();
    }
  }, 300_000);

  it("bad weights are refused in the page's words before the kernels start, and clear the last results", async () => {
    const page = await openPage();
    try {
      await chooseMixnet(page, STRATIFIED);
      expect(await run(page), await errorText(page)).toBe('done');
      const listCases: [string, string, string][] = [
        ['1,1,1,1,1', '', 'Bad parameters: 5 weights for 2 × 3 = 6 mixes (give one per mix, layer by layer)'],
        ['0,0,0,1,1,1', '', 'Bad parameters: every mix of layer 1 has weight 0, so no route could cross it'],
        ['1,1,-1,1,1,1', '', 'Bad parameters: weight 3 must be a finite number >= 0, got -1'],
        ['1,1,x,1,1,1', '', 'weights: "x" is not a number (give one weight per mix, comma-separated, layer by layer)'],
        ['1,1,1,1,1,1', 'layers', 'weights cannot go with a sweep over layers: there is one weight per mix, and the number of mixes changes'],
      ];
      for (const [weights, sweep, message] of listCases) {
        await setValue(page, '#mixnet-weights', weights);
        await setValue(page, '#mixnet-sweep', sweep);
        await setValue(page, '#mixnet-sweep-values', sweep ? '1,2' : '');
        await watchPhases(page);
        expect(await run(page), weights).toBe('error');
        // The library's refusals come from the worker (kind parameter); a list that is not numbers, or a sweep that changes the mixes, from the page itself.
        expect(await errorOf(page)).toEqual({ text: message, kind: message.startsWith('Bad parameters: ') ? 'parameter' : undefined });
        expect(await resultsCleared(page)).toBe(true);
        expect(await phasesSeen(page)).not.toContain(' starting the kernels');
      }

      // Free routes over karate: the entry weights file, read and checked against the graph.
      await setValue(page, '#mixnet-sweep', '');
      await setValue(page, '#mixnet-topology', 'free');
      await setValue(page, '#example', 'karate.txt');
      await chooseMixnet(page, FREE);
      const fileCases: [string, string, string, 'parameter' | 'format'][] = [
        ['unknown-node.txt', '0 1\n34 2\n', 'The file does not parse: unknown-node.txt:2: node "34" is not in karate.txt (its nodes are named by their keys: "0", "1", "2", …)', 'format'],
        ['three-columns.txt', '0 1\n33 2 extra\n', 'The file does not parse: three-columns.txt:2: expected "node weight", found 3 columns', 'format'],
        ['all-zero.txt', '0 0\n33 0\n', 'Bad parameters: every node has weight 0, so no route could enter', 'parameter'],
      ];
      for (const [name, text, message, kind] of fileCases) {
        // A result on screen first (no file: uniform entry), which the refusal must clear.
        await page.$eval('#mixnet-entry-weights', (e) => ((e as HTMLInputElement).value = ''));
        expect(await run(page), await errorText(page)).toBe('done');
        await upload(page, file(name, text), '#mixnet-entry-weights');
        await watchPhases(page);
        expect(await run(page), name).toBe('error');
        expect(await errorOf(page)).toEqual({ text: message, kind });
        expect(await resultsCleared(page)).toBe(true);
        expect(await phasesSeen(page)).not.toContain(' starting the kernels');
      }
    } finally {
      await page.close();
    }
  }, 300_000);
});

describe('the download names of weighted mixnet runs', () => {
  const stemOf = (params: Partial<MixnetParams>) => downloadStem({ type: 'run', analysis: 'mixnet', backend: 'cpu', params: { topology: 'stratified', delay: '', layers: 3, width: 5, seed: 1, ...params } } as RunRequest, undefined);

  it('up to 12 weights named in full, more by their count and the checksum of their float64 bits; an unweighted name unchanged', () => {
    expect(stemOf({})).toBe('mixnet-stratified-3x5-seed1');
    const twelve = [1, 2, 0.5, 0, 1, 1, 1, 1, 1, 1, 1, 3];
    expect(stemOf({ layers: 2, width: 6, weights: twelve })).toBe(`mixnet-stratified-2x6-weights${twelve.join('-')}-seed1`);
    const fifteen = Array.from({ length: 15 }, (_, i) => i + 1);
    const sum = new Checksum().floats(Float64Array.from(fifteen)).hex().slice(0, 8);
    expect(stemOf({ weights: fifteen })).toBe(`mixnet-stratified-3x5-weights15-${sum}-seed1`);
    // One weight changed (by one ulp): another name.
    const nudged = fifteen.map((w, i) => (i === 7 ? w * (1 + 2 ** -52) : w));
    expect(nudged[7]).not.toBe(fifteen[7]);
    expect(stemOf({ weights: nudged })).not.toBe(stemOf({ weights: fifteen }));
  });

  it('an entry weights file by its name without extensions', () => {
    const entry = new File(['0 1\n'], 'nym-bandwidth.tsv.gz');
    expect(downloadStem({ type: 'run', analysis: 'mixnet', backend: 'cpu', source: { kind: 'url', url: 'x', name: 'karate.txt' }, reading: { component: 'all' }, params: { topology: 'free', delay: '', layers: 3, entryWeights: entry } }, 'karate.txt'))
      .toBe('karate-mixnet-free-3hops-entry-weights-nym-bandwidth');
  });
});
