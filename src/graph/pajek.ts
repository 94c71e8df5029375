import { FormatError } from '../errors.js';
import { CsrBuilder } from './csr-builder.js';
import { assertNotEmpty } from './csr.js';
import type { GraphReadOptions, LoadedGraph } from './loaded-graph.js';
import { weightTextProblem } from './weights.js';
import { quoted, shortened } from '../text.js';

/** More vertices than 32-bit indices can address are refused before anything is allocated. */
const MAX_VERTICES = 2 ** 31 - 1;

type Section = 'vertices' | 'arcs' | 'edges' | 'arcslist' | 'edgeslist' | 'matrix';

const SECTIONS: ReadonlySet<string> = new Set<Section>(['vertices', 'arcs', 'edges', 'arcslist', 'edgeslist', 'matrix']);

const NOT_A_NETWORK = 'a network has arcs or edges; one value per line after *Vertices is a Pajek partition, permutation or vector file';

/** Sections of the other Pajek file kinds (.clu, .vec, .per, .cls, .hie), named in the refusal. */
const OTHER_FILE_KINDS: ReadonlySet<string> = new Set(['partition', 'vector', 'permutation', 'cluster', 'hierarchy']);

/** The arcs and edges of a Pajek file, as 0-based vertex numbers, before the Csr is built. */
interface PajekLinks {
  from: number[];
  to: number[];
  weight: number[];
  /** true for an undirected edge, false for an arc. */
  undirected: boolean[];
  arcs: number;
  weighted: boolean;
}

/**
 * Pajek networks (`.net`): `*Vertices N` with optional `i "label" …` lines (coordinates and
 * drawing attributes after the label are ignored), then any mix of `*Arcs`, `*Edges`,
 * `*Arcslist`, `*Edgeslist` and `*Matrix` sections. Node keys are the labels when every vertex
 * has a distinct non-empty label, else the vertex numbers "1".."N"; dense indices follow the
 * vertex numbers either way. Arcs and edges together make a directed graph with each edge
 * stored both ways; `directed` overrides (true: an edge is one arc i → j; false: an arc is an
 * undirected edge). `ignoreWeights` reads every arc and edge with weight 1 (matrix entries
 * are still checked, since they say where the arcs are).
 */
export function parsePajek(text: string, file: string, options: GraphReadOptions = {}): LoadedGraph {
  const reader = new PajekReader(file, options);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) reader.line(lines[i], i + 1);
  const { labels, links } = reader.end();

  const directed = options.directed ?? links.arcs > 0;
  const bothWays = directed && options.directed === undefined;
  const builder = new CsrBuilder(directed);
  if (links.weighted) builder.enableWeights();
  const keys = nodeKeys(labels);
  for (const key of keys) builder.node(key);
  for (let k = 0; k < links.from.length; k++) {
    const u = links.from[k];
    const v = links.to[k];
    builder.addEdge(u, v, links.weight[k]);
    // An edge of a file that also has arcs is an arc both ways, unless the caller said directed
    // (a self-loop is dropped, and counted, once).
    if (bothWays && links.undirected[k] && u !== v) builder.addEdge(v, u, links.weight[k]);
  }
  const { csr, report } = builder.build(file);
  assertNotEmpty(csr, file);
  return { csr, report: { ...report, file, format: 'pajek' } };
}

/** The labels as keys when there is one per vertex and no two are equal, else "1".."N". */
function nodeKeys(labels: (string | undefined)[]): string[] {
  const distinct = new Set<string>();
  for (const label of labels) {
    if (label === undefined || distinct.has(label)) return labels.map((_label, i) => String(i + 1));
    distinct.add(label);
  }
  return labels as string[];
}

/** Reads a Pajek file line by line, keeping the current section. */
class PajekReader {
  private section: Section | undefined;
  private vertexCount = -1;
  private labels: (string | undefined)[] = [];
  private readonly labelLines = new Map<number, number>();
  private matrixRows = 0;
  private matrixLine = 0;
  private sawLinks = false;
  private lineNumber = 0;
  /** The last line that is not blank: where end-of-file problems are reported. */
  private lastLine = 1;
  private readonly links: PajekLinks = { from: [], to: [], weight: [], undirected: [], arcs: 0, weighted: false };

