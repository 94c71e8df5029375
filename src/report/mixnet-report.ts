import type { MixnetLawSweepResult, MixnetResult, MixnetSweepParameter, MixnetSweepResult } from '../analyses/mixnet.js';
import { empiricalCdf } from '../stats/summary.js';
import { count } from './count.js';
import { COLORS, REFERENCE_COLOR, seriesStyle, type Band, type ChartSpec, type Series } from './chart.js';
import { csv, fixed, mixJson, table } from './mix-report.js';

/**
 * Writers for the Loopix-style mixnet analysis (anonscope mixnet): a text table, CSV (one
 * row per run or sweep value) and JSON, and the charts (the entropy CDF; entropy and
 * latency against a swept parameter). The JSON field names are a public interface.
 */

/**
 * "stratified, 3 layers × 3 mixes", "3 cascades of 3 mixes" or "free routes of 3 hops over
 * the 40 nodes of g.txt", with a directed graph, weighted routing and corrupt mixes when
 * there are any; in a sweep the swept dimension is named, not valued ("L layers × 3 mixes").
 */
export function mixnetTopologyLabel(r: Pick<MixnetResult, 'topology' | 'corrupt'>, swept?: MixnetSweepParameter): string {
  const { kind, routing } = r.topology;
  const count = (n: number, one: string, many: string, symbol: string, parameter: MixnetSweepParameter) =>
    swept === parameter ? `${symbol} ${many}` : `${n} ${n === 1 ? one : many}`;
  const layers = count(r.topology.layers, 'layer', 'layers', 'L', 'layers');
  const width = (one: string, many: string) => count(r.topology.width, one, many, 'W', 'width');
  const graph = r.topology.graph;
  const shape =
    kind === 'cascade'
      ? `${width('cascade', 'cascades')} of ${count(r.topology.layers, 'mix', 'mixes', 'L', 'layers')}`
      : kind === 'free' && graph
        ? `free routes of ${count(r.topology.layers, 'hop', 'hops', 'L', 'layers')} over the ${graph.nodes} nodes of ${graph.name ?? 'a graph'}`
        : `stratified, ${layers} × ${width('mix', 'mixes')}`;
  const corrupt = swept !== 'corrupt' && r.corrupt.mixes.length > 0 ? `${r.corrupt.mixes.length} corrupt` : '';
  const extras = [graph?.directed ? 'directed' : '', routing === 'weighted' ? 'weighted routing' : '', corrupt].filter(Boolean);
  return extras.length ? `${shape} (${extras.join(', ')})` : shape;
}

/** λ·E[D]: real messages sent per mean hop delay (λ/μ for the exponential). */
export const mixnetLoad = (r: MixnetResult): number => r.rate.real * r.delay.mean;

/** Danezis' log2(λe/μ) at λ/μ = load: one exponential mix, the most any delay law of that mean gives. */
export const danezisBits = (load: number): number => Math.log2(load * Math.E);

/** The CDF of the targets' entropies, as a JSON field. */
export const entropyCdf = (r: MixnetResult) => empiricalCdf(r.perTarget);

/** A result for JSON: the entropy CDF in place of the per-target entropies (kept with `perTarget`, as results.json does). */
function jsonView(r: MixnetResult, perTarget: boolean) {
  const { perTarget: entropies, ...summary } = r;
  return { ...summary, entropyCdf: entropyCdf(r), ...(perTarget ? { perTarget: entropies } : {}) };
}

export function mixnetJson(r: MixnetResult, { perTarget = false } = {}): string {
  return mixJson(jsonView(r, perTarget));
}

export function mixnetSweepJson(s: MixnetSweepResult, { perTarget = false } = {}): string {
  return mixJson({ sweep: s.sweep, points: s.points.map((p) => jsonView(p, perTarget)) });
}

/** A sweep over several delay laws: one point per (law, value), law after law, each naming its law and value. */
export function mixnetLawSweepJson(s: MixnetLawSweepResult, { perTarget = false } = {}): string {
  const points = s.sweeps.flatMap((sweep, k) => sweep.points.map((p, i) => ({ law: s.laws[k], value: s.sweep.values[i], ...jsonView(p, perTarget) })));
  return mixJson({ sweep: s.sweep, laws: s.laws, points });
}

