/**
 * The worker's side of the network view: which nodes and edges to draw (all of a small
 * graph; of a large one, a breadth-first piece of the largest component around its
 * highest-degree node, so that the drawing stays connected and the tab responsive), with the
 * file's labels, each drawn node's entropies, and where to draw it: the file's positions, or
 * a ForceAtlas2 layout computed here in the worker, so that the page draws once and its main
 * thread never runs the layout.
 */
import Graph from 'graphology';
import forceAtlas2, { inferSettings } from 'graphology-layout-forceatlas2';
import type { AbstractGraph } from 'graphology-types';
import type { AdversaryBorder } from '../analyses/adversary.js';
import type { InitiatorEntropyResult } from '../analyses/initiator-entropy.js';
import type { Components } from '../graph/components.js';
import type { Csr } from '../graph/csr.js';
import type { NetworkView } from './protocol.js';

/**
 * The most the page draws. Measured in headless Chromium on SwiftShader (2 loaded cores):
 * sigma renders 3,000 nodes and 20,000 edges in well under a second, and the layout below
 * takes about 2 s of CPU for them; a GPU draws far more, but the layout does not.
 */
export const VIEW_LIMITS = { nodes: 3000, edges: 20_000 };

/**
 * ForceAtlas2's iterations: about `work` node-iterations, within [min, max]. Measured in
 * Node on this 2-core machine (Barnes-Hut above 500 nodes): karate (34 nodes) 500 iterations
 * in 40 ms, 1,000 nodes and 5,000 edges 300 in 1.4 s, 3,000 nodes and 6,000 or 20,000 edges
 * 100 in about 2 s of CPU; fewer than 100 leaves a large graph visibly unsettled.
 */
export const LAYOUT_ITERATIONS = { work: 300_000, min: 100, max: 500 };
/** Barnes-Hut's approximate repulsion pays from this many nodes (500: 0.94 s against 0.99 s exact; 1,000: 1.4 s against 2.4 s). */
const BARNES_HUT_FROM = 500;

export interface ViewSelection {
  view: NetworkView;
  /** For each node of the Csr, its index in the view, or -1 when it is not drawn. */
  index: Int32Array;
}

/** The view of `csr` (the analysed graph); `source` is the graphology graph the file was read into, if any. */
export function networkView(csr: Csr, components: Components, source?: AbstractGraph, limits = VIEW_LIMITS): ViewSelection {
  const drawnEdges = csr.directed ? csr.colIdx.length : csr.colIdx.length / 2;
  const whole = csr.n <= limits.nodes && drawnEdges <= limits.edges;
  const nodes = whole ? Array.from({ length: csr.n }, (_, i) => i) : corePiece(csr, components, limits.nodes);
  const index = new Int32Array(csr.n).fill(-1);
  nodes.forEach((node, k) => (index[node] = k));

  const edges: number[] = [];
  let allEdges = true;
  for (const u of nodes) {
    for (let e = csr.rowPtr[u]; e < csr.rowPtr[u + 1]; e++) {
      const v = csr.colIdx[e];
      if (index[v] < 0 || (!csr.directed && v < u)) continue;
      if (edges.length / 2 >= limits.edges) {
        allEdges = false;
        break;
      }
      edges.push(index[u], index[v]);
    }
  }
  const keys = nodes.map((i) => csr.nodeKeys[i]);
  const filePositions = positionsOf(source, keys);
  const view: NetworkView = {
    keys,
    labels: keys.map((key) => labelOf(source, key)),
    ...(filePositions ? { positions: filePositions, layout: { by: 'file' } } : forceAtlas2Layout(keys.length, edges)),
    degrees: Uint32Array.from(nodes, (i) => csr.rowPtr[i + 1] - csr.rowPtr[i]),
    edges: Uint32Array.from(edges),
    directed: csr.directed,
  };
  if (!whole || !allEdges) {
    const edgeWord = csr.directed ? 'arcs' : 'edges';
    view.sampled =
      `This graph is too large to draw whole here (${csr.n.toLocaleString('en')} nodes, ${drawnEdges.toLocaleString('en')} ${edgeWord}): ` +
      `drawn are ${nodes.length.toLocaleString('en')} nodes of its largest component, the breadth-first neighbourhood of its highest-degree node, ` +
      `and ${(edges.length / 2).toLocaleString('en')} ${edgeWord} among them. The statistics cover the whole graph.`;
  }
  return { view, index };
}

/** Layout iterations for a graph of n nodes (see LAYOUT_ITERATIONS). */
export const layoutIterations = (n: number) => Math.round(Math.min(LAYOUT_ITERATIONS.max, Math.max(LAYOUT_ITERATIONS.min, LAYOUT_ITERATIONS.work / Math.max(1, n))));

/**
 * x, y pairs from ForceAtlas2 (graphology-layout-forceatlas2, synchronous) over the drawn
 * nodes and edges (index pairs), arcs taken as edges; it starts from the nodes on a circle,
 * in order, so that a layout is the same on every run.
 */
