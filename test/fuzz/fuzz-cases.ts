/**
 * The mutation fuzzer shared by the CI test (fuzz.test.ts) and the long campaign
 * (campaign.ts, `npm run fuzz`): one list of readers with a valid seed input each, one
 * list of mutations, and one check of what a reader did with a mutated input. Every case
 * is a pure function of (seed, case number) through the project's PCG32, so a failure is
 * reproduced from the two numbers the report prints. No vitest import: the campaign runs
 * in plain Node.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { initiatorEntropy } from '../../src/analyses/initiator-entropy.js';
import { parseTorConsensus, torTopology } from '../../src/analyses/mix-network.js';
import { parsePrior } from '../../src/graph/prior.js';
import { AnonscopeError, FormatError, InputError, ParameterError } from '../../src/errors.js';
import { encodeCsr, crc32, CSR_HEADER_BYTES } from '../../src/graph/binary-csr.js';
import type { Csr } from '../../src/graph/csr.js';
import { CsrBuilder } from '../../src/graph/csr-builder.js';
import { readGraph } from '../../src/graph/read-graph.js';
import { MAX_WEIGHT } from '../../src/graph/weights.js';
import { histogramFromText } from '../../src/mix/delays.js';
import { Pcg32 } from '../../src/random.js';

/** What a reader made of its input, for the checks: a graph, or numbers that must be finite. */
type Outcome = { csr: Csr } | { numbers: number[] };

export interface FuzzReader {
  name: string;
  /** The file name the reader is given (its extension helps choose a graph reader). */
  file: string;
  seed: Uint8Array;
  /** Whether the format is line-based, so that a FormatError's line must exist in the input. */
  lines: boolean;
  /** Whether to gzip the (mutated) input before reading. */
  gzip?: boolean;
  read(bytes: Uint8Array, file: string, rng: Pcg32): Promise<Outcome>;
}

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** A marker that appears in the output only if an entity was expanded. */
export const ENTITY_MARKER = 'FUZZ-ENTITY-EXPANDED';

/** A graph read through the one loader, its bytes in chunks of a random size (lines and tokens split anywhere). */
async function readGraphBytes(bytes: Uint8Array, file: string, rng: Pcg32): Promise<Outcome> {
  // Tiny chunks only for small inputs: thousands of them cost in the stream plumbing, not the reader.
  const size = 1 + rng.below(bytes.length <= 65536 && rng.below(2) === 0 ? 64 : 65536);
  async function* chunks() {
    for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
  }
  const { csr } = await readGraph({ name: file, size: bytes.length, bytes: chunks() });
  return { csr };
}

const TRIANGLE_PLUS = [['a', 'b', 1.5], ['b', 'c', 2], ['c', 'a', 0.25], ['c', 'd', 4]] as const;

function seedCsr(directed: boolean): Uint8Array {
  const builder = new CsrBuilder(directed);
  builder.enableWeights();
  for (const [u, v, w] of TRIANGLE_PLUS) builder.addEdge(builder.node(u), builder.node(v), w);
  return encodeCsr(builder.build().csr);
}

const GEXF = `<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3">
  <graph defaultedgetype="undirected">
    <nodes>
      <node id="a" label="A &amp; co"/>
      <node id="b" label="B"/>
      <node id="c" label="C"/>
      <node id="d" label="D"/>
    </nodes>
    <edges>
      <edge id="0" source="a" target="b" weight="1.5"/>
      <edge id="1" source="b" target="c" weight="2"/>
      <edge id="2" source="c" target="a" weight="0.25"/>
      <edge id="3" source="c" target="d" weight="4"/>
    </edges>
  </graph>
</gexf>
`;

