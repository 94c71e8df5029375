import { FormatError } from '../errors.js';
import { CsrBuilder } from './csr-builder.js';
import { assertNotEmpty } from './csr.js';
import type { EdgeListHeader, GraphReadOptions, LoadedGraph } from './loaded-graph.js';
import { rawEdges, scanIntegerLines, type RawEdges } from './integer-lines.js';
import { weightTextProblem } from './weights.js';
import { quoted } from '../text.js';

export interface EdgeListOptions extends GraphReadOptions {
  /**
   * Skip lines with the wrong number of columns instead of failing, and count them (messy
   * exports end with sentinels such as a lone "-1"). Bad weights still fail.
   */
  skipBadLines?: boolean;
  /** true: the first line is a header row; false: it never is; undefined: detected by its names. */
  header?: boolean;
  /**
   * CSV: split every line on one delimiter (comma, semicolon or tab, the one the first line
   * uses most), keeping empty fields. Otherwise runs of spaces, tabs, commas and semicolons
   * separate, except that a header row with a delimiter makes the file CSV.
   */
  delimited?: boolean;
}

const DEFAULTS = { skipBadLines: false, delimited: false, ignoreWeights: false };

/** Header names, lower case, as networkx, pandas, igraph and Gephi write them. */
const SOURCE_NAMES = ['source', 'from', 'node1', 'u', 'src'];
const TARGET_NAMES = ['target', 'to', 'node2', 'v', 'dst'];
const WEIGHT_NAME = 'weight';
/** Gephi's per-edge "Directed" / "Undirected". */
const TYPE_NAME = 'type';

const SPACE = 32, TAB = 9, COMMA = 44, SEMICOLON = 59, CR = 13, LF = 10, HASH = 35, PERCENT = 37, QUOTE = 34;
const ZERO = 48, NINE = 57;
/** Initial room of the scanned-edge batch (it grows to a chunk's edges and is reused). */
const SCAN_BATCH = 1 << 16;
const MAX_COLUMNS = 3;
/** No edge-list line is this long; a file without newlines (or /dev/zero) would otherwise fill memory. */
export const MAX_LINE_BYTES = 1 << 20;

/** The pieces of a line, one after another. */
function joined(pieces: readonly Uint8Array[], total: number): Uint8Array {
  if (pieces.length === 1) return pieces[0];
  const line = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    line.set(piece, at);
    at += piece.length;
  }
  return line;
}

function isSeparator(byte: number): boolean {
  return byte === SPACE || byte === TAB || byte === COMMA || byte === SEMICOLON || byte === CR;
}

/** Which columns of a header row hold what. */
interface Layout {
  columns: number;
  source: number;
  target: number;
  weight: number;
  type: number;
}

export class EdgeListParser {
  /** Replaced once, before any edge, where a header's type column decides the direction. */
  private builder: CsrBuilder;
  private readonly decoder = new TextDecoder();
  /** Copies of the unfinished line's pieces, joined once when its LF comes (linear, however many chunks it spans). */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private line = 0;
  private dataLines = 0;
  private columns = 0;
  private declaredNodes: number | undefined;
  private skippedLines = 0;
  private firstSkippedLine: number | undefined;
  private readonly options: EdgeListOptions & typeof DEFAULTS;
  /** The CSV delimiter, from the first data line; undefined: runs of separators. */
  private delimiter: number | undefined;
  private layout: Layout | undefined;
  private header: EdgeListHeader | undefined;
  /** The direction is still to be read from the first row's type column. */
  private directionFromType = false;
  private tokenStart = new Int32Array(MAX_COLUMNS + 1);
  private tokenEnd = new Int32Array(MAX_COLUMNS + 1);
  /** 1 where a quoted field holds "" escapes. */
  private tokenEscaped = new Uint8Array(MAX_COLUMNS + 1);
  /** scanIntegerLines' output, reused from batch to batch. */
  private raw: RawEdges | undefined;

