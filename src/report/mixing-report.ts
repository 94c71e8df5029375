import type { MixingTimeResult } from '../analyses/mixing-time.js';
import { count } from './count.js';
import { REFERENCE_COLOR, seriesStyle, type ChartSpec } from './chart.js';

/**
 * Writers for the mixing-time result: a text table for people, CSV and JSON for other
 * tools, an SVG plot of TV against hops. The JSON field names are a public interface.
 */

/** The result as JSON; non-finite numbers (none are expected) as null. */
export function mixingJson(result: MixingTimeResult): string {
  return JSON.stringify(result, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
}

export const MIXING_CSV_COLUMNS = ['hop', 'tv_mean', 'tv_median', 'tv_max', 'tv_min', 'tv_p05', 'tv_p95'] as const;

const cell = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(10))) : '');

/** One row per hop. */
export function mixingHopsCsv(result: MixingTimeResult): string {
  const lines = [MIXING_CSV_COLUMNS.join(',')];
  for (const h of result.hops) lines.push([h.hop, h.tvMean, h.tvMedian, h.tvMax, h.tvMin, h.tvP05, h.tvP95].map(cell).join(','));
  return `${lines.join('\n')}\n`;
}

/** τ(ε) of each source: id,tau (empty where the source is not mixed within L hops). */
export function mixingSourcesCsv(result: MixingTimeResult): string {
  return `id,tau\n${result.mixingTime.perSource.map((s) => `${JSON.stringify(s.id)},${s.tau ?? ''}`).join('\n')}\n`;
}

const fixed = (v: number | null, digits = 6) => (v === null ? '—' : v.toFixed(digits));

/** The per-hop TV statistics as a header row and a row per hop (the table's, and the page's). */
export function mixingHopRows(result: MixingTimeResult): string[][] {
  return [
    ['hop', 'TV mean', 'median', 'max', 'p05', 'p95'],
    ...result.hops.map((h) => [String(h.hop), ...[h.tvMean, h.tvMedian, h.tvMax, h.tvP05, h.tvP95].map((v) => v.toFixed(6))]),
  ];
}

/** The spectral numbers, τ(ε) and the SLEM bounds, a line each (the table's text, and the page's summary). */
export function mixingSummary(result: MixingTimeResult): { spectrum?: string; tau: string; bound?: string } {
  const tau = result.mixingTime;
  return {
    spectrum: result.slem === null ? undefined : `spectrum: λ₂ ${fixed(result.lambda2)}, λ_min ${fixed(result.lambdaMin)}, SLEM ${fixed(result.slem)}`,
    tau: `τ(${tau.epsilon}): mean ${fixed(tau.mean, 2)}, median ${fixed(tau.median, 1)}, max ${fixed(tau.max, 0)}; ${count(tau.notMixed, 'source')} not mixed within ${result.hops.length} hops`,
    bound: tau.bound
      ? `SLEM bounds: relaxation time ${tau.bound.relaxationTime.toFixed(2)}; every τ(${tau.epsilon}) ≤ ${tau.bound.upper.toFixed(1)}; the worst start needs ≥ ${tau.bound.lower.toFixed(1)}`
      : undefined,
  };
}

export function mixingTable(result: MixingTimeResult): string {
  const { graph } = result;
  const summary = mixingSummary(result);
  const out = [
    `graph: ${count(graph.nodes, 'node')}, ${count(graph.edges, graph.directed ? 'arc' : 'edge')}, ${count(graph.components, 'component')}; walk: ${result.walk}${result.lazy ? ' lazy' : ''}` +
      ` (${result.reversible ? 'reversible' : 'not reversible'}); ${count(result.sources, 'source')}; backend: ${result.backend} (${result.precision})`,
  ];
  if (summary.spectrum) out.push(summary.spectrum);
  out.push('', ...mixingHopRows(result).map((row) => row.map((cell, i) => cell.padStart(i === 0 ? 5 : 10)).join('  ')));
  out.push('', summary.tau);
  if (summary.bound) out.push(summary.bound);
  for (const note of result.notes) out.push(`note: ${note}`);
  return `${out.join('\n')}\n`;
}

/** TV mean, median and max against hops, with the 5–95% band and ε. */
export function tvVsHopsChart(result: MixingTimeResult, { graph }: { graph?: string } = {}): ChartSpec {
  const x = result.hops.map((h) => h.hop);
  return {
    title: `TV distance to the stationary law (${result.walk}${result.lazy ? ' lazy' : ''} walk, ${result.sources} sources)`,
    graph,
    xLabel: 'hops t',
    yLabel: 'TV distance',
    xIntegers: true,
    yRange: [0, 1],
    bands: [{ name: 'p05–p95', x, lower: result.hops.map((h) => h.tvP05), upper: result.hops.map((h) => h.tvP95), color: seriesStyle(0).color }],
    series: [
      { name: 'mean', x, y: result.hops.map((h) => h.tvMean), ...seriesStyle(0) },
      { name: 'median', x, y: result.hops.map((h) => h.tvMedian), ...seriesStyle(2) },
      { name: 'max', x, y: result.hops.map((h) => h.tvMax), ...seriesStyle(1) },
    ],
    rules: [{ name: `ε = ${result.mixingTime.epsilon}`, axis: 'y', at: result.mixingTime.epsilon, color: REFERENCE_COLOR, dash: 'dashed' }],
  };
}
