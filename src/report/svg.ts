/**
 * Minimal SVG charts (lines, step lines, shaded bands, a legend): enough for the plots a
 * paper needs, with no plotting dependency. Output is standalone SVG 1.1.
 */
export interface Series {
  name: string;
  x: readonly number[];
  y: readonly number[];
  color: string;
  dashed?: boolean;
  /** Draw as a right-continuous step function (CDFs). */
  step?: boolean;
}

export interface Band {
  name: string;
  x: readonly number[];
  lower: readonly number[];
  upper: readonly number[];
  color: string;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  bands?: Band[];
  /** Force the y range (e.g. [0, 1] for a CDF). */
  yRange?: [number, number];
}

const WIDTH = 720, HEIGHT = 440;
const MARGIN = { left: 70, right: 170, top: 40, bottom: 55 };

/** "Nice" tick values covering [lo, hi] (1, 2, 5 × 10^k steps). */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

/** [min, max] of the finite values of several arrays; a loop, since spreading a big array overflows the stack. */
function finiteRange(arrays: readonly (readonly number[])[]): [number, number] {
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

export function lineChart(spec: ChartSpec): string {
  const finite = (v: number) => Number.isFinite(v);
  const bands = spec.bands ?? [];
  let [xMin, xMax] = finiteRange([...spec.series.map((s) => s.x), ...bands.map((b) => b.x)]);
  const [yLow, yHigh] = finiteRange([...spec.series.map((s) => s.y), ...bands.flatMap((b) => [b.lower, b.upper])]);
  let [yMin, yMax] = spec.yRange ?? [Math.min(0, yLow), yHigh];
  if (xMin === xMax) [xMin, xMax] = [xMin - 1, xMax + 1];
  if (yMin === yMax) [yMin, yMax] = [yMin - 1, yMax + 1];
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const py = (y: number) => MARGIN.top + plotH - ((y - yMin) / (yMax - yMin)) * plotH;
  const f = (v: number) => v.toFixed(1);

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(spec.title)}</text>`,
  );
  for (const t of niceTicks(xMin, xMax)) {
    parts.push(
      `<line x1="${f(px(t))}" y1="${MARGIN.top}" x2="${f(px(t))}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`,
      `<text x="${f(px(t))}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${t}</text>`,
    );
  }
  for (const t of niceTicks(yMin, yMax)) {
    parts.push(
      `<line x1="${MARGIN.left}" y1="${f(py(t))}" x2="${MARGIN.left + plotW}" y2="${f(py(t))}" stroke="#eee"/>`,
      `<text x="${MARGIN.left - 8}" y="${f(py(t) + 4)}" text-anchor="end">${t}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 14}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );
  const legend: { name: string; color: string; dashed?: boolean; area?: boolean }[] = [];
  for (const band of spec.bands ?? []) {
    const upper = band.x.map((x, i) => `${f(px(x))},${f(py(band.upper[i]))}`);
    const lower = band.x.map((x, i) => `${f(px(x))},${f(py(band.lower[i]))}`).reverse();
    parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${band.color}" fill-opacity="0.25" stroke="none"/>`);
    legend.push({ name: band.name, color: band.color, area: true });
  }
  for (const s of spec.series) {
    const points: string[] = [];
    s.x.forEach((x, i) => {
      if (!finite(x) || !finite(s.y[i])) return;
      if (s.step && i > 0) points.push(`${f(px(x))},${f(py(s.y[i - 1]))}`);
      points.push(`${f(px(x))},${f(py(s.y[i]))}`);
    });
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    legend.push({ name: s.name, color: s.color, dashed: s.dashed });
  }
  legend.forEach((item, k) => {
    const y = MARGIN.top + 10 + k * 20;
    const x = MARGIN.left + plotW + 14;
    parts.push(
      item.area
        ? `<rect x="${x}" y="${y - 6}" width="24" height="12" fill="${item.color}" fill-opacity="0.25"/>`
        : `<line x1="${x}" y1="${y}" x2="${x + 24}" y2="${y}" stroke="${item.color}" stroke-width="2"${item.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${x + 30}" y="${y + 4}">${escapeXml(item.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
