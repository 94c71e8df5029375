import { FormatError } from '../errors.js';
import { decimalNumber, quoted } from '../text.js';
import { nodeIndex, nodeKey, type Csr } from './csr.js';

/**
 * A prior over initiators: one `node weight` pair per line (space, tab or comma separated),
 * `#` comments. Nodes not listed get weight 0; the analysis normalizes. `file` names it in
 * errors; `lines`, when given, receives each node's line (to name it once the graph is read).
 * (The CLI reads the file from disk, the page from the file the user chose.)
 */
export function parsePrior(text: string, file: string, lines?: Map<string, number>): Map<string, number> {
  const prior = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, k) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cells = line.split(/[\s,]+/);
    if (cells.length !== 2) throw new FormatError(file, k + 1, `expected "node weight", found ${cells.length} columns`);
    const weight = decimalNumber(cells[1]);
    if (!Number.isFinite(weight) || weight < 0) {
      throw new FormatError(file, k + 1, `weight ${quoted(cells[1])} must be a finite decimal number >= 0`);
    }
    if (prior.has(cells[0])) throw new FormatError(file, k + 1, `node ${quoted(cells[0])} is listed twice`);
    prior.set(cells[0], weight);
    lines?.set(cells[0], k + 1);
  });
  return prior;
}

/**
 * Every node a parsed file names (`lines`: each node's line, from parsePrior) is one of the
 * graph's, or the file's line says which is not: the analyses, given only the weights, could
 * name the node but not where it came from. `graph` names the graph in the message.
 */
export function checkPriorNodes(lines: ReadonlyMap<string, number>, csr: Csr, file: string, graph: string): void {
  const index = nodeIndex(csr);
  for (const [key, line] of lines) {
    if (index.has(key)) continue;
    const some = Array.from({ length: Math.min(3, csr.n) }, (_, i) => quoted(nodeKey(csr, i))).join(', ');
    throw new FormatError(file, line, `node ${quoted(key)} is not in ${graph} (its nodes are named by their keys: ${some}, …)`);
  }
}
