import * as Plot from '@observablehq/plot';
import { fullTitle, type Band, type ChartSpec, type Dash, type Marker, type Series } from './chart.js';
import { markerPath, symbolType } from './symbols.js';

/**
 * renderChart: a ChartSpec drawn with Observable Plot as one <svg> element: the title (with
 * the graph's name) above the plot, the legend below it, laid out here so that neither is
 * ever clipped. In the page (interactive) a tip follows the pointer with the numbers at that
 * x; in files each marker holds its numbers as a <title>, which viewers show on hover.
 */
export interface RenderOptions {
  /** The page's document, or a DOM shim's in Node (svg-file.ts). */
  document: Document;
  /** Width of the whole chart in px. */
  width?: number;
  /** Height of the plot between the title and the legend, in px. */
  height?: number;
  /** Hover tips (needs pointer events: the page, not a file). */
  interactive?: boolean;
}

const DEFAULTS = { width: 720, height: 380, interactive: false };
/** Arial and its metric twins (Liberation Sans on Linux, Helvetica on macOS): the same widths everywhere. */
export const FONT_FAMILY = 'Arial, "Liberation Sans", Helvetica, sans-serif';
const FONT_SIZE = 12;
const TITLE_SIZE = 15;
const PAD = 12;
const SWATCH = 30;
const LEGEND_ROW = 20;
const SVG_NS = 'http://www.w3.org/2000/svg';
const DASH_ARRAYS: Record<Dash, string> = { dashed: '6 4', dotted: '1 4' };
const BAND_OPACITY = 0.2;

/**
 * A text's width in px, erring wide: character classes at Arial's widths rounded up (the
 * layout must hold even where a wider fallback font is used).
 */
export function textWidth(text: string, size: number): number {
  let em = 0;
  for (const c of text) {
    if (/[ijlI.,:;'!|()\[\] ]/.test(c)) em += 0.34;
    else if (/[mwMW—@%]/.test(c)) em += 0.95;
    else if (/[A-Z]/.test(c)) em += 0.74;
    else em += 0.6;
  }
  return em * size;
}

/** Words into lines of at most maxWidth px (a single word longer than that gets a line of its own). */
function wrapText(text: string, maxWidth: number, size: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, size) > maxWidth) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  lines.push(line);
  return lines;
}

type LegendItem = { name: string; color: string; kind: 'line' | 'band' | 'rule'; dash?: Dash; marker?: Marker };

/** Legend items left to right, wrapped into rows that fit the width; each with its position. */
function legendLayout(items: LegendItem[], width: number): { item: LegendItem; x: number; row: number }[] {
  const placed: { item: LegendItem; x: number; row: number }[] = [];
  let x = PAD;
  let row = 0;
  for (const item of items) {
    const w = SWATCH + 6 + textWidth(item.name, FONT_SIZE);
    if (x > PAD && x + w > width - PAD) {
      row++;
      x = PAD;
    }
    placed.push({ item, x, row });
    x += w + 18;
  }
  return placed;
}

/** Finite values' [min, max]: a loop, since spreading a big array overflows the stack. */
function finiteExtent(arrays: readonly (readonly number[])[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const values of arrays) {
    for (const v of values) {
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return [min, max];
}

/** A range of one value widened so it has a middle: ±0.5 on whole numbers (one hop: the tick stays 1), ±10% else. */
function widened([lo, hi]: [number, number]): [number, number] {
  if (!Number.isFinite(lo)) return [0, 1];
  if (hi > lo) return [lo, hi];
  const pad = Number.isInteger(lo) ? 0.5 : Math.abs(lo) * 0.1 || 1;
  return [lo - pad, hi + pad];
}

/** Whole-number ticks on [lo, hi], about `count` of them (at least two where two fit), at steps of 1, 2, 5 × 10^k (the nearest, as d3 picks). */
export function integerTicks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const error = raw / magnitude;
  const step = Math.max(1, magnitude * (error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1));
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) ticks.push(t);
  // A coarse step can leave one tick (1..8 by 5): refine while a finer step exists.
  return ticks.length < 2 && step > 1 ? integerTicks(lo, hi, count * 2) : ticks;
}

