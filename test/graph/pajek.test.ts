import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { edgeCount, nodeIndex, type Csr } from '../../src/graph/csr.js';
import { parseEdgeList } from '../../src/graph/edge-list.js';
import { parsePajek } from '../../src/graph/pajek.js';

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
  expect(error.file).toBe('bad.net');
  expect(error.line).toBe(line);
  expect(error.problem).toContain(fragment);
}

const pajek = (text: string) => () => parsePajek(text, 'bad.net');

const LABELLED = `% a comment
*Network friends
*Vertices 3
1 "Ann Lee" 0.1 0.2 0.5 ic Red
2 "Bob"
3 Cy 0.3 0.3 0.5

*Edges
1 2 2.5
2 3
`;

describe('parsePajek', () => {
  it('reads labelled vertices and weighted edges: labels as keys, edges both ways', () => {
    const { csr, report } = parsePajek(LABELLED, 'friends.net');
    expect(csr.directed).toBe(false);
    expect([...csr.nodeKeys]).toEqual(['Ann Lee', 'Bob', 'Cy']);
    expect(edgeCount(csr)).toBe(2);
    expect(neighbours(csr, 'Ann Lee')).toEqual({ Bob: 2.5 });
    expect(neighbours(csr, 'Bob')).toEqual({ 'Ann Lee': 2.5, Cy: 1 });
    expect(neighbours(csr, 'Cy')).toEqual({ Bob: 1 });
    expect(report).toMatchObject({ file: 'friends.net', format: 'pajek', selfLoops: 0, duplicates: 0 });
  });

  it('keys vertices by number when a label is missing, empty or repeated', () => {
    const missing = '*Vertices 3\n1 "a"\n3 "c"\n*Edges\n1 2\n2 3\n';
    expect([...parsePajek(missing, 'm.net').csr.nodeKeys]).toEqual(['1', '2', '3']);
    const repeated = '*Vertices 3\n1 "a"\n2 "b"\n3 "a"\n*Edges\n1 3\n';
    expect([...parsePajek(repeated, 'r.net').csr.nodeKeys]).toEqual(['1', '2', '3']);
    const empty = '*Vertices 2\n1 ""\n2 "b"\n*Edges\n1 2\n';
    expect([...parsePajek(empty, 'e.net').csr.nodeKeys]).toEqual(['1', '2']);
    const { csr } = parsePajek('*Vertices 4\n*Edges\n1 4\n', 'n.net');
    expect([...csr.nodeKeys]).toEqual(['1', '2', '3', '4']);
    expect(neighbours(csr, '4')).toEqual({ 1: 1 });
  });

  it('reads *Arcs as a directed graph, keywords in any case, CRLF', () => {
    const { csr } = parsePajek('*vertices 3\r\n*ARCS\r\n1 2 3\r\n2 3\r\n3 1 0.5\r\n', 'a.net');
    expect(csr.directed).toBe(true);
    expect(neighbours(csr, '1')).toEqual({ 2: 3 });
    expect(neighbours(csr, '2')).toEqual({ 3: 1 });
    expect(neighbours(csr, '3')).toEqual({ 1: 0.5 });
  });

  it('reads arcs and edges together as a directed graph, each edge stored both ways', () => {
    const mixed = '*Vertices 3\n*Arcs\n1 2 4\n*Edges\n2 3 5\n';
    const { csr } = parsePajek(mixed, 'mixed.net');
    expect(csr.directed).toBe(true);
    expect(neighbours(csr, '1')).toEqual({ 2: 4 });
    expect(neighbours(csr, '2')).toEqual({ 3: 5 });
    expect(neighbours(csr, '3')).toEqual({ 2: 5 });

    const directed = parsePajek(mixed, 'mixed.net', { directed: true }).csr;
    expect(directed.directed).toBe(true);
    expect(neighbours(directed, '2')).toEqual({ 3: 5 });
    expect(neighbours(directed, '3')).toEqual({});

    const undirected = parsePajek(mixed, 'mixed.net', { directed: false }).csr;
    expect(undirected.directed).toBe(false);
    expect(neighbours(undirected, '2')).toEqual({ 1: 4, 3: 5 });
    expect(neighbours(undirected, '3')).toEqual({ 2: 5 });
  });

  it('reads *Arcslist and *Edgeslist: the first vertex to each of the others', () => {
    const { csr } = parsePajek('*Vertices 4\n*Arcslist\n1 2 3 4\n2\n*Edgeslist\n3 4\n', 'l.net');
    expect(csr.directed).toBe(true);
    expect(csr.weights).toBeUndefined();
    expect(neighbours(csr, '1')).toEqual({ 2: 1, 3: 1, 4: 1 });
    expect(neighbours(csr, '2')).toEqual({});
    expect(neighbours(csr, '3')).toEqual({ 4: 1 });
    expect(neighbours(csr, '4')).toEqual({ 3: 1 });
    const edges = parsePajek('*Vertices 3\n*Edgeslist\n1 2 3\n', 'e.net').csr;
    expect(edges.directed).toBe(false);
    expect(neighbours(edges, '3')).toEqual({ 1: 1 });
  });

  it('reads *Matrix rows as arcs: entry j of row i weighs i → j, zeros are no arc, the diagonal is dropped', () => {
    const { csr, report } = parsePajek('*Vertices 3\n*Matrix\n0 2 0\n1.5 7 0\n0 0 0\n', 'mat.net');
    expect(csr.directed).toBe(true);
    expect(neighbours(csr, '1')).toEqual({ 2: 2 });
    expect(neighbours(csr, '2')).toEqual({ 1: 1.5 });
    expect(neighbours(csr, '3')).toEqual({});
    expect(report.selfLoops).toBe(1);
  });

  it('lets sections repeat and mix, merging duplicates (weights add) and dropping self-loops', () => {
    const text = '*Vertices 3\n*Edges\n1 2 1\n*Arcs :1 "likes"\n2 1 2\n*Edges\n2 1 0.5\n3 3\n*Arcs :2 "trusts"\n2 3\n';
    const { csr, report } = parsePajek(text, 'mix.net');
    // Row 2: the edge 1-2 (1), the arc 2→1 (2) and the edge 2-1 (0.5) merge to 3.5.
    expect(neighbours(csr, '2')).toEqual({ 1: 3.5, 3: 1 });
    expect(neighbours(csr, '1')).toEqual({ 2: 1.5 });
    expect(neighbours(csr, '3')).toEqual({});
    expect(report.selfLoops).toBe(1);
    // Merged entries: one in row 1, two in row 2.
    expect(report.duplicates).toBe(3);
  });

  it('with ignoreWeights reads every arc and edge as weight 1, and does not read the weights', () => {
    const { csr } = parsePajek('*Vertices 3\n*Edges\n1 2 -4\n*Matrix\n0 0 9\n0 0 0\n0 0 0\n', 'w.net', { ignoreWeights: true });
    expect(csr.weights).toBeUndefined();
    expect(neighbours(csr, '1')).toEqual({ 2: 1, 3: 1 });
    expect(neighbours(csr, '2')).toEqual({ 1: 1 });
  });

  describe('refuses, naming the line', () => {
    const cases: [string, string, number | undefined, string][] = [
      ['an empty file', '', 1, 'the file ends without a *Vertices line'],
      ['an edge list', '1 2\n2 3\n', 1, 'expected *Vertices N before any data'],
      ['*Edges before *Vertices', '% x\n*Edges\n1 2\n', 2, '*Edges before *Vertices'],
      ['a second *Vertices', '*Vertices 2\n*Vertices 3\n', 2, 'a second *Vertices line'],
      ['*Vertices without a count', '*Vertices\n', 1, '*Vertices must be followed by the vertex count'],
      ['*Vertices with a bad count', '*Vertices three\n', 1, 'found "three"'],
      ['*Vertices with too many vertices', '*Vertices 99999999999\n', 1, 'more than 2147483647 vertices'],
      ['a vertex out of range', '*Vertices 2\n*Edges\n1 2\n2 3\n', 4, 'vertex 3 is outside 1..2'],
      ['vertex 0', '*Vertices 2\n*Arcs\n0 1\n', 3, 'vertex 0 is outside 1..2'],
      ['a vertex line out of range', '*Vertices 2\n3 "c"\n', 2, 'vertex 3 is outside 1..2'],
      ['a vertex that is not a number', '*Vertices 2\n*Edges\n1 b\n', 3, 'vertex "b" is not a vertex number'],
      ['a negative vertex', '*Vertices 2\n*Edgeslist\n1 -2\n', 3, 'vertex "-2" is not a vertex number'],
      ['a vertex listed twice', '*Vertices 2\n1 "a"\n1 "b"\n', 3, 'vertex 1 is listed twice (first on line 2)'],
      ['an unterminated label', '*Vertices 2\n1 "Ann\n', 2, 'is never closed'],
      ['a line with one column', '*Vertices 2\n*Arcs\n1\n', 3, 'expected i j [weight], found only "1"'],
      ['a line with attributes', '*Vertices 2\n*Arcs\n1 2 1 c Blue\n', 3, 'expected i j [weight], found 5 columns'],
      ['a negative weight', '*Vertices 2\n*Edges\n1 2 -1\n', 3, 'weight -1 is negative'],
      ['a weight that is not a number', '*Vertices 2\n*Edges\n1 2 heavy\n', 3, 'weight "heavy" is not a decimal number'],
      ['a weight past float32', '*Vertices 2\n*Arcs\n1 2 1e39\n', 3, 'larger than float32'],
      ['a short matrix row', '*Vertices 2\n*Matrix\n0 1\n1\n', 4, 'a *Matrix row needs 2 entries, found 1'],
      ['a bad matrix entry', '*Vertices 2\n*Matrix\n0 x\n', 3, 'column 2: weight "x" is not a decimal number'],
      ['a matrix with too few rows', '*Vertices 2\n*Matrix\n0 1\n*Edges\n1 2\n', 4, '*Matrix (line 2) has 1 rows, expected 2'],
      ['a matrix ending early', '*Vertices 2\n*Matrix\n0 1\n', 3, '*Matrix (line 2) has 1 rows, expected 2'],
      ['a matrix with too many rows', '*Vertices 2\n*Matrix\n0 1\n1 0\n1 1\n', 5, '*Matrix (line 2) has more than 2 rows'],
      ['a partition section', '*Partition groups\n*Vertices 3\n1\n2\n1\n', 1, 'this is a Pajek partition file, not a network'],
      ['a partition file', '*Vertices 3\n1\n2\n1\n', 4, 'vertex 1 is listed twice (first on line 2) (a network has arcs or edges; one value per line'],
      ['a vector file', '*Vertices 2\n0.5\n1.5\n', 2, 'vertex "0.5" is not a vertex number (a network has arcs'],
      ['a permutation file', '*Vertices 3\n3\n1\n2\n\n', 4, 'the file ends without *Arcs, *Edges, *Arcslist, *Edgeslist or *Matrix'],
      ['a vector section', '*Vector\n*Vertices 2\n0.5\n', 1, 'this is a Pajek vector file, not a network'],
      ['an unknown section', '*Vertices 2\n*Links\n1 2\n', 2, 'unknown section *Links'],
      ['junk after a section', '*Vertices 2\n*Edges 12\n1 2\n', 2, 'unexpected "12" after *Edges'],
      ['a graph with no edges', '*Vertices 2\n1 "a"\n*Edges\n1 1\n', undefined, 'empty graph'],
    ];
    it.each(cases)('%s', (_name, text, line, fragment) => expectFormatError(pajek(text), line, fragment));
  });

  it('fails fast, with a FormatError, on 200 KB of quotes or of one long line', () => {
    const inputs = [
      '*Vertices 1\n1 ' + '"'.repeat(200_001), // an empty label, then an empty graph
      '*Vertices 1\n1 "' + 'x '.repeat(100_000), // an unterminated label
      '*Vertices 2\n*Edgeslist\n1' + ' 2'.repeat(100_000) + ' 3', // a vertex out of range at the end
      '"'.repeat(200_000), // no *Vertices
    ];
    for (const text of inputs) {
      expect(() => parsePajek(text, 'huge.net')).toThrow(FormatError);
    }
  });

  it("reads Zachary's karate club as Pajek exactly as the edge list", () => {
    const edgeListText = readFileSync(new URL('../../graphs/karate.txt', import.meta.url), 'utf8');
    const expected = parseEdgeList(edgeListText, 'karate.txt');
    const pairs = edgeListText.split('\n').filter((line) => /^\d/.test(line)).map((line) => line.trim().split(/\s+/));
    // Vertex i is the edge list's i-th node (order of first appearance), labelled with its id.
    const number = new Map(expected.csr.nodeKeys.map((key, i) => [key, i + 1]));
    const text = [
      `*Vertices ${expected.csr.n}`,
      ...expected.csr.nodeKeys.map((key, i) => `${i + 1} "${key}" 0.0 0.0 0.5`),
      '*Edges',
      ...pairs.map(([u, v]) => `${number.get(u)} ${number.get(v)}`),
    ].join('\r\n');
    const { csr, report } = parsePajek(text, 'karate.net');
    expect(pairs.length).toBe(78);
    expect(csr).toEqual(expected.csr);
    expect(report.duplicates).toBe(expected.report.duplicates);
  });
});
