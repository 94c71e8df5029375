import { readFile } from 'node:fs/promises';
import { FormatError, InputError } from '../errors.js';
import { nodeIndex, nodeKey, type Csr } from '../graph/csr.js';
import { parsePrior } from '../graph/prior.js';
import { quoted } from '../text.js';

/** A file of "node weight" lines (see parsePrior: entropy's --prior, mixnet's --weights-file) and the line of each node. */
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

/** Every node the file names is one of the graph's, or the file's line says which is not (the analyses would only name the node). */
export function checkNodeWeightFile({ path, weights, lines }: NodeWeightFile, csr: Csr, graph: string): void {
  const index = nodeIndex(csr);
  for (const key of weights.keys()) {
    if (index.has(key)) continue;
    const some = Array.from({ length: Math.min(3, csr.n) }, (_, i) => quoted(nodeKey(csr, i))).join(', ');
    throw new FormatError(path, lines.get(key)!, `node ${quoted(key)} is not in ${graph} (its nodes are named by their keys: ${some}, …)`);
  }
}