const GRAPHML = `<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="w" for="edge" attr.name="weight" attr.type="double"/>
  <graph edgedefault="undirected">
    <node id="a"/><node id="b"/><node id="c"/><node id="d"/>
    <edge source="a" target="b"><data key="w">1.5</data></edge>
    <edge source="b" target="c"><data key="w">2</data></edge>
    <edge source="c" target="a"><data key="w">0.25</data></edge>
    <edge source="c" target="d"><data key="w">4</data></edge>
  </graph>
</graphml>
`;

const GML = `graph [
  directed 0
  node [ id 1 label "a" ]
  node [ id 2 label "b" ]
  node [ id 3 label "c" ]
  node [ id 4 label "d" ]
  edge [ source 1 target 2 weight 1.5 ]
  edge [ source 2 target 3 weight 2 ]
  edge [ source 3 target 1 weight 0.25 ]
  edge [ source 3 target 4 weight 4 ]
]
`;

const PAJEK = `*Vertices 4
1 "a"
2 "b"
3 "c"
4 "d"
*Edges
1 2 1.5
2 3 2
3 1 0.25
*Arcs
3 4 4
`;

const JSON_GRAPH = JSON.stringify({
  options: { type: 'undirected', multi: false },
  nodes: ['a', 'b', 'c', 'd'].map((key) => ({ key })),
  edges: TRIANGLE_PLUS.map(([source, target, weight]) => ({ source, target, attributes: { weight } })),
});

const relay = (name: string, id: string, bandwidth: number, microdesc: boolean) =>
  `r ${name} ${id.repeat(27)} ${microdesc ? '' : `${'Z'.repeat(27)} `}2024-01-01 00:00:00 10.0.0.1 9001 0\n` +
  `${microdesc ? `m ${'M'.repeat(43)}\n` : ''}s Fast Guard Running Stable Valid\nw Bandwidth=${bandwidth}\n`;
const consensus = (microdesc: boolean) =>
  `network-status-version 3${microdesc ? ' microdesc' : ''}\nvote-status consensus\n` +
  ['A', 'B', 'C', 'D'].map((id, k) => relay(`relay${k}`, id, 100 * (k + 1), microdesc)).join('') +
  'directory-footer\n';

/** The small graph a fuzzed prior is applied to (its node keys are the prior's). */
const PRIOR_GRAPH = (() => {
  const builder = new CsrBuilder(false);
  for (const [u, v] of TRIANGLE_PLUS) builder.addEdge(builder.node(u), builder.node(v));
  return builder.build().csr;
})();

async function readTor(bytes: Uint8Array, file: string): Promise<Outcome> {
  const topology = torTopology(parseTorConsensus(decode(bytes), file), 50, file);
  return { csr: topology.csr };
}

const GRAPH_READERS: FuzzReader[] = [
  { name: 'edge list', file: 'g.txt', seed: encode('# a comment\na b 1.5\nb c 2\nc a 0.25\nc d 4\n'), lines: true, read: readGraphBytes },
  { name: 'SNAP edge list', file: 'g.edges', seed: encode('4\n0 1\n1 2\n2 0\n2 3\n'), lines: true, read: readGraphBytes },
  { name: 'CSV with header', file: 'g.csv', seed: encode('source,target,weight\na,b,1.5\nb,c,2\n"c",a,0.25\nc,d,4\n'), lines: true, read: readGraphBytes },
  { name: 'TSV with header', file: 'g.tsv', seed: encode('from\tto\tweight\tType\na\tb\t1.5\tDirected\nb\tc\t2\tDirected\nc\td\t4\tDirected\n'), lines: true, read: readGraphBytes },
  { name: 'graphology JSON', file: 'g.json', seed: encode(JSON_GRAPH), lines: true, read: readGraphBytes },
  { name: 'GEXF', file: 'g.gexf', seed: encode(GEXF), lines: true, read: readGraphBytes },
  { name: 'GraphML', file: 'g.graphml', seed: encode(GRAPHML), lines: true, read: readGraphBytes },
  { name: 'GML', file: 'g.gml', seed: encode(GML), lines: true, read: readGraphBytes },
  { name: 'Pajek', file: 'g.net', seed: encode(PAJEK), lines: true, read: readGraphBytes },
  { name: '.csr undirected', file: 'g.csr', seed: seedCsr(false), lines: false, read: readGraphBytes },
  { name: '.csr directed', file: 'd.csr', seed: seedCsr(true), lines: false, read: readGraphBytes },
];

