import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { parsePrior } from '../graph/prior.js';

/** A file of "node weight" lines (see parsePrior: entropy's --prior, mixnet's --weights-file) and the line of each node (for checkPriorNodes, once the graph is read). */
export interface NodeWeightFile {
  path: string;
  weights: Map<string, number>;
  lines: Map<string, number>;
}

/** Read a node weight file from disk; `what` names it in errors. */
export async function readNodeWeightFile(path: string, what: string): Promise<NodeWeightFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read ${what} (${(error as Error).message})`, { cause: error });
  }
  const lines = new Map<string, number>();
  return { path, weights: parsePrior(text, path, lines), lines };
}