/** Ticks of a log axis: the powers of ten in range (and 0 on a symlog axis), or the data's own x when under two decades show. */
function logTicks([lo, hi]: [number, number], xs: number[]): number[] {
  const decades: number[] = lo <= 0 ? [0] : [];
  for (let k = lo <= 0 ? 0 : Math.ceil(Math.log10(lo)); 10 ** k <= hi; k++) decades.push(10 ** k);
  return decades.filter((d) => d > 0).length >= 2 ? decades : [...new Set(xs)].sort((a, b) => a - b);
}

const wholeNumber = (v: number) => (Number.isInteger(v) ? v.toLocaleString('en') : '');

/** A number in a readout: whole numbers as they are, others to 4 decimals (3 significant digits when tiny). */
export function readout(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 0.001 ? v.toFixed(4) : v.toPrecision(3);
}

/** Runs of consecutive indices where the band has width; a run of one becomes an error bar. */
function bandRuns(band: Band): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  band.x.forEach((x, i) => {
    const open = Number.isFinite(x) && Number.isFinite(band.lower[i]) && Number.isFinite(band.upper[i]) && band.upper[i] > band.lower[i];
    if (open) run.push(i);
    else if (run.length) (runs.push(run), (run = []));
  });
  if (run.length) runs.push(run);
  return runs;
}

function bandMarks(band: Band): Plot.Markish[] {
  return bandRuns(band).map((run) => {
    const rows = run.map((i) => ({ x: band.x[i], lower: band.lower[i], upper: band.upper[i] }));
    return rows.length === 1
      ? Plot.ruleX(rows, { x: 'x', y1: 'lower', y2: 'upper', stroke: band.color, strokeOpacity: 0.45, strokeWidth: 6, ariaDescription: band.name })
      : Plot.areaY(rows, { x: 'x', y1: 'lower', y2: 'upper', fill: band.color, fillOpacity: BAND_OPACITY, ariaDescription: band.name });
  });
}

interface Point {
  x: number;
  y: number;
}

const finitePoints = (series: Series): Point[] =>
  series.x.map((x, i) => ({ x, y: series.y[i] })).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));

/** The series' marker; a series of one point gets a circle, since a line needs two. */
const markerOf = (series: Series): Marker | undefined => series.marker ?? (finitePoints(series).length === 1 ? 'circle' : undefined);

function seriesMarks(series: Series, xLabel: string, yLabel: string, interactive: boolean): Plot.Markish[] {
  const all: Point[] = series.x.map((x, i) => ({ x, y: series.y[i] }));
  const points = finitePoints(series);
  const marker = markerOf(series);
  const marks: Plot.Markish[] = [];
  const dash = series.dash ? DASH_ARRAYS[series.dash] : undefined;
  // Plot breaks a line where a value is not finite (a hop no walk reached).
  if (points.length > 1) {
    marks.push(
      Plot.line(all, {
        x: 'x', y: 'y', stroke: series.color, strokeWidth: 2, strokeDasharray: dash, curve: series.step ? 'step-after' : 'linear',
        ariaDescription: series.name,
      }),
    );
  }
  if (marker) {
    marks.push(
      Plot.dot(points, {
        x: 'x', y: 'y', r: 4.5, symbol: symbolType(marker), fill: series.color, stroke: 'white', strokeWidth: 1,
        // In a file, the numbers as the marker's <title>; the page has its tip instead.
        title: interactive ? undefined : (p: Point) => `${series.name}\n${xLabel}: ${readout(p.x)}\n${yLabel}: ${readout(p.y)}`,
        ariaDescription: series.name,
      }),
    );
  }
  return marks;
}

/** One tip row per x: the x, and every series' value and band's interval there. */
function tipRows(spec: ChartSpec): { x: number; anchor: number; text: string }[] {
  const byX = new Map<number, { anchor?: number; anchorSeries?: Series; lines: Map<string, string> }>();
  const at = (x: number) => byX.get(x) ?? byX.set(x, { lines: new Map() }).get(x)!;
  for (const s of spec.series) {
    s.x.forEach((x, i) => {
      if (!Number.isFinite(x) || !Number.isFinite(s.y[i])) return;
      const row = at(x);
      // A step series may repeat an x: the last value is the one to its right, as drawn.
      row.lines.set(s.name, readout(s.y[i]));
      // The tip points at the first series that has this x.
      if ((row.anchorSeries ??= s) === s) row.anchor = s.y[i];
    });
  }
  for (const b of spec.bands ?? []) {
    b.x.forEach((x, i) => {
      if (!Number.isFinite(x) || !(b.upper[i] >= b.lower[i])) return;
      const row = at(x);
      row.lines.set(b.name, `${readout(b.lower[i])} – ${readout(b.upper[i])}`);
      row.anchor ??= (b.lower[i] + b.upper[i]) / 2;
    });
  }
  return [...byX]
    .sort((a, b) => a[0] - b[0])
    .map(([x, row]) => ({ x, anchor: row.anchor!, text: [`${spec.xLabel}: ${readout(x)}`, ...[...row.lines].map(([name, value]) => `${name}: ${value}`)].join('\n') }));
}

