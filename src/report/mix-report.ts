import type { MixNetworkResult } from '../analyses/mix-network.js';
import type { SingleMixResult, SingleMixSweepResult } from '../analyses/single-mix.js';
import type { TraceLinksResult, TraceSimulationResult } from '../analyses/stream-trace.js';
import type { TraceRocPoint, TraceRocResult } from '../analyses/trace-roc.js';
import type { Calibration, Gap } from '../stats/calibration.js';
import { empiricalCdf } from '../stats/summary.js';
import { COLORS, REFERENCE_COLOR, seriesStyle, type Band, type ChartSpec, type Series } from './chart.js';

/**
 * Writers for the continuous-time-mix analyses (mix, trace, network): text tables for people,
 * CSV and JSON for tools, chart specs for the plots. The JSON field names are a public interface.
 */

export function mixJson(result: unknown): string {
  return JSON.stringify(result, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
}

function cell(v: number | string | boolean | null | undefined): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(Number(v.toPrecision(10))) : '';
  if (v === null || v === undefined) return '';
  const text = String(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV text: a header line and one line per row, cells quoted where they hold a comma, quote or newline. */
export function csv(header: readonly string[], rows: (number | string | boolean | null | undefined)[][]): string {
  return [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

/** A text table, each column right-aligned to its widest cell. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((title, c) => rows.reduce((width, r) => Math.max(width, r[c].length), title.length));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

export const fixed = (v: number, digits = 4) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

// ---------------------------------------------------------------------------------------
// anonscope mix

export function singleMixTable(r: SingleMixResult): string {
  const lines = [
    `mix: λ = ${r.rate}, delay ${r.delay.spec} (mean ${fixed(r.delay.mean)}, h(f) = ${fixed(r.delay.entropy)} bits); λ·E[D] = ${fixed(r.load, 3)}; ${r.trials} trials, seed ${r.seed}; kernels: ${r.kernels}`,
    `simulated   ${fixed(r.simulated.mean)} bits  (95% CI ${fixed(r.simulated.ci95[0])}..${fixed(r.simulated.ci95[1])}, sd ${fixed(r.simulated.sd, 3)})`,
    `theory      ${fixed(r.theory)} bits  (h(f) + log2 λ; with the first-order term ∫f²/(2λ ln 2): ${fixed(r.theoryFirstOrder)})`,
    ...r.warnings.map((w) => `warning: ${w}`),
  ];
  return lines.join('\n') + '\n';
}

export const MIX_CSV_COLUMNS = ['rate', 'delay', 'load', 'trials', 'mean', 'ci95_low', 'ci95_high', 'sd', 'theory', 'theory_first_order', 'valid'] as const;

export function singleMixCsv(r: SingleMixResult): string {
  return csv(MIX_CSV_COLUMNS, [
    [r.rate, r.delay.spec, r.load, r.trials, r.simulated.mean, r.simulated.ci95[0], r.simulated.ci95[1], r.simulated.sd, r.theory, r.theoryFirstOrder, r.valid],
  ]);
}

/** CDF of the per-trial entropies (needs perTrial), with the closed form and the simulated mean as vertical lines. */
export function singleMixCdfChart(r: SingleMixResult): ChartSpec {
  const cdf = empiricalCdf(r.perTrial ?? []);
  return {
    title: `Single mix: λ = ${r.rate}, ${r.delay.spec}`,
    xLabel: 'sender anonymity of one output message (bits)',
    yLabel: 'fraction of trials',
    yRange: [0, 1],
    series: [{ name: 'simulated CDF', x: cdf.value, y: cdf.probability, color: COLORS[0], step: true }],
    rules: [
      { name: `h(f) + log2 λ (${r.theory.toFixed(2)})`, axis: 'x', at: r.theory, color: COLORS[1], dash: 'dashed' },
      { name: `simulated mean (${r.simulated.mean.toFixed(2)})`, axis: 'x', at: r.simulated.mean, color: COLORS[2], dash: 'dotted' },
    ],
  };
}

export const SWEEP_CSV_COLUMNS = ['law', 'kind', 'load', 'rate', 'mean_delay', 'mean', 'ci95_low', 'ci95_high', 'theory', 'theory_first_order', 'valid'] as const;

export function sweepCsv(r: SingleMixSweepResult): string {
  return csv(
    SWEEP_CSV_COLUMNS,
    r.rows.map((row) => [row.law, row.kind, row.load, row.rate, row.meanDelay, row.simulated.mean, row.simulated.ci95[0], row.simulated.ci95[1], row.theory, row.theoryFirstOrder, row.valid]),
  );
}

export function sweepTable(r: SingleMixSweepResult): string {
  const rows = r.rows.map((row) => [
    row.law,
    String(row.load),
    fixed(row.rate),
    fixed(row.simulated.mean),
    `${fixed(row.simulated.ci95[0], 3)}..${fixed(row.simulated.ci95[1], 3)}`,
    fixed(row.theory),
    row.valid ? '' : 'model breaks down',
  ]);
  const best = r.best.map((b) => `${b.load}: ${b.law}`).join(', ');
  return (
    [
      `mix sweep: mean delay ${fixed(r.meanDelay)}; ${r.trials} trials per cell, seed ${r.seed}; entropies in bits; kernels: ${r.kernels}`,
      '',
      table(['law', 'λ·E[D]', 'λ', 'simulated', 'ci95', 'theory', ''], rows),
      '',
      `most anonymous law at each load: ${best}`,
    ].join('\n') + '\n'
  );
}

/** Simulated (solid, with its CI band) and h(f) + log2 λ (dashed) against log10 λ·E[D], one colour and marker per law. */
export function sweepChart(r: SingleMixSweepResult): ChartSpec {
  const series: Series[] = [];
  const bands: Band[] = [];
  r.laws.forEach((law, i) => {
    const rows = r.rows.filter((row) => row.law === law.spec);
    const x = rows.map((row) => Math.log10(row.load));
    const { color, marker } = seriesStyle(i);
    series.push({ name: `${law.spec} simulated`, x, y: rows.map((row) => row.simulated.mean), color, marker });
    series.push({ name: `${law.kind} h(f) + log2 λ`, x, y: rows.map((row) => row.theory), color, dash: 'dashed' });
    bands.push({ name: `${law.kind} 95% CI`, x, lower: rows.map((row) => row.simulated.ci95[0]), upper: rows.map((row) => row.simulated.ci95[1]), color });
  });
  return {
    title: `Single-mix anonymity, delay laws of mean ${Number(r.meanDelay.toPrecision(4))}`,
    xLabel: 'log10 λ·E[D]  (λ/μ for the exponential)',
    yLabel: 'sender anonymity (bits)',
    series,
    bands,
  };
}

// ---------------------------------------------------------------------------------------
// anonscope trace

export function traceTable(r: TraceLinksResult | TraceSimulationResult): string {
  if (r.mode === 'data') {
    const rows = [...r.links]
      .sort((a, b) => a.rank - b.rank)
      .map((l) => [String(l.rank), l.name, String(l.packets), fixed(l.score, 3), l.feasible ? '' : 'fewer packets than the target']);
    const lines = [
      `trace: ${r.targetPackets} target packets, ${r.links.length} links; delay ${r.delay}; window ${fixed(r.window[0])}..${fixed(r.window[1])}, grid ${r.gridLength} × ${fixed(r.step, 6)}; kernels: ${r.kernels}`,
      '',
      table(['rank', 'link', 'packets', 'score (nats)', ''], rows),
      '',
      `decision: ${r.decision}`,
    ];
    if (r.runnerUp !== null && r.theory) {
      lines.push(
        `LLR ${r.decision} vs ${r.runnerUp}: ${fixed(r.llr!, 3)} nats; if ${r.decision} carries the target: mean ${fixed(r.theory.mean, 3)}, variance ${fixed(r.theory.variance, 3)}; ` +
          `if ${r.runnerUp} does: mean ${fixed(r.theory.meanIfY, 3)}, variance ${fixed(r.theory.varianceIfY, 3)}`,
        `Chebyshev bound on the error (eq. 35): ${fixed(r.errorBound!, 4)}`,
      );
    }
    return lines.join('\n') + '\n';
  }
  const parts = [`trace simulation: ${r.trials} trials per point, seed ${r.seed}; LLR in nats; kernels: ${r.kernels}`];
  for (const c of r.curves) {
    parts.push(
      '',
      `${c.label}: signal ${c.signalRate}, cover ${c.coverRate} on X, padding ${c.paddingRate} on Y, delay ${c.delay} (mean ${fixed(c.meanDelay, 5)})`,
      table(
        ['packets', 'detection', 'ci95', 'bound', 'LLR mean', 'LLR var', 'eq.31-34 mean', 'var'],
        c.points.map((p) => [
          String(p.packets),
          fixed(p.detection.mean, 3),
          `${fixed(p.detection.ci95[0], 3)}..${fixed(p.detection.ci95[1], 3)}`,
          fixed(p.bound, 3),
          fixed(p.llr.mean, 3),
          fixed(p.llr.variance, 3),
          fixed(p.theory.mean, 3),
          fixed(p.theory.variance, 3),
        ]),
      ),
    );
  }
  return parts.join('\n') + '\n';
}

export const TRACE_LINK_COLUMNS = ['link', 'packets', 'score', 'rank', 'feasible'] as const;
export const TRACE_CURVE_COLUMNS = [
  'curve', 'signal_rate', 'cover_rate', 'padding_rate', 'mean_delay', 'packets', 'trials', 'detection', 'ci95_low', 'ci95_high', 'bound',
  'llr_mean', 'llr_variance', 'theory_mean', 'theory_variance',
] as const;

export function traceCsv(r: TraceLinksResult | TraceSimulationResult): string {
  if (r.mode === 'data') return csv(TRACE_LINK_COLUMNS, r.links.map((l) => [l.name, l.packets, l.score, l.rank, l.feasible]));
  return csv(
    TRACE_CURVE_COLUMNS,
    r.curves.flatMap((c) =>
      c.points.map((p) => [
        c.label, c.signalRate, c.coverRate, c.paddingRate, c.meanDelay, p.packets, p.trials, p.detection.mean, p.detection.ci95[0], p.detection.ci95[1], p.bound,
        p.llr.mean, p.llr.variance, p.theory.mean, p.theory.variance,
      ]),
    ),
  );
}

/** Detection probability against the number of target packets: one colour and marker per curve, CI band, Chebyshev bound dashed. */
export function detectionChart(r: TraceSimulationResult): ChartSpec {
  const series: Series[] = [];
  const bands: Band[] = [];
  r.curves.forEach((c, i) => {
    const { color, marker } = seriesStyle(i);
    const x = c.points.map((p) => p.packets);
    const prefix = r.curves.length > 1 ? `${c.label} ` : '';
    series.push({ name: r.curves.length > 1 ? c.label : 'P(detect)', x, y: c.points.map((p) => p.detection.mean), color, marker });
    series.push({ name: `${prefix}Chebyshev bound`, x, y: c.points.map((p) => p.bound), color, dash: 'dashed' });
    bands.push({ name: `${prefix}95% CI`, x, lower: c.points.map((p) => p.detection.ci95[0]), upper: c.points.map((p) => p.detection.ci95[1]), color });
  });
  return {
    title: 'Tracing a stream through a mix: detection by the LLR',
    xLabel: 'target packets',
    xIntegers: true,
    yLabel: 'probability of detection',
    series,
    bands,
    yRange: [0, 1],
  };
}

// ---------------------------------------------------------------------------------------
// anonscope trace --roc

const packetsLabel = (p: TraceRocPoint) => (p.packets === null ? 'all' : String(p.packets));

export function traceRocTable(r: TraceRocResult): string {
  const setting =
    r.mode === 'simulation'
      ? `simulation: ${r.targets} target streams, each on its own link; signal ${r.signalRate}, cover ${r.coverRate}; delay ${r.delay}; seed ${r.seed}`
      : `data: ${r.targets} target streams × ${r.links} links; delay ${r.delay}; window ${fixed(r.window![0])}..${fixed(r.window![1])}`;
  const [head, ...rows] = traceRocRows(r);
  return [`trace ROC, ${setting}; kernels: ${r.kernels}`, '', table(head, rows), '', ...traceRocFootnotes(r)].join('\n') + '\n';
}

/** How the CIs are made, and what a TPR marked "*" is (under the table, and on the page). */
export function traceRocFootnotes(r: TraceRocResult): string[] {
  const notes = [`TPR CI: ${r.method.tprCi}; AUC CI: ${r.method.aucCi}.`];
  if (r.byPackets.some((p) => p.atFpr.some((o) => !o.resolved))) notes.push('* fewer false pairs than 1/FPR: the value is the TPR at FPR = 0 on this sample.');
  return notes;
}

/** A header row and a row per packet count: AUC and TPR at each FPR with their CIs (the table's, and the page's). */
export function traceRocRows(r: TraceRocResult): string[][] {
  const head = ['packets', 'true', 'false', 'AUC', 'AUC 95% CI', ...r.fprs.flatMap((a) => [`TPR@FPR ${a}`, '95% CI'])];
  const rows = r.byPackets.map((p) => [
    packetsLabel(p),
    String(p.positives),
    String(p.negatives),
    fixed(p.auc.value, 4),
    `${fixed(p.auc.ci95[0], 3)}..${fixed(p.auc.ci95[1], 3)}`,
    ...p.atFpr.flatMap((o) => [`${fixed(o.tpr, 3)}${o.resolved ? '' : '*'}`, `${fixed(o.ci95[0], 3)}..${fixed(o.ci95[1], 3)}`]),
  ]);
  return [head, ...rows];
}

export const TRACE_ROC_COLUMNS = [
  'packets', 'mean_target_packets', 'positives', 'negatives', 'auc', 'auc_se', 'auc_ci95_low', 'auc_ci95_high',
  'target_fpr', 'threshold', 'fpr', 'tpr', 'tpr_ci95_low', 'tpr_ci95_high', 'resolved',
] as const;

/** One row per (packet count, target FPR): the operating point, beside its packet count's AUC. */
export function traceRocCsv(r: TraceRocResult): string {
  return csv(
    TRACE_ROC_COLUMNS,
    r.byPackets.flatMap((p) =>
      p.atFpr.map((o) => [
        p.packets ?? 'all', p.meanTargetPackets, p.positives, p.negatives, p.auc.value, p.auc.se, p.auc.ci95[0], p.auc.ci95[1],
        o.targetFpr, o.threshold, o.fpr, o.tpr, o.ci95[0], o.ci95[1], o.resolved,
      ]),
    ),
  );
}

export const TRACE_ROC_CURVE_COLUMNS = ['packets', 'threshold', 'fpr', 'tpr'] as const;

/** The corners of each ROC curve (threshold empty at the first, +∞). */
export function traceRocCurveCsv(r: TraceRocResult): string {
  return csv(TRACE_ROC_CURVE_COLUMNS, r.byPackets.flatMap((p) => p.points.map((q) => [p.packets ?? 'all', q.threshold, q.fpr, q.tpr])));
}

/** The ROC curves on a log FPR axis (the low-FPR end is where tracing is judged), one per packet count. */
export function traceRocChart(r: TraceRocResult): ChartSpec {
  const series: Series[] = r.byPackets.map((p, i) => {
    const shown = p.points.filter((q) => q.fpr > 0);
    return { name: `${packetsLabel(p)} packets, AUC ${fixed(p.auc.value, 3)}`, x: shown.map((q) => q.fpr), y: shown.map((q) => q.tpr), ...seriesStyle(i), marker: undefined };
  });
  let lowest = 1;
  for (const p of r.byPackets) lowest = Math.min(lowest, 1 / p.negatives);
  const chance = Array.from({ length: 61 }, (_, i) => lowest ** (1 - i / 60)); // TPR = FPR is a curve on a log axis
  series.push({ name: 'chance', x: chance, y: chance, color: REFERENCE_COLOR, dash: 'dashed' });
  return { title: 'Tracing streams through a mix: ROC of the LLR score', xLabel: 'false-positive rate', yLabel: 'true-positive rate', xScale: 'log', series, yRange: [0, 1] };
}

/** TPR at each target FPR against the number of observed packets, with Wilson bands. */
export function tprVsPacketsChart(r: TraceRocResult): ChartSpec {
  const x = r.byPackets.map((p) => p.meanTargetPackets);
  const series: Series[] = [];
  const bands: Band[] = [];
  r.fprs.forEach((a, k) => {
    const style = seriesStyle(k);
    series.push({ name: `TPR @ FPR ${a}`, x, y: r.byPackets.map((p) => p.atFpr[k].tpr), ...style });
    bands.push({ name: `FPR ${a}: 95% CI`, x, lower: r.byPackets.map((p) => p.atFpr[k].ci95[0]), upper: r.byPackets.map((p) => p.atFpr[k].ci95[1]), color: style.color });
  });
  series.push({ name: 'AUC', x, y: r.byPackets.map((p) => p.auc.value), color: REFERENCE_COLOR, dash: 'dashed', marker: 'cross' });
  return { title: 'Tracing streams through a mix: TPR at fixed FPR', xLabel: 'observed target packets', yLabel: 'true-positive rate', series, bands, yRange: [0, 1] };
}

// ---------------------------------------------------------------------------------------
// anonscope network

/** One line on a posterior's calibration at the destination. */
function calibrationLine(label: string, c: Calibration): string {
  const ci = (g: Gap) => `95% CI ${fixed(g.ci95[0], 3)}..${fixed(g.ci95[1], 3)}`;
  return (
    `${label}: top guess given ${fixed(c.meanConfidence, 3)} on average, right for ${fixed(c.accuracy, 3)} (gap ${fixed(c.confidenceGap.mean, 3)}, ${ci(c.confidenceGap)}); ` +
    `true destination given ${fixed(c.meanTruthProbability, 3)}, the posterior expects ${fixed(c.expectedTruthProbability, 3)}; ` +
    `ECE ${fixed(c.expectedCalibrationError, 3)}; log-loss ${Number.isFinite(c.logLoss) ? `${fixed(c.logLoss, 3)} bits` : `∞ (${c.zeroTruth} streams give the truth probability 0)`}`
  );
}

function reliabilityTable(c: Calibration): string {
  const rows = c.reliability.filter((bin) => bin.count > 0).map((bin) => [`${bin.low.toFixed(1)}–${bin.high.toFixed(1)}`, String(bin.count), fixed(bin.meanConfidence, 3), fixed(bin.accuracy, 3)]);
  return table(['top-1 probability', 'streams', 'mean top-1 p', 'accuracy'], rows);
}

export function networkTable(r: MixNetworkResult): string {
  const rows = r.byStep.map((s, h) => [
    String(s.step),
    fixed(s.top1, 3),
    fixed(s.top3, 3),
    fixed(s.meanRank, 2),
    fixed(s.meanEntropy, 3),
    fixed(r.prior[h].top1, 3),
    fixed(r.prior[h].meanRank, 2),
    fixed(r.prior[h].meanEntropy, 3),
  ]);
  const temperature = `temperature ${Number(r.temperature.toPrecision(3))}${r.temperatureFit === 'auto' ? ' (fitted)' : ''}`;
  return (
    [
      `network: ${r.topology}; ${r.links} links; ${r.streams} of ${r.totalStreams} streams traced, ${r.pathLength} mixes per path, ${r.packets} packets over ${r.duration}; delay ${r.delay}; seed ${r.seed}; ${temperature}; kernels: ${r.kernels}`,
      `destination (after ${r.pathLength - 1} steps): top1 ${fixed(r.top1, 3)}, top3 ${fixed(r.top3, 3)}, mean rank ${fixed(r.meanRank, 2)}, mean entropy ${fixed(r.meanEntropy, 3)} bits ` +
        `(uniform guessing: top1 ${fixed(r.chance.top1, 3)}, mean rank ${fixed(r.chance.meanRank, 1)}, ${fixed(r.chance.entropy, 3)} bits)`,
      calibrationLine(`calibration (${temperature})`, r.calibration),
      ...(r.untempered
        ? [
            `untempered (temperature 1, links independent): top1 ${fixed(r.untempered.top1, 3)}, mean entropy ${fixed(r.untempered.meanEntropy, 3)} bits`,
            calibrationLine('calibration (temperature 1)', r.untempered.calibration),
          ]
        : []),
      '',
      table(['step', 'top1', 'top3', 'mean rank', 'entropy', 'prior top1', 'prior rank', 'prior entropy'], rows),
      '',
      `reliability of the destination posterior (${temperature}):`,
      reliabilityTable(r.calibration),
      ...r.notes.map((note) => `note: ${note}`),
    ].join('\n') + '\n'
  );
}

export const NETWORK_STEP_COLUMNS = ['step', 'top1', 'top3', 'mean_rank', 'mean_entropy', 'prior_top1', 'prior_top3', 'prior_mean_rank', 'prior_mean_entropy'] as const;

export function networkStepsCsv(r: MixNetworkResult): string {
  return csv(
    NETWORK_STEP_COLUMNS,
    r.byStep.map((s, h) => [s.step, s.top1, s.top3, s.meanRank, s.meanEntropy, r.prior[h].top1, r.prior[h].top3, r.prior[h].meanRank, r.prior[h].meanEntropy]),
  );
}

export function networkStreamsCsv(r: MixNetworkResult): string {
  const steps = r.byStep.length;
  const header = [
    'stream', 'entry', 'destination', 'path', ...r.byStep.map((s) => `rank_${s.step}`), ...r.byStep.map((s) => `entropy_${s.step}`), 'confidence', 'truth_probability',
  ];
  return csv(
    header,
    (r.perStream ?? []).map((s) => [
      s.stream, s.entry, s.destination, s.path.join(' '), ...s.ranks.slice(0, steps), ...s.entropies.slice(0, steps), s.confidence, s.truthProbability,
    ]),
  );
}

/** The calibrations a result holds: at its temperature, and untempered when that differs. */
function calibrations(r: MixNetworkResult): [number, string, Calibration][] {
  return [[r.temperature, r.temperatureFit, r.calibration], ...(r.untempered ? [[1, 'given', r.untempered.calibration] as [number, string, Calibration]] : [])];
}

export const NETWORK_CALIBRATION_COLUMNS = [
  'temperature', 'temperature_fit', 'streams', 'mean_confidence', 'accuracy', 'confidence_gap', 'confidence_gap_ci95_low', 'confidence_gap_ci95_high',
  'mean_truth_probability', 'expected_truth_probability', 'truth_gap', 'truth_gap_ci95_low', 'truth_gap_ci95_high', 'ece', 'log_loss_bits', 'zero_truth', 'consistent',
] as const;

export function networkCalibrationCsv(r: MixNetworkResult): string {
  return csv(
    NETWORK_CALIBRATION_COLUMNS,
    calibrations(r).map(([t, fit, c]) => [
      t, fit, c.count, c.meanConfidence, c.accuracy, c.confidenceGap.mean, c.confidenceGap.ci95[0], c.confidenceGap.ci95[1],
      c.meanTruthProbability, c.expectedTruthProbability, c.truthGap.mean, c.truthGap.ci95[0], c.truthGap.ci95[1], c.expectedCalibrationError, c.logLoss, c.zeroTruth, c.consistent,
    ]),
  );
}

export const NETWORK_RELIABILITY_COLUMNS = ['temperature', 'bin_low', 'bin_high', 'streams', 'mean_confidence', 'accuracy'] as const;

export function networkReliabilityCsv(r: MixNetworkResult): string {
  return csv(
    NETWORK_RELIABILITY_COLUMNS,
    calibrations(r).flatMap(([t, , c]) => c.reliability.map((bin) => [t, bin.low, bin.high, bin.count, bin.meanConfidence, bin.accuracy])),
  );
}

/** Top-1 and top-3 against steps from the entry, with the routing-law-only walk and uniform guessing. */
export function networkAccuracyChart(r: MixNetworkResult): ChartSpec {
  const x = r.byStep.map((s) => s.step);
  return {
    title: 'Mix network: tracing streams from their entry',
    graph: r.topology,
    xLabel: 'steps from the entry mix',
    xIntegers: true,
    yLabel: 'fraction of streams',
    yRange: [0, 1],
    series: [
      { name: 'top 1 (timing)', x, y: r.byStep.map((s) => s.top1), color: COLORS[0], marker: 'circle' },
      { name: 'top 3 (timing)', x, y: r.byStep.map((s) => s.top3), color: COLORS[1], marker: 'square' },
      { name: 'top 1 (routing only)', x, y: r.prior.map((s) => s.top1), color: COLORS[0], dash: 'dashed', marker: 'triangle' },
      { name: 'top 3 (routing only)', x, y: r.prior.map((s) => s.top3), color: COLORS[1], dash: 'dashed', marker: 'diamond' },
    ],
    rules: [{ name: `top 1 (uniform guess, ${r.chance.top1.toFixed(3)})`, axis: 'y', at: r.chance.top1, color: REFERENCE_COLOR, dash: 'dotted' }],
  };
}

export function networkEntropyChart(r: MixNetworkResult): ChartSpec {
  const x = r.byStep.map((s) => s.step);
  return {
    title: 'Mix network: entropy of where the stream is',
    graph: r.topology,
    xLabel: 'steps from the entry mix',
    xIntegers: true,
    yLabel: 'entropy (bits)',
    series: [
      { name: 'timing attack', x, y: r.byStep.map((s) => s.meanEntropy), color: COLORS[0], marker: 'circle' },
      { name: 'routing law only', x, y: r.prior.map((s) => s.meanEntropy), color: COLORS[2], dash: 'dashed', marker: 'square' },
    ],
    rules: [{ name: `log2(mixes − 1) (${r.chance.entropy.toFixed(2)})`, axis: 'y', at: r.chance.entropy, color: REFERENCE_COLOR, dash: 'dotted' }],
  };
}

/** CDF of the destination's rank over the traced streams. */
export function networkRankCdfChart(r: MixNetworkResult): ChartSpec {
  const cdf = empiricalCdf((r.perStream ?? []).map((s) => s.rank));
  return {
    title: 'Rank of the true destination',
    graph: r.topology,
    xLabel: 'rank (1 = most likely)',
    xIntegers: true,
    yLabel: 'fraction of streams',
    yRange: [0, 1],
    series: [{ name: 'CDF', x: [0, ...cdf.value], y: [0, ...cdf.probability], color: COLORS[0], step: true }],
  };
}
