/**
 * The network view: the analysed graph drawn with sigma.js (WebGL) over a graphology graph,
 * once, at the positions the worker sends (the file's own, or ForceAtlas2's), nodes coloured by
 * their initiator entropy as a terminus at the chosen hop, or by one terminus's posterior
 * over initiators once it is clicked. After an adversary run, each Sybil region is one more
 * node, joined by its attack edges to their honest ends; clicking either shows that row's
 * pieces of H(I|O). It draws what the worker sends (view-data.ts); it computes nothing
 * about anonymity itself.
 */
import Graph from 'graphology';
import Sigma from 'sigma';
import { count } from '../report/count.js';
import type { NetworkView } from './protocol.js';

/** Colour stops of the entropy scale (viridis, low → high anonymity). */
const ENTROPY_RAMP = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];
/** Colour stops of the posterior scale (light → dark red: likelier initiators stand out). */
const POSTERIOR_RAMP = ['#fee5d9', '#fcae91', '#fb6a4a', '#de2d26', '#a50f15'];
const NO_VALUE = '#c8c8c8';
/** The adversary's colour: Sybil regions and their attack edges. */
const ADVERSARY = '#d62728';

export interface NetworkViewHandlers {
  /** A terminus was clicked: ask the worker for its posterior at this hop. */
  onTerminal(key: string, hop: number): void;
  /** A Sybil region or one of its attack edges was clicked: show the adversary row's pieces. */
  onAdversaryRow(row: number): void;
}

export interface DrawnNetwork {
  setHop(hop: number): void;
  /** Colour by one terminus's posterior (values over the view's nodes), or back to entropies (undefined). */
  showPosterior(terminal: string | undefined, values?: Float64Array): void;
  /** Where a node is drawn, in CSS pixels relative to the container (for tests and keyboard users). */
  nodeOnScreen(key: string): { x: number; y: number } | undefined;
  /** The colour a node is drawn in now. */
  colourOf(key: string): string | undefined;
  /** The node key of adversary row `row`'s Sybil region (undefined for a row with no attack edges drawn). */
  regionKey(row: number): string | undefined;
  /** The honest nodes row `row`'s region is drawn joined to. */
  attackEnds(row: number): string[];
  destroy(): void;
}

function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [v >> 16, (v >> 8) & 255, v & 255];
}

