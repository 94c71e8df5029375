/**
 * The worker's side of the network view (src/web/view-data.ts): the file's positions win;
 * otherwise ForceAtlas2 lays the drawn graph out in the worker, with the iterations scaled
 * to its size, the same on every run, and with what belongs together drawn together.
 */
import { describe, expect, it } from 'vitest';
import { weakComponents } from '../../src/graph/components.js';
import { parseGexf } from '../../src/graph/gexf.js';
import { LAYOUT_ITERATIONS, layoutIterations, networkView } from '../../src/web/view-data.js';
import { csrFromEdges } from '../helpers/graphs.js';

/** Two 6-cliques, a0..a5 and b0..b5, joined by the one edge a0 – b0. */
function twoCliques() {
  const edges: [string, string][] = [['a0', 'b0']];
  for (const side of ['a', 'b']) for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) edges.push([`${side}${i}`, `${side}${j}`]);
  return csrFromEdges(edges);
}

describe('networkView positions', () => {
  it('ForceAtlas2 iterations: 300,000 node-iterations, clamped to 100..500', () => {
    expect(LAYOUT_ITERATIONS).toEqual({ work: 300_000, min: 100, max: 500 });
    expect([34, 600, 1000, 3000, 1e6].map(layoutIterations)).toEqual([500, 500, 300, 100, 100]);
  });

  it('without file positions: a ForceAtlas2 layout, finite, the same twice, each clique drawn together', () => {
    const csr = twoCliques();
    const { view } = networkView(csr, weakComponents(csr));
    expect(view.layout).toMatchObject({ by: 'forceatlas2', iterations: 500 });
    expect(view.positions).toHaveLength(2 * csr.n);
    expect(view.positions.every(Number.isFinite)).toBe(true);
    expect(networkView(csr, weakComponents(csr)).view.positions).toEqual(view.positions);
    // Mean distance within a clique against across them, from the positions by hand.
    const at = (key: string) => {
      const k = view.keys.indexOf(key);
      return [view.positions[2 * k], view.positions[2 * k + 1]];
    };
    const distance = (p: string, q: string) => Math.hypot(at(p)[0] - at(q)[0], at(p)[1] - at(q)[1]);
    let within = 0, across = 0;
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) {
        if (i < j) within += (distance(`a${i}`, `a${j}`) + distance(`b${i}`, `b${j}`)) / 30;
        across += distance(`a${i}`, `b${j}`) / 36;
      }
    }
    expect(within * 1.5).toBeLessThan(across);
  });

  it('a GEXF with viz positions for every node: drawn there, no layout', () => {
    const gexf = `<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3"><graph defaultedgetype="undirected"><nodes>
<node id="p"><viz:position x="1" y="2" z="0"/></node><node id="q"><viz:position x="-3" y="4.5" z="0"/></node><node id="r"><viz:position x="7" y="-8" z="0"/></node>
</nodes><edges><edge id="0" source="p" target="q"/><edge id="1" source="q" target="r"/></edges></graph></gexf>`;
    const { csr, graph } = parseGexf(gexf, 'three.gexf');
    const { view } = networkView(csr, weakComponents(csr), graph);
    expect(view.layout).toEqual({ by: 'file' });
    const expected: Record<string, [number, number]> = { p: [1, 2], q: [-3, 4.5], r: [7, -8] };
    expect(view.keys.map((_, k) => [view.positions[2 * k], view.positions[2 * k + 1]])).toEqual(view.keys.map((key) => expected[key]));
  });
});
