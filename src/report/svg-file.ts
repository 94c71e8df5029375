import type { ChartSpec } from './chart.js';

/**
 * A chart as a standalone SVG file in Node (the CLI's --out plots, the library's chartSvg):
 * renderChart in linkedom's DOM. Plot and linkedom load with the first chart, not with the
 * library: together they take longer to import than the rest of anonscope.
 */
export async function chartSvg(spec: ChartSpec): Promise<string> {
  const [{ parseHTML }, { renderChart, svgFileText }] = await Promise.all([import('linkedom'), import('./plot.js')]);
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  return svgFileText(renderChart(spec, { document: document as unknown as Document }));
}
