import Graph from 'graphology';
import { write as writeGexf } from 'graphology-gexf';
import type { AbstractGraph } from 'graphology-types';
import type { InitiatorEntropyResult } from '../analyses/initiator-entropy.js';
import { ParameterError } from '../errors.js';
import type { Csr } from '../graph/csr.js';

export interface GexfExportOptions {
  /** The hop whose entropies are written (default: the last). */
  hop?: number;
  /**
   * The graphology graph the file was read into (LoadedGraph.graph): its labels, attributes
   * and viz data are kept. Without it the graph is rebuilt from the Csr (keys and weights only).
   */
  source?: AbstractGraph;
}

/** The node attributes the export writes; any the input had under these names are replaced. */
export const GEXF_ENTROPY_ATTRIBUTES = ['entropy', 'minEntropy'] as const;

const WHERE = 'anonscope/entropyGexf';

/**
 * The graph as GEXF (for Gephi) with each terminal's Shannon entropy and min-entropy at one
 * hop as the node attributes `entropy` and `minEntropy`, in bits. Nodes that were not
 * terminals, or that no walk of that length reaches, get neither attribute (not an empty one).
 */
export function entropyGexf(csr: Csr, result: InitiatorEntropyResult, options: GexfExportOptions = {}): string {
  if (!result.perTerminal) throw new ParameterError(`${WHERE}: the result has no per-terminal entropies (run the analysis with perTerminal: true)`);
  const hop = options.hop ?? result.hops.length;
  if (!Number.isInteger(hop) || hop < 1 || hop > result.hops.length) {
    throw new ParameterError(`${WHERE}: hop must be an integer in 1..${result.hops.length}, got ${hop}`);
  }
  const graph = options.source ? options.source.copy() : graphOf(csr);
  graph.forEachNode((key) => {
    for (const name of GEXF_ENTROPY_ATTRIBUTES) graph.removeNodeAttribute(key, name);
  });
  for (const terminal of result.perTerminal) {
    const entropy = terminal.shannon[hop - 1];
    const minEntropy = terminal.minEntropy[hop - 1];
    if (!Number.isFinite(entropy)) continue; // unreachable at this hop: no value to write
    graph.mergeNodeAttributes(terminal.id, { entropy, minEntropy });
  }
  return writeGexf(graph);
}

/** The Csr as a graphology graph: its keys, one edge per pair, weights where it has them. */
function graphOf(csr: Csr): Graph {
  const graph = new Graph({ type: csr.directed ? 'directed' : 'undirected', multi: false });
  for (const key of csr.nodeKeys) graph.addNode(key);
  for (let u = 0; u < csr.n; u++) {
    for (let e = csr.rowPtr[u]; e < csr.rowPtr[u + 1]; e++) {
      const v = csr.colIdx[e];
      if (!csr.directed && v < u) continue;
      graph.addEdge(csr.nodeKeys[u], csr.nodeKeys[v], csr.weights ? { weight: csr.weights[e] } : {});
    }
  }
  return graph;
}