/** Every reader, each format also gzip-compressed. */
export const READERS: FuzzReader[] = [
  ...GRAPH_READERS,
  ...GRAPH_READERS.map((reader) => ({ ...reader, name: `${reader.name}, gzip`, file: `${reader.file}.gz`, gzip: true })),
  { name: 'Tor consensus', file: 'consensus', seed: encode(consensus(false)), lines: true, read: readTor },
  { name: 'Tor microdesc consensus', file: 'cached-microdesc-consensus', seed: encode(consensus(true)), lines: true, read: readTor },
  {
    name: 'prior file',
    file: 'prior.txt',
    seed: encode('# node weight\na 1\nb 2.5\nc 0.5\nd 1e-3\n'),
    lines: true,
    async read(bytes, file) {
      const result = await initiatorEntropy(PRIOR_GRAPH, { hops: 2, terminals: 'all', prior: parsePrior(decode(bytes), file) });
      return { numbers: [result.optimal, ...result.hops.map((hop) => hop.mean).filter((mean) => !Number.isNaN(mean))] };
    },
  },
  {
    name: 'delay histogram',
    file: 'delays.txt',
    seed: encode('# value count\n0.5 10\n1.5 25\n2.5 12\n4 3\n'),
    lines: true,
    async read(bytes, file, rng) {
      const law = histogramFromText(decode(bytes), file);
      return { numbers: [law.mean, law.entropyBits, law.collision, law.quantile(0.5), law.cdf(law.mean), law.sample(rng)] };
    },
  },
  {
    name: 'delay samples',
    file: 'samples.txt',
    seed: encode('0.1\n0.7\n0.3\n2.2\n1.9\n0.05\n'),
    lines: true,
    async read(bytes, file, rng) {
      const law = histogramFromText(decode(bytes), file);
      return { numbers: [law.mean, law.entropyBits, law.quantile(0.9), law.sample(rng)] };
    },
  },
];

// ---------------------------------------------------------------------------------------
// Mutations.

export interface Mutation {
  name: string;
  apply(bytes: Uint8Array, rng: Pcg32): Uint8Array;
}

function splice(bytes: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, at));
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
}

const pick = <T>(rng: Pcg32, items: readonly T[]): T => items[rng.below(items.length)];
const position = (rng: Pcg32, bytes: Uint8Array) => rng.below(bytes.length + 1);

const NUMBERS = ['1e39', '3.4028236e38', '1e308', '1e309', '-1', '-0', 'NaN', 'Infinity', '-Infinity', '5e-324', '1e-320', '0x10', '1_000', '99999999999999999999', '4294967296', '1e-45', '0', '.5', '5.', '1e', '+7'];

/** Where a number is written: its byte range. */
function numberRanges(text: string): [number, number][] {
  return Array.from(text.matchAll(/\d+(\.\d+)?([eE][+-]?\d+)?/g), (m) => [m.index!, m.index! + m[0].length]);
}

/** Header fields of a .csr (n, nnz, key bytes, key-length bytes, payload bytes), rewritten with a valid header checksum. */
function corruptCsrHeader(bytes: Uint8Array, rng: Pcg32): Uint8Array {
  if (bytes.length < CSR_HEADER_BYTES) return bytes;
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const field = pick(rng, [12, 16, 20, 24, 32, 40]);
  const value = pick(rng, [0, 1, 2, 3, 0xffffffff, 0x7fffffff, view.getUint32(field, true) + 1, view.getUint32(field, true) - 1, rng.nextUint32()]);
  view.setUint32(field, value >>> 0, true);
  view.setUint32(60, crc32(out.subarray(0, 60)), true);
  return out;
}

