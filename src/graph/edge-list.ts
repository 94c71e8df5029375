import { FormatError } from '../errors.js';
import { CsrBuilder } from './csr-builder.js';
import { assertNotEmpty } from './csr.js';
import type { LoadedGraph } from './loaded-graph.js';
import { weightTextProblem } from './weights.js';

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
const EMPTY = new Uint8Array(0);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

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
  private pending: Uint8Array = EMPTY;
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

  /**
   * Feed the next chunk of the file. Lines may span chunks. The chunk is not kept (only a
   * copy of its unfinished last line), so the caller may reuse its buffer.
   */
  push(chunk: Uint8Array): void {
    let start = 0;
    if (this.pending.length > 0) {
      const lf = chunk.indexOf(LF);
      if (lf < 0) {
        this.pending = concat(this.pending, chunk);
        return;
      }
      const line = concat(this.pending, chunk.subarray(0, lf));
      this.pending = EMPTY;
      this.parseLine(line, 0, line.length);
      start = lf + 1;
    }
    const last = chunk.lastIndexOf(LF);
    if (last >= start) {
      this.parseLines(chunk, start, last);
      start = last + 1;
    }
    if (start < chunk.length) this.pending = chunk.slice(start);
  }

  /**
   * Parse the lines in buffer[from, to], each ended by a LF (buffer[to] is one). The common
   * line, two or three columns with integer node ids once the column count is known, takes
   * a fast path; anything else (comments, string ids, errors) goes to parseLine.
   */
  private parseLines(buffer: Uint8Array, from: number, to: number): void {
    const builder = this.builder;
    let i = from;
    while (i <= to) {
      const lineStart = i;
      const columns = this.columns;
      let fast = columns === 2 || columns === 3;
      let u = -1;
      let v = -1;
      let c = 0;
      if (fast) {
        // column 1
        while ((c = buffer[i]) === SPACE || c === TAB || c === COMMA || c === CR) i++;
        let tokenStart = i;
        let value = 0;
        while ((c = buffer[i]) >= ZERO && c <= NINE) {
          value = value * 10 + (c - ZERO);
          i++;
        }
        let length = i - tokenStart;
        if (length === 0 || length > 15 || (length > 1 && buffer[tokenStart] === ZERO) || !(c === SPACE || c === TAB || c === COMMA || c === CR)) {
          fast = false;
        } else {
          u = value;
          // column 2
          while ((c = buffer[i]) === SPACE || c === TAB || c === COMMA || c === CR) i++;
          tokenStart = i;
          value = 0;
          while ((c = buffer[i]) >= ZERO && c <= NINE) {
            value = value * 10 + (c - ZERO);
            i++;
          }
          length = i - tokenStart;
          if (length === 0 || length > 15 || (length > 1 && buffer[tokenStart] === ZERO) || !(c === SPACE || c === TAB || c === COMMA || c === CR || c === LF)) {
            fast = false;
          } else {
            v = value;
            while ((c = buffer[i]) === SPACE || c === TAB || c === COMMA || c === CR) i++;
            if (columns === 2) {
              if (c !== LF) fast = false;
            } else {
              // column 3, the weight: only checked here; parsed below
              this.tokenStart[2] = i;
              while ((c = buffer[i]) !== SPACE && c !== TAB && c !== COMMA && c !== CR && c !== LF) i++;
              this.tokenEnd[2] = i;
              if (this.tokenEnd[2] === this.tokenStart[2]) fast = false;
              while ((c = buffer[i]) === SPACE || c === TAB || c === COMMA || c === CR) i++;
              if (c !== LF) fast = false;
            }
          }
        }
      }
      if (!fast) {
        const lf = buffer.indexOf(LF, lineStart);
        this.parseLine(buffer, lineStart, lf);
        i = lf + 1;
        continue;
      }
      this.line++;
      this.dataLines++;
      if (columns === 2) builder.addEdge(builder.integerNode(u), builder.integerNode(v));
      else {
        const a = builder.integerNode(u);
        const b = builder.integerNode(v);
        builder.addEdge(a, b, this.weightOf(buffer));
      }
      i++; // past the LF
    }
  }

  /** Finish: parse the last line and build the graph. */
  end(): LoadedGraph {
    if (this.pending.length > 0) this.parseLine(this.pending, 0, this.pending.length);
    this.pending = EMPTY;
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
    const integer = integerToken(buffer, this.tokenStart[2], this.tokenEnd[2]);
    if (integer >= 0) return integer; // what Number() gives for these digits, without a string
    const text = this.decoder.decode(buffer.subarray(this.tokenStart[2], this.tokenEnd[2]));
    const problem = weightTextProblem(text);
    if (problem) this.fail(problem);
    const weight = Number(text);
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