export function forceAtlas2Layout(count: number, edges: ArrayLike<number>): Pick<NetworkView, 'positions' | 'layout'> {
  const started = performance.now();
  const graph = new Graph({ type: 'undirected', multi: false });
  for (let k = 0; k < count; k++) {
    const angle = (2 * Math.PI * k) / count;
    graph.addNode(k, { x: 100 * Math.cos(angle), y: 100 * Math.sin(angle) });
  }
  for (let e = 0; e < edges.length; e += 2) if (edges[e] !== edges[e + 1]) graph.mergeEdge(edges[e], edges[e + 1]);
  const iterations = layoutIterations(count);
  const settled = forceAtlas2(graph, { iterations, getEdgeWeight: null, settings: { ...inferSettings(graph), barnesHutOptimize: count >= BARNES_HUT_FROM } });
  const positions = new Float64Array(2 * count);
  for (let k = 0; k < count; k++) {
    positions[2 * k] = settled[k].x;
    positions[2 * k + 1] = settled[k].y;
  }
  return { positions, layout: { by: 'forceatlas2', iterations, ms: performance.now() - started } };
}

/** Shannon and min-entropy of each drawn terminal at every hop (NaN for the others). */
export function viewEntropies(result: InitiatorEntropyResult, { view, index }: ViewSelection, keyIndex: ReadonlyMap<string, number>): NonNullable<NetworkView['entropy']> {
  const hops = result.hops.length;
  const count = view.keys.length;
  const shannon = new Float64Array(hops * count).fill(NaN);
  const minEntropy = new Float64Array(hops * count).fill(NaN);
  for (const t of result.perTerminal ?? []) {
    const k = index[keyIndex.get(t.id)!];
    if (k < 0) continue;
    for (let h = 0; h < hops; h++) {
      // JSON-safe results hold null where the analysis had NaN.
      shannon[h * count + k] = t.shannon[h] ?? NaN;
      minEntropy[h * count + k] = t.minEntropy[h] ?? NaN;
    }
  }
  return { hops, optimal: result.optimal, shannon, minEntropy };
}

/** Each adversary row's attack-edge ends among the drawn nodes. */
export function viewBorders(borders: readonly AdversaryBorder[], { index }: ViewSelection): NonNullable<NetworkView['adversary']> {
  return borders.map(({ attackEdges, ends, edges }) => {
    const drawn = Array.from(ends.keys()).filter((k) => index[ends[k]] >= 0);
    return { attackEdges, ends: Uint32Array.from(drawn, (k) => index[ends[k]]), edges: Uint32Array.from(drawn, (k) => edges[k]), undrawn: ends.length - drawn.length };
  });
}

/** Up to `limit` nodes of the largest component, breadth-first from its highest-degree node (arcs followed both ways). */
function corePiece(csr: Csr, { component, largest }: Components, limit: number): number[] {
  let start = -1;
  for (let i = 0; i < csr.n; i++) {
    if (component[i] === largest && (start < 0 || csr.rowPtr[i + 1] - csr.rowPtr[i] > csr.rowPtr[start + 1] - csr.rowPtr[start])) start = i;
  }
  const incoming = csr.directed ? reverseAdjacency(csr) : undefined;
  const seen = new Uint8Array(csr.n);
  const order = [start];
  seen[start] = 1;
  for (let head = 0; head < order.length && order.length < limit; head++) {
    const u = order[head];
    const visit = (v: number) => {
      if (!seen[v] && order.length < limit) {
        seen[v] = 1;
        order.push(v);
      }
    };
    for (let e = csr.rowPtr[u]; e < csr.rowPtr[u + 1]; e++) visit(csr.colIdx[e]);
    if (incoming) for (let e = incoming.rowPtr[u]; e < incoming.rowPtr[u + 1]; e++) visit(incoming.colIdx[e]);
  }
  return order;
}

/** The in-arcs of each node, as a CSR of sources. */
function reverseAdjacency(csr: Csr): { rowPtr: Uint32Array; colIdx: Uint32Array } {
  const rowPtr = new Uint32Array(csr.n + 1);
  for (let e = 0; e < csr.colIdx.length; e++) rowPtr[csr.colIdx[e] + 1]++;
  for (let i = 0; i < csr.n; i++) rowPtr[i + 1] += rowPtr[i];
  const fill = rowPtr.slice(0, csr.n);
  const colIdx = new Uint32Array(csr.colIdx.length);
  for (let u = 0; u < csr.n; u++) for (let e = csr.rowPtr[u]; e < csr.rowPtr[u + 1]; e++) colIdx[fill[csr.colIdx[e]]++] = u;
  return { rowPtr, colIdx };
}

function labelOf(source: AbstractGraph | undefined, key: string): string | undefined {
  const label: unknown = source?.hasNode(key) ? source.getNodeAttribute(key, 'label') : undefined;
  return typeof label === 'string' && label !== '' ? label : undefined;
}

/** x, y pairs from the file's viz data, when every drawn node has finite ones (a partial layout is no layout). */
function positionsOf(source: AbstractGraph | undefined, keys: string[]): Float64Array | undefined {
  if (!source) return undefined;
  const positions = new Float64Array(keys.length * 2);
  for (let k = 0; k < keys.length; k++) {
    if (!source.hasNode(keys[k])) return undefined;
    const { x, y } = source.getNodeAttributes(keys[k]);
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) return undefined;
    positions[2 * k] = x;
    positions[2 * k + 1] = y;
  }
  return positions;
}