/** A byte of the payload changed, with both checksums made valid again, so the structure checks see it. */
function corruptCsrPayload(bytes: Uint8Array, rng: Pcg32): Uint8Array {
  if (bytes.length <= CSR_HEADER_BYTES) return bytes;
  const out = bytes.slice();
  const at = CSR_HEADER_BYTES + rng.below(out.length - CSR_HEADER_BYTES);
  out[at] = rng.below(2) === 0 ? out[at] ^ (1 << rng.below(8)) : rng.below(256);
  const view = new DataView(out.buffer);
  view.setUint32(48, crc32(out.subarray(CSR_HEADER_BYTES)), true);
  view.setUint32(60, crc32(out.subarray(0, 60)), true);
  return out;
}

export const MUTATIONS: Mutation[] = [
  {
    name: 'byte flips',
    apply(bytes, rng) {
      const out = bytes.slice();
      for (let k = 1 + rng.below(8); k > 0 && out.length > 0; k--) {
        const at = rng.below(out.length);
        out[at] = rng.below(2) === 0 ? out[at] ^ (1 << rng.below(8)) : rng.below(256);
      }
      return out;
    },
  },
  { name: 'truncation', apply: (bytes, rng) => bytes.slice(0, rng.below(bytes.length + 1)) },
  {
    name: 'chunk duplication',
    apply(bytes, rng) {
      const from = rng.below(bytes.length + 1);
      const to = from + rng.below(bytes.length - from + 1);
      const chunk = bytes.slice(from, to);
      // Up to 2000 copies, but no more than 4 MB of them.
      const copies = 1 + rng.below(Math.max(1, Math.min(rng.below(4) === 0 ? 2000 : 4, Math.floor(4_000_000 / Math.max(1, chunk.length)))));
      const repeated = new Uint8Array(chunk.length * copies);
      for (let k = 0; k < copies; k++) repeated.set(chunk, k * chunk.length);
      return splice(bytes, position(rng, bytes), 0, repeated);
    },
  },
  {
    name: 'huge and non-finite numbers',
    apply(bytes, rng) {
      const text = decode(bytes);
      const ranges = numberRanges(text);
      if (ranges.length === 0) return bytes;
      let out = text;
      for (let k = 1 + rng.below(3); k > 0; k--) {
        const left = numberRanges(out); // a replacement may leave no number ("NaN")
        if (left.length === 0) break;
        const [from, to] = pick(rng, left);
        out = out.slice(0, from) + pick(rng, NUMBERS) + out.slice(to);
      }
      return encode(out);
    },
  },
  {
    name: 'deep XML nesting',
    apply(bytes, rng) {
      const depth = 1 + rng.below(rng.below(2) === 0 ? 300 : 30_000);
      const closed = rng.below(2) === 0;
      return splice(bytes, position(rng, bytes), 0, encode('<x>'.repeat(depth) + (closed ? '</x>'.repeat(depth) : '')));
    },
  },
  {
    name: 'entity expansion',
    apply(bytes, rng) {
      const text = decode(bytes);
      const laughs = `<!DOCTYPE r [<!ENTITY e0 "${ENTITY_MARKER}">` + Array.from({ length: 9 }, (_, k) => `<!ENTITY e${k + 1} "${`&e${k};`.repeat(10)}">`).join('') + ']>';
      const external = `<!DOCTYPE r [<!ENTITY e9 SYSTEM "file:///etc/hostname">]>`;
      const declaration = text.startsWith('<?xml') ? text.indexOf('?>') + 2 : 0;
      const withDoctype = text.slice(0, declaration) + '\n' + pick(rng, [laughs, external]) + text.slice(declaration);
      // Use the entity where a node id or a label is read.
      return encode(withDoctype.replace(/(id|label)="[^"]*"/, '$1="&e9;"').replace(/label "[^"]*"/, 'label "&e9;"'));
    },
  },
  {
    name: 'long line',
    apply(bytes, rng) {
      const length = rng.below(2) === 0 ? 1 + rng.below(5000) : 100_000 + rng.below(2_000_000);
      const byte = pick(rng, [0x78, 0x39, 0x20, 0x2c, 0x22, 0x26, 0x3c]); // x 9 space , " & <
      return splice(bytes, position(rng, bytes), 0, new Uint8Array(length).fill(byte));
    },
  },
  {
    name: 'NUL bytes',
    apply(bytes, rng) {
      let out = bytes;
      for (let k = 1 + rng.below(4); k > 0; k--) out = splice(out, position(rng, out), 0, new Uint8Array(1 + rng.below(3)));
      return out;
    },
  },
  { name: 'corrupt .csr header', apply: corruptCsrHeader },
  { name: 'corrupt .csr payload', apply: corruptCsrPayload },
];

