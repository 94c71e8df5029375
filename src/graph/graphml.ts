import { DOMParser } from '@xmldom/xmldom';
import Graph from 'graphology';
import { parse } from 'graphology-graphml';
import { FormatError } from '../errors.js';
import type { LoadedGraph } from './loaded-graph.js';
import { fromGraphology } from './from-graphology.js';
import type { GraphologyReadOptions } from './gexf.js';

/**
 * GraphML through graphology-graphml: directedness from the graph's `edgedefault` and each
 * edge's `directed`, weights from the key whose attr.name is "weight", node ids kept as keys.
 * The document is parsed here with xmldom, in Node and in the page's worker alike (workers
 * have no DOMParser), and handed to graphology-graphml's xmldom build as a Document, so no
 * browser alias is needed.
 */
export function parseGraphml(text: string, file: string, options: GraphologyReadOptions = {}): LoadedGraph {
  const document = parseXml(text, file);
  checkGraphml(document, file);
  let graph: Graph;
  try {
    graph = parse(Graph, document, { addMissingNodes: true });
  } catch (error) {
    throw new FormatError(file, undefined, `not a valid GraphML file: ${(error as Error).message}`, { cause: error });
  }
  return fromGraphology(graph, { ...options, source: file, format: 'graphml' });
}

/**
 * The XML document, failing on anything xmldom reports, warnings included: it reports an
 * unclosed element (a truncated file) only as a warning and then returns what it read.
 * A strict well-formedness pre-pass shared with GEXF (xml.ts) belongs here, before xmldom.
 */
function parseXml(text: string, file: string): Document {
  const reports: string[] = [];
  const report = (message: string) => void reports.push(message);
  const parser = new DOMParser({ locator: {}, errorHandler: { warning: report, error: report, fatalError: report } });
  const document = parser.parseFromString(text, 'application/xml') as unknown as Document;
  if (reports.length > 0) {
    const line = /line:(\d+)/.exec(reports[0]);
    const problem = reports[0].replace(/^\[xmldom \w+\]\s*/, '').replace(/\s*@#\[line:\d+,col:\d+\]\s*$/, '');
    throw new FormatError(file, line ? Number(line[1]) : undefined, `not well-formed XML: ${problem}`);
  }
  return document;
}

/**
 * What graphology-graphml would misread: no <graph> (it throws a TypeError), nested graphs and
 * hyperedges (it flattens or drops them), and per-edge directed="false" in a directed graph
 * (it only looks for "true"), which is rewritten into the form it reads.
 */
function checkGraphml(document: Document, file: string): void {
  const fail = (problem: string): never => {
    throw new FormatError(file, undefined, problem);
  };
  const root = document.documentElement;
  if (!root || root.localName !== 'graphml') fail(`not a GraphML file (the root element is ${root ? `<${root.tagName}>` : 'missing'})`);
  const graphs = document.getElementsByTagName('graph');
  if (graphs.length === 0) fail('no <graph> element');
  if (graphs.length > 1) fail(`${graphs.length} <graph> elements (nested graphs or several graphs); anonscope reads one flat graph`);
  if (document.getElementsByTagName('hyperedge').length > 0) fail('hyperedges are not read (only <edge> elements)');
  const graph = graphs[0];
  const edgeDefault = graph.getAttribute('edgedefault') || 'undirected';
  if (edgeDefault !== 'directed' && edgeDefault !== 'undirected') fail(`edgedefault="${edgeDefault}" is neither "directed" nor "undirected"`);
  const edges = Array.from(document.getElementsByTagName('edge'));
  for (const edge of edges) {
    const directed = edge.getAttribute('directed');
    if (directed && directed !== 'true' && directed !== 'false') {
      fail(`edge ${edge.getAttribute('id') ?? `${edge.getAttribute('source')} -> ${edge.getAttribute('target')}`}: directed="${directed}" is neither "true" nor "false"`);
    }
  }
  if (edgeDefault === 'directed' && edges.some((edge) => edge.getAttribute('directed') === 'false')) {
    graph.setAttribute('edgedefault', 'undirected');
    for (const edge of edges) if (edge.getAttribute('directed') !== 'false') edge.setAttribute('directed', 'true');
  }
}
