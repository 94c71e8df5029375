import type { HopStatistics, InitiatorEntropyResult } from '../analyses/initiator-entropy.js';
import { adapterName } from '../engines/webgpu/device.js';
import { count } from './count.js';
import { COLORS, optimalRule, type ChartSpec, type Series } from './chart.js';

/**
 * Writers for the initiator-entropy result: a text table for people, CSV and JSON for
 * other tools, chart specs for the plots (drawn by plot.ts). The JSON field names are a public interface.
 */

const round = (v: number, digits = 6) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

/**
 * A hop's terminals left out of the statistics. With a prior, `zeroPriorOnly` says how many
 * of the `unreachable` some walk reaches, but only from initiators of prior 0.
 */
type LeftOut = Pick<HopStatistics, 'hop' | 'unreachable'> & { zeroPriorOnly?: number };

const splitByPrior = (hops: readonly LeftOut[]) => hops.some((h) => h.zeroPriorOnly !== undefined);

/** The result with `notes`: what the CLI says on stderr and the page shows beside the table. */
export function entropyJson(result: InitiatorEntropyResult): string {
  return JSON.stringify({ ...result, notes: entropyNotes(result) }, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
}

export const HOP_CSV_COLUMNS = [
  'hop', 'mean', 'ci95_low', 'ci95_high', 'min', 'p05', 'median', 'max', 'min_entropy_mean', 'terminus_weighted_mean', 'guessing_mean', 'unreachable', 'optimal',
] as const;

function csvCell(v: number): string {
  return Number.isFinite(v) ? String(round(v, 9)) : '';
}

/** One row per hop; with a prior, a zero_prior_only column after unreachable. */
export function hopsCsv(result: InitiatorEntropyResult): string {
  const split = splitByPrior(result.hops);
  const columns: string[] = [...HOP_CSV_COLUMNS];
  if (split) columns.splice(columns.indexOf('unreachable') + 1, 0, 'zero_prior_only');
  const lines = [columns.join(',')];
  for (const h of result.hops as (HopStatistics & LeftOut)[]) {
    const leftOut = split ? [h.unreachable, h.zeroPriorOnly ?? 0] : [h.unreachable];
    lines.push(
      [h.hop, h.mean, h.ci95[0], h.ci95[1], h.min, h.p05, h.median, h.max, h.minEntropyMean, h.terminusWeightedMean, h.guessingMean ?? NaN, ...leftOut, result.optimal]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * The table's columns of terminals left out: a header row, then one row per hop
 * (unreachable, and with a prior the zero-prior-only part of it). The page appends them too.
 */
export function leftOutColumns(hops: readonly LeftOut[]): string[][] {
  const split = splitByPrior(hops);
  return [
    split ? ['unreachable', 'zero-prior only'] : ['unreachable'],
    ...hops.map((h) => (split ? [String(h.unreachable), String(h.zeroPriorOnly ?? 0)] : [String(h.unreachable)])),
  ];
}

/** Where a hop count is not 0: "hop 1: 28, hops 2-4: 34, …"; runs of equal counts share one entry. */
export function countsByHop(counts: readonly { hop: number; count: number }[], maxEntries = 12): string {
  const runs: { first: number; last: number; count: number }[] = [];
  for (const { hop, count } of counts) {
    if (count === 0) continue;
    const run = runs[runs.length - 1];
    if (run && run.last === hop - 1 && run.count === count) run.last = hop;
    else runs.push({ first: hop, last: hop, count });
  }
  const entry = (r: (typeof runs)[number]) => `${r.first === r.last ? `hop ${r.first}` : `hops ${r.first}-${r.last}`}: ${r.count}`;
  if (runs.length <= maxEntries) return runs.map(entry).join(', ');
  // Long runs of changing counts: the first and last entries; the table has every hop.
  const head = runs.slice(0, maxEntries - 3).map(entry);
  const tail = runs.slice(-2).map(entry);
  return `${head.join(', ')}, …, ${tail.join(', ')}`;
}

/** What a reader must know to read the numbers: walks that stay put, a non-uniform MH law, terminals left out. */
export function entropyNotes(result: InitiatorEntropyResult): string[] {
  const notes: string[] = [];
  const dangling = result.graph.danglingNodes;
  if (dangling > 0) notes.push(`${dangling} node${dangling === 1 ? ' has' : 's have'} no out-edges; a walk there stays put (self-loop)`);
  if (result.walk === 'mh' && result.graph.directed) {
    notes.push('mh walk on a directed graph: P is not symmetric, so its stationary law is no longer uniform and the entropy need not approach the optimal one');
  }
  const hops = result.hops as readonly LeftOut[];
  const noWalk = countsByHop(hops.map((h) => ({ hop: h.hop, count: h.unreachable - (h.zeroPriorOnly ?? 0) })));
  if (noWalk) notes.push(`terminals reached by no walk of that length are left out of the statistics: ${noWalk}`);
  const zeroPrior = countsByHop(hops.map((h) => ({ hop: h.hop, count: h.zeroPriorOnly ?? 0 })));
  if (zeroPrior) notes.push(`terminals reached only from zero-prior initiators are left out of the statistics: ${zeroPrior}`);
  return notes;
}

/** How many terminals entered the statistics: "77 terminals", "28 of 77 terminals", "28 to 49 of 77 terminals (by hop)". */
function terminalsCounted(result: InitiatorEntropyResult, hops: readonly LeftOut[] = result.hops): string {
  let fewest = Infinity;
  let most = -Infinity;
  for (const h of hops) {
    const counted = result.terminals - h.unreachable;
    fewest = Math.min(fewest, counted);
    most = Math.max(most, counted);
  }
  if (fewest === result.terminals) return `${result.terminals} terminals`;
  return fewest === most ? `${fewest} of ${result.terminals} terminals` : `${fewest} to ${most} of ${result.terminals} terminals (by hop)`;
}

/** One row per terminal and hop; ids are quoted when they hold a comma or a quote. */
export function perTerminalCsv(result: InitiatorEntropyResult): string {
  const quote = (id: string) => (/[",\n]/.test(id) ? `"${id.replace(/"/g, '""')}"` : id);
  const lines = ['terminal,hop,shannon,min_entropy'];
  for (const t of result.perTerminal ?? []) {
    t.shannon.forEach((h, k) => lines.push(`${quote(t.id)},${k + 1},${csvCell(h)},${csvCell(t.minEntropy[k])}`));
  }
  return lines.join('\n') + '\n';
}

/** Report options: lead with the expectation weighted by where walks end (--terminal-weighting terminus). */
export interface EntropyReportOptions {
  terminusWeighted?: boolean;
}

export function entropyTable(result: InitiatorEntropyResult, options: EntropyReportOptions = {}): string {
  const head = ['hop', 'mean', 'ci95', 'min', 'p05', 'median', 'max', 'H_min mean'];
  if (options.terminusWeighted) head.push('terminus-weighted');
  const guessing = result.hops[0].guessingMean !== undefined;
  if (guessing) head.push('guesses');
  const [leftOutHead, ...leftOut] = leftOutColumns(result.hops);
  head.push(...leftOutHead);
  // A hop where every terminal is left out has no statistics.
  const fixed = (v: number, digits = 4) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
  const rows = result.hops.map((h, t) => [
    String(h.hop),
    fixed(h.mean),
    Number.isFinite(h.ci95[0]) ? `${h.ci95[0].toFixed(3)}..${h.ci95[1].toFixed(3)}` : '-',
    fixed(h.min),
    fixed(h.p05),
    fixed(h.median),
    fixed(h.max),
    fixed(h.minEntropyMean),
    ...(options.terminusWeighted ? [fixed(h.terminusWeightedMean)] : []),
    ...(guessing ? [fixed(h.guessingMean!, 2)] : []),
    ...leftOut[t],
  ]);
  const widths = head.map((title) => title.length);
  for (const row of rows) row.forEach((cell, c) => (widths[c] = Math.max(widths[c], cell.length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padStart(widths[c])).join('  ');
  const g = result.graph;
  const header = [
    `graph: ${count(g.nodes, 'node')}, ${g.directed ? `${count(g.edges, 'arc')} (directed)` : count(g.edges, 'edge')}; walk: ${result.walk}${result.lazy ? ' (lazy)' : ''}; backend: ${result.backend}${result.adapter ? ` on ${adapterName(result.adapter)}` : ''}`,
    `terminals: ${result.terminals} (${result.terminalSelection}${result.seed !== undefined ? `, seed ${result.seed}` : ''}); optimal: ${result.optimal.toFixed(4)} bits; entropies in bits`,
  ];
  const rounds = result.rounds
    ? [
        '',
        `after several rounds of ${result.rounds.hop}-hop walks (${result.rounds.samples} initiators):`,
        'round    mean          ci95  H_min mean',
        ...result.rounds.rows.map(
          (r) => `${String(r.round).padStart(5)}  ${r.mean.toFixed(4).padStart(6)}  ${`${r.ci95[0].toFixed(3)}..${r.ci95[1].toFixed(3)}`.padStart(12)}  ${r.minEntropyMean.toFixed(4).padStart(10)}`,
        ),
      ]
    : [];
  return [...header, '', line(head), ...rows.map(line), ...rounds].join('\n') + '\n';
}

/** What a plot needs beyond the result: the input graph's name for the title. */
export interface EntropyChartOptions extends EntropyReportOptions {
  graph: string;
}


/** Mean, 5th percentile and min-entropy mean against hops, the mean's CI, the optimal line. */
export function entropyVsHopsChart(result: InitiatorEntropyResult, options: EntropyChartOptions): ChartSpec {
  const hops = result.hops.map((h) => h.hop);
  const weighted: Series[] = options.terminusWeighted
    ? [{ name: 'terminus-weighted mean', x: hops, y: result.hops.map((h) => h.terminusWeightedMean), color: COLORS[4], marker: 'diamond' }]
    : [];
  return {
    title: `Initiator entropy, ${result.walk} walk${result.lazy ? ' (lazy)' : ''}, ${terminalsCounted(result)}`,
    graph: options.graph,
    xLabel: 'hops',
    xIntegers: true,
    yLabel: 'entropy (bits)',
    bands: [{ name: '95% CI of mean', x: hops, lower: result.hops.map((h) => h.ci95[0]), upper: result.hops.map((h) => h.ci95[1]), color: COLORS[0] }],
    series: [
      { name: 'mean', x: hops, y: result.hops.map((h) => h.mean), color: COLORS[0], marker: 'circle' },
      { name: '5th percentile', x: hops, y: result.hops.map((h) => h.p05), color: COLORS[1], dash: 'dashed', marker: 'triangle' },
      { name: 'min-entropy mean', x: hops, y: result.hops.map((h) => h.minEntropyMean), color: COLORS[2], dash: 'dotted', marker: 'square' },
      ...weighted,
    ],
    rules: [optimalRule(result.optimal)],
  };
}

/** Entropy after r rounds, r = 1..rounds (present only with --rounds). */
export function roundsCsv(result: InitiatorEntropyResult): string {
  const lines = ['round,mean,ci95_low,ci95_high,min,p05,median,max,min_entropy_mean'];
  for (const r of result.rounds?.rows ?? []) {
    lines.push([r.round, r.mean, r.ci95[0], r.ci95[1], r.min, r.p05, r.median, r.max, r.minEntropyMean].map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

export function roundsChart(result: InitiatorEntropyResult, options: { graph: string }): ChartSpec {
  const rows = result.rounds!.rows;
  const x = rows.map((r) => r.round);
  return {
    title: `Initiator entropy after several rounds of ${result.rounds!.hop}-hop ${result.walk} walks`,
    graph: options.graph,
    xLabel: 'rounds',
    xIntegers: true,
    yLabel: 'entropy (bits)',
    bands: [{ name: '95% CI of mean', x, lower: rows.map((r) => r.ci95[0]), upper: rows.map((r) => r.ci95[1]), color: COLORS[0] }],
    series: [
      { name: 'mean', x, y: rows.map((r) => r.mean), color: COLORS[0], marker: 'circle' },
      { name: '5th percentile', x, y: rows.map((r) => r.p05), color: COLORS[1], dash: 'dashed', marker: 'triangle' },
    ],
    rules: [optimalRule(result.optimal)],
  };
}

/** The terminals' entropies at the CDF's hop as a step function, with the optimal entropy. */
export function entropyCdfChart(result: InitiatorEntropyResult, options: { graph: string }): ChartSpec {
  const { entropy, probability } = result.cdf;
  return {
    title: `CDF of initiator entropy at hop ${result.cdf.hop}, ${terminalsCounted(result, [result.hops[result.cdf.hop - 1]])}`,
    graph: options.graph,
    xLabel: 'entropy (bits)',
    yLabel: 'fraction of terminals',
    yRange: [0, 1],
    series: [{ name: 'CDF', x: [entropy[0], ...entropy], y: [0, ...probability], color: COLORS[0], step: true }],
    rules: [optimalRule(result.optimal, 'x')],
  };
}