// ---------------------------------------------------------------------------------------
// One case.

export interface CaseReport {
  seed: number;
  index: number;
  reader: string;
  mutations: string[];
  bytes: number;
  ms: number;
  /** 'accepted', or the project error class that refused the input. */
  outcome: string;
  /** Why the case failed (a non-project error, a slow read, a silent wrong value); undefined when it passed. */
  failure?: string;
}

/**
 * Longer than this is a hang: an exponential or quadratic blow-up on these inputs takes
 * minutes, while a linear read of the largest takes well under a second on a quiet machine.
 * The margin is wide so that a loaded machine (CI shares its cores) does not read as a hang.
 */
export const CASE_LIMIT_MS = 30_000;

/** The mutated input of case `index` of campaign `seed`: the reader, its bytes and the mutations applied. */
export function makeCase(seed: number, index: number): { reader: FuzzReader; bytes: Uint8Array; mutations: string[]; rng: Pcg32 } {
  const rng = new Pcg32(seed, index);
  const reader = READERS[index % READERS.length];
  const applicable = MUTATIONS.filter((m) => !m.name.includes('.csr') || reader.file.includes('.csr'));
  const mutations: string[] = [];
  let bytes = reader.seed;
  // gzip before or after the mutations: mutated content, or mutated compressed data.
  const compressFirst = reader.gzip === true && rng.below(3) === 0;
  if (compressFirst) bytes = gzipSync(bytes);
  for (let k = 1 + (rng.below(4) === 0 ? 1 : 0); k > 0; k--) {
    const mutation = pick(rng, applicable);
    mutations.push(mutation.name);
    bytes = mutation.apply(bytes, rng);
  }
  if (reader.gzip && !compressFirst) bytes = gzipSync(bytes);
  return { reader, bytes, mutations: compressFirst ? ['gzip first', ...mutations] : mutations, rng };
}

/** Run case `index` of campaign `seed` and check what came out. */
export async function runCase(seed: number, index: number): Promise<CaseReport> {
  const { reader, bytes, mutations, rng } = makeCase(seed, index);
  const report: CaseReport = { seed, index, reader: reader.name, mutations, bytes: bytes.length, ms: 0, outcome: 'accepted' };
  const start = performance.now();
  let outcome: Outcome | undefined;
  let error: unknown;
  try {
    outcome = await reader.read(bytes, reader.file, rng);
  } catch (caught) {
    error = caught;
  }
  report.ms = performance.now() - start;
  report.failure = error === undefined ? checkAccepted(outcome!) : checkRefusal(error, reader, bytes);
  if (error !== undefined) report.outcome = (error as Error)?.name ?? typeof error;
  if (!report.failure && report.ms > CASE_LIMIT_MS) report.failure = `took ${(report.ms / 1000).toFixed(1)} s (limit ${CASE_LIMIT_MS / 1000} s)`;
  return report;
}

