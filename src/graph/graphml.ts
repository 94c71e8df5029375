import { DOMParser } from '@xmldom/xmldom';
import Graph from 'graphology';
import { parse } from 'graphology-graphml';
import { FormatError } from '../errors.js';
import type { LoadedGraph } from './loaded-graph.js';
import { fromGraphology } from './from-graphology.js';
import type { GraphologyReadOptions } from './gexf.js';
import { weightTextProblem } from './weights.js';
import { quoted, shortened } from '../text.js';
import { checkXml } from './xml.js';

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
  normaliseGraphml(document);
  let graph: Graph;
  try {
    graph = parse(Graph, document, { addMissingNodes: true });
  } catch (error) {
    throw new FormatError(file, undefined, `not a valid GraphML file: ${shortened((error as Error).message)}`, { cause: error });
  }
  return fromGraphology(graph, { ...options, source: file, format: 'graphml' });
}

/**
 * The XML document, checked strictly first (xml.ts), then failing on anything xmldom still
 * reports, warnings included.
 */
function parseXml(text: string, file: string): Document {
  checkXml(text, file);
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

/** xmldom's position of an element (its locator is on). */
function lineOf(element: Element): number | undefined {
  return (element as unknown as { lineNumber?: number }).lineNumber;
}

function describeEdge(edge: Element): string {
  const id = edge.getAttribute('id');
  return `edge ${id ? `${quoted(id)} ` : ''}(${shortened(edge.getAttribute('source') ?? '', 40)} -> ${shortened(edge.getAttribute('target') ?? '', 40)})`;
}

/**
 * What graphology-graphml would misread or trip on: no <graph> (a TypeError there), nested
 * graphs and hyperedges (flattened or dropped), edgedefault and per-edge directed values other
 * than the two GraphML has, and weights that are not numbers (cast to NaN, the text lost).
 */
function checkGraphml(document: Document, file: string): void {
  const fail = (problem: string, at?: Element): never => {
    throw new FormatError(file, at && lineOf(at), problem);
  };
  const root = document.documentElement;
  if (!root || root.localName !== 'graphml') fail(`not a GraphML file (the root element is ${root ? `<${shortened(root.tagName, 40)}>` : 'missing'})`);
  const graphs = document.getElementsByTagName('graph');
  if (graphs.length === 0) fail('no <graph> element');
  if (graphs.length > 1) fail(`${graphs.length} <graph> elements (nested graphs or several graphs); anonscope reads one flat graph`, graphs[1]);
  const hyperedges = document.getElementsByTagName('hyperedge');
  if (hyperedges.length > 0) fail('hyperedges are not read (only <edge> elements)', hyperedges[0]);
  const edgeDefault = graphs[0].getAttribute('edgedefault') || 'undirected';
  if (edgeDefault !== 'directed' && edgeDefault !== 'undirected') fail(`edgedefault=${quoted(edgeDefault)} is neither "directed" nor "undirected"`, graphs[0]);

  const weightKeys = new Map<string, Element>();
  for (const key of Array.from(document.getElementsByTagName('key'))) {
    const domain = key.getAttribute('for') || 'node';
    if (key.getAttribute('attr.name') === 'weight' && (domain === 'edge' || domain === 'all')) weightKeys.set(key.getAttribute('id') ?? '', key);
  }
  for (const key of weightKeys.values()) {
    const fallback = key.getElementsByTagName('default')[0];
    const problem = fallback && weightTextProblem(fallback.textContent?.trim() ?? '');
    if (problem) fail(`the default of key ${quoted(key.getAttribute('id') ?? '')}: ${problem}`, fallback);
  }
  for (const edge of Array.from(document.getElementsByTagName('edge'))) {
    const directed = edge.getAttribute('directed');
    if (directed && directed !== 'true' && directed !== 'false') fail(`${describeEdge(edge)}: directed=${quoted(directed)} is neither "true" nor "false"`, edge);
    for (const data of Array.from(edge.getElementsByTagName('data'))) {
      if (!weightKeys.has(data.getAttribute('key') ?? '')) continue;
      const problem = weightTextProblem(data.textContent?.trim() ?? '');
      if (problem) fail(`${describeEdge(edge)}: ${problem}`, data);
    }
  }
}

/**
 * Rewrite what graphology-graphml cannot express into what it reads: it looks only for
 * directed="true", so a directed graph with directed="false" edges becomes an undirected
 * default with every other edge marked "true"; and it knows keys for node, edge and graph
 * only (it throws on for="all", "port", …), which become edge keys, the ones read here.
 */
function normaliseGraphml(document: Document): void {
  for (const key of Array.from(document.getElementsByTagName('key'))) {
    const domain = key.getAttribute('for');
    if (domain && domain !== 'node' && domain !== 'edge' && domain !== 'graph') key.setAttribute('for', 'edge');
  }
  const graph = document.getElementsByTagName('graph')[0];
  const edges = Array.from(document.getElementsByTagName('edge'));
  if (graph.getAttribute('edgedefault') === 'directed' && edges.some((edge) => edge.getAttribute('directed') === 'false')) {
    graph.setAttribute('edgedefault', 'undirected');
    for (const edge of edges) if (edge.getAttribute('directed') !== 'false') edge.setAttribute('directed', 'true');
  }
}
