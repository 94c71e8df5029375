/**
 * Which reader a file goes to (formats.ts) and the one loader (read-graph.ts): every
 * extension, every content rule, every refusal by name, gzip of every format, forcing with
 * --input-format. The same small graph is written by hand in each format and read back arc
 * by arc.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FormatError, ParameterError } from '../../src/errors.js';
import { encodeCsr } from '../../src/graph/binary-csr.js';
import { parseEdgeList } from '../../src/graph/edge-list.js';
import { chooseFormat, INPUT_FORMATS, type InputFormat } from '../../src/graph/formats.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { readGraph, type GraphByteSource, type ReadGraphOptions } from '../../src/graph/read-graph.js';
import { arcs, bothWays } from '../helpers/graphs.js';

const encode = (text: string) => new TextEncoder().encode(text);

/** A byte source that hands out `data` in chunks of `chunkBytes`. */
function source(name: string, data: string | Uint8Array, chunkBytes = Number.MAX_SAFE_INTEGER): GraphByteSource {
  const bytes = typeof data === 'string' ? encode(data) : data;
  async function* chunks() {
    for (let at = 0; at < bytes.length; at += chunkBytes) yield bytes.slice(at, at + chunkBytes);
  }
  return { name, size: bytes.length, bytes: chunks() };
}

const read = (name: string, data: string | Uint8Array, options?: ReadGraphOptions) => readGraph(source(name, data), options);

async function failure(name: string, data: string | Uint8Array, options?: ReadGraphOptions): Promise<Error> {
  try {
    await read(name, data, options);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`expected ${name} to be refused`);
}

/** The graph every fixture holds: a triangle 1-2-3 with a pendant 4 on 3, weights 1..4. */
const EXPECTED = bothWays('1-2:1', '2-3:2', '3-1:3', '3-4:4');

const EDGE_LIST = '1 2 1\n2 3 2\n3 1 3\n3 4 4\n';
const CSV = 'source,target,weight\n1,2,1\n2,3,2\n3,1,3\n3,4,4\n';
const GEXF = `<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3">
  <graph defaultedgetype="undirected">
    <nodes><node id="1"/><node id="2"/><node id="3"/><node id="4"/></nodes>
    <edges>
      <edge id="a" source="1" target="2" weight="1"/><edge id="b" source="2" target="3" weight="2"/>
      <edge id="c" source="3" target="1" weight="3"/><edge id="d" source="3" target="4" weight="4"/>
    </edges>
  </graph>
</gexf>
`;
const GRAPHML = `<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="w" for="edge" attr.name="weight" attr.type="double"/>
  <graph edgedefault="undirected">
    <node id="1"/><node id="2"/><node id="3"/><node id="4"/>
    <edge source="1" target="2"><data key="w">1</data></edge>
    <edge source="2" target="3"><data key="w">2</data></edge>
    <edge source="3" target="1"><data key="w">3</data></edge>
    <edge source="3" target="4"><data key="w">4</data></edge>
  </graph>
</graphml>
`;
const GML = `Creator "igraph version 0.10"
Version 1
graph [
  directed 0
  node [ id 1 ] node [ id 2 ] node [ id 3 ] node [ id 4 ]
  edge [ source 1 target 2 weight 1 ]
  edge [ source 2 target 3 weight 2 ]
  edge [ source 3 target 1 weight 3 ]
  edge [ source 3 target 4 weight 4 ]
]
`;
const PAJEK = '% written by hand\n*Vertices 4\n*Edges\n1 2 1\n2 3 2\n3 1 3\n3 4 4\n';
const JSON_GRAPH = JSON.stringify({
  options: { type: 'undirected' },
  nodes: ['1', '2', '3', '4'].map((key) => ({ key })),
  edges: [[1, 2, 1], [2, 3, 2], [3, 1, 3], [3, 4, 4]].map(([s, t, weight]) => ({ source: String(s), target: String(t), attributes: { weight } })),
});
const CSR = encodeCsr(parseEdgeList(EDGE_LIST, 'fixture.txt').csr);

