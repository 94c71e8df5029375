/**
 * What a chart shows, as plain data: the report writers build a ChartSpec, renderChart
 * (plot.ts) draws it with Observable Plot, in the page's DOM or in Node's (svg-file.ts).
 * A spec holds only numbers, strings and arrays, so the page's worker can post it.
 */

/** Point markers; each is drawn the same way on the chart and in its legend (symbols.ts). */
export const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'cross', 'triangle-down'] as const;
export type Marker = (typeof MARKERS)[number];
export type Dash = 'dashed' | 'dotted';

export interface Series {
  name: string;
  x: readonly number[];
  y: readonly number[];
  color: string;
  /** Absent: a solid line. */
  dash?: Dash;
  /** A marker at every point. A series of one point gets one even without (a line needs two). */
  marker?: Marker;
  /** Draw as a right-continuous step function (CDFs). */
  step?: boolean;
}

/** A shaded interval (a CI); drawn only where upper > lower, an isolated point as an error bar. */
export interface Band {
  name: string;
  x: readonly number[];
  lower: readonly number[];
  upper: readonly number[];
  color: string;
}

/** A reference line across the whole frame: y = at (horizontal) or x = at (vertical). */
export interface Rule {
  name: string;
  axis: 'x' | 'y';
  at: number;
  color: string;
  dash?: Dash;
}

export interface ChartSpec {
  title: string;
  /** The input graph's name, shown in the title (absent for analyses without a graph). */
  graph?: string;
  xLabel: string;
  yLabel: string;
  /** 'log': logarithmic, or symmetric-log when the data holds 0 (attack-edge counts start at g = 0). */
  xScale?: 'linear' | 'log';
  /** Ticks on whole numbers only (hops, rounds, steps, packets). */
  xIntegers?: boolean;
  /** Force the y range (e.g. [0, 1] for a CDF); otherwise it starts at 0 and covers the data and the rules. */
  yRange?: [number, number];
  series: Series[];
  bands?: Band[];
  rules?: Rule[];
}

/** Colours (Tableau 10), told apart by hue; series that share one differ by dash and marker. */
export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
/** The reference lines' colour (optimal, theory, chance). */
export const REFERENCE_COLOR = '#444';

/** The k-th of several comparable series (walk models, curves, laws): colour, marker and dash all differ. */
export function seriesStyle(k: number): Pick<Series, 'color' | 'marker' | 'dash'> {
  const dashes: (Dash | undefined)[] = [undefined, 'dashed', 'dotted'];
  return { color: COLORS[k % COLORS.length], marker: MARKERS[k % MARKERS.length], dash: dashes[k % dashes.length] };
}

/** The optimal entropy (log2 of the initiators) as a dashed reference line. */
export function optimalRule(optimal: number, axis: Rule['axis'] = 'y'): Rule {
  return { name: `optimal (${optimal.toFixed(2)} bits)`, axis, at: optimal, color: REFERENCE_COLOR, dash: 'dashed' };
}

/** The title as drawn: the graph's name after the analysis's title. */
export function fullTitle(spec: Pick<ChartSpec, 'title' | 'graph'>): string {
  return spec.graph ? `${spec.title} — ${spec.graph}` : spec.title;
}
