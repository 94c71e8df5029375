/**
 * The common edge-list line, `u v` or `u v weight` with non-negative integer node ids,
 * read from bytes without a String per token: the one scanner behind the edge-list
 * parser's fast path and its worker threads (parallel-edge-list.ts), so that both read
 * every line the same way.
 *
 * It takes only lines whose meaning is certain without the tokenizer of edge-list.ts:
 * blank lines, comments, and lines of exactly `columns` unquoted fields separated by runs
 * of spaces, tabs, commas, semicolons and CRs, whose ids are canonical integers below
 * 2^32 and whose weight (when read) is a plain decimal that edge lists accept. It stops at
 * the first other line (a string id, a wrong column count, a bad weight: anything the
 * full parser must read, or refuse with its message), and leaves it to the caller.
 */

/** Integer-id edges in file order, the ids as written (not yet dense indices); growable. */
export interface RawEdges {
  src: Uint32Array;
  dst: Uint32Array;
  /** Weights when the third column is read; null otherwise. */
  weight: Float64Array | null;
  count: number;
}

export function rawEdges(capacity: number, weighted: boolean): RawEdges {
  const size = Math.max(16, capacity);
  return { src: new Uint32Array(size), dst: new Uint32Array(size), weight: weighted ? new Float64Array(size) : null, count: 0 };
}

/** Where a scan ended: `next` is the start of the first line not taken; `lines` were taken. */
export interface ScanEnd {
  next: number;
  lines: number;
}

/**
 * Scan the lines of buffer[from, end), each ended by a LF, appending their edges to `out`.
 * `columns` is 2 or 3; with 3, `readWeights` false checks that the third field is there
 * but ignores it (--ignore-weights). Stops at the first line it does not take, or at a
 * line without its LF before `end`.
 *
 * Self-contained (no module constants, no imports): worker threads run it from its
 * source text.
 */
export function scanIntegerLines(buffer: Uint8Array, from: number, end: number, columns: number, readWeights: boolean, out: RawEdges): ScanEnd {
  // Bytes: LF 10, TAB 9, CR 13, space 32, '"' 34, '#' 35, '%' 37, '+' 43, ',' 44, '-' 45,
  // '.' 46, '0' 48, '9' 57, ';' 59, 'E' 69, 'e' 101.
  const MAX_LINE_BYTES = 1 << 20; // edge-list.ts's limit: a longer line is the parser's to refuse
  const MAX_WEIGHT = 3.4028234663852886e38; // the largest float32 (weights.ts)
  let { src, dst, weight, count } = out;
  let lines = 0;
  let i = from;
  let lineStart = from;
  let c = 0;
  // Every `break` leaves lineStart at the line not taken; reading past `end` only happens
  // on a line whose LF is not before `end`, and such a line is never taken.
  scan: for (;;) {
    lineStart = i;
    if (i >= end) break;
    c = buffer[i];
    while (c === 32 || c === 9 || c === 44 || c === 59 || c === 13) c = buffer[++i];
    if (i >= end) break;
    if (c === 10) {
      i++;
      lines++;
      continue;
    }
    if (c === 35 || c === 37) {
      const lf = buffer.indexOf(10, i);
      if (lf < 0 || lf >= end || lf - lineStart > MAX_LINE_BYTES) break;
      i = lf + 1;
      lines++;
      continue;
    }
    // Two ids: digits, no leading zero ("007" is a string id), below 2^32.
    let u = 0;
    let v = 0;
    for (let column = 0; column < 2; column++) {
      const tokenStart = i;
      let value = 0;
      while (c >= 48 && c <= 57) {
        value = value * 10 + (c - 48);
        c = buffer[++i];
      }
      const digits = i - tokenStart;
      if (digits === 0 || digits > 10 || value > 0xffffffff || (digits > 1 && buffer[tokenStart] === 48)) break scan;
      if (column === 0) u = value;
      else v = value;
      if (!(c === 32 || c === 9 || c === 44 || c === 59 || c === 13 || (column === 1 && c === 10))) break scan;
      while (c === 32 || c === 9 || c === 44 || c === 59 || c === 13) c = buffer[++i];
    }
    let w = 1;
    if (columns === 3) {
      const tokenStart = i;
      while (i < end && !(c === 32 || c === 9 || c === 44 || c === 59 || c === 13 || c === 10)) {
        if (c === 34) break scan; // a quote: the tokenizer's to read
        c = buffer[++i];
      }
      if (i === tokenStart || i >= end) break;
      if (readWeights) {
        w = plainWeight(buffer, tokenStart, i);
        if (!(w >= 0 && w <= MAX_WEIGHT)) break; // NaN too: the parser names the problem
      }
      while (c === 32 || c === 9 || c === 44 || c === 59 || c === 13) c = buffer[++i];
    }
    if (c !== 10 || i >= end || i - lineStart > MAX_LINE_BYTES) break;
    i++;
    lines++;
    if (count === src.length) {
      src = grown32(src);
      dst = grown32(dst);
      if (weight) {
        const larger = new Float64Array(weight.length * 2);
        larger.set(weight);
        weight = larger;
      }
    }
    src[count] = u;
    dst[count] = v;
    if (weight) weight[count] = w;
    count++;
  }
  out.src = src;
  out.dst = dst;
  out.weight = weight;
  out.count = count;
  return { next: lineStart, lines };

  function grown32(array: Uint32Array): Uint32Array {
    const larger = new Uint32Array(array.length * 2);
    larger.set(array);
    return larger;
  }

  /** A weight in plain decimal notation (text.ts's decimalNumber: [+-]digits[.digits][e[+-]digits]), or NaN. */
  function plainWeight(bytes: Uint8Array, start: number, stop: number): number {
    const isDigit = (p: number) => p < stop && bytes[p] >= 48 && bytes[p] <= 57;
    let p = start;
    let integer = 0;
    while (isDigit(p)) integer = integer * 10 + (bytes[p++] - 48);
    // Up to 15 digits, an integer is exactly what Number() gives, without a string.
    if (p === stop && stop - start <= 15) return integer;
    p = start;
    if (bytes[p] === 43 || bytes[p] === 45) p++;
    let mantissaDigits = 0;
    for (; isDigit(p); p++) mantissaDigits++;
    if (p < stop && bytes[p] === 46) {
      p++;
      for (; isDigit(p); p++) mantissaDigits++;
    }
    if (mantissaDigits === 0) return NaN;
    if (p < stop && (bytes[p] === 101 || bytes[p] === 69)) {
      p++;
      if (p < stop && (bytes[p] === 43 || bytes[p] === 45)) p++;
      const exponentStart = p;
      while (isDigit(p)) p++;
      if (p === exponentStart) return NaN;
    }
    if (p !== stop) return NaN;
    let text = '';
    for (let q = start; q < stop; q++) text += String.fromCharCode(bytes[q]);
    return Number(text);
  }
}