/** The colour at t in [0, 1] along a ramp of hex stops. */
export function rampColour(ramp: readonly string[], t: number): string {
  const clamped = Math.min(1, Math.max(0, t));
  const at = clamped * (ramp.length - 1);
  const k = Math.min(ramp.length - 2, Math.floor(at));
  const f = at - k;
  const [a, b] = [hexToRgb(ramp[k]), hexToRgb(ramp[k + 1])];
  const mix = a.map((c, i) => Math.round(c + (b[i] - c) * f));
  return `#${mix.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

const bits = (v: number) => (Number.isFinite(v) ? `${v.toFixed(3)} bits` : 'no value (not a terminal, or no walk of this length ends here)');

export function drawNetwork(container: HTMLElement, legend: HTMLElement, tooltip: HTMLElement, view: NetworkView, handlers: NetworkViewHandlers): DrawnNetwork {
  const graph = new Graph({ type: view.directed ? 'directed' : 'undirected', multi: false });
  const nodeCount = view.keys.length;
  const size = Math.max(2, Math.min(8, 40 / Math.sqrt(nodeCount)));
  view.keys.forEach((key, k) => {
    graph.addNode(key, { x: view.positions[2 * k], y: view.positions[2 * k + 1], size, label: view.labels[k] ?? key, color: NO_VALUE });
  });
  for (let e = 0; e < view.edges.length; e += 2) {
    const [a, b] = [view.keys[view.edges[e]], view.keys[view.edges[e + 1]]];
    if (!graph.hasEdge(a, b)) graph.addEdge(a, b, { size: 0.5, color: '#d0d0d0' });
  }
  const regions = addSybilRegions(graph, view, size);
  const rowOfRegion = new Map([...regions].map(([row, key]) => [key, row]));
  const renderer = new Sigma(graph, container, {
    allowInvalidContainer: true,
    defaultEdgeType: view.directed ? 'arrow' : 'line',
    labelRenderedSizeThreshold: 6,
    zIndex: true,
    enableEdgeEvents: regions.size > 0,
  });

  const indexOf = new Map(view.keys.map((key, k) => [key, k]));
  let hop = view.entropy?.hops ?? 1;
  let posterior: { terminal: string; values: Float64Array; max: number } | undefined;

  const entropyAt = (k: number) => (view.entropy ? { shannon: view.entropy.shannon[(hop - 1) * nodeCount + k], minEntropy: view.entropy.minEntropy[(hop - 1) * nodeCount + k] } : undefined);

  function recolour(): void {
    graph.forEachNode((key) => {
      const k = indexOf.get(key);
      if (k === undefined) return; // a Sybil region keeps its colour
      let colour = NO_VALUE;
      if (posterior) colour = posterior.values[k] > 0 ? rampColour(POSTERIOR_RAMP, posterior.values[k] / posterior.max) : NO_VALUE;
      else if (view.entropy) {
        const value = entropyAt(k)!.shannon;
        if (Number.isFinite(value)) colour = rampColour(ENTROPY_RAMP, value / Math.max(view.entropy.optimal, 1e-9));
      }
      graph.setNodeAttribute(key, 'color', colour);
      graph.setNodeAttribute(key, 'size', posterior?.terminal === key ? size * 2 : size);
    });
    drawLegend();
  }

  function drawLegend(): void {
    if (!posterior && !view.entropy) {
      // No colour scale without entropies (the adversary's view): only what the red means, when drawn.
      const swatch = Object.assign(document.createElement('span'), { className: 'legend-none' });
      swatch.style.background = ADVERSARY;
      const sybil = Object.assign(document.createElement('p'), { textContent: ' a Sybil region and its attack edges' });
      sybil.prepend(swatch);
      legend.replaceChildren(...(regions.size > 0 ? [sybil] : []));
      return;
    }
    const ramp = posterior ? POSTERIOR_RAMP : ENTROPY_RAMP;
    const [low, high, what] = posterior
      ? ['0', posterior.max.toPrecision(3), `probability that each node is the initiator, given a ${hop}-hop walk seen ending at ${posterior.terminal}`]
      : ['0 bits', `${(view.entropy?.optimal ?? 0).toFixed(2)} bits (optimal)`, `initiator entropy of each node as the terminus of a ${hop}-hop walk`];
    const bar = Object.assign(document.createElement('div'), { className: 'legend-bar' });
    bar.style.background = `linear-gradient(to right, ${ramp.join(', ')})`;
    const ends = Object.assign(document.createElement('div'), { className: 'legend-ends' });
    ends.append(Object.assign(document.createElement('span'), { textContent: low }), Object.assign(document.createElement('span'), { textContent: high }));
    const swatch = Object.assign(document.createElement('span'), { className: 'legend-none' });
    swatch.style.background = NO_VALUE;
    const none = Object.assign(document.createElement('p'), { textContent: ' no value' });
    none.prepend(swatch);
    legend.replaceChildren(Object.assign(document.createElement('p'), { textContent: `Colour: ${what}` }), bar, ends, none);
  }

  function showTooltip(key: string): void {
    const k = indexOf.get(key);
    const lines = k === undefined ? [regionText(view.adversary![rowOfRegion.get(key)!])] : nodeLines(k);
    tooltip.textContent = lines.join('\n');
    const at = nodeOnScreen(key);
    if (at) {
      tooltip.style.left = `${Math.min(at.x + 12, container.clientWidth - 180)}px`;
      tooltip.style.top = `${at.y + 12}px`;
    }
    tooltip.hidden = false;
    tooltip.dataset.node = key;
  }

  function nodeLines(k: number): string[] {
    const key = view.keys[k];
    const lines = [`id: ${key}`];
    if (view.labels[k] !== undefined) lines.push(`label: ${view.labels[k]}`);
    lines.push(`${view.directed ? 'out-degree' : 'degree'}: ${view.degrees[k]}`);
    const values = entropyAt(k);
    if (values) lines.push(`entropy at hop ${hop}: ${bits(values.shannon)}`, `min-entropy at hop ${hop}: ${bits(values.minEntropy)}`);
    if (posterior) lines.push(`P(initiator | ${posterior.terminal}): ${posterior.values[k].toPrecision(4)}`);
    const attacked = view.adversary?.flatMap(({ attackEdges, ends, edges }) => {
      const at = ends.indexOf(k);
      return at < 0 ? [] : [`g = ${attackEdges}: ${count(edges[at], 'attack edge')}`];
    });
    if (attacked?.length) lines.push(`Sybil regions' attack edges here: ${attacked.join('; ')}`);
    return lines;
  }

  function nodeOnScreen(key: string): { x: number; y: number } | undefined {
    if (!graph.hasNode(key)) return undefined;
    return renderer.graphToViewport(graph.getNodeAttributes(key) as { x: number; y: number });
  }

  renderer.on('enterNode', ({ node }) => showTooltip(node));
  renderer.on('leaveNode', () => (tooltip.hidden = true));
  renderer.on('clickNode', ({ node }) => {
    showTooltip(node); // a tap on a phone, where there is no hover
    const row = rowOfRegion.get(node);
    if (row !== undefined) handlers.onAdversaryRow(row);
    else if (view.entropy) handlers.onTerminal(node, hop);
  });
  renderer.on('clickEdge', ({ edge }) => {
    const row: unknown = graph.getEdgeAttribute(edge, 'adversaryRow');
    if (typeof row === 'number') handlers.onAdversaryRow(row);
  });
  renderer.on('clickStage', () => {
    tooltip.hidden = true;
    if (posterior) drawn.showPosterior(undefined);
  });

  const drawn: DrawnNetwork = {
    setHop(next) {
      hop = next;
      posterior = undefined;
      recolour();
    },
    showPosterior(terminal, values) {
      if (terminal === undefined || !values) posterior = undefined;
      else {
        let max = 0;
        for (const v of values) max = Math.max(max, v);
        posterior = { terminal, values, max: max || 1 };
      }
      recolour();
    },
    nodeOnScreen,
    colourOf: (key) => (graph.hasNode(key) ? (graph.getNodeAttribute(key, 'color') as string) : undefined),
    regionKey: (row) => regions.get(row),
    attackEnds: (row) => (regions.has(row) ? graph.neighbors(regions.get(row)!) : []),
    destroy() {
      renderer.kill();
      tooltip.hidden = true;
      legend.replaceChildren();
    },
  };
  recolour();
  return drawn;
}

