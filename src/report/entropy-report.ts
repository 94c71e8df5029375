import type { InitiatorEntropyResult } from '../analyses/initiator-entropy.js';
import { lineChart } from './svg.js';

/**
 * Writers for the initiator-entropy result: a text table for people, CSV and JSON for
 * other tools, SVG plots for papers. The JSON field names are a public interface.
 */

const round = (v: number, digits = 6) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

export function entropyJson(result: InitiatorEntropyResult): string {
  return JSON.stringify(result, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
}

export const HOP_CSV_COLUMNS = [
  'hop', 'mean', 'ci95_low', 'ci95_high', 'min', 'p05', 'median', 'max', 'min_entropy_mean', 'terminus_weighted_mean', 'guessing_mean', 'unreachable', 'optimal',
] as const;

function csvCell(v: number): string {
  return Number.isFinite(v) ? String(round(v, 9)) : '';
}

export function hopsCsv(result: InitiatorEntropyResult): string {
  const lines = [HOP_CSV_COLUMNS.join(',')];
  for (const h of result.hops) {
    lines.push(
      [h.hop, h.mean, h.ci95[0], h.ci95[1], h.min, h.p05, h.median, h.max, h.minEntropyMean, h.terminusWeightedMean, h.guessingMean ?? NaN, h.unreachable, result.optimal]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
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
  const rows = result.hops.map((h) => [
    String(h.hop),
    h.mean.toFixed(4),
    `${h.ci95[0].toFixed(3)}..${h.ci95[1].toFixed(3)}`,
    h.min.toFixed(4),
    h.p05.toFixed(4),
    h.median.toFixed(4),
    h.max.toFixed(4),
    h.minEntropyMean.toFixed(4),
    ...(options.terminusWeighted ? [h.terminusWeightedMean.toFixed(4)] : []),
    ...(guessing ? [h.guessingMean!.toFixed(2)] : []),
  ]);
  const widths = head.map((title, c) => Math.max(title.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padStart(widths[c])).join('  ');
  const g = result.graph;
  const header = [
    `graph: ${g.nodes} nodes, ${g.edges} ${g.directed ? 'arcs (directed)' : 'edges'}; walk: ${result.walk}${result.lazy ? ' (lazy)' : ''}; backend: ${result.backend}${result.adapter ? ` on ${result.adapter.description || result.adapter.vendor}` : ''}`,
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
  const unreachable = result.hops.filter((h) => h.unreachable > 0);
  const notes = unreachable.length
    ? [`note: some terminals are reached by no walk of that length and are left out (hop ${unreachable[0].hop}: ${unreachable[0].unreachable})`]
    : [];
  return [...header, '', line(head), ...rows.map(line), ...rounds, ...notes].join('\n') + '\n';
}

export function entropyVsHopsSvg(result: InitiatorEntropyResult, options: EntropyReportOptions = {}): string {
  const hops = result.hops.map((h) => h.hop);
  const weighted = options.terminusWeighted
    ? [{ name: 'terminus-weighted mean', x: hops, y: result.hops.map((h) => h.terminusWeightedMean), color: '#9467bd' }]
    : [];
  return lineChart({
    title: `Initiator entropy, ${result.walk} walk${result.lazy ? ' (lazy)' : ''}, ${result.terminals} terminals`,
    xLabel: 'hops',
    yLabel: 'entropy (bits)',
    bands: [{ name: '95% CI of mean', x: hops, lower: result.hops.map((h) => h.ci95[0]), upper: result.hops.map((h) => h.ci95[1]), color: '#1f77b4' }],
    series: [
      { name: 'mean', x: hops, y: result.hops.map((h) => h.mean), color: '#1f77b4' },
      { name: '5th percentile', x: hops, y: result.hops.map((h) => h.p05), color: '#d62728', dashed: true },
      { name: 'min-entropy mean', x: hops, y: result.hops.map((h) => h.minEntropyMean), color: '#2ca02c' },
      ...weighted,
      { name: `optimal (${result.optimal.toFixed(2)})`, x: [hops[0], hops[hops.length - 1]], y: [result.optimal, result.optimal], color: '#555', dashed: true },
    ],
  });
}

/** Entropy after r rounds, r = 1..rounds (present only with --rounds). */
export function roundsCsv(result: InitiatorEntropyResult): string {
  const lines = ['round,mean,ci95_low,ci95_high,min,p05,median,max,min_entropy_mean'];
  for (const r of result.rounds?.rows ?? []) {
    lines.push([r.round, r.mean, r.ci95[0], r.ci95[1], r.min, r.p05, r.median, r.max, r.minEntropyMean].map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

export function roundsSvg(result: InitiatorEntropyResult): string {
  const rows = result.rounds!.rows;
  const x = rows.map((r) => r.round);
  return lineChart({
    title: `Initiator entropy after several rounds of ${result.rounds!.hop}-hop ${result.walk} walks`,
    xLabel: 'rounds',
    yLabel: 'entropy (bits)',
    bands: [{ name: '95% CI of mean', x, lower: rows.map((r) => r.ci95[0]), upper: rows.map((r) => r.ci95[1]), color: '#1f77b4' }],
    series: [
      { name: 'mean', x, y: rows.map((r) => r.mean), color: '#1f77b4' },
      { name: '5th percentile', x, y: rows.map((r) => r.p05), color: '#d62728', dashed: true },
      { name: `optimal (${result.optimal.toFixed(2)})`, x: [x[0], x[x.length - 1]], y: [result.optimal, result.optimal], color: '#555', dashed: true },
    ],
  });
}

export function entropyCdfSvg(result: InitiatorEntropyResult): string {
  const { entropy, probability } = result.cdf;
  return lineChart({
    title: `CDF of initiator entropy at hop ${result.cdf.hop}`,
    xLabel: 'entropy (bits)',
    yLabel: 'fraction of terminals',
    yRange: [0, 1],
    series: [
      { name: 'CDF', x: [entropy[0], ...entropy], y: [0, ...probability], color: '#1f77b4', step: true },
      { name: `optimal (${result.optimal.toFixed(2)})`, x: [result.optimal, result.optimal], y: [0, 1], color: '#555', dashed: true },
    ],
  });
}