export const MIXNET_CSV_COLUMNS = [
  'parameter', 'value', 'topology', 'layers', 'width', 'routing', 'corrupt', 'clients', 'rate', 'delay', 'mean_delay', 'load', 'loop_rate', 'drop_rate',
  'mix_loop_rate', 'total_rate', 'targets_sent', 'targets_exited', 'unexited_mass', 'entropy_mean', 'entropy_ci95_low', 'entropy_ci95_high', 'entropy_sd',
  'epsilon_mean', 'epsilon_sd', 'delta', 'latency_mean', 'latency_p50', 'latency_p90', 'latency_p99', 'latency_max',
] as const;

function csvRow(r: MixnetResult, parameter?: string, value?: number) {
  return [
    parameter, value, r.topology.kind, r.topology.layers, r.topology.width, r.topology.routing, r.corrupt.fraction, r.rate.clients, r.rate.real, r.delay.spec,
    r.delay.mean, mixnetLoad(r), r.rate.loopPerClient, r.rate.dropPerClient, r.rate.mixLoopPerMix, r.rate.total, r.targets.sent, r.targets.exited,
    r.targets.unexitedMass, r.entropy.mean, r.entropy.ci95[0], r.entropy.ci95[1], r.entropy.sd, r.unlinkability.epsilonMean, r.unlinkability.epsilonSd,
    r.unlinkability.delta, r.latency.mean, r.latency.p50, r.latency.p90, r.latency.p99, r.latency.max,
  ];
}

/** One row; `parameter` and `value` are empty (they name the swept parameter in a sweep's rows). */
export function mixnetCsv(r: MixnetResult): string {
  return csv(MIXNET_CSV_COLUMNS, [csvRow(r)]);
}

/** One row per value of the swept parameter. */
export function mixnetSweepCsv(s: MixnetSweepResult): string {
  return csv(MIXNET_CSV_COLUMNS, s.points.map((p, i) => csvRow(p, s.sweep.parameter, s.sweep.values[i])));
}

/** The columns of a sweep's, with the law as given first (a `mu` sweep's delay column holds the rescaled law). */
export const MIXNET_LAW_SWEEP_CSV_COLUMNS = ['law', ...MIXNET_CSV_COLUMNS] as const;

/** One row per (law, value), law after law. */
export function mixnetLawSweepCsv(s: MixnetLawSweepResult): string {
  return csv(MIXNET_LAW_SWEEP_CSV_COLUMNS, s.sweeps.flatMap((sweep, k) => sweep.points.map((p, i) => [s.laws[k], ...csvRow(p, s.sweep.parameter, s.sweep.values[i])])));
}

function setting(r: MixnetResult, swept?: MixnetSweepParameter): string {
  const cover = r.rate.loopPerClient + r.rate.dropPerClient + r.rate.mixLoopPerMix > 0
    ? `; cover: loop ${r.rate.loopPerClient}, drop ${r.rate.dropPerClient} per client, mix-loop ${r.rate.mixLoopPerMix} per mix (total rate ${fixed(r.rate.total, 2)})`
    : '; no cover';
  return `${mixnetTopologyLabel(r, swept)}; ${r.rate.clients} clients, λ = ${r.rate.real} real${cover}; delay ${r.delay.spec} per hop (mean ${fixed(r.delay.mean)})`;
}

/** The setting and the targets of a run, a line each (above the table, and the page's notes). */
export function mixnetHeader(r: MixnetResult): string[] {
  const t = r.targets;
  return [
    `mixnet: ${setting(r)}`,
    `targets: ${t.perReplication} × ${count(t.replications, 'replication')}, ${t.sent} sent, ${t.exited} out; burn-in ${fixed(t.burnIn, 2)}, window ${fixed(t.window, 2)}, cool-down ${fixed(t.coolDown, 2)}; seed ${t.seed}; kernels: ${r.kernels} (${r.precision})`,
  ];
}