function legendItems(spec: ChartSpec): LegendItem[] {
  return [
    ...spec.series.map((s): LegendItem => ({ name: s.name, color: s.color, kind: 'line', dash: s.dash, marker: markerOf(s) })),
    ...(spec.bands ?? []).map((b): LegendItem => ({ name: b.name, color: b.color, kind: 'band' })),
    ...(spec.rules ?? []).map((r): LegendItem => ({ name: r.name, color: r.color, kind: 'rule', dash: r.dash })),
  ];
}

function svgElement(document: Document, name: string, attributes: Record<string, string | number | undefined>): SVGElement {
  const element = document.createElementNS(SVG_NS, name) as SVGElement;
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(key, String(value));
  return element;
}

function legendGroup(document: Document, items: LegendItem[], width: number, top: number): SVGElement {
  const group = svgElement(document, 'g', { 'aria-label': 'legend', transform: `translate(0,${top})` });
  for (const { item, x, row } of legendLayout(items, width)) {
    const y = row * LEGEND_ROW + LEGEND_ROW / 2;
    if (item.kind === 'band') {
      group.append(svgElement(document, 'rect', { x, y: y - 6, width: SWATCH, height: 12, fill: item.color, 'fill-opacity': BAND_OPACITY }));
    } else {
      group.append(
        svgElement(document, 'line', {
          x1: x, y1: y, x2: x + SWATCH, y2: y, stroke: item.color, 'stroke-width': item.kind === 'rule' ? 1.5 : 2, 'stroke-linecap': 'round',
          'stroke-dasharray': item.dash ? DASH_ARRAYS[item.dash] : undefined,
        }),
      );
      if (item.marker) group.append(svgElement(document, 'path', { d: markerPath(item.marker, x + SWATCH / 2, y, 4.5), fill: item.color, stroke: 'white' }));
    }
    const label = svgElement(document, 'text', { x: x + SWATCH + 6, y, dy: '0.35em', 'text-anchor': 'start' });
    label.textContent = item.name;
    group.append(label);
  }
  return group;
}

function xScale(spec: ChartSpec, plotWidth: number): Plot.ScaleOptions {
  const xs = [...spec.series.map((s) => s.x), ...(spec.bands ?? []).map((b) => b.x), (spec.rules ?? []).filter((r) => r.axis === 'x').map((r) => r.at)];
  const domain = widened(finiteExtent(xs));
  const label = spec.xLabel;
  if (spec.xScale === 'log') {
    const values = xs.flat().filter(Number.isFinite);
    const ticks = logTicks(domain, values);
    return { type: domain[0] <= 0 ? 'symlog' : 'log', domain, ticks, tickFormat: wholeNumber, label, inset: 10 };
  }
  if (spec.xIntegers) return { type: 'linear', domain, ticks: integerTicks(domain[0], domain[1], Math.floor(plotWidth / 70)), tickFormat: wholeNumber, label, inset: 10 };
  return { type: 'linear', domain, nice: true, label, inset: 6 };
}

function yScale(spec: ChartSpec): Plot.ScaleOptions {
  if (spec.yRange) return { domain: spec.yRange, label: spec.yLabel, inset: 6 };
  const ys = [...spec.series.map((s) => s.y), ...(spec.bands ?? []).flatMap((b) => [b.lower, b.upper]), (spec.rules ?? []).filter((r) => r.axis === 'y').map((r) => r.at)];
  const [lo, hi] = finiteExtent(ys);
  return { domain: widened([Math.min(0, lo), hi]), nice: true, label: spec.yLabel, inset: 6 };
}

