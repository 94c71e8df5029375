import { constants, type Stats } from 'node:fs';
import { availableParallelism } from 'node:os';
import { open, stat, type FileHandle } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import { InputError, ParameterError } from '../errors.js';
import type { Crc32 } from './binary-csr.js';
import type { EdgeListParser } from './edge-list.js';
import type { LoadedGraph } from './loaded-graph.js';
import { readEdgeListRest } from './parallel-edge-list.js';
import { readGraph, type ReadGraphOptions } from './read-graph.js';

export interface LoadFileOptions extends Omit<ReadGraphOptions, 'crc32' | 'readRest' | 'readAll'> {
  /** Threads that parse a large edge list (default: the cores, up to MAX_THREADS; 1: the main thread only). */
  threads?: number;
  /** Bytes of an edge list below which a range is not worth a thread (default 16 MiB; tests make it small). */
  threadMinBytes?: number;
}

const CHUNK_BYTES = 8 << 20;
const FIRST_CHUNK_BYTES = 64 << 10;
/** More parsing threads than this gain nothing: the main thread's merge is the limit. */
const MAX_THREADS = 8;

/** zlib's CRC-32 (Node ≥ 20.15), several times faster than the portable one. */
const nativeCrc32: Crc32 | undefined =
  typeof zlib.crc32 === 'function' ? (data, value) => zlib.crc32(data, value) : undefined;

/** What Node's error codes mean, said plainly. */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

function cannotRead(path: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const reason = REASONS[code] ?? ((error as Error).message ?? String(error)).replace(/^E[A-Z]+: /, '').replace(/, \w+ '.*'$/s, '');
  return new InputError(`${path}: cannot read: ${reason}`, { cause: error });
}

/** What a file that is not a regular file is, for the refusal. */
function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Open a regular file for reading. O_NONBLOCK makes opening a FIFO return at once, and
 * fstat refuses it (and directories, devices) before any read could block or never end.
 */
async function openRegularFile(path: string): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    // A socket cannot be opened at all (ENXIO): say what it is.
    const info = await stat(path).catch(() => undefined);
    if (info && !info.isFile()) throw new InputError(`${path}: cannot read: this is ${kindOf(info)}, not a graph file`, { cause: error });
    throw cannotRead(path, error);
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new InputError(`${path}: cannot read: this is ${kindOf(info)}, not a graph file`);
  }
  return { handle, size: info.size };
}

/**
 * The file's bytes from `position` on, in fresh chunks of up to 8 MiB (readers may keep
 * them); the first is small, so that an edge list's first lines fix its dialect before
 * the parsing threads take the rest.
 */
async function* fileChunks(path: string, handle: FileHandle, size: number, position = 0): AsyncGenerator<Uint8Array> {
  let chunkBytes = Math.min(FIRST_CHUNK_BYTES, Math.max(size, 1));
  for (;;) {
    let bytesRead: number;
    const buffer = new Uint8Array(chunkBytes);
    try {
      ({ bytesRead } = await handle.read(buffer, 0, chunkBytes, position));
    } catch (error) {
      throw cannotRead(path, error);
    }
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
    chunkBytes = Math.min(CHUNK_BYTES, Math.max(size - position, 64 << 10));
  }
}

/** The whole file in one buffer, read in as few calls as Node allows (one below 1 GiB). */
async function readWholeFile(path: string, handle: FileHandle, size: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(size);
  let length = 0;
  while (length < size) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, length, Math.min(size - length, 1 << 30), length));
    } catch (error) {
      throw cannotRead(path, error);
    }
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return buffer.subarray(0, length);
}

/**
 * Load a graph file in Node: readGraph over the file, edge lists streamed in 8 MiB chunks,
 * the rest of a large plain edge list parsed in worker threads (parallel-edge-list.ts).
 */
export async function loadGraphFile(path: string, options: LoadFileOptions = {}): Promise<LoadedGraph> {
  const { threads = Math.min(MAX_THREADS, availableParallelism()), threadMinBytes, ...readOptions } = options;
  if (!Number.isInteger(threads) || threads < 1) throw new ParameterError(`anonscope/loadGraphFile: threads must be a positive integer, got ${threads}`);
  const { handle, size } = await openRegularFile(path);
  const readFrom = (parser: EdgeListParser) => async (offset: number) => {
    for await (const chunk of fileChunks(path, handle, size, offset)) parser.push(chunk);
  };
  const readRest = threads > 1 ? (parser: EdgeListParser, offset: number) => readEdgeListRest(parser, handle, path, offset, size, { threads, minRangeBytes: threadMinBytes }, readFrom(parser)) : undefined;
  try {
    const readAll = () => readWholeFile(path, handle, size);
    return await readGraph({ name: path, size, bytes: fileChunks(path, handle, size) }, { ...readOptions, crc32: nativeCrc32, readRest, readAll });
  } finally {
    await handle.close();
  }
}
