/**
 * Which reader a graph file goes to: the one place that maps a file name and its first
 * bytes to a format. The content decides where it is recognisable (an XML root element, a
 * magic number, GML's `graph [`, Pajek's `*Vertices`), the extension where it is not, and
 * files anonscope cannot read are refused by name, with how to convert them, rather than
 * read as a garbage edge list.
 */
import { FormatError, ParameterError } from '../errors.js';
import { CSR_MAGIC } from './binary-csr.js';
import { shortened } from '../text.js';

/** The values of --input-format. `csv` is the edge-list reader splitting on one delimiter. */
export const INPUT_FORMATS = ['edgelist', 'csv', 'gexf', 'graphml', 'gml', 'pajek', 'graphology-json', 'csr'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** How many decompressed bytes the sniffer looks at, and how many of them the binary check. */
export const SNIFF_BYTES = 64 << 10;
const BINARY_CHECK_BYTES = 4 << 10;

/** Said in every refusal. */
const READ_FORMATS =
  'edge lists (.txt, .csv, .tsv, .edges, …, with or without a header row), GEXF, GraphML, GML, Pajek (.net), ' +
  'graphology JSON and anonscope .csr, each optionally gzip-compressed (.gz)';

/** A format anonscope recognises and does not read: what it is, and how to convert it. */
interface Refusal {
  what: string;
  convert: (file: string) => string;
}

const networkx = (read: string) => (file: string) =>
  `Convert it, e.g. with networkx: python -c "import networkx as nx; nx.write_graphml(${read.replace('FILE', `'${file}'`)}, 'graph.graphml')"`;

const REFUSED = {
  dot: { what: 'a Graphviz DOT file', convert: networkx('nx.nx_pydot.read_dot(FILE)') },
  ucinet: {
    what: 'a UCINET DL file',
    convert: (file) => `Convert it, e.g. with python-igraph: python -c "import igraph; igraph.Graph.Read_DL('${file}').write_graphml('graph.graphml')"`,
  },
  gdf: { what: 'a GUESS GDF file', convert: () => 'Convert it, e.g. open it in Gephi and export GEXF or GraphML.' },
  mtx: {
    what: 'a Matrix Market (.mtx) file',
    convert: (file) =>
      `Convert it, e.g. with scipy and networkx: python -c "import scipy.io, networkx as nx; ` +
      `nx.write_weighted_edgelist(nx.from_scipy_sparse_array(scipy.io.mmread('${file}'), create_using=nx.DiGraph), 'graph.txt')"`,
  },
  zip: { what: 'a zip archive (.xlsx and .ods workbooks are zip archives too)', convert: () => 'Unzip it, or save the sheet as CSV (source,target[,weight]).' },
  ole: { what: 'a Microsoft Office (OLE2) file such as an .xls workbook', convert: () => 'Save the sheet as CSV (source,target[,weight]).' },
  parquet: {
    what: 'an Apache Parquet file',
    convert: (file) => `Convert it, e.g. with pandas: python -c "import pandas as pd; pd.read_parquet('${file}').to_csv('graph.csv', index=False)"`,
  },
  bzip2: { what: 'bzip2-compressed data', convert: () => 'Decompress it (bunzip2 -k), or recompress it with gzip, which is read directly.' },
  xz: { what: 'xz-compressed data', convert: () => 'Decompress it (unxz -k), or recompress it with gzip, which is read directly.' },
  zstd: { what: 'zstd-compressed data', convert: () => 'Decompress it (unzstd), or recompress it with gzip, which is read directly.' },
  gzipTwice: { what: 'gzip data inside gzip data (compressed twice)', convert: () => 'Decompress it once (gunzip -k).' },
  utf16: { what: 'UTF-16 text (as Excel\'s "Unicode Text" saves it)', convert: () => 'Save it as UTF-8 (Excel: "CSV UTF-8"), or convert it: iconv -f UTF-16 -t UTF-8.' },
  binary: {
    what: 'binary data (NUL bytes in its first 4 KiB), not a text edge list',
    convert: () => 'If it is a graph in another format, pass --input-format, or convert it to one of those.',
  },
} satisfies Record<string, Refusal>;

/** What a file is: a format anonscope reads, or one it refuses. */
type Kind = { read: InputFormat } | { refuse: Refusal };

const EXTENSIONS = new Map<string, Kind>(Object.entries({
  txt: { read: 'edgelist' }, edges: { read: 'edgelist' }, edgelist: { read: 'edgelist' }, el: { read: 'edgelist' },
  ssv: { read: 'edgelist' }, dat: { read: 'edgelist' },
  csv: { read: 'csv' }, tsv: { read: 'csv' },
  gexf: { read: 'gexf' },
  graphml: { read: 'graphml' }, xml: { read: 'graphml' },
  gml: { read: 'gml' },
  net: { read: 'pajek' }, paj: { read: 'pajek' },
  json: { read: 'graphology-json' },
  csr: { read: 'csr' },
  dot: { refuse: REFUSED.dot }, gv: { refuse: REFUSED.dot },
  dl: { refuse: REFUSED.ucinet },
  gdf: { refuse: REFUSED.gdf },
  mtx: { refuse: REFUSED.mtx },
  zip: { refuse: REFUSED.zip }, xlsx: { refuse: REFUSED.zip }, ods: { refuse: REFUSED.zip },
  xls: { refuse: REFUSED.ole },
  parquet: { refuse: REFUSED.parquet },
  bz2: { refuse: REFUSED.bzip2 }, xz: { refuse: REFUSED.xz }, zst: { refuse: REFUSED.zstd },
} satisfies Record<string, Kind>));

/** The last part of a path (Node or Windows). */
function baseName(file: string): string {
  return file.slice(file.replace(/\\/g, '/').lastIndexOf('/') + 1);
}

/** A file name's extension (lower case, after a `.gz` is stripped) and whether it had `.gz`. */
export function extensionOf(name: string): { extension: string; gzip: boolean } {
  const base = baseName(name).toLowerCase();
  const gzip = base.endsWith('.gz') && base.length > 3;
  const stem = gzip ? base.slice(0, -3) : base;
  const dot = stem.lastIndexOf('.');
  return { extension: dot > 0 ? stem.slice(dot + 1) : '', gzip };
}

/** The gzip magic number: decompression is decided on the bytes, not the name alone. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** A magic number; `null` stands for any byte. */
const startsWith = (bytes: Uint8Array, magic: ArrayLike<number | null>) =>
  bytes.length >= magic.length && Array.prototype.every.call(magic, (b: number | null, i: number) => b === null || bytes[i] === b);

const MAGIC: [ArrayLike<number | null>, Kind][] = [
  [CSR_MAGIC, { read: 'csr' }],
  [[0x1f, 0x8b], { refuse: REFUSED.gzipTwice }],
  [[0x42, 0x5a, 0x68, null, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59], { refuse: REFUSED.bzip2 }], // "BZh", level, block magic
  [[0x42, 0x5a, 0x68, null, 0x17, 0x72, 0x45, 0x38, 0x50, 0x90], { refuse: REFUSED.bzip2 }], // an empty stream
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], { refuse: REFUSED.xz }],
  [[0x28, 0xb5, 0x2f, 0xfd], { refuse: REFUSED.zstd }],
  [[0x50, 0x4b, 0x03, 0x04], { refuse: REFUSED.zip }], // "PK"
  [[0x50, 0x4b, 0x05, 0x06], { refuse: REFUSED.zip }],
  [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], { refuse: REFUSED.ole }],
  [[0x50, 0x41, 0x52, 0x31], { refuse: REFUSED.parquet }], // "PAR1"
  [[0xff, 0xfe], { refuse: REFUSED.utf16 }], // byte-order marks
  [[0xfe, 0xff], { refuse: REFUSED.utf16 }],
];