/** A spec's arrays must pair up, and the chart must have room: said before anything is drawn. */
function checkChart(spec: ChartSpec, width: number, height: number): void {
  const fail = (problem: string) => {
    throw new RangeError(`renderChart: ${problem} (chart "${spec.title}")`);
  };
  if (!(width >= 200 && height >= 120)) fail(`width and height must be at least 200 × 120 px, got ${width} × ${height}`);
  for (const s of spec.series) if (s.x.length !== s.y.length) fail(`series "${s.name}" has ${s.x.length} x values and ${s.y.length} y values`);
  for (const b of spec.bands ?? []) {
    if (b.x.length !== b.lower.length || b.x.length !== b.upper.length) fail(`band "${b.name}" has ${b.x.length} x, ${b.lower.length} lower and ${b.upper.length} upper values`);
  }
  if (spec.xScale === 'log' && [...spec.series.map((s) => s.x), ...(spec.bands ?? []).map((b) => b.x)].some((xs) => xs.some((x) => x < 0))) fail('a log x axis needs x ≥ 0');
}

export function renderChart(spec: ChartSpec, options: RenderOptions): SVGSVGElement {
  const { document, width, height, interactive } = { ...DEFAULTS, ...options };
  checkChart(spec, width, height);
  const titleLines = wrapText(fullTitle(spec), width - 2 * PAD, TITLE_SIZE);
  const titleHeight = PAD + titleLines.length * (TITLE_SIZE + 4);
  const items = legendItems(spec);
  const legendRows = items.length ? Math.max(...legendLayout(items, width).map((p) => p.row)) + 1 : 0;
  const total = titleHeight + height + legendRows * LEGEND_ROW + PAD;
  const marks: Plot.Markish[] = [
    Plot.frame({ stroke: '#bbb' }),
    ...(spec.bands ?? []).flatMap(bandMarks),
    ...spec.series.flatMap((s) => seriesMarks(s, spec.xLabel, spec.yLabel, interactive)),
    // Reference lines over the data, so that a mean which reaches the optimum does not hide it.
    ...(spec.rules ?? []).map((r) => {
      const style = { stroke: r.color, strokeWidth: 1.5, strokeDasharray: r.dash ? DASH_ARRAYS[r.dash] : undefined, ariaDescription: r.name };
      return r.axis === 'y' ? Plot.ruleY([r.at], style) : Plot.ruleX([r.at], style);
    }),
  ];
  if (interactive) marks.push(Plot.tip(tipRows(spec), Plot.pointerX({ x: 'x', y: 'anchor', title: 'text' })));
  const svg = Plot.plot({
    document,
    width,
    height,
    marginLeft: 56,
    marginRight: 24,
    marginBottom: 40,
    style: { fontFamily: FONT_FAMILY, fontSize: `${FONT_SIZE}px`, color: '#222', background: 'white' },
    x: xScale(spec, width - 80),
    y: yScale(spec),
    grid: true,
    marks,
  }) as SVGSVGElement;

  // Plot drew width × height; the chart grows by the title above and the legend below.
  const body = svgElement(document, 'g', { transform: `translate(0,${titleHeight})` });
  for (const child of Array.from(svg.childNodes)) if ((child as Element).tagName?.toLowerCase() !== 'style') body.append(child);
  const title = svgElement(document, 'text', { 'aria-label': 'title', 'font-size': TITLE_SIZE, 'font-weight': 'bold', 'text-anchor': 'middle' });
  titleLines.forEach((line, k) => {
    const tspan = svgElement(document, 'tspan', { x: width / 2, y: PAD + (k + 1) * (TITLE_SIZE + 4) - 4 });
    tspan.textContent = line;
    title.append(tspan);
  });
  const accessibleTitle = svgElement(document, 'title', {});
  accessibleTitle.textContent = fullTitle(spec);
  svg.prepend(accessibleTitle);
  svg.append(svgElement(document, 'rect', { width, height: total, fill: 'white' }), title, body, legendGroup(document, items, width, titleHeight + height));
  for (const [key, value] of Object.entries({ width, height: total, viewBox: `0 0 ${width} ${total}`, 'font-family': FONT_FAMILY, 'font-size': FONT_SIZE })) {
    svg.setAttribute(key, String(value));
  }
  return svg;
}

/** A rendered chart as the text of a standalone .svg file: XML (attributes escaped as XML wants), with its namespace. */
export function svgFileText(svg: SVGSVGElement): string {
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const Serializer = svg.ownerDocument.defaultView?.XMLSerializer;
  const text = Serializer ? new Serializer().serializeToString(svg) : svg.outerHTML;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${text}\n`;
}
