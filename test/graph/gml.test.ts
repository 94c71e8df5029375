import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { edgeCount, nodeIndex, type Csr } from '../../src/graph/csr.js';
import { parseEdgeList } from '../../src/graph/edge-list.js';
import { MAX_GML_NESTING, parseGml } from '../../src/graph/gml.js';

/** The out-neighbours of a node key, as keys, with their weights (1 when unweighted). */
function neighbours(csr: Csr, key: string): Record<string, number> {
  const i = nodeIndex(csr).get(key)!;
  const out: Record<string, number> = {};
  for (let e = csr.rowPtr[i]; e < csr.rowPtr[i + 1]; e++) out[csr.nodeKeys[csr.colIdx[e]]] = csr.weights ? csr.weights[e] : 1;
  return out;
}

/** The FormatError that `read` throws, checked for its line and a part of its message. */
function expectFormatError(read: () => unknown, line: number | undefined, fragment: string): void {
  let caught: unknown;
  try {
    read();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(FormatError);
  const error = caught as FormatError;
  expect(error.file).toBe('bad.gml');
  expect(error.line).toBe(line);
  expect(error.problem).toContain(fragment);
}

const gml = (text: string) => () => parseGml(text, 'bad.gml');

// Newman's style: undirected, weights as `value`, labels, a graphics list, a comment.
const NEWMAN = `Creator "Mark Newman on Fri Jul 21 12:39:27 2006"
graph
[
  # a comment [ with brackets ] and "quotes
  directed 0
  node
  [
    id 1
    label "Mr &quot;Hi&quot;"
    graphics [ x 1.5 y -2.0 fill "#ff0000" ]
  ]
  node [ id 2 label "Officer" ]
  node [ id 3 ]
  edge [ source 1 target 2 value 4 ]
  edge [ source 2 target 3 value 0.5 ]
  edge [ source 3 target 1 ]
]
`;

describe('parseGml', () => {
  it('reads an undirected file with value weights: nodes in declaration order, each edge both ways', () => {
    const { csr, report } = parseGml(NEWMAN, 'newman.gml');
    expect(csr.directed).toBe(false);
    expect([...csr.nodeKeys]).toEqual(['1', '2', '3']);
    expect(edgeCount(csr)).toBe(3);
    expect(neighbours(csr, '1')).toEqual({ 2: 4, 3: 1 });
    expect(neighbours(csr, '2')).toEqual({ 1: 4, 3: 0.5 });
    expect(neighbours(csr, '3')).toEqual({ 1: 1, 2: 0.5 });
    expect(report).toMatchObject({ file: 'newman.gml', format: 'gml', selfLoops: 0, duplicates: 0 });
  });

  it('reads a directed file: arcs one way, weight preferred over value', () => {
    const text = `graph [ directed 1
      node [ id 10 ] node [ id 20 ] node [ id 30 ]
      edge [ source 10 target 20 weight 2 value 7 ]
      edge [ source 20 target 30 weight 0.25 ]
      edge [ source 30 target 10 ] ]`;
    const { csr } = parseGml(text, 'd.gml');
    expect(csr.directed).toBe(true);
    expect(edgeCount(csr)).toBe(3);
    expect(neighbours(csr, '10')).toEqual({ 20: 2 });
    expect(neighbours(csr, '20')).toEqual({ 30: 0.25 });
    expect(neighbours(csr, '30')).toEqual({ 10: 1 });
  });

  it('is unweighted when no edge has a weight or value', () => {
    const { csr } = parseGml('graph [ node [ id 0 ] node [ id 1 ] edge [ source 0 target 1 ] ]', 'u.gml');
    expect(csr.weights).toBeUndefined();
    expect(neighbours(csr, '1')).toEqual({ 0: 1 });
  });

  it('lets options.directed override the file: true makes arcs, false makes edges', () => {
    const arcs = parseGml(NEWMAN, 'newman.gml', { directed: true }).csr;
    expect(arcs.directed).toBe(true);
    expect(neighbours(arcs, '1')).toEqual({ 2: 4 });
    expect(neighbours(arcs, '3')).toEqual({ 1: 1 });

    const directedFile = 'graph [ directed 1 node [ id 1 ] node [ id 2 ] edge [ source 1 target 2 weight 3 ] ]';
    const edges = parseGml(directedFile, 'd.gml', { directed: false }).csr;
    expect(edges.directed).toBe(false);
    expect(neighbours(edges, '2')).toEqual({ 1: 3 });
  });

  it('with ignoreWeights reads every edge as weight 1 and does not read the weights', () => {
    const { csr } = parseGml(NEWMAN.replace('value 0.5', 'value -3'), 'newman.gml', { ignoreWeights: true });
    expect(csr.weights).toBeUndefined();
    expect(neighbours(csr, '2')).toEqual({ 1: 1, 3: 1 });
  });

  it('merges duplicate edges (weights add) and drops self-loops, counting both', () => {
    const text = `graph [ multigraph 1
      node [ id 1 ] node [ id 2 ] node [ id 3 ]
      edge [ source 1 target 2 weight 1.5 ]
      edge [ source 2 target 1 weight 2 ]
      edge [ source 2 target 2 weight 9 ]
      edge [ source 2 target 3 ] ]`;
    const { csr, report } = parseGml(text, 'm.gml');
    expect(neighbours(csr, '1')).toEqual({ 2: 3.5 });
    expect(neighbours(csr, '2')).toEqual({ 1: 3.5, 3: 1 });
    expect(report.duplicates).toBe(1);
    expect(report.selfLoops).toBe(1);
  });

  it('resolves edges written before their nodes, and reads ids by value ("+07" is node 7)', () => {
    const text = 'graph [ edge [ source 7 target -2 ] node [ id +07 ] node [ id -2 ] node [ id 5 ] edge [ source 5 target 7 ] ]';
    const { csr } = parseGml(text, 'o.gml');
    expect([...csr.nodeKeys]).toEqual(['7', '-2', '5']);
    expect(neighbours(csr, '7')).toEqual({ '-2': 1, 5: 1 });
  });

  it('skips unknown keys and nested lists, also ones named node or edge below the graph level', () => {
    const text = `version 2
      graph [ name "g" attrs [ node [ id 99 ] edge [ source 1 target 99 ] ]
        node [ id 1 extra [ deep [ deeper [ id 42 ] ] ] ] node [ id 2 ]
        edge [ source 1 target 2 label "edge [ with ] brackets" ] ]`;
    const { csr } = parseGml(text, 's.gml');
    expect([...csr.nodeKeys]).toEqual(['1', '2']);
    expect(edgeCount(csr)).toBe(1);
  });

  it('counts lines across multi-line strings, comments and CRLF', () => {
    const text = 'graph [\r\n  node [ id 1 label "two\r\nlines" ]\r\n  # comment\r\n  node [ id 1 ]\r\n]';
    expectFormatError(gml(text), 5, 'duplicate node id 1 (first declared on line 2)');
  });

  describe('refuses, naming the line', () => {
    const cases: [string, string, number | undefined, string][] = [
      ['no graph', 'Creator "me"\nversion 2\n', 2, "without a top-level 'graph [ … ]'"],
      ['an edge list', '1 2\n2 3\n', 1, 'expected a key, found "1"'],
      ['a graph that is not a list', 'graph 5', 1, "'graph' must be a list"],
      ['hierarchical GML', 'graph [\n node [ id 1\n  graph [ node [ id 2 ] ] ] ]', 3, 'hierarchical GML is not supported'],
      ['a second graph', 'graph [ node [ id 1 ] ]\ngraph [ ]', 2, 'a second top-level graph'],
      ['an unmatched ]', 'graph [ node [ id 1 ] ]\n]', 2, "']' without a matching '['"],
      ['an unclosed list', 'graph [\n  node [ id 1\n', 2, 'list "node" opened here is never closed'],
      ['an unterminated string', 'graph [\n node [ id 1 label "abc\n ] ]', 2, 'a string opened here is never closed'],
      ['a key without a value before ]', 'graph [\n node [ id ]\n]', 2, 'key "id" has no value'],
      ['a key without a value at the end', 'graph [\n directed', 2, 'key "directed" has no value'],
      ['a string where a key goes', 'graph [\n "x" 1 ]', 2, 'expected a key, found "x" (a quoted string)'],
      ['directed that is not 0 or 1', 'graph [\n directed true ]', 2, 'directed must be 0 or 1, found "true"'],
      ['a node without id', 'graph [\n node [ label "a" ]\n]', 2, 'node without an id'],
      ['a node with two ids', 'graph [ node [ id 1\n id 2 ] ]', 2, 'node has a second id (the first is on line 1)'],
      ['a real node id', 'graph [\n node [ id 1.5 ] ]', 2, 'node id "1.5" is not an integer'],
      ['a string node id', 'graph [\n node [ id "a" ] ]', 2, 'node id "a" (a quoted string) is not an integer'],
      ['a list as node id', 'graph [\n node [ id [ 1 ] ] ]', 2, 'node id is a list, not a number'],
      ['a duplicate node id', 'graph [ node [ id 1 ]\n node [ id 1 ] ]', 2, 'duplicate node id 1 (first declared on line 1)'],
      ['an edge without source', 'graph [ node [ id 1 ]\n edge [ target 1 ] ]', 2, 'edge without a source'],
      ['an edge without target', 'graph [ node [ id 1 ]\n edge [ source 1 ] ]', 2, 'edge without a target'],
      ['an edge with two sources', 'graph [ node [ id 1 ]\n edge [ source 1 source 1 target 1 ] ]', 2, 'edge has a second source'],
      ['an edge to no node', 'graph [ node [ id 1 ] node [ id 2 ]\n edge [ source 1\n target 3 ] ]', 3, 'edge target 3 is not the id of any node'],
      ['an edge from no node', 'graph [ node [ id 1 ]\n edge [ source 9 target 1 ] ]', 2, 'edge source 9 is not the id of any node'],
      ['a negative weight', 'graph [ node [ id 1 ] node [ id 2 ]\n edge [ source 1 target 2 weight -1 ] ]', 2, 'weight -1 is negative'],
      ['a weight past float32', 'graph [ node [ id 1 ] node [ id 2 ]\n edge [ source 1 target 2\n value 1e39 ] ]', 3, 'larger than float32'],
      ['a weight that is not a number', 'graph [ node [ id 1 ] node [ id 2 ]\n edge [ source 1 target 2 weight INF ] ]', 2, 'weight "INF" is not a decimal number'],
      ['a string weight', 'graph [ node [ id 1 ] node [ id 2 ]\n edge [ source 1 target 2 value "2" ] ]', 2, 'value "2" (a quoted string) is not a number'],
      ['a list weight', 'graph [ node [ id 1 ] node [ id 2 ]\n edge [ source 1 target 2 weight [ 1 ] ] ]', 2, 'edge weight is a list, not a number'],
      ['a graph with no edges', 'graph [ node [ id 1 ] ]', undefined, 'empty graph'],
    ];
    it.each(cases)('%s', (_name, text, line, fragment) => expectFormatError(gml(text), line, fragment));

    it(`lists nested deeper than ${MAX_GML_NESTING} levels`, () => {
      const graph = 'graph [ node [ id 1 ] node [ id 2 ] edge [ source 1 target 2 ]\n';
      const deepest = graph + 'a [ '.repeat(MAX_GML_NESTING - 1) + ' ]'.repeat(MAX_GML_NESTING);
      expect(edgeCount(parseGml(deepest, 'deep.gml').csr)).toBe(1);
      const tooDeep = graph + 'a [ '.repeat(MAX_GML_NESTING - 1) + '\nb [ ]';
      expectFormatError(gml(tooDeep), 3, `lists nested deeper than ${MAX_GML_NESTING} levels`);
    });
  });

  it('fails fast, with a FormatError, on 200 KB of brackets or quotes', () => {
    const inputs = [
      'graph [ ' + 'a [ '.repeat(50_000), // too deep
      '['.repeat(200_000), // no key
      'graph [ ' + 'x "'.repeat(66_667), // key/string pairs, then an unterminated string
      'graph [ label "' + 'x\n'.repeat(100_000), // an unterminated string over 100,000 lines
      'graph [ ' + 'node [ id 1 ] '.repeat(15_000), // a duplicate id
      'graph [ ' + 'a "b" '.repeat(40_000) + '\n]', // one long line of strings, and no edges
    ];
    for (const text of inputs) {
      expect(() => parseGml(text, 'huge.gml')).toThrow(FormatError);
    }
  });

  it("reads Zachary's karate club as GML exactly as the edge list", () => {
    const edgeListText = readFileSync(new URL('../../graphs/karate.txt', import.meta.url), 'utf8');
    const expected = parseEdgeList(edgeListText, 'karate.txt');
    const pairs = edgeListText.split('\n').filter((line) => /^\d/.test(line)).map((line) => line.trim().split(/\s+/));
    // Nodes in the edge list's order of first appearance, edges as networkx writes them.
    const text = [
      'graph [',
      '  directed 0',
      ...expected.csr.nodeKeys.map((key) => `  node [\n    id ${key}\n    label "member ${key}"\n  ]`),
      ...pairs.map(([u, v]) => `  edge [\n    source ${u}\n    target ${v}\n  ]`),
      ']',
    ].join('\n');
    const { csr, report } = parseGml(text, 'karate.gml');
    expect(pairs.length).toBe(78);
    expect(csr).toEqual(expected.csr);
    expect(report.duplicates).toBe(expected.report.duplicates);
  });
});
