import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { InputError, ParameterError } from '../errors.js';
import { EdgeListParser, type LoadedGraph } from './edge-list.js';
import type { EdgeWeightGetter } from './from-graphology.js';
import { parseGexf, parseGraphologyJson } from './gexf.js';

export const INPUT_FORMATS = ['edgelist', 'gexf', 'graphology-json'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export interface LoadFileOptions {
  /** Default: from the extension (.gexf, .json; anything else is an edge list). */
  format?: InputFormat;
  /** Edge lists only: lines are arcs u → v. GEXF and JSON files say their own type. */
  directed?: boolean;
  /** Edge lists only: skip lines with the wrong number of columns (counted in the report). */
  skipBadLines?: boolean;
  getEdgeWeight?: EdgeWeightGetter;
}

export function formatOfPath(path: string): InputFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.gexf') return 'gexf';
  if (extension === '.json') return 'graphology-json';
  return 'edgelist';
}

/** Load a graph file in Node. Edge lists are streamed in 4 MiB chunks straight into CSR. */
export async function loadGraphFile(path: string, options: LoadFileOptions = {}): Promise<LoadedGraph> {
  const format = options.format ?? formatOfPath(path);
  if (!INPUT_FORMATS.includes(format)) {
    throw new ParameterError(`anonscope: unknown input format "${format}" (expected ${INPUT_FORMATS.join(', ')})`);
  }
  try {
    if (format === 'edgelist') {
      const parser = new EdgeListParser(path, { directed: options.directed, skipBadLines: options.skipBadLines });
      for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) parser.push(chunk as Buffer);
      return parser.end();
    }
    const text = await readFile(path, 'utf8');
    return format === 'gexf'
      ? parseGexf(text, path, options.getEdgeWeight)
      : parseGraphologyJson(text, path, options.getEdgeWeight);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E')) {
      throw new InputError(`${path}: cannot read file (${code}: ${(error as Error).message})`);
    }
    throw error;
  }
}
