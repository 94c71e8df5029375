/**
 * Every plot the CLI writes, rendered as the CLI renders it (chartSvg: Observable Plot in
 * linkedom) from real results on the karate club and small mix simulations, then read back
 * as XML with xmldom, not through Plot: the title names the graph, each series has one
 * marker per data point, hop/round/step axes have integer ticks, attack edges are on a log
 * axis, the legend lies inside the viewBox, bands are drawn only where they have width, and
 * the coordinates map back to the data through the scale read off the axis ticks.
 */
import { DOMParser } from '@xmldom/xmldom';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { adversaryEntropy, type AdversaryResult } from '../../src/analyses/adversary.js';
import { initiatorEntropy, type InitiatorEntropyResult } from '../../src/analyses/initiator-entropy.js';
import { simulateMixNetwork, traceMixNetwork, type MixNetworkResult } from '../../src/analyses/mix-network.js';
import { singleMix, singleMixSweep } from '../../src/analyses/single-mix.js';
import { traceSimulation } from '../../src/analyses/stream-trace.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import type { Csr } from '../../src/graph/csr.js';
import { expDelay } from '../../src/mix/delays.js';
import { hioVsAttackEdgesChart, twoHopChart } from '../../src/report/adversary-report.js';
import type { ChartSpec } from '../../src/report/chart.js';
import { entropyCdfChart, entropyVsHopsChart, roundsChart } from '../../src/report/entropy-report.js';
import { detectionChart, networkAccuracyChart, networkEntropyChart, networkRankCdfChart, singleMixCdfChart, sweepChart } from '../../src/report/mix-report.js';
import { chartSvg } from '../../src/report/svg-file.js';

/** xmldom's documents, typed with the DOM's interfaces. */
type XmlDocument = Document;
type XmlElement = Element;

const KARATE = join(import.meta.dirname, '../../graphs/karate.txt');
const GRAPH = { graph: 'karate.txt' };

// ---------------------------------------------------------------------------------------
// Reading the SVG back, independently of Plot.