  constructor(
    private readonly file: string,
    options: EdgeListOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...withoutUndefined(options) };
    this.builder = new CsrBuilder(options.directed ?? false);
  }

  /**
   * Feed the next chunk of the file. Lines may span chunks. The chunk is not kept (only a
   * copy of its unfinished last line), so the caller may reuse its buffer.
   */
  push(chunk: Uint8Array): void {
    let start = 0;
    if (this.pendingBytes > 0) {
      const lf = chunk.indexOf(LF);
      if (lf < 0) return this.keepPending(chunk);
      this.pending.push(chunk.subarray(0, lf));
      this.parseLine(...this.takePending());
      start = lf + 1;
    }
    const last = chunk.lastIndexOf(LF);
    if (last >= start) {
      this.parseLines(chunk, start, last);
      start = last + 1;
    }
    if (start < chunk.length) this.keepPending(chunk.subarray(start));
  }

  /** Keep a copy of a piece of the unfinished line, refusing a line past MAX_LINE_BYTES. */
  private keepPending(piece: Uint8Array): void {
    this.pendingBytes += piece.length;
    if (this.pendingBytes > MAX_LINE_BYTES) this.failLongLine();
    this.pending.push(piece.slice());
  }

  /** The unfinished line as parseLine's arguments, and no line pending. */
  private takePending(): [Uint8Array, number, number] {
    const total = this.pending.reduce((sum, piece) => sum + piece.length, 0);
    const line = joined(this.pending, total);
    this.pending = [];
    this.pendingBytes = 0;
    return [line, 0, total];
  }

  private failLongLine(): never {
    this.line++;
    return this.fail(`a line longer than ${MAX_LINE_BYTES / (1 << 20)} MiB (no newline: is this an edge list?)`);
  }

  /**
   * Parse the lines in buffer[from, to], each ended by a LF (buffer[to] is one). Once the
   * first data line has fixed two or three columns without a header or a CSV delimiter,
   * the common lines (integer ids) go through scanIntegerLines; it stops at any other line
   * (comments and blank lines aside), which parseLine reads.
   */
  private parseLines(buffer: Uint8Array, from: number, to: number): void {
    let i = from;
    const end = to + 1;
    while (i < end) {
      const raw = this.scanTarget();
      if (raw) {
        const scan = scanIntegerLines(buffer, i, end, this.columns, raw.weight !== null, raw);
        this.takeScanned(raw, scan.lines);
        i = scan.next;
        if (i >= end) return;
      }
      const lf = buffer.indexOf(LF, i);
      this.parseLine(buffer, i, lf);
      i = lf + 1;
    }
  }

  /**
   * Where scanned edges go while the dialect is the plain one (`u v [weight]`, integer ids
   * possible, no header, no CSV delimiter); undefined until then, or when it is not.
   */
  private scanTarget(): RawEdges | undefined {
    if ((this.columns !== 2 && this.columns !== 3) || this.delimiter !== undefined || this.layout) return undefined;
    this.raw ??= rawEdges(SCAN_BATCH, this.builder.weighted);
    return this.raw;
  }

  /** The plain dialect's column count, once the first data line has fixed it (parallel-edge-list.ts reads on from there). */
  get plainColumns(): { columns: number; readWeights: boolean } | undefined {
    return this.scanTarget() && { columns: this.columns, readWeights: this.builder.weighted };
  }

  /**
   * Drop the unfinished last line (its bytes are read again from the file, from the
   * returned count of bytes before the end of what was pushed): parallel-edge-list.ts.
   */
  dropPending(): number {
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    return bytes;
  }

  /** Edges scanned elsewhere (a worker thread), from the next line on, with the lines they spanned. */
  takeScanned(raw: RawEdges, lines: number): void {
    this.builder.addRawEdges(raw);
    raw.count = 0;
    this.line += lines;
  }

  /** Finish: parse the last line and build the graph. */
  end(): LoadedGraph {
    if (this.pendingBytes > 0) this.parseLine(...this.takePending());
    const { csr, report } = this.builder.build(this.file);
    assertNotEmpty(csr, this.file);
    return {
      csr,
      report: {
        ...report,
        file: this.file,
        format: 'edgelist',
        declaredNodes: this.declaredNodes,
        skippedLines: this.skippedLines,
        firstSkippedLine: this.firstSkippedLine,
        header: this.header,
      },
    };
  }

  private fail(problem: string): never {
    throw new FormatError(this.file, this.line, problem);
  }

  /** A line with the wrong number of columns: fail, or skip it when asked to. */
  private badColumns(problem: string): void {
    if (!this.options.skipBadLines) this.fail(`${problem} (pass --skip-bad-lines to skip such lines)`);
    this.skippedLines++;
    this.firstSkippedLine ??= this.line;
  }

  private parseLine(buffer: Uint8Array, start: number, end: number): void {
    if (end - start > MAX_LINE_BYTES) this.failLongLine();
    this.line++;
    if (this.dataLines === 0) return this.parseFirstLine(buffer, start, end);
    const count = this.tokenize(buffer, start, end);
    if (count === 0) return; // blank or comment
    this.dataLines++;
    if (this.layout) return this.addRow(buffer, count, this.layout);
    if (count === 1) return this.badColumns(`expected 2 or 3 columns (u v [weight]), found 1`);
    this.addEdgeLine(buffer, count);
  }

  /**
   * The first data line decides the dialect: its most used delimiter (for CSV, and for a
   * header row), whether it is a header row, or a lone node count.
   */
  private parseFirstLine(buffer: Uint8Array, start: number, end: number): void {
    this.delimiter = delimiterOf(buffer, start, end);
    let count = this.tokenize(buffer, start, end);
    if (count === 0) return; // blank or comment: the first data line is still to come
    this.dataLines++;
    if (this.options.header !== false && count > 1) {
      const names = Array.from({ length: count }, (_, column) => this.tokenText(buffer, column).trim());
      const lower = names.map((name) => name.toLowerCase());
      const named = lower.some((name) => SOURCE_NAMES.includes(name)) && lower.some((name) => TARGET_NAMES.includes(name));
      if (this.options.header || named) return this.readHeader(names, lower);
    }
    if (this.options.header) this.fail(`the header row has 1 column; expected at least source and target names`);
    if (!this.options.delimited && this.delimiter !== undefined) {
      this.delimiter = undefined;
      count = this.tokenize(buffer, start, end);
    }
    if (count === 1) {
      const declared = integerToken(buffer, this.tokenStart[0], this.tokenEnd[0]);
      if (declared >= 0) this.declaredNodes = declared;
      else this.badColumns(`expected 2 or 3 columns (u v [weight]), found 1`);
      return;
    }
    this.addEdgeLine(buffer, count);
  }

  /**
   * Columns by name: source and target (the first two columns where the names are not
   * known ones), weight and type when named; the other named columns are ignored.
   */
  private readHeader(names: string[], lower: string[]): void {
    const find = (candidates: string[]) => lower.findIndex((name) => candidates.includes(name));
    const known = find(SOURCE_NAMES) >= 0 && find(TARGET_NAMES) >= 0;
    const layout: Layout = {
      columns: names.length,
      source: known ? find(SOURCE_NAMES) : 0,
      target: known ? find(TARGET_NAMES) : 1,
      weight: this.options.ignoreWeights ? -1 : lower.indexOf(WEIGHT_NAME),
      type: this.options.directed === undefined ? lower.indexOf(TYPE_NAME) : -1,
    };
    const used = [layout.source, layout.target, layout.weight, layout.type];
    this.layout = layout;
    this.header = {
      line: this.line,
      source: names[layout.source],
      target: names[layout.target],
      weight: layout.weight >= 0 ? names[layout.weight] : undefined,
      type: layout.type >= 0 ? names[layout.type] : undefined,
      ignored: names.filter((_, column) => !used.includes(column)),
    };
    this.directionFromType = layout.type >= 0;
    if (layout.weight >= 0) this.builder.enableWeights();
  }

  /** A row of a file with a header: its fields by the header's columns. */
  private addRow(buffer: Uint8Array, count: number, layout: Layout): void {
    if (count !== layout.columns) {
      return this.badColumns(`found ${count} field${count === 1 ? '' : 's'}, but the header row (line ${this.header!.line}) has ${layout.columns}`);
    }
    for (const [column, what] of [[layout.source, 'source'], [layout.target, 'target']] as const) {
      if (this.tokenEnd[column] === this.tokenStart[column]) this.fail(`empty ${what} field`);
    }
    const rowDirected = layout.type >= 0 ? this.typeOf(buffer, layout.type) : this.builder.directed;
    if (this.directionFromType) {
      this.directionFromType = false;
      this.builder = new CsrBuilder(rowDirected);
      if (layout.weight >= 0) this.builder.enableWeights();
    }
    if (rowDirected && !this.builder.directed) {
      this.fail(`a Directed edge, but the first edge is Undirected: pass --directed or --undirected to read every edge one way`);
    }
    const u = this.nodeOf(buffer, layout.source);
    const v = this.nodeOf(buffer, layout.target);
    const w = layout.weight >= 0 ? this.weightOf(buffer, layout.weight) : 1;
    this.builder.addEdge(u, v, w);
    // An undirected edge of a graph that also has arcs is an arc both ways (as in fromGraphology).
    if (!rowDirected && this.builder.directed) this.builder.addEdge(v, u, w);
  }

  /** `u v [weight]` without a header. */
  private addEdgeLine(buffer: Uint8Array, count: number): void {
    if (count > MAX_COLUMNS) return this.badColumns(`expected 2 or 3 columns (u v [weight]), found ${count}`);
    if (this.columns === 0) {
      this.columns = count;
      if (count === 3 && !this.options.ignoreWeights) this.builder.enableWeights();
    } else if (count !== this.columns) {
      return this.badColumns(`found ${count} columns, but earlier lines have ${this.columns}`);
    }
    for (let column = 0; column < count; column++) {
      if (this.tokenEnd[column] === this.tokenStart[column]) this.fail(`empty field ${column + 1}`);
    }
    const u = this.nodeOf(buffer, 0);
    const v = this.nodeOf(buffer, 1);
    if (count === 3 && !this.options.ignoreWeights) this.builder.addEdge(u, v, this.weightOf(buffer, 2));
    else this.builder.addEdge(u, v);
  }

  /**
   * Split buffer[start, end) into fields (tokenStart/tokenEnd, quotes excluded) and return
   * how many; 0 for a blank or comment line. Without a delimiter, runs of separators split;
   * with one, each delimiter does, so empty fields count, and spaces around fields are trimmed.
   */
  private tokenize(buffer: Uint8Array, start: number, end: number): number {
    const delimiter = this.delimiter;
    const isBlank = (byte: number) => byte === SPACE || byte === CR || (byte === TAB && delimiter !== TAB);
    let i = start;
    while (i < end && (delimiter === undefined ? isSeparator(buffer[i]) : isBlank(buffer[i]))) i++;
    if (i >= end || buffer[i] === HASH || buffer[i] === PERCENT) return 0;
    let count = 0;
    for (;;) {
      if (count === this.tokenStart.length) this.growTokens();
      this.tokenEscaped[count] = 0;
      if (buffer[i] === QUOTE) {
        i = this.quotedField(buffer, i, end, count);
      } else {
        this.tokenStart[count] = i;
        while (i < end && (delimiter === undefined ? !isSeparator(buffer[i]) : buffer[i] !== delimiter)) i++;
        let last = i;
        while (delimiter !== undefined && last > this.tokenStart[count] && isBlank(buffer[last - 1])) last--;
        this.tokenEnd[count] = last;
      }
      count++;
      if (delimiter === undefined) {
        while (i < end && isSeparator(buffer[i])) i++;
        if (i >= end) return count;
      } else {
        while (i < end && isBlank(buffer[i])) i++;
        if (i >= end) return count;
        if (buffer[i] !== delimiter) this.fail(`text after the closing quote of field ${count}`);
        i++;
        while (i < end && isBlank(buffer[i])) i++;
      }
    }
  }

  /** A "quoted field" starting at buffer[i]; "" inside stands for one quote. Returns the index past it. */
  private quotedField(buffer: Uint8Array, i: number, end: number, token: number): number {
    this.tokenStart[token] = i + 1;
    for (let j = i + 1; j < end; j++) {
      if (buffer[j] !== QUOTE) continue;
      if (buffer[j + 1] === QUOTE && j + 1 < end) {
        this.tokenEscaped[token] = 1;
        j++;
        continue;
      }
      this.tokenEnd[token] = j;
      const next = buffer[j + 1];
      if (j + 1 < end && this.delimiter === undefined && !isSeparator(next)) this.fail(`text after the closing quote of field ${token + 1}`);
      return j + 1;
    }
    return this.fail(`field ${token + 1} opens a quote that the line does not close (a quoted field cannot span lines)`);
  }

  private growTokens(): void {
    const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(a.length * 2);
      b.set(a);
      return b;
    };
    this.tokenStart = grow(this.tokenStart, (n) => new Int32Array(n));
    this.tokenEnd = grow(this.tokenEnd, (n) => new Int32Array(n));
    this.tokenEscaped = grow(this.tokenEscaped, (n) => new Uint8Array(n));
  }

  private tokenText(buffer: Uint8Array, column: number): string {
    const text = this.decoder.decode(buffer.subarray(this.tokenStart[column], this.tokenEnd[column]));
    return this.tokenEscaped[column] ? text.replaceAll('""', '"') : text;
  }

  private nodeOf(buffer: Uint8Array, column: number): number {
    const value = integerToken(buffer, this.tokenStart[column], this.tokenEnd[column]);
    if (value >= 0) return this.builder.integerNode(value);
    return this.builder.node(this.tokenText(buffer, column));
  }

  private weightOf(buffer: Uint8Array, column: number): number {
    const integer = integerToken(buffer, this.tokenStart[column], this.tokenEnd[column]);
    if (integer >= 0) return integer; // what Number() gives for these digits, without a string
    const text = this.tokenText(buffer, column);
    const problem = text === '' ? 'empty weight field' : weightTextProblem(text);
    if (problem) this.fail(problem);
    return Number(text);
  }

  /** A type column's value: Directed (true) or Undirected (false), in any case. */
  private typeOf(buffer: Uint8Array, column: number): boolean {
    const text = this.tokenText(buffer, column).toLowerCase();
    if (text === 'directed') return true;
    if (text === 'undirected') return false;
    return this.fail(`the ${this.header!.type} field is ${quoted(this.tokenText(buffer, column))}, neither Directed nor Undirected`);
  }
}

