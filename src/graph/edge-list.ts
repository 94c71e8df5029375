import { FormatError } from '../errors.js';
import { CsrBuilder, type BuildReport } from './csr-builder.js';
import { assertNotEmpty, type Csr } from './csr.js';

/** A graph as loaded from a file, with what the loader did to it. */
export interface LoadedGraph {
  csr: Csr;
  report: LoadReport;
}

export interface LoadReport extends BuildReport {
  file: string;
  format: 'edgelist' | 'gexf' | 'graphology-json' | 'graphology';
  /** Node count declared on an edge list's first line, when it had one. */
  declaredNodes?: number;
  /** Lines skipped as malformed (only with `skipBadLines`), and the first of them. */
  skippedLines?: number;
  firstSkippedLine?: number;
}

export interface EdgeListOptions {
  /** Treat each line as an arc u → v (default false: undirected, stored both ways). */
  directed?: boolean;
  /**
   * Skip lines with the wrong number of columns instead of failing, and count them (messy
   * exports end with sentinels such as a lone "-1"). Bad weights still fail.
   */
  skipBadLines?: boolean;
}

const SPACE = 32, TAB = 9, COMMA = 44, CR = 13, LF = 10, HASH = 35, PERCENT = 37;
const ZERO = 48, NINE = 57;
const MAX_COLUMNS = 3;

function isSeparator(byte: number): boolean {
  return byte === SPACE || byte === TAB || byte === COMMA || byte === CR;
}

/**
 * Streaming parser for SNAP-style edge lists: `u v [weight]` per line, separated by spaces,
 * tabs or commas; `#` and `%` comment lines; CRLF or LF; integer or string node ids; an
 * optional first line holding only the node count. Bytes go straight into a CsrBuilder, so
 * a million-node file never becomes a graphology Graph or a string per line.
 */
export class EdgeListParser {
  private readonly builder: CsrBuilder;
  private readonly decoder = new TextDecoder();
  private pending: Uint8Array = new Uint8Array(0);
  private line = 0;
  private dataLines = 0;
  private columns = 0;
  private declaredNodes: number | undefined;
  private skippedLines = 0;
  private firstSkippedLine: number | undefined;
  private readonly skipBadLines: boolean;
  private readonly tokenStart = new Int32Array(MAX_COLUMNS + 1);
  private readonly tokenEnd = new Int32Array(MAX_COLUMNS + 1);

  constructor(
    private readonly file: string,
    options: EdgeListOptions = {},
  ) {
    this.builder = new CsrBuilder(options.directed ?? false);
    this.skipBadLines = options.skipBadLines ?? false;
  }

  /** Feed the next chunk of the file. Lines may span chunks. */
  push(chunk: Uint8Array): void {
    let buffer = chunk;
    if (this.pending.length > 0) {
      buffer = new Uint8Array(this.pending.length + chunk.length);
      buffer.set(this.pending);
      buffer.set(chunk, this.pending.length);
    }
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      if (buffer[i] === LF) {
        this.parseLine(buffer, start, i);
        start = i + 1;
      }
    }
    this.pending = buffer.slice(start);
  }

  /** Finish: parse the last line and build the graph. */
  end(): LoadedGraph {
    if (this.pending.length > 0) this.parseLine(this.pending, 0, this.pending.length);
    this.pending = new Uint8Array(0);
    const { csr, report } = this.builder.build();
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
      },
    };
  }

  private fail(problem: string): never {
    throw new FormatError(this.file, this.line, problem);
  }

  /** A line with the wrong number of columns: fail, or skip it when asked to. */
  private badColumns(problem: string): void {
    if (!this.skipBadLines) this.fail(`${problem} (pass --skip-bad-lines to skip such lines)`);
    this.skippedLines++;
    this.firstSkippedLine ??= this.line;
  }

  private parseLine(buffer: Uint8Array, start: number, end: number): void {
    this.line++;
    let count = 0;
    let i = start;
    while (i < end) {
      while (i < end && isSeparator(buffer[i])) i++;
      if (i >= end) break;
      if (count === 0 && (buffer[i] === HASH || buffer[i] === PERCENT)) return; // comment
      if (count === MAX_COLUMNS) return this.badColumns(`expected 2 or 3 columns (u v [weight]), found more`);
      this.tokenStart[count] = i;
      while (i < end && !isSeparator(buffer[i])) i++;
      this.tokenEnd[count] = i;
      count++;
    }
    if (count === 0) return; // blank line
    this.dataLines++;

    if (count === 1) {
      const declared = this.dataLines === 1 ? integerToken(buffer, this.tokenStart[0], this.tokenEnd[0]) : -1;
      if (declared >= 0) this.declaredNodes = declared;
      else this.badColumns(`expected 2 or 3 columns (u v [weight]), found 1`);
      return;
    }
    if (this.columns === 0) {
      this.columns = count;
      if (count === 3) this.builder.enableWeights();
    } else if (count !== this.columns) {
      return this.badColumns(`found ${count} columns, but earlier lines have ${this.columns}`);
    }

    const u = this.nodeOf(buffer, 0);
    const v = this.nodeOf(buffer, 1);
    if (count === 3) this.builder.addEdge(u, v, this.weightOf(buffer));
    else this.builder.addEdge(u, v);
  }

  private nodeOf(buffer: Uint8Array, column: number): number {
    const start = this.tokenStart[column];
    const end = this.tokenEnd[column];
    const value = integerToken(buffer, start, end);
    if (value >= 0) return this.builder.integerNode(value);
    return this.builder.node(this.decoder.decode(buffer.subarray(start, end)));
  }

  private weightOf(buffer: Uint8Array): number {
    const text = this.decoder.decode(buffer.subarray(this.tokenStart[2], this.tokenEnd[2]));
    const weight = Number(text);
    if (Number.isNaN(weight)) this.fail(`weight "${text}" is not a number`);
    if (!Number.isFinite(weight)) this.fail(`weight "${text}" is not finite`);
    if (weight < 0) this.fail(`weight ${text} is negative`);
    return weight;
  }
}

/**
 * The value of a canonical non-negative integer token (digits only, no leading zero, at
 * most 15 digits so it is exact in a double), or -1. "007" stays a string id.
 */
function integerToken(buffer: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length > 15 || (length > 1 && buffer[start] === ZERO)) return -1;
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
