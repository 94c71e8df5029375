/**
 * The plotting layer in headless Chromium, where text has real metrics: on the page, a chart
 * shows a tip with the hovered point's numbers; renderChart's title and legend text, measured
 * by the browser, lie inside the chart; chartToPng gives a PNG of the chart's size times the
 * scale, with the chart's colours in it. The page runs the built bundle (dist/web).
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'puppeteer-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChartSpec } from '../../src/report/chart.js';
import { errorText, run, servePage, setValue, shown } from '../helpers/page.js';

const ROOT = join(import.meta.dirname, '../..');

const web = servePage();
/** renderChart and chartToPng as a script that sets window.plots. */
let plotsScript: string;

beforeAll(async () => {
  const bundle = await build({
    stdin: {
      contents: "import { renderChart } from './src/report/plot.ts'; import { chartToPng } from './src/report/png.ts'; window.plots = { renderChart, chartToPng };",
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'warning',
  });
  plotsScript = bundle.outputFiles[0].text;
}, 180_000);

async function blankPage(): Promise<Page> {
  const page = await web.browser.newPage();
  page.on('pageerror', (error) => console.error(`page error: ${(error as Error).message}`));
  await page.setContent('<!doctype html><html><body style="margin:0"></body></html>');
  await page.addScriptTag({ content: plotsScript });
  return page;
}

const WALKS: ChartSpec = {
  title: 'H(I|O) against attack edges, 10-hop walks, with a title long enough to wrap on a phone',
  graph: 'facebook_combined.txt',
  xLabel: 'attack edges g',
  xScale: 'log',
  yLabel: 'H(I|O) (bits)',
  series: [
    { name: 'simple walk', x: [0, 10, 100, 1000], y: [11.9, 11.5, 10.2, 7.4], color: '#1f77b4', marker: 'circle' },
    { name: 'mh walk', x: [0, 10, 100, 1000], y: [11.9, 11.7, 10.9, 8.8], color: '#d62728', marker: 'square', dash: 'dashed' },
  ],
  bands: [{ name: 'simple walk: 95% CI of the mean', x: [0, 10, 100, 1000], lower: [11.8, 11.3, 10, 7.1], upper: [12, 11.7, 10.4, 7.7], color: '#1f77b4' }],
  rules: [{ name: 'optimal (11.98 bits)', axis: 'y', at: 11.98, color: '#444', dash: 'dashed' }],
};

describe('charts in Chromium', () => {
  it('on the page, hovering a point of the entropy plot shows a tip with that hop and its numbers', async () => {
    const page = await web.openPage();
    try {
      for (const [selector, value] of [['#example', 'karate.txt'], ['#backend', 'cpu'], ['#hops', '4'], ['#terminals', '20']]) await setValue(page, selector, value);
      await run(page, 120_000);
      expect(await errorText(page)).toBe('');
      const { result } = await shown<{ hops: { mean: number; p05: number; ci95: [number, number] }[] }>(page);
      // The third marker of the mean (hop 3) in the first chart.
      const dot = await page.$('#plots figure:first-child svg g[aria-label=dot][aria-description=mean] path:nth-child(3)');
      // The page scrolls smoothly to its results; bring the chart into view at once instead, so the pointer lands on the marker.
      await dot!.evaluate((e) => e.scrollIntoView({ block: 'center', behavior: 'instant' }));
      await new Promise((done) => setTimeout(done, 300));
      const box = (await dot!.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.waitForSelector('#plots figure:first-child g[aria-label=tip] text', { timeout: 10_000 });
      const tip = await page.$eval('#plots figure:first-child g[aria-label=tip] text', (t) => Array.from(t.querySelectorAll('tspan')).map((s) => s.textContent).join('\n'));
      const hop = result.hops[2];
      expect(tip).toContain('hops: 3');
      expect(tip).toContain(`mean: ${hop.mean.toFixed(4)}`);
      expect(tip).toContain(`5th percentile: ${hop.p05.toFixed(4)}`);
      expect(tip).toContain(`95% CI of mean: ${hop.ci95[0].toFixed(4)} – ${hop.ci95[1].toFixed(4)}`);
    } finally {
      await page.close();
    }
  });

  it("title and legend text, as the browser measures it, lie inside the chart, at 720 px and at a phone's 360 px", async () => {
    const page = await blankPage();
    try {
      for (const width of [720, 360]) {
        const outside = await page.evaluate((spec, width) => {
          const { renderChart } = (window as unknown as { plots: typeof import('../../src/report/plot.js') }).plots;
          const svg = renderChart(spec, { document, width, interactive: true });
          document.body.replaceChildren(svg);
          const frame = svg.getBoundingClientRect();
          const texts = Array.from(svg.querySelectorAll('g[aria-label=legend] text, text[aria-label=title] tspan'));
          return {
            count: texts.length,
            frame: [frame.width, frame.height],
            outside: texts
              .map((t) => ({ text: t.textContent, box: t.getBoundingClientRect() }))
              .filter(({ box }) => box.left < frame.left || box.right > frame.right || box.top < frame.top || box.bottom > frame.bottom)
              .map(({ text, box }) => `${text}: ${box.left.toFixed(1)}..${box.right.toFixed(1)} × ${box.top.toFixed(1)}..${box.bottom.toFixed(1)}`),
          };
        }, WALKS, width);
        expect(outside.frame[0]).toBe(width);
        expect(outside.count).toBeGreaterThanOrEqual(5);
        expect(outside.outside, `at ${width} px`).toEqual([]);
      }
    } finally {
      await page.close();
    }
  });

  it('chartToPng: a PNG of twice the chart size, white around, with the series colours drawn', async () => {
    const page = await blankPage();
    try {
      const stats = await page.evaluate(async (spec) => {
        const { renderChart, chartToPng } = (window as unknown as { plots: typeof import('../../src/report/plot.js') & typeof import('../../src/report/png.js') }).plots;
        const svg = renderChart(spec, { document });
        const png = await chartToPng(svg, { scale: 2 });
        const bitmap = await createImageBitmap(png);
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const context = canvas.getContext('2d')!;
        context.drawImage(bitmap, 0, 0);
        const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
        let white = 0, blue = 0, red = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          const [r, g, b] = [pixels[i], pixels[i + 1], pixels[i + 2]];
          if (r > 245 && g > 245 && b > 245) white++;
          if (Math.abs(r - 0x1f) < 12 && Math.abs(g - 0x77) < 12 && Math.abs(b - 0xb4) < 12) blue++;
          if (Math.abs(r - 0xd6) < 12 && Math.abs(g - 0x27) < 12 && Math.abs(b - 0x28) < 12) red++;
        }
        const corner = [...context.getImageData(0, 0, 1, 1).data];
        return { type: png.type, width: bitmap.width, height: bitmap.height, chart: [Number(svg.getAttribute('width')), Number(svg.getAttribute('height'))], white: white / (pixels.length / 4), blue, red, corner };
      }, WALKS);
      expect(stats.type).toBe('image/png');
      expect([stats.width, stats.height]).toEqual([stats.chart[0] * 2, stats.chart[1] * 2]);
      expect(stats.corner).toEqual([255, 255, 255, 255]); // an opaque white background, not transparency
      expect(stats.white).toBeGreaterThan(0.5);
      expect(stats.white).toBeLessThan(0.99); // not blank
      expect(stats.blue).toBeGreaterThan(200); // the simple walk's line and markers
      expect(stats.red).toBeGreaterThan(100); // the MH walk's
    } finally {
      await page.close();
    }
  });
});