/** Each format's fixture, its usual name, and the format the report says. */
const FIXTURES: [InputFormat, string, string | Uint8Array, string][] = [
  ['edgelist', 'g.txt', EDGE_LIST, 'edgelist'],
  ['csv', 'g.csv', CSV, 'edgelist'],
  ['gexf', 'g.gexf', GEXF, 'gexf'],
  ['graphml', 'g.graphml', GRAPHML, 'graphml'],
  ['gml', 'g.gml', GML, 'gml'],
  ['pajek', 'g.net', PAJEK, 'pajek'],
  ['graphology-json', 'g.json', JSON_GRAPH, 'graphology-json'],
  ['csr', 'g.csr', CSR, 'csr'],
];

describe('the reader by extension', () => {
  // Content that says nothing, so that the extension decides.
  const plain = encode('1 2\n');
  const cases: [string, InputFormat][] = [
    ['g.txt', 'edgelist'], ['g.edges', 'edgelist'], ['g.edgelist', 'edgelist'], ['g.el', 'edgelist'], ['g.ssv', 'edgelist'],
    ['g.dat', 'edgelist'], ['graph', 'edgelist'], ['g.unknown', 'edgelist'], ['g.csv', 'csv'], ['g.tsv', 'csv'],
    ['g.gexf', 'gexf'], ['g.graphml', 'graphml'], ['g.xml', 'graphml'], ['g.gml', 'gml'], ['g.net', 'pajek'], ['g.paj', 'pajek'],
    ['g.json', 'graphology-json'], ['g.csr', 'csr'],
    ['DIR/G.GEXF', 'gexf'], ['C:\\data\\G.GEXF', 'gexf'], ['g.GraphML.gz', 'graphml'], ['g.csv.GZ', 'csv'], ['g.gz', 'edgelist'],
    ['.gml', 'edgelist'], ['g.constructor', 'edgelist'], ['g.__proto__', 'edgelist'],
  ];
  for (const [name, format] of cases) {
    it(`${name} → ${format}`, () => expect(chooseFormat(name, plain)).toBe(format));
  }

  it('an extension that names a reader sends content nobody recognises to that reader, which names the problem', async () => {
    expect((await failure('g.gexf', 'x y\n')).message).toMatch(/^g\.gexf:1: not well-formed XML: text before the root element/);
    expect((await failure('g.graphml', 'x y\n')).message).toMatch(/^g\.graphml:1: not well-formed XML: text before the root element/);
    expect((await failure('g.json', 'x y\n')).message).toMatch(/^g\.json(:1)?: not valid JSON/);
    expect((await failure('g.csr', 'x y\n')).message).toMatch(/^g\.csr: not an anonscope binary CSR file/);
  });
});

describe('each format, read by its name, by its content alone, and gzip-compressed', () => {
  for (const [format, name, data] of FIXTURES) {
    it(`${format}: ${name}, then as "graph.dat", then ${name}.gz and a gzip file named ${name}`, async () => {
      expect(arcs((await read(name, data)).csr)).toEqual(EXPECTED);
      const byContent = await read('graph.dat', data);
      // A CSV fixture is an edge list with a header whatever its name; the rest are found by content.
      expect(byContent.report.format).toBe(FIXTURES.find(([f]) => f === format)![3]);
      expect(arcs(byContent.csr)).toEqual(EXPECTED);
      const gzipped = gzipSync(typeof data === 'string' ? encode(data) : data);
      expect(arcs((await read(`${name}.gz`, gzipped)).csr)).toEqual(EXPECTED);
      expect(arcs((await read(name, gzipped)).csr)).toEqual(EXPECTED);
      // Streamed a few bytes at a time, compressed and not.
      expect(arcs((await readGraph(source(`${name}.gz`, gzipped, 7))).csr)).toEqual(EXPECTED);
      expect(arcs((await readGraph(source(name, data, 5))).csr)).toEqual(EXPECTED);
    });
  }

  it('a UTF-8 byte-order mark (Excel CSV) is dropped before the header is looked for', async () => {
    const { csr, report } = await read('g.csv', `\uFEFF${CSV}`);
    expect(report.header?.source).toBe('source');
    expect(arcs(csr)).toEqual(EXPECTED);
  });

  it('reports progress in bytes of the file as read (compressed bytes for .gz)', async () => {
    const gzipped = gzipSync(encode(EDGE_LIST.repeat(50)));
    const seen: [number, number][] = [];
    await readGraph(source('g.txt.gz', gzipped, 16), { onProgress: (done, total) => seen.push([done, total]) });
    expect(seen.length).toBe(Math.ceil(gzipped.length / 16));
    expect(seen.at(-1)).toEqual([gzipped.length, gzipped.length]);
  });
});