function parse(text: string): XmlDocument {
  const errors: string[] = [];
  // xmldom reports some malformed markup (an unclosed attribute) only as a warning: none is allowed.
  const doc = new DOMParser({ errorHandler: (level, message) => errors.push(`${level}: ${message}`) }).parseFromString(text, 'image/svg+xml');
  expect(errors).toEqual([]);
  expect(doc.documentElement!.nodeName).toBe('svg');
  expect(doc.documentElement!.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
  return doc;
}

const elements = (root: XmlDocument | XmlElement, tag: string) => Array.from(root.getElementsByTagName(tag)) as XmlElement[];
const text = (element: XmlElement) => element.textContent ?? '';

/** The groups Plot draws for one kind of mark (line, dot, area, rule), optionally of one named series. */
function marks(doc: XmlDocument, kind: string, name?: string): XmlElement[] {
  return elements(doc, 'g').filter((g) => g.getAttribute('aria-label') === kind && (name === undefined || g.getAttribute('aria-description') === name));
}

function translate(element: XmlElement): [number, number] {
  const m = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(element.getAttribute('transform') ?? '');
  expect(m, `no translate on <${element.tagName}>`).not.toBeNull();
  return [Number(m![1]), Number(m![2])];
}

/** A path's vertices: the numbers after M and L. */
function vertices(d: string): [number, number][] {
  return [...d.matchAll(/[ML]([-\d.e]+),([-\d.e]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

const tickValue = (label: string) => Number(label.replace(/\u2212/g, '-').replace(/,/g, ''));

/** An axis's tick labels with their pixel positions (x or y of the label's translate). */
function ticks(doc: XmlDocument, axis: 'x' | 'y'): { label: string; value: number; px: number }[] {
  const [group] = marks(doc, `${axis}-axis tick label`);
  return elements(group, 'text').map((t) => ({ label: text(t), value: tickValue(text(t)), px: translate(t)[axis === 'x' ? 0 : 1] }));
}

/**
 * The scale from the axis ticks: px = a + b·f(value), fitted on the first and last tick and
 * checked on every other one (so the ticks themselves prove the axis is f-spaced).
 */
function scaleFromTicks(doc: XmlDocument, axis: 'x' | 'y', f: (v: number) => number = (v) => v): (v: number) => number {
  const t = ticks(doc, axis);
  expect(t.length).toBeGreaterThanOrEqual(2);
  const [first, last] = [t[0], t[t.length - 1]];
  const b = (last.px - first.px) / (f(last.value) - f(first.value));
  const a = first.px - b * f(first.value);
  for (const tick of t) expect(Math.abs(a + b * f(tick.value) - tick.px), `${axis} tick ${tick.label}`).toBeLessThan(0.01);
  return (v) => a + b * f(v);
}

/** The points of a series's markers, in pixels. */
const markerPoints = (doc: XmlDocument, name: string) => marks(doc, 'dot', name).flatMap((g) => elements(g, 'path').map(translate));

/** Check that every marker of the series sits where its data point maps to (within half a pixel). */
function expectMarkersOnData(doc: XmlDocument, series: { name: string; x: readonly number[]; y: readonly number[] }, px: (v: number) => number, py: (v: number) => number) {
  const data = series.x.map((x, i) => [x, series.y[i]]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const points = markerPoints(doc, series.name);
  expect(points, series.name).toHaveLength(data.length);
  points.forEach(([sx, sy], i) => {
    expect(Math.abs(sx - px(data[i][0])), `${series.name} point ${i} x`).toBeLessThan(0.5);
    expect(Math.abs(sy - py(data[i][1])), `${series.name} point ${i} y`).toBeLessThan(0.5);
  });
}

function viewBox(doc: XmlDocument): { width: number; height: number } {
  const [, , width, height] = doc.documentElement!.getAttribute('viewBox')!.split(' ').map(Number);
  return { width, height };
}

/** The text drawn as the title (its lines) and the accessible <title>. */
function titles(doc: XmlDocument): { drawn: string; accessible: string } {
  const drawn = elements(doc, 'text').find((t) => t.getAttribute('aria-label') === 'title')!;
  return { drawn: elements(drawn, 'tspan').map(text).join(' '), accessible: text(elements(doc, 'title')[0]) };
}

/**
 * Legend labels inside the viewBox: each label's start plus a generous width (0.6 em per
 * character at 12 px; Arial averages under 0.55 em) does not pass the right edge.
 */
function expectLegendInside(doc: XmlDocument) {
  const { width, height } = viewBox(doc);
  const [legend] = elements(doc, 'g').filter((g) => g.getAttribute('aria-label') === 'legend');
  const [, top] = translate(legend);
  const labels = elements(legend, 'text');
  expect(labels.length).toBeGreaterThan(0);
  for (const label of labels) {
    const x = Number(label.getAttribute('x'));
    const y = top + Number(label.getAttribute('y'));
    expect(x, text(label)).toBeGreaterThanOrEqual(0);
    expect(x + 0.6 * 12 * text(label).length, text(label)).toBeLessThanOrEqual(width);
    expect(y + 6, text(label)).toBeLessThanOrEqual(height);
  }
}

const isInteger = (label: string) => /^-?\d[\d,]*$/.test(label);

async function svgOf(spec: ChartSpec): Promise<XmlDocument> {
  return parse(await chartSvg(spec));
}

// ---------------------------------------------------------------------------------------

let karate: Csr;
let oneHop: InitiatorEntropyResult;
let sixHops: InitiatorEntropyResult;
let adversary: AdversaryResult[];

beforeAll(async () => {
  karate = (await loadGraphFile(KARATE)).csr;
  oneHop = await initiatorEntropy(karate, { hops: 1, terminals: 'all' });
  sixHops = await initiatorEntropy(karate, { hops: 6, terminals: 'all', rounds: 3, roundsSamples: 20 });
  adversary = await Promise.all(
    (['simple', 'mh'] as const).map((walk) => adversaryEntropy(karate, { walk, hops: 4, attackEdges: [0, 10, 100], sybilsPerEdge: 2, walkers: 4000, twoHop: [1, 2, 3], seed: 2 })),
  );
});

describe('entropy-vs-hops.svg', () => {
  it('a one-hop walk draws one marker per series on a single integer tick, and the optimal line', async () => {
    const spec = entropyVsHopsChart(oneHop, GRAPH);
    const doc = await svgOf(spec);
    for (const series of spec.series) expect(markerPoints(doc, series.name), series.name).toHaveLength(1);
    expect(marks(doc, 'line')).toHaveLength(0); // one point: no line to draw
    expect(ticks(doc, 'x').map((t) => t.label)).toEqual(['1']);
    // The optimal line: a horizontal rule at log2(34) on the y scale read off the ticks.
    const py = scaleFromTicks(doc, 'y');
    const [rule] = marks(doc, 'rule', `optimal (${Math.log2(34).toFixed(2)} bits)`);
    const line = elements(rule, 'line')[0];
    expect(Number(line.getAttribute('y1'))).toBeCloseTo(py(Math.log2(34)), 1);
    expect(Number(line.getAttribute('x2')) - Number(line.getAttribute('x1'))).toBeGreaterThan(500); // across the frame
  });

  it("the title names the graph; markers and line vertices map back to each hop's numbers", async () => {
    const spec = entropyVsHopsChart(sixHops, GRAPH);
    const doc = await svgOf(spec);
    const { drawn, accessible } = titles(doc);
    expect(drawn).toContain('karate.txt');
    expect(accessible).toBe('Initiator entropy, simple walk, 34 terminals — karate.txt');
    const x = ticks(doc, 'x');
    expect(x.every((t) => isInteger(t.label))).toBe(true);
    expect(x.map((t) => t.value)).toEqual([1, 2, 3, 4, 5, 6]);
    const px = scaleFromTicks(doc, 'x');
    const py = scaleFromTicks(doc, 'y');
    for (const series of spec.series) expectMarkersOnData(doc, series, px, py);
    // The mean's line passes through (hop, mean) for each hop.
    const [meanLine] = marks(doc, 'line', 'mean');
    const path = vertices(elements(meanLine, 'path')[0].getAttribute('d')!);
    expect(path).toHaveLength(6);
    path.forEach(([vx, vy], t) => {
      expect(Math.abs(vx - px(t + 1))).toBeLessThan(0.5);
      expect(Math.abs(vy - py(sixHops.hops[t].mean))).toBeLessThan(0.5);
    });
    expectLegendInside(doc);
  });

  it('every terminal counted: the mean has no sampling error, so no band is drawn', async () => {
    expect(sixHops.hops.every((h) => h.ci95[1] === h.ci95[0])).toBe(true);
    const doc = await svgOf(entropyVsHopsChart(sixHops, GRAPH));
    expect(marks(doc, 'area')).toHaveLength(0);
    expect(marks(doc, 'rule', '95% CI of mean')).toHaveLength(0);
  });

  it('20 sampled terminals: the CI band covers every hop, lower and upper edges in place', async () => {
    const sampled = await initiatorEntropy(karate, { hops: 6, terminals: 20, seed: 5 });
    expect(sampled.hops.every((h) => h.ci95[1] > h.ci95[0])).toBe(true);
    const doc = await svgOf(entropyVsHopsChart(sampled, GRAPH));
    const [area] = marks(doc, 'area', '95% CI of mean');
    const polygon = vertices(elements(area, 'path')[0].getAttribute('d')!);
    expect(polygon).toHaveLength(12); // upper edge out, lower edge back
    const py = scaleFromTicks(doc, 'y');
    const ys = polygon.map(([, y]) => y);
    for (const h of sampled.hops) {
      expect(ys.some((y) => Math.abs(y - py(h.ci95[0])) < 0.5)).toBe(true);
      expect(ys.some((y) => Math.abs(y - py(h.ci95[1])) < 0.5)).toBe(true);
    }
  });
});

describe('bands only where they have width', () => {
  it('zero-width points cut the band; an isolated point with width becomes an error bar', async () => {
    const spec: ChartSpec = {
      title: 't', xLabel: 'hops', yLabel: 'y', xIntegers: true,
      series: [{ name: 'mean', x: [1, 2, 3, 4, 5], y: [1, 1.5, 2.5, 2, 3.5], color: '#000', marker: 'circle' }],
      // widths 0, 1, 1, 0, 1: a band over hops 2-3, an error bar at hop 5, nothing at hops 1 and 4.
      bands: [{ name: 'CI', x: [1, 2, 3, 4, 5], lower: [1, 1, 2, 2, 3], upper: [1, 2, 3, 2, 4], color: '#00f' }],
    };
    const doc = await svgOf(spec);
    const areas = marks(doc, 'area', 'CI');
    expect(areas).toHaveLength(1);
    const px = scaleFromTicks(doc, 'x');
    const polygon = vertices(elements(areas[0], 'path')[0].getAttribute('d')!);
    expect(polygon).toHaveLength(4);
    expect(new Set(polygon.map(([x]) => Math.round(x)))).toEqual(new Set([Math.round(px(2)), Math.round(px(3))]));
    const bars = marks(doc, 'rule', 'CI');
    expect(bars).toHaveLength(1);
    const bar = elements(bars[0], 'line')[0];
    expect(Number(bar.getAttribute('x1'))).toBeCloseTo(px(5), 1);
    const py = scaleFromTicks(doc, 'y');
    expect([Number(bar.getAttribute('y1')), Number(bar.getAttribute('y2'))].sort((a, b) => a - b)).toEqual([py(4), py(3)].map((v) => expect.closeTo(v, 1)));
  });
});

describe('entropy-cdf.svg and rounds.svg', () => {
  it('the CDF is a step line from 0 to 1 with the optimal entropy as a vertical rule; rounds have integer ticks', async () => {
    const doc = await svgOf(entropyCdfChart(sixHops, GRAPH));
    expect(titles(doc).drawn).toContain('karate.txt');
    const px = scaleFromTicks(doc, 'x');
    const py = scaleFromTicks(doc, 'y');
    const [cdf] = marks(doc, 'line', 'CDF');
    const path = vertices(elements(cdf, 'path')[0].getAttribute('d')!);
    // The last vertex: the largest entropy at probability 1.
    const [lastX, lastY] = path[path.length - 1];
    expect(Math.abs(lastY - py(1))).toBeLessThan(0.5);
    expect(Math.abs(lastX - px(Math.max(...sixHops.cdf.entropy)))).toBeLessThan(0.5);
    const [optimal] = marks(doc, 'rule');
    expect(Number(elements(optimal, 'line')[0].getAttribute('x1'))).toBeCloseTo(px(Math.log2(34)), 1);
    expectLegendInside(doc);

    const rounds = roundsChart(sixHops, GRAPH);
    const roundsDoc = await svgOf(rounds);
    expect(ticks(roundsDoc, 'x').map((t) => t.label)).toEqual(['1', '2', '3']);
    expectMarkersOnData(roundsDoc, rounds.series[0], scaleFromTicks(roundsDoc, 'x'), scaleFromTicks(roundsDoc, 'y'));
  });
});

describe('hio-vs-attack-edges.svg and two-hop.svg', () => {
  it('attack edges on a symmetric-log axis (g = 0 present): ticks and markers spaced by ln(1 + g)', async () => {
    const spec = hioVsAttackEdgesChart(adversary, GRAPH);
    const doc = await svgOf(spec);
    expect(titles(doc).drawn).toContain('karate.txt');
    expect(ticks(doc, 'x').map((t) => t.value)).toEqual([0, 1, 10, 100]);
    const px = scaleFromTicks(doc, 'x', Math.log1p);
    const py = scaleFromTicks(doc, 'y');
    for (const series of spec.series) expectMarkersOnData(doc, series, px, py);
    // On a linear axis 10 would sit a tenth of the way from 0 to 100; here it is past the middle.
    expect((px(10) - px(0)) / (px(100) - px(0))).toBeGreaterThan(0.5);
    expectLegendInside(doc);
  });

  it('without g = 0 the axis is logarithmic: decades evenly spaced', async () => {
    const spec: ChartSpec = { ...hioVsAttackEdgesChart(adversary, GRAPH), bands: [] };
    spec.series = spec.series.map((s) => ({ ...s, x: [10, 100, 1000] }));
    const doc = await svgOf(spec);
    expect(ticks(doc, 'x').map((t) => t.value)).toEqual([10, 100, 1000]);
    expectMarkersOnData(doc, spec.series[0], scaleFromTicks(doc, 'x', Math.log10), scaleFromTicks(doc, 'y'));
  });

  it('two walks on one plot differ in colour and in dash and marker', async () => {
    const doc = await svgOf(hioVsAttackEdgesChart(adversary, GRAPH));
    const [simple, mh] = ['simple walk', 'mh walk'].map((name) => {
      const line = marks(doc, 'line', name)[0];
      const marker = elements(marks(doc, 'dot', name)[0], 'path')[0];
      return { stroke: line.getAttribute('stroke'), dash: line.getAttribute('stroke-dasharray'), shape: marker.getAttribute('d') };
    });
    expect(simple.stroke).not.toBe(mh.stroke);
    expect(simple.dash).not.toBe(mh.dash);
    expect(simple.shape).not.toBe(mh.shape);
  });

  it('two-hop: integer ticks for k, one marker per k and line', async () => {
    const spec = twoHopChart(adversary, GRAPH);
    const doc = await svgOf(spec);
    expect(ticks(doc, 'x').map((t) => t.label)).toEqual(['1', '2', '3']);
    expect(spec.series).toHaveLength(6); // two walks × three g
    const px = scaleFromTicks(doc, 'x');
    const py = scaleFromTicks(doc, 'y');
    for (const series of spec.series) expectMarkersOnData(doc, series, px, py);
    expectLegendInside(doc);
  });
});

describe('the mix plots', () => {
  it('mix-entropy-cdf.svg and mix-sweep.svg: the closed form as a rule, the sweep markers on their data', async () => {
    const mix = await singleMix({ rate: 5, delay: expDelay(1), trials: 200, seed: 3, keepTrials: true });
    const cdf = await svgOf(singleMixCdfChart(mix));
    const px = scaleFromTicks(cdf, 'x');
    const theory = marks(cdf, 'rule').find((g) => g.getAttribute('aria-description')!.startsWith('h(f)'))!;
    expect(Number(elements(theory, 'line')[0].getAttribute('x1'))).toBeCloseTo(px(mix.theory), 1);
    expectLegendInside(cdf);

    const sweep = sweepChart(await singleMixSweep({ delay: expDelay(1), loads: [2, 20], trials: 60, seed: 4 }));
    const doc = await svgOf(sweep);
    const simulated = sweep.series.filter((s) => s.marker);
    expect(simulated.length).toBeGreaterThan(1);
    for (const series of simulated) expectMarkersOnData(doc, series, scaleFromTicks(doc, 'x'), scaleFromTicks(doc, 'y'));
    expectLegendInside(doc);
  });

  it('detection-vs-packets.svg: integer packet ticks, a marker per packet count', async () => {
    const spec = detectionChart(await traceSimulation({ packets: [1, 3, 8], trials: 20, seed: 4 }));
    const doc = await svgOf(spec);
    expect(ticks(doc, 'x').every((t) => isInteger(t.label))).toBe(true);
    expectMarkersOnData(doc, spec.series[0], scaleFromTicks(doc, 'x'), scaleFromTicks(doc, 'y'));
    expectLegendInside(doc);
  });

  it('network-accuracy, network-entropy and rank-cdf: integer ticks, the topology in the title, markers on the data', async () => {
    const result: MixNetworkResult = await traceMixNetwork(simulateMixNetwork({ seed: 3, streams: 40, packets: 20, duration: 2000 }), { targets: 10 });
    for (const spec of [networkAccuracyChart(result), networkEntropyChart(result), networkRankCdfChart(result)]) {
      const doc = await svgOf(spec);
      expect(titles(doc).drawn).toContain(result.topology.split(' ')[0]);
      expect(ticks(doc, 'x').every((t) => isInteger(t.label)), spec.title).toBe(true);
      for (const series of spec.series.filter((s) => s.marker)) expectMarkersOnData(doc, series, scaleFromTicks(doc, 'x'), scaleFromTicks(doc, 'y'));
      expectLegendInside(doc);
    }
  });
});

describe('layout and text', () => {
  it('a narrow chart wraps a long title and many legend items into rows that stay inside', async () => {
    const spec: ChartSpec = {
      title: 'A deliberately long title that cannot fit on one line of a phone-sized chart at fifteen pixels',
      graph: 'a-graph-with-a-long-file-name.graphml.gz',
      xLabel: 'x', yLabel: 'y',
      series: Array.from({ length: 7 }, (_, k) => ({ name: `series number ${k} with a long name`, x: [0, 1], y: [k, k + 1], color: '#000' })),
    };
    const { renderChart, svgFileText } = await import('../../src/report/plot.js');
    const { parseHTML } = await import('linkedom');
    const { document } = parseHTML('<!doctype html><html><body></body></html>');
    const doc = parse(svgFileText(renderChart(spec, { document: document as unknown as Document, width: 360 })));
    const lines = elements(elements(doc, 'text').find((t) => t.getAttribute('aria-label') === 'title')!, 'tspan');
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.map(text).join(' ')).toBe(`${spec.title} — ${spec.graph}`);
    // Bold Arial averages about 0.55 em a character; the browser test measures the real text.
    for (const line of lines) expect(0.55 * 15 * text(line).length).toBeLessThanOrEqual(360);
    expectLegendInside(doc);
  });

  it('markup in names is escaped: the file parses and the title reads back as written', async () => {
    const title = 'p < 0.05 & "quoted" <b>';
    const doc = await svgOf({ title, graph: 'a&b.txt', xLabel: 'x < 1', yLabel: 'y', series: [{ name: '<mean>', x: [1, 2], y: [1, 2], color: '#000' }] });
    expect(titles(doc).accessible).toBe(`${title} — a&b.txt`);
  });

  it('200,000 points: no stack overflow, and the axes cover the data', async () => {
    const x = Array.from({ length: 200_000 }, (_, i) => i);
    const y = x.map((i) => (i % 7) - 3);
    const doc = await svgOf({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', x, y, color: '#000' }] });
    const xs = ticks(doc, 'x').map((t) => t.value);
    const ys = ticks(doc, 'y').map((t) => t.value);
    expect(Math.min(...xs)).toBe(0);
    expect(Math.max(...xs)).toBeGreaterThanOrEqual(150_000);
    expect(Math.min(...ys)).toBeLessThanOrEqual(-3);
    expect(Math.max(...ys)).toBeGreaterThanOrEqual(3);
  });
});

describe('integer ticks', () => {
  it('about the asked count, on whole steps of 1, 2 or 5 × 10^k, never fewer than two across a range of several', async () => {
    const { integerTicks } = await import('../../src/report/plot.js');
    expect(integerTicks(1, 8, 3)).toEqual([2, 4, 6, 8]);
    expect(integerTicks(1, 8, 9)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(integerTicks(0.5, 1.5, 8)).toEqual([1]); // one hop
    expect(integerTicks(1, 1000, 8)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    for (let hi = 2; hi <= 300; hi++) {
      for (const count of [2, 3, 5, 9]) {
        const ticks = integerTicks(1, hi, count);
        expect(ticks.length, `1..${hi}, ${count}`).toBeGreaterThanOrEqual(2);
        expect(ticks.length, `1..${hi}, ${count}`).toBeLessThanOrEqual(2 * count + 1);
        expect(ticks.every(Number.isInteger)).toBe(true);
      }
    }
  });
});

describe('bad specs', () => {
  it('are refused before drawing, naming the chart and the problem', async () => {
    const base: ChartSpec = { title: 'T', xLabel: 'x', yLabel: 'y', series: [{ name: 's', x: [1, 2], y: [1, 2], color: '#000' }] };
    await expect(chartSvg({ ...base, series: [{ name: 's', x: [1, 2, 3], y: [1, 2], color: '#000' }] })).rejects.toThrow(
      'renderChart: series "s" has 3 x values and 2 y values (chart "T")',
    );
    await expect(chartSvg({ ...base, bands: [{ name: 'b', x: [1, 2], lower: [1], upper: [1, 2], color: '#000' }] })).rejects.toThrow(/band "b" has 2 x, 1 lower and 2 upper values/);
    await expect(chartSvg({ ...base, xScale: 'log', series: [{ name: 's', x: [-1, 2], y: [1, 2], color: '#000' }] })).rejects.toThrow(/a log x axis needs x ≥ 0/);
  });
});

describe('hover text in the files', () => {
  it("each marker's <title> holds the series, the x and the y as the readout writes them", async () => {
    const doc = await svgOf({ title: 't', xLabel: 'hops', yLabel: 'entropy (bits)', series: [{ name: 'mean', x: [1, 2], y: [1.5, 2.123456], color: '#000', marker: 'circle' }] });
    const texts = marks(doc, 'dot', 'mean').flatMap((g) => elements(g, 'title').map(text));
    expect(texts).toEqual(['mean\nhops: 1\nentropy (bits): 1.5000', 'mean\nhops: 2\nentropy (bits): 2.1235']);
  });
});