type Border = NonNullable<NetworkView['adversary']>[number];

const regionText = ({ attackEdges, ends, edges, undrawn }: Border) =>
  `Sybil region behind g = ${attackEdges} attack edges: ${count(edges.reduce((a, b) => a + b, 0), 'attack edge')} to ${count(ends.length, 'drawn honest node')}` +
  `${undrawn > 0 ? ` (and ${count(undrawn, 'node')} not drawn)` : ''}. Click for its pieces of H(I|O).`;

/**
 * Each adversary row's Sybil region as one node in a column right of the drawing, joined to
 * the honest ends of its attack edges (drawn over the graph's edges); returns row → its key.
 */
function addSybilRegions(graph: Graph, view: NetworkView, size: number): Map<number, string> {
  const regions = new Map<number, string>();
  const rows = (view.adversary ?? []).map((border, row) => ({ border, row })).filter(({ border }) => border.ends.length > 0);
  if (rows.length === 0) return regions;
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let k = 0; k < view.keys.length; k++) {
    [minX, maxX] = [Math.min(minX, view.positions[2 * k]), Math.max(maxX, view.positions[2 * k])];
    [minY, maxY] = [Math.min(minY, view.positions[2 * k + 1]), Math.max(maxY, view.positions[2 * k + 1])];
  }
  const span = Math.max(maxX - minX, maxY - minY, 1);
  rows.forEach(({ border, row }, j) => {
    let key = `Sybil region, g = ${border.attackEdges}`;
    while (graph.hasNode(key)) key += "'"; // never a node of the file's
    regions.set(row, key);
    const y = rows.length === 1 ? (minY + maxY) / 2 : minY + ((maxY - minY) * j) / (rows.length - 1);
    graph.addNode(key, { x: maxX + 0.25 * span, y, size: size * 2.5, label: key, color: ADVERSARY, forceLabel: true, zIndex: 2 });
    border.ends.forEach((k) => graph.addEdge(key, view.keys[k], { size: 3, color: ADVERSARY, type: 'line', zIndex: 1, adversaryRow: row }));
  });
  return regions;
}