describe('the content decides over the extension', () => {
  it('GraphML named .gexf is read as GraphML, GEXF named .csv as GEXF, GML named .txt as GML', async () => {
    expect((await read('g.gexf', GRAPHML)).report.format).toBe('graphml');
    expect((await read('g.csv', GEXF)).report.format).toBe('gexf');
    expect((await read('g.txt', GML)).report.format).toBe('gml');
    expect((await read('g.xml', GEXF)).report.format).toBe('gexf');
  });

  it('a .csr file under another name is found by its magic number', async () => {
    expect(arcs((await read('g.bin', CSR)).csr)).toEqual(EXPECTED);
  });

  it('GML after comment lines, Pajek after % comments, XML after a comment and a DOCTYPE', () => {
    expect(chooseFormat('g', encode('# from Newman\n# more\n graph\n[ node [ id 1 ] ]'))).toBe('gml');
    expect(chooseFormat('g', encode('Creator\t"yFiles"\nVersion\t"2.17"\ngraph\n[\n'))).toBe('gml');
    expect(chooseFormat('g', encode('%\n% comment\n*Network x\n*Vertices 2\n'))).toBe('pajek');
    expect(chooseFormat('g', encode('<!-- c --><!DOCTYPE graphml [ <!ENTITY e "x"> ]>\n<graphml>'))).toBe('graphml');
    expect(chooseFormat('g', encode('<?xml version="1.0"?>\n<g:gexf xmlns:g="x">'))).toBe('gexf');
    expect(chooseFormat('g', encode('  {"nodes": []}'))).toBe('graphology-json');
  });

  it('a pathological head (64 KiB of comment markers) is sniffed as an edge list', () => {
    for (const marker of ['%', '#', '/*', ' ']) {
      expect(chooseFormat('g.txt', encode(marker.repeat(32 << 10)))).toBe('edgelist');
    }
  });
});

