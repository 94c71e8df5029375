import type { AdversaryResult } from '../analyses/adversary.js';
import { count } from './count.js';
import { optimalRule, seriesStyle, type ChartSpec } from './chart.js';

/** Writers for the adversary analysis: table, CSV (one row per g and hop), JSON, chart specs. */

const finite = (v: number | null) => (v === null || !Number.isFinite(v) ? '' : String(Number(v.toFixed(9))));

export function adversaryJson(results: AdversaryResult[]): string {
  const value = results.length === 1 ? results[0] : { walks: results };
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

export function adversaryCsv(results: AdversaryResult[]): string {
  const lines = ['walk,attack_edges,sybils,HIO,HIO_ci95_low,HIO_ci95_high,hop,pM,pM_ci95_half_width,HIM'];
  for (const result of results) {
    for (const row of result.rows) {
      row.pM.forEach((p, k) => {
        lines.push(
          [result.walk, row.attackEdges ?? '', row.sybils, finite(row.HIO), finite(row.ci95[0]), finite(row.ci95[1]), k + 1, finite(p), finite(row.pMHalfWidth[k]), finite(row.HIM[k])].join(','),
        );
      });
    }
  }
  return lines.join('\n') + '\n';
}

export function adversaryTable(results: AdversaryResult[]): string {
  const out: string[] = [];
  for (const result of results) {
    out.push(
      `graph: ${count(result.graph.nodes, 'honest node')}, ${count(result.graph.edges, 'edge')}; walk: ${result.walk}, ${result.hops} hops; ${result.walkers} walkers (seed ${result.seed}); backend: ${result.backend}; optimal ${result.optimal.toFixed(4)} bits`,
      '',
      `${'g'.padStart(8)}  ${'sybils'.padStart(8)}  ${'H(I|O)'.padStart(8)}  ${'95% CI'.padStart(17)}  ${'P(seen)'.padStart(8)}`,
    );
    for (const row of result.rows) {
      out.push(
        `${String(row.attackEdges ?? 'given').padStart(8)}  ${String(row.sybils).padStart(8)}  ${row.HIO.toFixed(4).padStart(8)}  ${`${row.ci95[0].toFixed(3)}..${row.ci95[1].toFixed(3)}`.padStart(17)}  ${(1 - row.pNone).toFixed(5).padStart(8)}`,
      );
    }
    if (result.rows.some((row) => row.twoHop?.length)) out.push('', ...twoHopTable(result));
    out.push('');
  }
  return out.join('\n');
}

/** The two-hop optimisation's rows: P(exposed) = P(X_k and X_L compromised), P(relay seen) = P(only X_L compromised). */
function twoHopTable(result: AdversaryResult): string[] {
  const lines = [
    `two-hop optimisation (hop k and the last hop form the circuit):`,
    `${'g'.padStart(8)}  ${'k'.padStart(4)}  ${'H(I|O)'.padStart(8)}  ${'95% CI'.padStart(17)}  ${'P(exposed)'.padStart(10)}  ${'P(relay seen)'.padStart(13)}`,
  ];
  for (const row of result.rows) {
    for (const t of row.twoHop ?? []) {
      lines.push(
        `${String(row.attackEdges ?? 'given').padStart(8)}  ${String(t.k).padStart(4)}  ${t.HIO.toFixed(4).padStart(8)}  ${`${t.ci95[0].toFixed(3)}..${t.ci95[1].toFixed(3)}`.padStart(17)}  ${t.pBoth.toFixed(5).padStart(10)}  ${t.pLastOnly.toFixed(5).padStart(13)}`,
      );
    }
  }
  return lines;
}

/** One row per walk, g and k of the two-hop optimisation. */
export function twoHopCsv(results: AdversaryResult[]): string {
  const lines = ['walk,attack_edges,k,HIO,HIO_ci95_low,HIO_ci95_high,p_both,p_last_only,H_given_first_relay'];
  for (const result of results) {
    for (const row of result.rows) {
      for (const t of row.twoHop ?? []) {
        lines.push([result.walk, row.attackEdges ?? '', t.k, finite(t.HIO), finite(t.ci95[0]), finite(t.ci95[1]), finite(t.pBoth), finite(t.pLastOnly), finite(t.HIA)].join(','));
      }
    }
  }
  return lines.join('\n') + '\n';
}

/** What a plot needs beyond the results: the input graph's name for the title. */
export interface AdversaryChartOptions {
  graph: string;
}


/** H(I|O) of the two-hop optimisation against k, one line per walk and g (Pisces Fig. 11). */
export function twoHopChart(results: AdversaryResult[], options: AdversaryChartOptions): ChartSpec {
  const series = results.flatMap((r) =>
    r.rows
      .filter((row) => row.twoHop?.length)
      .map((row) => ({ name: `${r.walk}, g = ${row.attackEdges ?? 'given'}`, x: row.twoHop!.map((t) => t.k), y: row.twoHop!.map((t) => t.HIO) })),
  );
  return {
    title: `Two-hop optimisation: H(I|O) against k, ${results[0].hops}-hop walks`,
    graph: options.graph,
    xLabel: 'k (hop of the first relay)',
    xIntegers: true,
    yLabel: 'H(I|O) (bits)',
    series: series.map((s, k) => ({ ...s, ...seriesStyle(k) })),
  };
}

/** H(I|O) against the number of attack edges on a log axis, one line per walk model (Pisces Fig. 9). */
export function hioVsAttackEdgesChart(results: AdversaryResult[], options: AdversaryChartOptions): ChartSpec {
  const withG = results.map((r) => ({ ...r, rows: r.rows.filter((row) => row.attackEdges !== null) }));
  return {
    title: `H(I|O) against attack edges, ${results[0].hops}-hop walks`,
    graph: options.graph,
    xLabel: 'attack edges g',
    xScale: 'log',
    yLabel: 'H(I|O) (bits)',
    bands: withG.map((r, k) => ({
      name: `${r.walk}: 95% CI`,
      x: r.rows.map((row) => row.attackEdges!),
      lower: r.rows.map((row) => row.ci95[0]),
      upper: r.rows.map((row) => row.ci95[1]),
      color: seriesStyle(k).color,
    })),
    series: withG.map((r, k) => ({ name: `${r.walk} walk`, x: r.rows.map((row) => row.attackEdges!), y: r.rows.map((row) => row.HIO), ...seriesStyle(k) })),
    rules: [optimalRule(results[0].optimal)],
  };
}
