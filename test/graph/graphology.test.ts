import Graph from 'graphology';
import { parse } from 'graphology-gexf';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { edgeCount, nodeIndex, type Csr } from '../../src/graph/csr.js';
import { fromGraphology } from '../../src/graph/from-graphology.js';
import { parseGexf, parseGraphologyJson } from '../../src/graph/gexf.js';
import { dataset, datasetsSkipReason, haveDatasets } from '../helpers/datasets.js';

function weightBetween(csr: Csr, a: string, b: string): number | undefined {
  const index = nodeIndex(csr);
  const i = index.get(a)!;
  const j = index.get(b)!;
  for (let e = csr.rowPtr[i]; e < csr.rowPtr[i + 1]; e++) if (csr.colIdx[e] === j) return csr.weights ? csr.weights[e] : 1;
  return undefined;
}

describe('fromGraphology', () => {
  it('keeps node order and keys, reads the weight attribute, stores undirected edges both ways', () => {
    const graph = new Graph({ type: 'undirected' });
    graph.addNode('x');
    graph.mergeEdge('x', 'y', { weight: 2.5 });
    graph.mergeEdge('y', 'z');
    graph.addNode('lonely');
    const { csr } = fromGraphology(graph);
    expect([...csr.nodeKeys]).toEqual(['x', 'y', 'z', 'lonely']);
    expect(csr.directed).toBe(false);
    expect(weightBetween(csr, 'x', 'y')).toBe(2.5);
    expect(weightBetween(csr, 'y', 'x')).toBe(2.5);
    expect(weightBetween(csr, 'z', 'y')).toBe(1);
    expect(edgeCount(csr)).toBe(2);
  });

  it('honours getEdgeWeight as a name, a function or null', () => {
    const graph = new Graph({ type: 'directed' });
    graph.mergeEdge('a', 'b', { w: 3, weight: 9 });
    expect(weightBetween(fromGraphology(graph, { getEdgeWeight: 'w' }).csr, 'a', 'b')).toBe(3);
    expect(weightBetween(fromGraphology(graph, { getEdgeWeight: (_e, attr) => attr.w * 2 }).csr, 'a', 'b')).toBe(6);
    const unweighted = fromGraphology(graph, { getEdgeWeight: null }).csr;
    expect(unweighted.weights).toBeUndefined();
    expect(weightBetween(unweighted, 'b', 'a')).toBeUndefined();
  });

  it('stores the undirected edges of a mixed graph both ways and its arcs one way', () => {
    const graph = new Graph({ type: 'mixed' });
    graph.mergeDirectedEdge('a', 'b');
    graph.mergeUndirectedEdge('b', 'c');
    const { csr } = fromGraphology(graph);
    expect(csr.directed).toBe(true);
    expect(weightBetween(csr, 'a', 'b')).toBe(1);
    expect(weightBetween(csr, 'b', 'a')).toBeUndefined();
    expect(weightBetween(csr, 'b', 'c')).toBe(1);
    expect(weightBetween(csr, 'c', 'b')).toBe(1);
  });

  it('merges parallel edges of a multigraph, adding weights', () => {
    const graph = new Graph({ type: 'undirected', multi: true });
    graph.addNode('a');
    graph.addNode('b');
    graph.addEdge('a', 'b', { weight: 1 });
    graph.addEdge('a', 'b', { weight: 2 });
    const { csr, report } = fromGraphology(graph);
    expect(weightBetween(csr, 'a', 'b')).toBe(3);
    expect(report.duplicates).toBe(1);
  });

  it('reads a directed graph as undirected, an undirected one as directed, and weights as 1 when told', () => {
    const directed = new Graph({ type: 'directed' });
    directed.mergeEdge('a', 'b', { weight: 5 });
    const undirected = fromGraphology(directed, { directed: false }).csr;
    expect(undirected.directed).toBe(false);
    expect(weightBetween(undirected, 'b', 'a')).toBe(5);
    const plain = new Graph({ type: 'undirected' });
    plain.mergeEdge('a', 'b', { weight: 5 });
    const arcs = fromGraphology(plain, { directed: true, ignoreWeights: true }).csr;
    expect(arcs.directed).toBe(true);
    expect(arcs.weights).toBeUndefined();
    expect(arcs.rowPtr[arcs.n]).toBe(1); // the one arc a -> b, not its reverse
  });

  it('rejects negative, NaN, null, hexadecimal, past-float32 and non-numeric weights, naming the edge', () => {
    for (const bad of [-1, NaN, 'heavy', Infinity, null, '0x10', 1e39, '1e39', true]) {
      const graph = new Graph();
      graph.mergeEdgeWithKey('e1', 'a', 'b', { weight: bad });
      expect(() => fromGraphology(graph, { source: 'g.json' })).toThrow(FormatError);
      expect(() => fromGraphology(graph, { source: 'g.json' })).toThrow(/^g\.json: edge "e1" \(a -> b\): weight /);
    }
  });

  it('rejects a graph without edges', () => {
    const graph = new Graph();
    graph.addNode('a');
    expect(() => fromGraphology(graph)).toThrow(/empty graph/);
  });
});

