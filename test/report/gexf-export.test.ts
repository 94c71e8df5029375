/**
 * entropyGexf: the graph as GEXF with each terminal's entropies, keeping what the input file
 * had (labels, attributes, viz), read back with graphology-gexf as Gephi would read it.
 */
import { readFileSync } from 'node:fs';
import Graph from 'graphology';
import { parse } from 'graphology-gexf';
import { describe, expect, it } from 'vitest';
import { initiatorEntropy } from '../../src/analyses/initiator-entropy.js';
import { parseGexf } from '../../src/graph/gexf.js';
import { entropyGexf } from '../../src/report/gexf-export.js';
import { denseEntropies, denseWalk } from '../helpers/dense-reference.js';
import { csrFromEdges } from '../helpers/graphs.js';
import { dataset, datasetsSkipReason, haveDatasets } from '../helpers/datasets.js';

/** A directed weighted GEXF 1.3 with labels, a typed attribute, viz, and a node nothing enters (d). */
const SMALL = `<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">
<graph defaultedgetype="directed">
<attributes class="node"><attribute id="0" title="group" type="string"/><attribute id="1" title="entropy" type="double"/></attributes>
<nodes>
<node id="a" label="Alice"><attvalues><attvalue for="0" value="red team"/><attvalue for="1" value="99"/></attvalues><viz:position x="1" y="2" z="0"/><viz:color r="255" g="0" b="0"/><viz:size value="3"/></node>
<node id="b" label="Bob"><attvalues><attvalue for="0" value="blue"/></attvalues><viz:position x="-1" y="0.5" z="0"/></node>
<node id="c" label="Carol"><viz:position x="0" y="-2" z="0"/></node>
<node id="d" label="Dan"><attvalues><attvalue for="1" value="7"/></attvalues><viz:position x="3" y="3" z="0"/></node>
</nodes>
<edges>
<edge source="a" target="b" weight="2"/><edge source="b" target="c" weight="1"/><edge source="c" target="a" weight="3"/>
<edge source="d" target="a" weight="1"/><edge source="a" target="c" weight="1"/>
</edges>
</graph></gexf>`;

describe('entropyGexf', () => {
  it('keeps labels, attributes and viz; writes entropy and minEntropy equal to the dense float64 answer; no value, no attribute', async () => {
    const loaded = parseGexf(SMALL, 'small.gexf');
    const hops = 3;
    const result = await initiatorEntropy(loaded.csr, { hops, terminals: 'all', perTerminal: true });
    const back = parse(Graph, entropyGexf(loaded.csr, result, { source: loaded.graph, hop: 2 }));

    expect(back.type).toBe('directed');
    expect(back.order).toBe(4);
    expect(back.size).toBe(5);
    expect(back.getNodeAttributes('a')).toMatchObject({ label: 'Alice', group: 'red team', x: 1, y: 2, size: 3, color: 'rgb(255,0,0)' });
    expect(back.getNodeAttributes('b')).toMatchObject({ label: 'Bob', group: 'blue', x: -1, y: 0.5 });
    expect(back.getEdgeAttribute(back.edge('c', 'a')!, 'weight')).toBe(3);

    // The dense reference at hop 2, by node (Csr order).
    const P = denseWalk(loaded.csr, 'simple');
    const dense = denseEntropies(P, loaded.csr.nodeKeys.map((_, j) => j), 2)[1];
    loaded.csr.nodeKeys.forEach((key, j) => {
      if (!(dense[j].mass > 0)) return;
      expect(back.getNodeAttribute(key, 'entropy'), key).toBeCloseTo(dense[j].shannon, 12);
      expect(back.getNodeAttribute(key, 'minEntropy'), key).toBeCloseTo(dense[j].minEntropy, 12);
    });
    // d: no walk ends there; the file's old entropy (7) is not left standing, and none is written.
    expect(dense[loaded.csr.nodeKeys.indexOf('d')].mass).toBe(0);
    expect(back.hasNodeAttribute('d', 'entropy')).toBe(false);
    expect(back.hasNodeAttribute('d', 'minEntropy')).toBe(false);
    expect(back.getNodeAttribute('a', 'entropy')).not.toBe(99);
  });

  it('a graph without a source graph (an edge list): keys and weights, only the terminals get values', async () => {
    const csr = csrFromEdges([['x', 'y', 2], ['y', 'z', 1], ['z', 'x', 1], ['z', 'w', 4]]);
    const result = await initiatorEntropy(csr, { hops: 2, terminalIds: ['x', 'w'], perTerminal: true });
    const back = parse(Graph, entropyGexf(csr, result));
    expect(back.type).toBe('undirected');
    expect(back.order).toBe(4);
    expect(back.getEdgeAttribute(back.edge('z', 'w')!, 'weight')).toBe(4);
    const dense = denseEntropies(denseWalk(csr, 'simple'), [csr.nodeKeys.indexOf('x'), csr.nodeKeys.indexOf('w')], 2)[1];
    expect(back.getNodeAttribute('x', 'entropy')).toBeCloseTo(dense[0].shannon, 12);
    expect(back.getNodeAttribute('w', 'minEntropy')).toBeCloseTo(dense[1].minEntropy, 12);
    expect(back.hasNodeAttribute('y', 'entropy')).toBe(false);
  });

  it('refuses a result without per-terminal values, and a hop out of range', async () => {
    const csr = csrFromEdges([['x', 'y']]);
    const bare = await initiatorEntropy(csr, { hops: 2 });
    expect(() => entropyGexf(csr, bare)).toThrow('anonscope/entropyGexf: the result has no per-terminal entropies');
    const full = await initiatorEntropy(csr, { hops: 2, perTerminal: true });
    expect(() => entropyGexf(csr, full, { hop: 3 })).toThrow('hop must be an integer in 1..2, got 3');
  });

  it.skipIf(!haveDatasets)(`Les Misérables (graphology's GEXF): every label, attribute and position survives ${haveDatasets ? '' : datasetsSkipReason}`, async () => {
    const path = dataset('gexf/les_miserables.gexf');
    const loaded = parseGexf(readFileSync(path, 'utf8'), path);
    const result = await initiatorEntropy(loaded.csr, { hops: 4, terminals: 'all', perTerminal: true });
    const back = parse(Graph, entropyGexf(loaded.csr, result, { source: loaded.graph }));
    const original = loaded.graph!;
    expect(back.order).toBe(original.order);
    expect(back.size).toBe(original.size);
    original.forEachNode((key, attributes) => expect(back.getNodeAttributes(key), key).toMatchObject(attributes));
    let unreachable = 0;
    for (const t of result.perTerminal!) {
      if (Number.isNaN(t.shannon[3])) {
        unreachable++;
        expect(back.hasNodeAttribute(t.id, 'entropy'), t.id).toBe(false);
      } else expect(back.getNodeAttribute(t.id, 'entropy'), t.id).toBeCloseTo(t.shannon[3], 12);
    }
    expect(unreachable).toBe(result.hops[3].unreachable); // directed: a few characters are never a terminus
  });
});
