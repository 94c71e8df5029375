/**
 * Lines that span many chunks are joined once (a file without newlines once took quadratic
 * time and memory), and no line may pass MAX_LINE_BYTES.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { EdgeListParser, MAX_LINE_BYTES, parseEdgeList } from '../../src/graph/edge-list.js';
import { loadGraphFile } from '../../src/graph/load-file.js';

/** Feed `text` to a parser in chunks of `size` bytes. */
function pushInChunks(parser: EdgeListParser, text: string, size: number): void {
  const bytes = new TextEncoder().encode(text);
  const buffer = new Uint8Array(size); // reused, as a stream reader may
  for (let at = 0; at < bytes.length; at += size) {
    const piece = bytes.subarray(at, at + size);
    buffer.set(piece);
    parser.push(buffer.subarray(0, piece.length));
  }
}

describe('long lines in edge lists', () => {
  it('a line spread over 16,000 chunks of 64 bytes is joined once: linear time, the right edges and line numbers', () => {
    // Line 2 is one edge between two 500 KB node ids.
    const u = 'u'.repeat(500_000);
    const v = 'v'.repeat(500_000);
    const parser = new EdgeListParser('long.txt');
    // Line 4 has one column: the line count went through the long line correctly.
    expect(() => pushInChunks(parser, `a b\n${u} ${v}\nb c\nc\n`, 64)).toThrow(
      new FormatError('long.txt', 4, 'expected 2 or 3 columns (u v [weight]), found 1 (pass --skip-bad-lines to skip such lines)'),
    );
    const ok = new EdgeListParser('long.txt');
    pushInChunks(ok, `a b\n${u} ${v}\nb c\n`, 64);
    const { csr } = ok.end();
    expect(csr.nodeKeys).toEqual(['a', 'b', u, v, 'c']);
  });

  it('a line past 1 MiB is refused with its line, in one chunk or many', () => {
    const problem = 'a line longer than 1 MiB (no newline: is this an edge list?)';
    const streamed = new EdgeListParser('flat.txt');
    expect(() => pushInChunks(streamed, `0 1\n${'1 '.repeat(MAX_LINE_BYTES)}`, 65536)).toThrow(new FormatError('flat.txt', 2, problem));
    expect(() => parseEdgeList(`0 1\n1 2\n${'x'.repeat(MAX_LINE_BYTES + 1)}\n`, 'flat.txt')).toThrow(new FormatError('flat.txt', 3, problem));
    expect(parseEdgeList(`0 1\n1 ${'2'.repeat(10)} ${' '.repeat(MAX_LINE_BYTES - 20)}\n`, 'ok.txt').csr.n).toBe(3);
  });

  it('a 4 MB file without a newline read as an edge list stops at 1 MiB', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'anonscope-lines-')), 'flat.txt');
    writeFileSync(file, '1 '.repeat(2 * MAX_LINE_BYTES));
    await expect(loadGraphFile(file, { format: 'edgelist' })).rejects.toThrow(`${file}:1: a line longer than 1 MiB`);
  });
});
