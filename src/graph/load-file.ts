import { open, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import * as zlib from 'node:zlib';
import { InputError, ParameterError } from '../errors.js';
import { decodeCsr, type Crc32 } from './binary-csr.js';
import { assertNotEmpty } from './csr.js';
import { EdgeListParser } from './edge-list.js';
import type { LoadedGraph } from './loaded-graph.js';
import type { EdgeWeightGetter } from './from-graphology.js';
import { parseGexf, parseGraphologyJson } from './gexf.js';

export const INPUT_FORMATS = ['edgelist', 'gexf', 'graphology-json', 'csr'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export interface LoadFileOptions {
  /** Default: from the extension (.gexf, .json, .csr; anything else is an edge list). */
  format?: InputFormat;
  /** Edge lists only: lines are arcs u → v. GEXF, JSON and .csr files say their own type. */
  directed?: boolean;
  /** Edge lists only: skip lines with the wrong number of columns (counted in the report). */
  skipBadLines?: boolean;
  getEdgeWeight?: EdgeWeightGetter;
}

export function formatOfPath(path: string): InputFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.gexf') return 'gexf';
  if (extension === '.json') return 'graphology-json';
  if (extension === '.csr') return 'csr';
  return 'edgelist';
}

const CHUNK_BYTES = 8 << 20;

/** zlib's CRC-32 (Node ≥ 20.15), several times faster than the portable one. */
const nativeCrc32: Crc32 | undefined =
  typeof zlib.crc32 === 'function' ? (data, value) => zlib.crc32(data, value) : undefined;

/** Load a graph file in Node. Edge lists are streamed in 8 MiB chunks straight into CSR. */
export async function loadGraphFile(path: string, options: LoadFileOptions = {}): Promise<LoadedGraph> {
  const format = options.format ?? formatOfPath(path);
  if (!INPUT_FORMATS.includes(format)) {
    throw new ParameterError(`anonscope: unknown input format "${format}" (expected ${INPUT_FORMATS.join(', ')})`);
  }
  try {
    if (format === 'edgelist') {
      const parser = new EdgeListParser(path, { directed: options.directed, skipBadLines: options.skipBadLines });
      // One reused 8 MiB buffer: the parser keeps only a copy of an unfinished last line.
      const handle = await open(path, 'r');
      try {
        const buffer = new Uint8Array(CHUNK_BYTES);
        for (;;) {
          const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES);
          if (bytesRead === 0) break;
          parser.push(buffer.subarray(0, bytesRead));
        }
      } finally {
        await handle.close();
      }
      return parser.end();
    }
    if (format === 'csr') {
      // Read whole: the typed arrays of the Csr are views on this buffer.
      const bytes = await readFile(path);
      const csr = decodeCsr(bytes, path, { crc32: nativeCrc32 });
      assertNotEmpty(csr, path);
      return { csr, report: { file: path, format: 'csr', selfLoops: 0, duplicates: 0 } };
    }
    const text = await readFile(path, 'utf8');
    return format === 'gexf'
      ? parseGexf(text, path, options)
      : parseGraphologyJson(text, path, options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E')) {
      throw new InputError(`${path}: cannot read file (${code}: ${(error as Error).message})`);
    }
    throw error;
  }
}
