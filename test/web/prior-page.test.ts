/**
 * The entropy panel's prior file in headless Chromium (dist/web; `npm run build`): the page's
 * entropies under a prior equal the library's under the same prior (float64 cpu, to 12
 * digits), and a prior naming a node the graph lacks is refused by the file's line.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initiatorEntropy, type InitiatorEntropyResult } from '../../src/analyses/initiator-entropy.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { errorOf, errorText, run, servePage, setValue, shown, upload } from '../helpers/page.js';
import { scratchFolder } from '../helpers/scratch.js';

const KARATE = join(import.meta.dirname, '../../graphs/karate.txt');
const { openPage } = servePage();
const { file } = scratchFolder('prior-page');

describe('the prior on the page', () => {
  it("a prior file: the library's entropies under the same prior; a node the graph lacks refused by its line", async () => {
    const { csr } = await loadGraphFile(KARATE);
    const prior = new Map([['0', 1], ['1', 1], ['33', 2]]);
    const reference = await initiatorEntropy(csr, { hops: 3, terminals: 'all', seed: 1, prior });
    const page = await openPage();
    try {
      await setValue(page, '#example', 'karate.txt');
      await setValue(page, '#backend', 'cpu');
      await setValue(page, '#hops', '3');
      await setValue(page, '#terminals', 'all');
      await upload(page, file('prior.txt', '# node weight\n0 1\n1,1\n33 2\n'), '#prior');
      expect(await run(page), await errorText(page)).toBe('done');
      const r = (await shown<InitiatorEntropyResult>(page)).result;
      expect(r.prior).toBe('given');
      expect(r.hops).toHaveLength(3);
      r.hops.forEach((h, t) => {
        expect(h.mean, `hop ${t + 1}`).toBeCloseTo(reference.hops[t].mean, 12);
        expect(h.unreachable, `hop ${t + 1}`).toBe(reference.hops[t].unreachable);
      });

      await upload(page, file('prior-unknown.txt', '0 1\n# a comment\n99 2\n'), '#prior');
      expect(await run(page)).toBe('error');
      expect(await errorOf(page)).toEqual({
        text: 'The file does not parse: prior-unknown.txt:3: node "99" is not in karate.txt (its nodes are named by their keys: "0", "1", "2", …)',
        kind: 'format',
      });
      expect(await page.$eval('#results', (e) => e.classList.contains('hidden'))).toBe(true);
    } finally {
      await page.close();
    }
  }, 120_000);
});