describe('graphology JSON and GEXF text', () => {
  it('round-trips a graph through graph.export()', () => {
    const graph = new Graph({ type: 'undirected' });
    graph.mergeEdge('a', 'b', { weight: 4 });
    graph.mergeEdge('b', 'c');
    const { csr, report } = parseGraphologyJson(JSON.stringify(graph.export()), 'g.json');
    expect(report.format).toBe('graphology-json');
    expect(weightBetween(csr, 'b', 'a')).toBe(4);
  });

  it('names the file of a JSON syntax error (and its line where the runtime gives a position)', () => {
    expect(() => parseGraphologyJson('{\n"nodes": [\n oops ]}', 'g.json')).toThrow(/^g\.json(:3)?: not valid JSON/);
  });

  it('rejects JSON that is not a serialized graph', () => {
    expect(() => parseGraphologyJson('{"nodes": 5}', 'g.json')).toThrow(/^g\.json: not a serialized graphology graph/);
  });

  it('reads a small GEXF with weights and rejects broken XML', () => {
    const gexf = `<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3">
  <graph defaultedgetype="undirected">
    <nodes><node id="n0" label="A"/><node id="n1" label="B"/><node id="n2" label="C"/></nodes>
    <edges><edge source="n0" target="n1" weight="2"/><edge source="n1" target="n2"/></edges>
  </graph>
</gexf>`;
    const { csr } = parseGexf(gexf, 'g.gexf');
    expect(csr.directed).toBe(false);
    expect(weightBetween(csr, 'n1', 'n0')).toBe(2);
    expect(weightBetween(csr, 'n2', 'n1')).toBe(1);
    expect(() => parseGexf('<gexf><graph><nodes>', 'broken.gexf')).toThrow(/^broken\.gexf(:\d+)?: /);
  });
});

describe.skipIf(!haveDatasets)(`GEXF files in shared/datasets (${haveDatasets ? 'present' : datasetsSkipReason})`, () => {
  // Expected counts come from graphology-gexf's own Graph: its nodes, and its distinct
  // non-loop node pairs (unordered when undirected).
  for (const name of ['celegans', 'les_miserables', 'rio', 'yeast', 'arctic', 'v1_3', '1898']) {
    it(`${name}.gexf: node and edge counts match graphology's`, () => {
      const text = readFileSync(dataset(`gexf/${name}.gexf`), 'utf8');
      const graph = parse(Graph, text, { addMissingNodes: true, allowUndeclaredAttributes: true });
      const pairs = new Set<string>();
      graph.forEachEdge((_e, _a, s, t, _sa, _ta, undirected) => {
        if (s === t) return;
        pairs.add(undirected ? [s, t].sort().join('\u0000') + '\u0000u' : `${s}\u0000${t}`);
      });
      const { csr } = parseGexf(text, name);
      expect(csr.n).toBe(graph.order);
      expect(csr.directed).toBe(graph.type !== 'undirected');
      const stored = csr.rowPtr[csr.n];
      let expectedStored = 0;
      for (const p of pairs) expectedStored += p.endsWith('\u0000u') ? 2 : 1;
      expect(stored).toBeLessThanOrEqual(expectedStored);
      // An arc a->b and an undirected a-b share a stored slot; without such overlaps they are equal.
      if (graph.type !== 'mixed') expect(stored).toBe(expectedStored);
    });
  }
});