/** Entropy, unlinkability and latency: a [measure, value] row each (the table's lines, and the page's table). */
export function mixnetRows(r: MixnetResult): [string, string][] {
  return [
    ['entropy', `${fixed(r.entropy.mean)} bits  (95% CI ${fixed(r.entropy.ci95[0])}..${fixed(r.entropy.ci95[1])}, sd ${fixed(r.entropy.sd, 3)}, min ${fixed(r.entropy.min, 3)}, median ${fixed(r.entropy.median, 3)}, max ${fixed(r.entropy.max, 3)})`],
    ['unlinkability', `ε = |ln(p_A/p_B)| mean ${fixed(r.unlinkability.epsilonMean)}, sd ${fixed(r.unlinkability.epsilonSd)}; δ ${fixed(r.unlinkability.delta)}`],
    ['latency', `mean ${fixed(r.latency.mean)}, p50 ${fixed(r.latency.p50)}, p90 ${fixed(r.latency.p90)}, p99 ${fixed(r.latency.p99)}, max ${fixed(r.latency.max)} (${count(r.latency.count, 'message')})`],
  ];
}

/** How much of each target's mass never got out (under the table). */
export const mixnetInsideNote = (r: MixnetResult): string =>
  `mass still inside at the end: ${r.targets.unexitedMass.toPrecision(3)} of each target's (a longer --cool-down if this is not small)`;

export function mixnetTable(r: MixnetResult): string {
  return [...mixnetHeader(r), ...mixnetRows(r).map(([measure, value]) => `${measure.padEnd(15)}${value}`), mixnetInsideNote(r)].join('\n') + '\n';
}

/** The sweep and its setting at the first value, a line each (above the table, and the page's notes). */
export function mixnetSweepHeader(s: MixnetSweepResult): string[] {
  return [
    `mixnet sweep over ${s.sweep.parameter} = ${s.sweep.values.join(', ')}: ${setting(s.points[0], s.sweep.parameter)} (at the first value)`,
    `${count(s.points[0].targets.perReplication, 'target')} × ${count(s.points[0].targets.replications, 'replication')} per value, seed ${s.points[0].targets.seed}; entropies in bits; kernels: ${s.points[0].kernels}`,
  ];
}

/** A header row and a row per swept value (the table's, and the page's). */
export function mixnetSweepRows(s: MixnetSweepResult): string[][] {
  const rows = s.points.map((p, i) => [
    String(s.sweep.values[i]),
    fixed(mixnetLoad(p), 3),
    fixed(p.entropy.mean),
    `${fixed(p.entropy.ci95[0], 3)}..${fixed(p.entropy.ci95[1], 3)}`,
    fixed(p.unlinkability.epsilonMean, 3),
    fixed(p.unlinkability.delta, 3),
    fixed(p.latency.mean, 3),
    fixed(p.latency.p99, 3),
  ]);
  return [[s.sweep.parameter, 'λ·E[D]', 'entropy', 'ci95', 'ε mean', 'δ', 'latency', 'p99'], ...rows];
}

export function mixnetSweepTable(s: MixnetSweepResult): string {
  const [head, ...rows] = mixnetSweepRows(s);
  return [...mixnetSweepHeader(s), '', table(head, rows)].join('\n') + '\n';
}

/** A sweep over delay laws and its setting at the first value of the first law, a line each. */
export function mixnetLawSweepHeader(s: MixnetLawSweepResult): string[] {
  const [first] = s.sweeps;
  const [, targets] = mixnetSweepHeader(first);
  return [`mixnet sweep over ${s.sweep.parameter} = ${s.sweep.values.join(', ')} for ${count(s.laws.length, 'delay law')} (${s.laws.join('; ')}): ${setting(first.points[0], s.sweep.parameter)} (at the first value of the first law)`, targets.replace(' per value', ' per law and value')];
}

/** A header row and a row per (law, value): the single-law rows with the law in front. */
export function mixnetLawSweepRows(s: MixnetLawSweepResult): string[][] {
  const perLaw = s.sweeps.map((sweep, k) => mixnetSweepRows(sweep).map((row, i) => [i === 0 ? 'law' : s.laws[k], ...row]));
  return [perLaw[0][0], ...perLaw.flatMap((rows) => rows.slice(1))];
}

export function mixnetLawSweepTable(s: MixnetLawSweepResult): string {
  const [head, ...rows] = mixnetLawSweepRows(s);
  return [...mixnetLawSweepHeader(s), '', table(head, rows)].join('\n') + '\n';
}

