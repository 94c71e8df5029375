import type { Marker } from './chart.js';

/**
 * The point markers as d3 symbol types ({ draw(context, size) }, which Plot's dot mark takes),
 * and the same shapes as SVG path data for the legend: one geometry for both.
 */
interface PathContext {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  closePath(): void;
  arc(x: number, y: number, r: number, start: number, end: number): void;
}

export interface SymbolType {
  draw(context: PathContext, size: number): void;
}

function polygon(context: PathContext, points: [number, number][]): void {
  points.forEach(([x, y], i) => (i === 0 ? context.moveTo(x, y) : context.lineTo(x, y)));
  context.closePath();
}

/** Each shape scaled so that its area is about that of a circle of radius r = √(size/π). */
const SHAPES: Record<Marker, (context: PathContext, r: number) => void> = {
  circle: (c, r) => {
    c.moveTo(r, 0);
    c.arc(0, 0, r, 0, 2 * Math.PI);
  },
  square: (c, r) => {
    const h = r * 0.886; // √π / 2
    polygon(c, [[-h, -h], [h, -h], [h, h], [-h, h]]);
  },
  triangle: (c, r) => {
    const s = r * 1.35;
    polygon(c, [[0, -s], [s * 0.866, s * 0.5], [-s * 0.866, s * 0.5]]);
  },
  'triangle-down': (c, r) => {
    const s = r * 1.35;
    polygon(c, [[0, s], [-s * 0.866, -s * 0.5], [s * 0.866, -s * 0.5]]);
  },
  diamond: (c, r) => {
    const s = r * 1.25;
    polygon(c, [[0, -s], [s, 0], [0, s], [-s, 0]]);
  },
  cross: (c, r) => {
    const a = r * 1.2, b = r * 0.4;
    polygon(c, [[-b, -a], [b, -a], [b, -b], [a, -b], [a, b], [b, b], [b, a], [-b, a], [-b, b], [-a, b], [-a, -b], [-b, -b]]);
  },
};

export function symbolType(marker: Marker): SymbolType {
  return { draw: (context, size) => SHAPES[marker](context, Math.sqrt(size / Math.PI)) };
}

/** SVG path data of the marker of radius r centred on (x, y). */
export function markerPath(marker: Marker, x: number, y: number, r: number): string {
  const parts: string[] = [];
  const f = (v: number) => Number(v.toFixed(2));
  SHAPES[marker](
    {
      moveTo: (px, py) => parts.push(`M${f(x + px)},${f(y + py)}`),
      lineTo: (px, py) => parts.push(`L${f(x + px)},${f(y + py)}`),
      closePath: () => parts.push('Z'),
      // Only full circles are drawn: two half arcs.
      arc: (cx, cy, radius) => parts.push(`A${f(radius)},${f(radius)},0,1,1,${f(x + cx - radius)},${f(y + cy)}A${f(radius)},${f(radius)},0,1,1,${f(x + cx + radius)},${f(y + cy)}`),
    },
    r,
  );
  return parts.join('');
}