  constructor(
    private readonly file: string,
    private readonly options: GraphReadOptions,
  ) {}

  line(raw: string, lineNumber: number): void {
    this.lineNumber = lineNumber;
    const text = raw.trim();
    if (text === '') return;
    this.lastLine = lineNumber;
    if (text[0] === '%') return;
    if (text[0] === '*') return this.header(text);
    switch (this.section) {
      case undefined:
        return this.fail(`expected *Vertices N before any data: not a Pajek network`);
      case 'vertices':
        return this.vertex(text);
      case 'arcs':
      case 'edges':
        return this.link(text, this.section === 'edges');
      case 'arcslist':
      case 'edgeslist':
        return this.list(text, this.section === 'edgeslist');
      case 'matrix':
        return this.matrixRow(text);
    }
  }

  end(): { labels: (string | undefined)[]; links: PajekLinks } {
    this.lineNumber = this.lastLine;
    if (this.vertexCount < 0) this.fail('the file ends without a *Vertices line: not a Pajek network');
    if (!this.sawLinks) this.fail(`the file ends without *Arcs, *Edges, *Arcslist, *Edgeslist or *Matrix: ${NOT_A_NETWORK}`);
    this.endMatrix();
    return { labels: this.labels, links: this.links };
  }

  private fail(problem: string): never {
    throw new FormatError(this.file, this.lineNumber, problem);
  }

  private header(text: string): void {
    const [keyword, ...rest] = text.slice(1).split(/\s+/);
    const name = keyword.toLowerCase();
    if (OTHER_FILE_KINDS.has(name)) {
      this.fail(`*${shortened(keyword, 40)}: this is a Pajek ${name} file, not a network (*Vertices, *Arcs, *Edges)`);
    }
    if (name === 'network') return; // a title line
    if (!SECTIONS.has(name)) this.fail(`unknown section *${shortened(keyword, 40)} (a network has *Vertices, *Arcs, *Edges, *Arcslist, *Edgeslist, *Matrix)`);
    this.endMatrix();
    if (name === 'vertices') return this.vertices(rest);
    if (this.vertexCount < 0) this.fail(`*${shortened(keyword, 40)} before *Vertices: a Pajek network starts with *Vertices N`);
    // "*Arcs :2 "likes"" names a relation of a multi-relational network: relations are merged.
    if (rest.length > 0 && !rest[0].startsWith(':')) this.fail(`unexpected ${quoted(rest.join(' '))} after *${keyword}`);
    this.section = name as Section;
    this.sawLinks = true;
    if (name === 'matrix') {
      this.matrixRows = 0;
      this.matrixLine = this.lineNumber;
    }
  }

  /** `*Vertices N`, or `*Vertices N N1` for a two-mode network (N1 vertices in the first mode). */
  private vertices(rest: string[]): void {
    if (this.vertexCount >= 0) this.fail('a second *Vertices line');
    if (rest.length === 0 || rest.length > 2 || !rest.every(isCount)) {
      this.fail(`*Vertices must be followed by the vertex count (and, for a two-mode network, the first mode's), found ${quoted(rest.join(' '))}`);
    }
    const count = Number(rest[0]);
    if (count > MAX_VERTICES) this.fail(`*Vertices ${shortened(rest[0], 40)}: more than ${MAX_VERTICES} vertices`);
    this.vertexCount = count;
    this.labels = new Array<string | undefined>(count).fill(undefined);
    this.section = 'vertices';
  }