/** The CDF of the targets' entropies: one step line per run (per sweep value; per law and value), its mean as a vertical line for a single run. */
export function mixnetEntropyCdfChart(result: MixnetResult | MixnetSweepResult | MixnetLawSweepResult): ChartSpec {
  const valued = (sweep: MixnetSweepResult, law?: string) =>
    sweep.points.map((p, i) => ({ name: `${law ? `${law}, ` : ''}${sweep.sweep.parameter} = ${sweep.sweep.values[i]}`, r: p }));
  const runs = 'sweeps' in result ? result.sweeps.flatMap((sweep, k) => valued(sweep, result.laws[k])) : 'sweep' in result ? valued(result) : [{ name: 'CDF', r: result }];
  const first = runs[0].r;
  return {
    title: `Mixnet sender anonymity: ${mixnetTopologyLabel(first, 'sweep' in result ? result.sweep.parameter : undefined)}${'sweep' in result ? `, over ${result.sweep.parameter}${'laws' in result ? ` for ${result.laws.join('; ')}` : ''}` : `, λ = ${first.rate.real}, ${first.delay.spec}`}`,
    xLabel: 'entropy of a target message over the exits (bits)',
    yLabel: 'fraction of targets',
    yRange: [0, 1],
    series: runs.map(({ name, r }, i) => {
      const cdf = entropyCdf(r);
      return { name, x: cdf.value, y: cdf.probability, color: COLORS[i % COLORS.length], step: true };
    }),
    rules: 'sweep' in result ? [] : [{ name: `mean (${first.entropy.mean.toFixed(2)})`, axis: 'x', at: first.entropy.mean, color: REFERENCE_COLOR, dash: 'dotted' }],
  };
}

const AXIS_LABELS: Record<MixnetSweepParameter, string> = {
  rate: 'λ/μ (λ·E[D], real messages per mean hop delay)',
  mu: 'λ/μ (λ·E[D], real messages per mean hop delay)',
  layers: 'layers L',
  width: 'mixes per layer W',
  corrupt: 'share of corrupt mixes',
  'loop-rate': 'loop cover per client',
  'drop-rate': 'drop cover per client',
  'mix-loop-rate': 'mix-loop cover per mix',
};

/** The x of a sweep's charts: λ/μ for the rate and μ (log axis), the swept value otherwise. */
function sweepAxis(s: MixnetSweepResult): Pick<ChartSpec, 'xLabel' | 'xScale' | 'xIntegers'> & { x: number[] } {
  const { parameter, values } = s.sweep;
  const byLoad = parameter === 'rate' || parameter === 'mu';
  return {
    x: byLoad ? s.points.map(mixnetLoad) : [...values],
    xLabel: AXIS_LABELS[parameter],
    xScale: byLoad ? 'log' : 'linear',
    xIntegers: parameter === 'layers' || parameter === 'width',
  };
}

/** Danezis' log2(λe/μ) for one exponential mix, on a log grid across the loads. */
function danezisSeries(loads: readonly number[]): Series {
  const [lo, hi] = [Math.min(...loads), Math.max(...loads)];
  const grid = Array.from({ length: 41 }, (_, i) => lo * (hi / lo) ** (i / 40));
  return { name: 'log2(λe/μ): one exponential mix (Danezis)', x: grid, y: grid.map(danezisBits), color: REFERENCE_COLOR, dash: 'dashed' };
}

/** Entropy against the swept parameter with its 95% CI; against λ/μ also Danezis' log2(λe/μ) for one exponential mix. */
export function mixnetSweepEntropyChart(s: MixnetSweepResult): ChartSpec {
  const { x, ...axis } = sweepAxis(s);
  const style = seriesStyle(0);
  const series: ChartSpec['series'] = [{ name: 'mean entropy', x, y: s.points.map((p) => p.entropy.mean), ...style, dash: undefined }];
  if (axis.xScale === 'log') series.push(danezisSeries(x));
  return {
    title: `Mixnet anonymity against ${s.sweep.parameter}: ${mixnetTopologyLabel(s.points[0], s.sweep.parameter)}`,
    yLabel: 'entropy of a target message (bits)',
    ...axis,
    series,
    bands: [{ name: '95% CI', x, lower: s.points.map((p) => p.entropy.ci95[0]), upper: s.points.map((p) => p.entropy.ci95[1]), color: style.color }],
  };
}

