import Graph from 'graphology';
import { parse } from 'graphology-gexf';
import { FormatError } from '../errors.js';
import type { GraphReadOptions, LoadedGraph } from './loaded-graph.js';
import { fromGraphology, type EdgeWeightGetter } from './from-graphology.js';
import { jsonSyntaxError } from './json-syntax.js';
import { lineAt } from './text-lines.js';
import { shortened } from '../text.js';
import { checkXml } from './xml.js';

export interface GraphologyReadOptions extends GraphReadOptions {
  /** Which edge attribute is the weight (default "weight"). */
  getEdgeWeight?: EdgeWeightGetter;
}

/**
 * GEXF (1.1 to 1.3) through graphology-gexf: directedness from the file, weights from the
 * edges' weight attribute, node ids kept as keys. (The browser bundle aliases
 * graphology-gexf to its DOMParser build.)
 */
export function parseGexf(text: string, file: string, options: GraphologyReadOptions = {}): LoadedGraph {
  const outline = checkXml(text, file);
  if (outline.root !== 'gexf') throw new FormatError(file, undefined, `not a GEXF file (the root element is <${shortened(outline.root, 40)}>, not <gexf>)`);
  if (!outline.names.has('graph')) throw new FormatError(file, undefined, 'no <graph> element');
  let graph: Graph;
  try {
    graph = parse(Graph, text, { addMissingNodes: true, allowUndeclaredAttributes: true });
  } catch (error) {
    throw new FormatError(file, undefined, `not a valid GEXF file: ${shortened((error as Error).message)}`, { cause: error });
  }
  return fromGraphology(graph, { ...options, source: file, format: 'gexf' });
}

/** graphology's serialized JSON ({ options, attributes, nodes, edges }), as graph.export() writes it. */
export function parseGraphologyJson(text: string, file: string, options: GraphologyReadOptions = {}): LoadedGraph {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const { at, problem } = jsonSyntaxError(text);
    throw new FormatError(file, lineAt(text, at), `not valid JSON: ${problem}`, { cause: error });
  }
  let graph: Graph;
  try {
    graph = Graph.from(data as Parameters<typeof Graph.from>[0]);
  } catch (error) {
    throw new FormatError(file, undefined, `not a serialized graphology graph: ${shortened((error as Error).message)}`, { cause: error });
  }
  return fromGraphology(graph, { ...options, source: file, format: 'graphology-json' });
}
