/**
 * An edge list's integer lines parsed in worker threads (Node), over line-aligned byte
 * ranges of the file, merged in file order: the graph, its node order, its counts and its
 * error messages are those of the one-thread parse, because every thread runs the same
 * scanner (integer-lines.ts) and the first line a thread does not take is where the
 * one-thread parser goes on, on the main thread, to the end of the file. The browser's
 * worker reads the file in one thread.
 */
import type { FileHandle } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { AnonscopeError } from '../errors.js';
import type { EdgeListParser } from './edge-list.js';
import { MAX_LINE_BYTES } from './edge-list.js';
import { scanIntegerLines, type RawEdges } from './integer-lines.js';

export interface ParallelReadOptions {
  /** Worker threads (1: none, the main thread reads on). */
  threads: number;
  /** Bytes below which a range is not worth a thread. */
  minRangeBytes?: number;
}

const DEFAULTS = { minRangeBytes: 16 << 20 };

/** What a worker is asked: its range [start, end) of whole lines, and the dialect. */
interface RangeTask {
  path: string;
  start: number;
  end: number;
  columns: number;
  readWeights: boolean;
}

/** What a worker answers: its edges, the lines it took, and the offset of the first line it did not take (-1: none). */
interface RangeResult {
  raw: RawEdges;
  lines: number;
  stoppedAt: number;
}

/**
 * The worker's body, run from its source text with the scanner's: read the range in
 * chunks, scan whole lines, stop at the first line the scanner does not take.
 */
function rangeWorker(port: import('node:worker_threads').MessagePort, task: RangeTask, scan: typeof scanIntegerLines, fs: typeof import('node:fs')): void {
  const { path, start, end, columns, readWeights } = task;
  const CHUNK = 8 << 20;
  const MAX_LINE = 1 << 20;
  const capacity = Math.max(16, Math.ceil((end - start) / 8));
  const raw = { src: new Uint32Array(capacity), dst: new Uint32Array(capacity), weight: columns === 3 && readWeights ? new Float64Array(capacity) : null, count: 0 };
  let buffer = new Uint8Array(CHUNK + MAX_LINE + 2);
  let kept = 0; // bytes of an unfinished line at the front of buffer
  let position = start; // the file offset just after the buffer's bytes
  let lines = 0;
  let stoppedAt = -1;
  const fd = fs.openSync(path, 'r');
  try {
    for (;;) {
      if (buffer.length < kept + CHUNK) {
        const larger = new Uint8Array(kept + CHUNK);
        larger.set(buffer.subarray(0, kept));
        buffer = larger;
      }
      const read = position < end ? fs.readSync(fd, buffer, kept, Math.min(CHUNK, end - position), position) : 0;
      position += read;
      const filled = kept + read;
      const atEnd = read === 0 || position >= end;
      const scanEnd = atEnd ? filled : buffer.lastIndexOf(10, filled - 1) + 1;
      const scanned = scan(buffer, 0, scanEnd, columns, readWeights, raw);
      lines += scanned.lines;
      const bufferStart = position - filled;
      if (scanned.next < scanEnd) {
        stoppedAt = bufferStart + scanned.next;
        break;
      }
      if (atEnd) break;
      kept = filled - scanEnd;
      if (kept > MAX_LINE) {
        stoppedAt = bufferStart + scanEnd; // a line too long: the parser refuses it
        break;
      }
      buffer.copyWithin(0, scanEnd, filled);
    }
  } finally {
    fs.closeSync(fd);
  }
  const transfer = [raw.src.buffer, raw.dst.buffer, ...(raw.weight ? [raw.weight.buffer] : [])] as ArrayBuffer[];
  port.postMessage({ raw, lines, stoppedAt } satisfies RangeResult, transfer);
}

/** Start a worker on one range; its answer, or its failure as an AnonscopeError. */
function runRange(task: RangeTask): { result: Promise<RangeResult>; worker: Worker } {
  // `require` stays in the string: bundlers would rewrite it in code.
  const source = `const threads = require('node:worker_threads');
const scanIntegerLines = ${scanIntegerLines.toString()};
(${rangeWorker.toString()})(threads.parentPort, threads.workerData, scanIntegerLines, require('node:fs'));`;
  const worker = new Worker(source, { eval: true, workerData: task });
  const result = new Promise<RangeResult>((resolve, reject) => {
    const failed = (why: string, cause?: unknown) => reject(new AnonscopeError(`anonscope/parallel-edge-list: a parsing thread ${why} on ${task.path}`, { cause }));
    worker.once('message', resolve);
    worker.once('error', (error) => failed(`failed: ${error.message}`, error));
    worker.once('exit', (code) => failed(`exited (code ${code}) before its answer`));
  });
  // Ranges after one that stops early are terminated unread: their rejection is expected.
  result.catch(() => undefined);
  return { result, worker };
}

/**
 * Range boundaries: `count` ranges of [offset, size) moved forward to the next line start.
 * Undefined when a boundary finds no LF within a line's limit (the parser refuses that line).
 */
async function lineAlignedBoundaries(handle: FileHandle, offset: number, size: number, count: number): Promise<number[] | undefined> {
  const boundaries = [offset];
  const window = new Uint8Array(MAX_LINE_BYTES + 2);
  for (let k = 1; k < count; k++) {
    const guess = Math.max(boundaries[k - 1], offset + Math.floor(((size - offset) * k) / count));
    // The byte before the guess: a LF there makes the guess a line start.
    const { bytesRead } = await handle.read(window, 0, window.length, guess - 1);
    const lf = window.subarray(0, bytesRead).indexOf(10);
    if (lf < 0) return bytesRead < window.length ? boundaries.concat(size) : undefined;
    boundaries.push(guess + lf);
  }
  boundaries.push(size);
  return boundaries;
}

/**
 * Read [offset, size) of an edge list into `parser`: in threads over line-aligned ranges
 * where the parser's dialect is the plain one, then on the main thread from the first line
 * a thread did not take. `readFrom` pushes the file's bytes from an offset on, one chunk
 * at a time (load-file.ts).
 */
export async function readEdgeListRest(
  parser: EdgeListParser,
  handle: FileHandle,
  path: string,
  offset: number,
  size: number,
  options: ParallelReadOptions,
  readFrom: (offset: number) => Promise<void>,
): Promise<void> {
  const threads = options.threads;
  const minRangeBytes = options.minRangeBytes ?? DEFAULTS.minRangeBytes;
  const dialect = parser.plainColumns;
  const count = Math.min(threads, Math.floor((size - offset) / minRangeBytes));
  const boundaries = dialect && count > 1 ? await lineAlignedBoundaries(handle, offset, size, count) : undefined;
  if (!dialect || !boundaries) return readFrom(offset);
  const ranges = boundaries.slice(0, -1).map((start, k) => ({ path, start, end: boundaries[k + 1], ...dialect })).filter((range) => range.end > range.start);
  const running = ranges.map(runRange);
  try {
    for (const { result } of running) {
      const { raw, lines, stoppedAt } = await result;
      parser.takeScanned(raw, lines);
      if (stoppedAt >= 0) return await readFrom(stoppedAt);
    }
  } finally {
    await Promise.all(running.map(({ worker }) => worker.terminate()));
  }
}