  /** `i ["label"] [x y z] [attributes]`: only the number and the label are kept. */
  private vertex(text: string): void {
    const space = text.search(/\s/);
    const number = space < 0 ? text : text.slice(0, space);
    // A lone value per line is what partition, permutation and vector files hold.
    const hint = space < 0 ? ` (${NOT_A_NETWORK})` : '';
    const i = this.vertexNumber(number, hint);
    const first = this.labelLines.get(i);
    if (first !== undefined) this.fail(`vertex ${number} is listed twice (first on line ${first})${hint}`);
    this.labelLines.set(i, this.lineNumber);
    if (space >= 0) this.labels[i] = this.label(text.slice(space).trimStart()) || undefined;
  }

  /** A label: "quoted" (may hold spaces) or one bare word. */
  private label(text: string): string {
    if (text[0] !== '"') return text.split(/\s/, 1)[0];
    const close = text.indexOf('"', 1);
    if (close < 0) this.fail(`the label ${quoted(text)} is never closed (missing '"')`);
    return text.slice(1, close);
  }

  /** `i j [weight]` in *Arcs or *Edges. */
  private link(text: string, undirected: boolean): void {
    const columns = text.split(/\s+/);
    if (columns.length > 3) this.fail(`expected i j [weight], found ${columns.length} columns`);
    if (columns.length < 2) this.fail(`expected i j [weight], found only ${quoted(text)}`);
    const weight = columns.length === 3 ? this.weight(columns[2]) : undefined;
    this.add(this.vertexNumber(columns[0]), this.vertexNumber(columns[1]), weight, undirected);
  }

  /** `i j k l …` in *Arcslist or *Edgeslist: i to each of the others. */
  private list(text: string, undirected: boolean): void {
    const columns = text.split(/\s+/);
    const i = this.vertexNumber(columns[0]);
    for (let c = 1; c < columns.length; c++) this.add(i, this.vertexNumber(columns[c]), undefined, undirected);
  }

  /** One row of N weights: entry j of row i is an arc i → j, none when 0. */
  private matrixRow(text: string): void {
    const n = this.vertexCount;
    if (this.matrixRows === n) this.fail(`*Matrix (line ${this.matrixLine}) has more than ${n} rows`);
    const entries = text.split(/\s+/);
    if (entries.length !== n) this.fail(`a *Matrix row needs ${n} entries, found ${entries.length}`);
    const i = this.matrixRows++;
    for (let j = 0; j < n; j++) {
      const problem = weightTextProblem(entries[j]);
      if (problem) this.fail(`column ${j + 1}: ${problem}`);
      const weight = Number(entries[j]);
      if (weight !== 0) this.add(i, j, this.options.ignoreWeights ? undefined : weight, false);
    }
  }

  /** Leaving a *Matrix section: it must have had all its rows. */
  private endMatrix(): void {
    if (this.section === 'matrix' && this.matrixRows < this.vertexCount) {
      this.fail(`*Matrix (line ${this.matrixLine}) has ${this.matrixRows} rows, expected ${this.vertexCount}`);
    }
  }

  private add(u: number, v: number, weight: number | undefined, undirected: boolean): void {
    const links = this.links;
    links.from.push(u);
    links.to.push(v);
    links.weight.push(weight ?? 1);
    links.undirected.push(undirected);
    if (!undirected) links.arcs++;
    if (weight !== undefined) links.weighted = true;
  }

  /** A weight column, checked (not read at all with ignoreWeights). */
  private weight(text: string): number | undefined {
    if (this.options.ignoreWeights) return undefined;
    const problem = weightTextProblem(text);
    if (problem) this.fail(problem);
    return Number(text);
  }

  /** A vertex number 1..N as a 0-based index; `hint` is added to a refusal. */
  private vertexNumber(text: string, hint = ''): number {
    if (!isCount(text)) this.fail(`vertex ${quoted(text)} is not a vertex number${hint}`);
    const number = Number(text);
    if (number < 1 || number > this.vertexCount) this.fail(`vertex ${shortened(text, 40)} is outside 1..${this.vertexCount}${hint}`);
    return number - 1;
  }
}

/** Decimal digits only (bounded by the callers' range checks). */
function isCount(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