/**
 * The CSV delimiter a line uses most outside quotes: tab, semicolon or comma (in that
 * order on a tie), or undefined when it has none of them.
 */
function delimiterOf(buffer: Uint8Array, start: number, end: number): number | undefined {
  let tabs = 0, semicolons = 0, commas = 0;
  let inQuotes = false;
  for (let i = start; i < end; i++) {
    const c = buffer[i];
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (inQuotes) continue;
    else if (c === TAB) tabs++;
    else if (c === SEMICOLON) semicolons++;
    else if (c === COMMA) commas++;
  }
  const most = Math.max(tabs, semicolons, commas);
  if (most === 0) return undefined;
  return tabs === most ? TAB : semicolons === most ? SEMICOLON : COMMA;
}

/** Options without their undefined entries, so that DEFAULTS fill them. */
function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * The value of a canonical non-negative integer token (digits only, no leading zero, at
 * most 15 digits so it is exact in a double), or -1. "007" stays a string id; "" is no number.
 */
function integerToken(buffer: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length === 0 || length > 15 || (length > 1 && buffer[start] === ZERO)) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = buffer[i];
    if (c < ZERO || c > NINE) return -1;
    value = value * 10 + (c - ZERO);
  }
  return value;
}

/** Parse a whole edge list held in memory (tests, the browser's small files). */
export function parseEdgeList(source: string | Uint8Array, file: string, options: EdgeListOptions = {}): LoadedGraph {
  const parser = new EdgeListParser(file, options);
  parser.push(typeof source === 'string' ? new TextEncoder().encode(source) : source);
  return parser.end();
}