/** An accepted input gave a graph the engines can use, or finite numbers; no entity was expanded. */
function checkAccepted(outcome: Outcome): string | undefined {
  if ('numbers' in outcome) {
    const bad = outcome.numbers.find((x) => !Number.isFinite(x));
    return bad === undefined ? undefined : `accepted, but gave the non-finite number ${bad}`;
  }
  const { csr } = outcome;
  if (csr.n < 1 || csr.rowPtr.length !== csr.n + 1 || csr.rowPtr[csr.n] !== csr.colIdx.length) return 'accepted, but the CSR is inconsistent';
  if (csr.nodeKeys.some((key) => key.includes(ENTITY_MARKER))) return 'an XML entity was expanded';
  for (let e = 0; e < csr.colIdx.length; e++) if (csr.colIdx[e] >= csr.n) return `accepted, but column ${csr.colIdx[e]} is out of range`;
  if (csr.weights) {
    for (const w of csr.weights) if (!(w >= 0 && w <= MAX_WEIGHT)) return `accepted, but a weight is ${w}`;
  }
  return undefined;
}

/** A refusal is a project error that names the file (and, for a FormatError of a line format, a line the input has). */
function checkRefusal(error: unknown, reader: FuzzReader, bytes: Uint8Array): string | undefined {
  if (!(error instanceof AnonscopeError)) return `not a project error: ${(error as Error)?.name}: ${String((error as Error)?.message ?? error).slice(0, 300)}`;
  if (error.message.length > 1000) return `a message of ${error.message.length} characters (a token echoed whole?)`;
  if (error instanceof FormatError) {
    if (error.file !== reader.file) return `a FormatError naming ${error.file}, not ${reader.file}`;
    if (reader.lines && error.line !== undefined && !(error.line >= 1 && error.line <= lineCount(reader, bytes))) {
      return `a FormatError on line ${error.line}, which the input does not have: ${error.message.slice(0, 200)}`;
    }
    return undefined;
  }
  // The prior's node names are checked against the graph by the analysis: a ParameterError naming the node.
  if (error instanceof ParameterError && reader.name === 'prior file') return undefined;
  if (error instanceof InputError && error.message.includes(reader.file)) return undefined;
  return `a ${error.name} that does not name the file: ${error.message.slice(0, 200)}`;
}

/** Lines of the input as read (after gunzip), plus one for a line number at the end of the file. */
function lineCount(reader: FuzzReader, bytes: Uint8Array): number {
  let text = bytes;
  if (reader.gzip) {
    try {
      text = new Uint8Array(gunzipSync(bytes));
    } catch {
      return Infinity;
    }
  }
  let lines = 1;
  for (const byte of text) if (byte === 10) lines++;
  return lines + 1;
}

/** A summary of many cases: counts by reader and outcome, and the failures. */
export function summarize(reports: readonly CaseReport[]): string {
  const byReader = new Map<string, Map<string, number>>();
  for (const r of reports) {
    const outcomes = byReader.get(r.reader) ?? new Map<string, number>();
    outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    byReader.set(r.reader, outcomes);
  }
  const slowest = reports.reduce((a, b) => (b.ms > a.ms ? b : a), reports[0]);
  const lines = [...byReader].map(([reader, outcomes]) => `  ${reader.padEnd(30)} ${[...outcomes].map(([o, n]) => `${o} ${n}`).join(', ')}`);
  const failures = reports.filter((r) => r.failure);
  return [
    `${reports.length} cases, ${failures.length} failures; slowest ${slowest ? `${slowest.ms.toFixed(0)} ms (case ${slowest.index}, ${slowest.reader})` : '-'}`,
    ...lines,
    ...failures.map((r) => `FAIL seed ${r.seed} case ${r.index} (${r.reader}; ${r.mutations.join(' + ')}; ${r.bytes} bytes): ${r.failure}`),
  ].join('\n');
}