/** The end-to-end latency each setting costs: mean, median, p90 and p99 against the swept parameter. */
export function mixnetSweepLatencyChart(s: MixnetSweepResult): ChartSpec {
  const { x, ...axis } = sweepAxis(s);
  const quantiles = [
    ['mean', (p: MixnetResult) => p.latency.mean],
    ['median', (p: MixnetResult) => p.latency.p50],
    ['p90', (p: MixnetResult) => p.latency.p90],
    ['p99', (p: MixnetResult) => p.latency.p99],
  ] as const;
  return {
    title: `Mixnet latency against ${s.sweep.parameter}: ${mixnetTopologyLabel(s.points[0], s.sweep.parameter)}`,
    yLabel: 'end-to-end delay of a real message',
    ...axis,
    series: quantiles.map(([name, of], i) => ({ name, x, y: s.points.map(of), ...seriesStyle(i) })),
  };
}

/** One entropy line per delay law with its 95% CI; against λ/μ Danezis' log2(λe/μ) once, across every law's loads. */
export function mixnetLawSweepEntropyChart(s: MixnetLawSweepResult): ChartSpec {
  const series: Series[] = [];
  const bands: Band[] = [];
  const loads: number[] = [];
  s.sweeps.forEach((sweep, k) => {
    const { x } = sweepAxis(sweep);
    const { color, marker } = seriesStyle(k);
    series.push({ name: s.laws[k], x, y: sweep.points.map((p) => p.entropy.mean), color, marker });
    bands.push({ name: `${s.laws[k]} 95% CI`, x, lower: sweep.points.map((p) => p.entropy.ci95[0]), upper: sweep.points.map((p) => p.entropy.ci95[1]), color });
    loads.push(...x);
  });
  const { x: _, ...axis } = sweepAxis(s.sweeps[0]);
  if (axis.xScale === 'log') series.push(danezisSeries(loads));
  return {
    title: `Mixnet anonymity against ${s.sweep.parameter}, per delay law: ${mixnetTopologyLabel(s.sweeps[0].points[0], s.sweep.parameter)}`,
    yLabel: 'entropy of a target message (bits)',
    ...axis,
    series,
    bands,
  };
}

/** The latency each law costs: its mean (solid) and p99 (dashed) in the law's colour, against the swept parameter. */
export function mixnetLawSweepLatencyChart(s: MixnetLawSweepResult): ChartSpec {
  const series = s.sweeps.flatMap((sweep, k): Series[] => {
    const { x } = sweepAxis(sweep);
    const { color, marker } = seriesStyle(k);
    return [
      { name: `${s.laws[k]} mean`, x, y: sweep.points.map((p) => p.latency.mean), color, marker },
      { name: `${s.laws[k]} p99`, x, y: sweep.points.map((p) => p.latency.p99), color, marker, dash: 'dashed' },
    ];
  });
  const { x: _, ...axis } = sweepAxis(s.sweeps[0]);
  return {
    title: `Mixnet latency against ${s.sweep.parameter}, per delay law: ${mixnetTopologyLabel(s.sweeps[0].points[0], s.sweep.parameter)}`,
    yLabel: 'end-to-end delay of a real message',
    ...axis,
    series,
  };
}

/** How a kind of mixnet sweep is reported, by the CLI and the page alike. */
export interface MixnetSweepReport<R> {
  /** What the charts' titles add after "Entropy against PARAM". */
  titleSuffix: string;
  header: (r: R) => string[];
  rows: (r: R) => string[][];
  table: (r: R) => string;
  json: (r: R, options?: { perTarget?: boolean }) => string;
  csv: (r: R) => string;
  entropyChart: (r: R) => ChartSpec;
  latencyChart: (r: R) => ChartSpec;
}

export const MIXNET_SWEEP_REPORT: MixnetSweepReport<MixnetSweepResult> = {
  titleSuffix: '',
  header: mixnetSweepHeader,
  rows: mixnetSweepRows,
  table: mixnetSweepTable,
  json: mixnetSweepJson,
  csv: mixnetSweepCsv,
  entropyChart: mixnetSweepEntropyChart,
  latencyChart: mixnetSweepLatencyChart,
};

export const MIXNET_LAW_SWEEP_REPORT: MixnetSweepReport<MixnetLawSweepResult> = {
  titleSuffix: ', per delay law',
  header: mixnetLawSweepHeader,
  rows: mixnetLawSweepRows,
  table: mixnetLawSweepTable,
  json: mixnetLawSweepJson,
  csv: mixnetLawSweepCsv,
  entropyChart: mixnetLawSweepEntropyChart,
  latencyChart: mixnetLawSweepLatencyChart,
};