/**
 * Text formats by their opening, after the comment lines each format allows. Every comment
 * runs to its line's end, so that no input makes these expressions backtrack.
 */
const OPENINGS: [RegExp, Kind][] = [
  [/^(?:\s*(?:#[^\n]*\n|Creator\s+"[^"]*"|Version\s+(?:"[^"]*"|[\w.]+)|comment\s+"[^"]*"))*\s*graph\s*\[/, { read: 'gml' }],
  [/^(?:\s*%[^\n]*\n)*\s*\*(?:vertices|network)\b/i, { read: 'pajek' }],
  [/^\s*\{/, { read: 'graphology-json' }],
  [/^(?:\s*(?:\/\/[^\n]*\n|#[^\n]*\n|\/\*[\s\S]*?\*\/))*\s*(?:strict\s+)?(?:di)?graph\b[^[{;\n]*\{/i, { refuse: REFUSED.dot }],
  [/^\s*dl\s+(?:n|nm|nr|nc|format)\s*=/i, { refuse: REFUSED.ucinet }],
  [/^\s*nodedef\s*>/i, { refuse: REFUSED.gdf }],
  [/^%%MatrixMarket/i, { refuse: REFUSED.mtx }],
];

/** The name of an XML document's root element, skipping the prolog, comments and DOCTYPE. */
function xmlRoot(text: string): string | undefined {
  const prolog = /^\s*(?:<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE(?:[^[>]|\[[^\]]*\])*>)/i;
  let rest = text;
  for (let match = prolog.exec(rest); match; match = prolog.exec(rest)) rest = rest.slice(match[0].length);
  const root = /^\s*<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(rest);
  return root?.[2];
}

/** What the first bytes (decompressed, BOM stripped) say the file is; undefined: nothing. */
function sniff(head: Uint8Array): Kind | undefined {
  for (const [magic, kind] of MAGIC) if (startsWith(head, magic)) return kind;
  const text = new TextDecoder().decode(head);
  if (/^\s*</.test(text)) {
    const root = xmlRoot(text);
    if (root === 'gexf') return { read: 'gexf' };
    if (root === 'graphml') return { read: 'graphml' };
    return {
      refuse: {
        what: root ? `an XML file whose root element is <${shortened(root, 40)}>, neither <gexf> nor <graphml>` : 'XML (or HTML) without a <gexf> or <graphml> root element',
        convert: () => 'Export the graph as GEXF or GraphML.',
      },
    };
  }
  for (const [opening, kind] of OPENINGS) if (opening.test(text)) return kind;
  return undefined;
}

/** Fail unless `text` is one of --input-format's values; before any reading. */
export function checkInputFormat(text: string): InputFormat {
  if (!INPUT_FORMATS.includes(text as InputFormat)) {
    throw new ParameterError(`anonscope: unknown input format "${text}" (expected one of ${INPUT_FORMATS.join(', ')})`);
  }
  return text as InputFormat;
}

/**
 * The reader for a file: `forced` (--input-format) if given; else what its first bytes say;
 * else what its extension says; else an edge list. Refused formats are FormatErrors saying
 * what the file is, what anonscope reads and how to convert it. An edge list that holds NUL
 * bytes is refused as binary, even when forced: the edge-list reader would make a graph of it.
 */
export function chooseFormat(file: string, head: Uint8Array, forced?: InputFormat): InputFormat {
  const byName = EXTENSIONS.get(extensionOf(file).extension);
  const kind = forced ? { read: forced } : sniff(head) ?? byName ?? { read: 'edgelist' as const };
  if ('refuse' in kind) throw refusal(file, kind.refuse);
  if ((kind.read === 'edgelist' || kind.read === 'csv') && head.subarray(0, BINARY_CHECK_BYTES).includes(0)) {
    throw refusal(file, REFUSED.binary);
  }
  return kind.read;
}

function refusal(file: string, { what, convert }: Refusal): FormatError {
  return new FormatError(file, undefined, `this is ${what}, which anonscope does not read. It reads ${READ_FORMATS}. ${convert(baseName(file))}`);
}