describe('formats anonscope does not read are refused by name', () => {
  const bytes = (...values: number[]) => Uint8Array.from([...values, ...encode(' rest of the file\n')]);
  const cases: [string, string | Uint8Array, RegExp, RegExp][] = [
    ['g.dot', 'a -- b\n', /a Graphviz DOT file/, /nx\.nx_pydot\.read_dot\('g\.dot'\)/],
    ['g.gv', 'a -- b\n', /a Graphviz DOT file/, /read_dot\('g\.gv'\)/],
    ['g.txt', 'digraph {\n a -> b\n}\n', /a Graphviz DOT file/, /networkx/],
    ['g.txt', '// a comment\nstrict graph G {\n a -- b\n}\n', /a Graphviz DOT file/, /networkx/],
    ['g', 'graph "x y" { a -- b }', /a Graphviz DOT file/, /networkx/],
    ['g.dl', '1 2\n', /a UCINET DL file/, /igraph\.Graph\.Read_DL\('g\.dl'\)/],
    ['g.txt', 'DL N=3\nformat = edgelist1\ndata:\n1 2\n', /a UCINET DL file/, /Read_DL/],
    ['g.gdf', '1 2\n', /a GUESS GDF file/, /Gephi/],
    ['g.csv', 'nodedef>name VARCHAR\na\nedgedef>node1,node2\n', /a GUESS GDF file/, /Gephi/],
    ['g.mtx', '1 2\n', /a Matrix Market \(\.mtx\) file/, /scipy\.io\.mmread\('g\.mtx'\)/],
    ['g.txt', '%%MatrixMarket matrix coordinate real general\n3 3 1\n1 2 1\n', /a Matrix Market/, /mmread/],
    ['g.xlsx', '1 2\n', /a zip archive/, /save the sheet as CSV/],
    ['g.csv', bytes(0x50, 0x4b, 0x03, 0x04), /a zip archive/, /Unzip it/],
    ['g.xls', '1 2\n', /an \.xls workbook/, /CSV/],
    ['g.txt', bytes(0x50, 0x41, 0x52, 0x31), /an Apache Parquet file/, /pd\.read_parquet\('g\.txt'\)/],
    ['g.parquet', '1 2\n', /an Apache Parquet file/, /pandas/],
    ['g.txt', bytes(0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59), /bzip2-compressed data/, /bunzip2/],
    ['g.txt.bz2', '1 2\n', /bzip2-compressed data/, /gzip, which is read directly/],
    ['g.txt', bytes(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00), /xz-compressed data/, /unxz/],
    ['g.txt', bytes(0x28, 0xb5, 0x2f, 0xfd), /zstd-compressed data/, /unzstd/],
    ['g.txt', '<svg xmlns="http://www.w3.org/2000/svg"></svg>', /an XML file whose root element is <svg>, neither <gexf> nor <graphml>/, /GEXF or GraphML/],
    ['g.gexf', '<!DOCTYPE html>\n<html><body></body></html>', /root element is <html>/, /GEXF or GraphML/],
    ['g.txt', bytes(0x31, 0x20, 0x32, 0x00, 0x0a), /binary data \(NUL bytes in its first 4 KiB\)/, /--input-format/],
    ['g.txt.gz', gzipSync(gzipSync(encode('1 2\n'))), /gzip data inside gzip data/, /gunzip/],
    ['g.csv', Uint8Array.from([0xff, 0xfe, 0x31, 0x00, 0x09, 0x00, 0x32, 0x00]), /UTF-16 text/, /Save it as UTF-8/],
  ];
  for (const [name, data, what, convert] of cases) {
    it(`${name}: ${what.source.replace(/\\/g, '')}`, async () => {
      const error = await failure(name, data);
      expect(error).toBeInstanceOf(FormatError);
      expect(error.message.startsWith(`${name}: this is `)).toBe(true);
      expect(error.message).toMatch(what);
      expect(error.message).toMatch(/which anonscope does not read\. It reads edge lists .*GEXF, GraphML, GML, Pajek/);
      expect(error.message).toMatch(convert);
    });
  }

  it('an edge list is not confused with them: "graph" and "dl" as node names', async () => {
    expect(arcs((await read('g.txt', 'graph node\ndl n\n')).csr)).toEqual(bothWays('graph-node', 'dl-n'));
  });
});

describe('--input-format forces the reader', () => {
  it('GML content forced to the edge-list reader is read as an edge list (and fails there)', async () => {
    // Lines 1-4 are two-token "edges" (Creator "igraph version 0.10", …); line 5 is not.
    expect((await failure('g.txt', GML, { format: 'edgelist' })).message).toMatch(/^g\.txt:5: expected 2 or 3 columns \(u v \[weight\]\), found 20/);
    expect(arcs((await read('g.csv', GML, { format: 'gml' })).csr)).toEqual(EXPECTED);
  });

  it('csv forces one delimiter; edgelist forces runs of separators', async () => {
    expect((await failure('g.txt', '1,,2\n', { format: 'csv' })).message).toMatch(/^g\.txt:1: empty field 2/);
    expect(arcs((await read('g.csv', '1,,2\n', { format: 'edgelist' })).csr)).toEqual(bothWays('1-2'));
  });

  it('forcing the edge-list reader onto binary data is still refused', async () => {
    expect((await failure('g.bin', CSR, { format: 'edgelist' })).message).toMatch(/binary data/);
  });

  it('an unknown format is a ParameterError before anything is read', async () => {
    const untouched: GraphByteSource = {
      name: 'g.txt',
      bytes: {
        [Symbol.asyncIterator]() {
          throw new Error('the source was read');
        },
      },
    };
    await expect(readGraph(untouched, { format: 'dot' as InputFormat })).rejects.toThrow(ParameterError);
    await expect(readGraph(untouched, { format: 'dot' as InputFormat })).rejects.toThrow(`unknown input format "dot" (expected one of ${INPUT_FORMATS.join(', ')})`);
  });

  it('a header option on a format without header rows is a ParameterError', async () => {
    await expect(read('g.gexf', GEXF, { header: true })).rejects.toThrow(/g\.gexf: a header row \(--header, --no-header\) is an edge-list notion; this file is read as gexf/);
  });
});

