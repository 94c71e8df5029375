/**
 * Edge lists with a header row, CSV delimiters and quoted fields: hand-written files whose
 * graphs are checked edge by edge.
 */
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { EdgeListParser, parseEdgeList, type EdgeListOptions } from '../../src/graph/edge-list.js';
import { arcs, bothWays } from '../helpers/graphs.js';

const read = (text: string, options: EdgeListOptions = {}, file = 'mem.csv') => parseEdgeList(text, file, options);

function failure(text: string, options: EdgeListOptions = {}): FormatError {
  try {
    read(text, options, 'bad.csv');
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return error as FormatError;
  }
  throw new Error('expected a FormatError');
}

describe('edge lists with a header row', () => {
  it('source,target,weight: the header names the columns and is not an edge', () => {
    const { csr, report } = read('source,target,weight\n1,2,0.5\n2,3,2\n');
    expect(csr.n).toBe(3);
    expect(arcs(csr)).toEqual(bothWays('1-2:0.5', '2-3:2'));
    expect(report.header).toEqual({ line: 1, source: 'source', target: 'target', weight: 'weight', type: undefined, ignored: [] });
  });

  it("Gephi's Source,Target,Type,Id,Label,timeset,Weight: empty fields kept, a quoted label with a comma, Undirected", () => {
    const text = 'Source,Target,Type,Id,Label,timeset,Weight\r\n1,2,Undirected,0,,,1.0\r\n2,3,Undirected,1,"a, b",,3\r\n';
    const { csr, report } = read(text);
    expect(csr.directed).toBe(false);
    expect(arcs(csr)).toEqual(bothWays('1-2:1', '2-3:3'));
    expect(report.header).toMatchObject({ source: 'Source', target: 'Target', weight: 'Weight', type: 'Type', ignored: ['Id', 'Label', 'timeset'] });
  });

  it("Gephi's Type column: Directed rows are arcs; --undirected (directed: false) overrides it", () => {
    const text = 'Source,Target,Type,Weight\na,b,Directed,1\nb,c,directed,2\n';
    const { csr } = read(text);
    expect(csr.directed).toBe(true);
    expect(arcs(csr)).toEqual(['a>b:1', 'b>c:2']);
    const undirected = read(text, { directed: false });
    expect(undirected.csr.directed).toBe(false);
    expect(arcs(undirected.csr)).toEqual(bothWays('a-b:1', 'b-c:2'));
    expect(undirected.report.header?.ignored).toEqual(['Type']);
  });

  it('a Type column that mixes: Undirected rows after Directed ones are arcs both ways; the other order is an error', () => {
    const { csr } = read('source,target,type\na,b,Directed\nb,c,Undirected\n');
    expect(arcs(csr)).toEqual(['a>b', 'b>c', 'c>b']);
    expect(failure('source,target,type\na,b,Undirected\nb,c,Directed\n').message).toMatch(
      /^bad\.csv:3: a Directed edge, but the first edge is Undirected: pass --directed or --undirected/,
    );
    expect(failure('source,target,type\na,b,sideways\n').message).toMatch(/^bad\.csv:2: the type field is "sideways", neither Directed nor Undirected/);
  });

  it("pandas' to_csv (an unnamed index column first): the index is not a node", () => {
    const { csr, report } = read(',source,target,weight\n0,a,b,1.5\n1,b,c,2\n');
    expect([...csr.nodeKeys]).toEqual(['a', 'b', 'c']);
    expect(arcs(csr)).toEqual(bothWays('a-b:1.5', 'b-c:2'));
    expect(report.header?.ignored).toEqual(['']);
  });

  it('from;to (European CSV) with a quoted id holding a space and a semicolon', () => {
    const { csr } = read('from;to\n"x y";z\n"p;q";z\n');
    expect(arcs(csr)).toEqual(bothWays('x y-z', 'p;q-z'));
  });

  it('node1<TAB>node2, and u v separated by spaces', () => {
    expect(arcs(read('node1\tnode2\nNew York\tBoston\n').csr)).toEqual(bothWays('New York-Boston'));
    expect(arcs(read('u v\n1 2\n2  3\n', {}, 'mem.txt').csr)).toEqual(bothWays('1-2', '2-3'));
  });

  it('comment lines before the header; "" inside a quoted field is one quote', () => {
    const { csr, report } = read('# exported by hand\nsource,target\n"say ""hi""",b\n');
    expect(report.header?.line).toBe(2);
    expect(arcs(csr)).toEqual(bothWays('say "hi"-b'));
  });

  it('--header: unknown names are source and target by position; an unnamed third column is ignored', () => {
    const text = 'Person1,Person2,score\nA,B,3\nB,C,4\n';
    const { csr, report } = read(text, { header: true });
    expect(csr.weights).toBeUndefined();
    expect(arcs(csr)).toEqual(bothWays('A-B', 'B-C'));
    expect(report.header).toMatchObject({ source: 'Person1', target: 'Person2', ignored: ['score'] });
    // Undetected without --header: the first line is an edge whose weight is "score".
    expect(failure(text).message).toMatch(/^bad\.csv:1: weight "score" is not a decimal number/);
  });

  it('header: false reads a first line of known names as an edge', () => {
    const { csr, report } = read('source,target\n1,2\n', { header: false });
    expect(report.header).toBeUndefined();
    expect(arcs(csr)).toEqual(bothWays('source-target', '1-2'));
  });

  it('ignoreWeights reads a weight column as 1', () => {
    const { csr, report } = read('source,target,weight\n1,2,0.5\n', { ignoreWeights: true });
    expect(csr.weights).toBeUndefined();
    expect(report.header?.ignored).toEqual(['weight']);
  });

  it('CSV (delimited) keeps empty fields: "1,,2" is an error there, the edge 1-2 in a whitespace edge list', () => {
    expect(failure('1,2\n1,,2\n', { delimited: true }).message).toMatch(/^bad\.csv:2: found 3 columns, but earlier lines have 2/);
    expect(failure('1,,2\n', { delimited: true }).message).toMatch(/^bad\.csv:1: empty field 2/);
    expect(arcs(read('1,,2\n', {}, 'mem.txt').csr)).toEqual(bothWays('1-2'));
  });

  it('CSV (delimited) without a header: fields may hold spaces', () => {
    expect(arcs(read('New York,Boston,2\nBoston, Albany ,1\n', { delimited: true }).csr)).toEqual(bothWays('New York-Boston:2', 'Boston-Albany:1'));
  });

  it('gives the same graph whatever the chunking', () => {
    const text = 'Source,Target,Type,Weight\r\n"a, 1",b,Directed,2\r\nb,c,Directed,0.5';
    const parser = new EdgeListParser('mem.csv');
    for (const byte of new TextEncoder().encode(text)) parser.push(Uint8Array.of(byte));
    expect(arcs(parser.end().csr)).toEqual(['a, 1>b:2', 'b>c:0.5']);
  });

  describe('bad rows name the file and line', () => {
    const cases: [string, string, EdgeListOptions, RegExp][] = [
      ['a row with more fields than the header', 'source,target\n1,2,3\n', {}, /^bad\.csv:2: found 3 fields, but the header row \(line 1\) has 2/],
      ['an empty source', 'source,target\n,2\n', {}, /^bad\.csv:2: empty source field/],
      ['an empty weight', 'source,target,weight\n1,2,\n', {}, /^bad\.csv:2: empty weight field/],
      ['a quote left open', 'source,target\n"a,b\n', {}, /^bad\.csv:2: field 1 opens a quote that the line does not close/],
      ['text after a closing quote', 'source,target\n"a"b,c\n', {}, /^bad\.csv:2: text after the closing quote of field 1/],
      ['a header of one column', 'source\n1\n', { header: true }, /^bad\.csv:1: the header row has 1 column/],
    ];
    for (const [what, text, options, message] of cases) {
      it(what, () => expect(failure(text, options).message).toMatch(message));
    }

    it('rows with the wrong field count are skipped and counted with skipBadLines', () => {
      const { csr, report } = read('source,target\n1,2\n1,2,3\n2,3\n', { skipBadLines: true });
      expect(arcs(csr)).toEqual(bothWays('1-2', '2-3'));
      expect(report).toMatchObject({ skippedLines: 1, firstSkippedLine: 3 });
    });
  });
});
