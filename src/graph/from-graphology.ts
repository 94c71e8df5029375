import type { AbstractGraph, Attributes } from 'graphology-types';
import { FormatError } from '../errors.js';
import { CsrBuilder } from './csr-builder.js';
import { assertNotEmpty } from './csr.js';
import type { GraphReadOptions, LoadedGraph } from './loaded-graph.js';
import { weightTextProblem, weightValueProblem } from './weights.js';

/**
 * How to read an edge's weight, as in graphology-metrics: an attribute name, a function of
 * the edge, or null for an unweighted graph. Edges without the attribute weigh 1.
 */
export type EdgeWeightGetter =
  | string
  | null
  | ((edge: string, attributes: Attributes, source: string, target: string) => number);

export interface FromGraphologyOptions extends GraphReadOptions {
  getEdgeWeight?: EdgeWeightGetter;
  /** Name used in error messages (a file name when the graph came from one). */
  source?: string;
  format?: LoadedGraph['report']['format'];
}

/**
 * A graphology Graph as a Csr. Dense indices follow graph.nodes() order; undirected edges are
 * stored both ways (mixed graphs too); parallel edges merge with their weights added.
 * `directed` overrides the graph's own type: true reads every edge as an arc source → target,
 * false reads every arc as an undirected edge.
 */
export function fromGraphology(graph: AbstractGraph, options: FromGraphologyOptions = {}): LoadedGraph {
  const source = options.source ?? 'graphology Graph';
  const getEdgeWeight = options.ignoreWeights ? null : options.getEdgeWeight === undefined ? 'weight' : options.getEdgeWeight;
  const weightOf =
    typeof getEdgeWeight === 'string'
      ? (_edge: string, attributes: Attributes) => (getEdgeWeight in attributes ? attributes[getEdgeWeight] : 1)
      : getEdgeWeight;
  const weighted =
    typeof getEdgeWeight === 'string'
      ? graph.someEdge((_edge, attributes) => attributes[getEdgeWeight] !== undefined)
      : getEdgeWeight !== null;

  const directed = options.directed ?? graph.type !== 'undirected';
  const builder = new CsrBuilder(directed);
  if (weighted) builder.enableWeights();
  graph.forEachNode((key) => builder.node(key));
  graph.forEachEdge((edge, attributes, sourceKey, targetKey, _sa, _ta, undirected) => {
    const u = builder.node(sourceKey);
    const v = builder.node(targetKey);
    let w = 1;
    if (weightOf) {
      const raw: unknown = weightOf(edge, attributes, sourceKey, targetKey);
      const problem =
        typeof raw === 'number' ? weightValueProblem(raw)
        : typeof raw === 'string' ? weightTextProblem(raw.trim())
        : `weight ${JSON.stringify(raw) ?? String(raw)} is not a number`;
      if (problem) throw new FormatError(source, undefined, `edge "${edge}" (${sourceKey} -> ${targetKey}): ${problem}`);
      w = Number(raw);
    }
    builder.addEdge(u, v, w);
    // An undirected edge of a mixed graph is an arc both ways, unless the caller said directed.
    if (directed && undirected && options.directed === undefined) builder.addEdge(v, u, w);
  });
  const { csr, report } = builder.build(source);
  assertNotEmpty(csr, source);
  return { csr, report: { ...report, file: source, format: options.format ?? 'graphology' }, graph };
}