describe('gzip that does not decompress is a FormatError naming the file', () => {
  const whole = gzipSync(encode(EDGE_LIST.repeat(200)));
  const cases: [string, string | Uint8Array, RegExp][] = [
    ['a corrupt stream', Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, ...encode('this is not deflate data at all')]), /^g\.txt\.gz: not valid gzip data: /],
    ['a truncated stream', whole.subarray(0, whole.length - 12), /^g\.txt\.gz: not valid gzip data: /],
    ['a .gz that is not gzip', EDGE_LIST, /^g\.txt\.gz: named \.gz but not gzip-compressed/],
  ];
  for (const [what, data, message] of cases) {
    it(what, async () => {
      const error = await failure('g.txt.gz', data);
      expect(error).toBeInstanceOf(FormatError);
      expect(error.message).toMatch(message);
    });
  }
});

describe('the read flags on every format', () => {
  for (const [format, name, data] of FIXTURES) {
    it(`${format}: directed reads arcs; ignoreWeights reads weights as 1`, async () => {
      const unweighted = await read(name, data, { ignoreWeights: true });
      expect(unweighted.csr.weights).toBeUndefined();
      expect(arcs(unweighted.csr)).toEqual(bothWays('1-2', '2-3', '3-1', '3-4'));
      if (format === 'csr') {
        // An undirected .csr keeps no direction for its edges: --directed is refused, not guessed.
        expect((await failure(name, data, { directed: true })).message).toMatch(/^g\.csr: is undirected, and a \.csr file keeps no direction/);
        return;
      }
      const directed = await read(name, data, { directed: true });
      expect(directed.csr.directed).toBe(true);
      expect(arcs(directed.csr)).toEqual(['1>2:1', '2>3:2', '3>1:3', '3>4:4']);
    });
  }

  it('a directed .csr read undirected: each arc an edge, the two arcs of a pair merged with weights added', async () => {
    const directed = encodeCsr(parseEdgeList('1 2 1\n2 1 2\n2 3 5\n', 'd.txt', { directed: true }).csr);
    const { csr, report } = await read('d.csr', directed, { directed: false });
    expect(csr.directed).toBe(false);
    expect(arcs(csr)).toEqual(bothWays('1-2:3', '2-3:5'));
    expect(report.duplicates).toBe(1);
  });
});

describe('loadGraphFile from disk', () => {
  it('reads each format, the ones read whole in one read, with a UTF-8 byte-order mark dropped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anonscope-formats-'));
    for (const [, name, data] of FIXTURES) {
      const bytes = typeof data === 'string' ? encode(data) : data;
      const path = join(dir, name);
      writeFileSync(path, bytes);
      expect(arcs((await loadGraphFile(path)).csr), name).toEqual(EXPECTED);
      if (typeof data !== 'string') continue;
      writeFileSync(path, Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes]));
      expect(arcs((await loadGraphFile(path)).csr), `${name} with a BOM`).toEqual(EXPECTED);
    }
  });
});

describe('loadGraphFile opens only regular files', () => {
  it('refuses a directory and a character device before reading, and reads a .gz from disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anonscope-formats-'));
    await expect(loadGraphFile(dir)).rejects.toThrow(`${dir}: cannot read: this is a directory, not a graph file`);
    await expect(loadGraphFile('/dev/zero')).rejects.toThrow('/dev/zero: cannot read: this is a character device, not a graph file');
    const path = join(dir, 'g.graphml.gz');
    writeFileSync(path, gzipSync(encode(GRAPHML)));
    expect(arcs((await loadGraphFile(path)).csr)).toEqual(EXPECTED);
  });
});
