import { ParameterError } from '../errors.js';
import { sampleWithoutReplacement, type Pcg32 } from '../random.js';
import { uniform01 } from './delays.js';

/**
 * The topology of a Loopix-style mixnet: L layers of W mixes (mix ℓ·W + w is mix w of layer
 * ℓ). A packet's route visits one mix per layer:
 *   stratified  each hop picks a mix of the next layer independently, uniformly or in
 *               proportion to the mixes' bandwidth weights;
 *   cascade     W fixed cascades (column w of every layer): the packet picks one cascade at
 *               entry (by the weights of its first-layer mixes) and keeps to it;
 *   free        the mixes are the n nodes of a graph and a route is L hops of a walk on
 *               it: the first mix by the weights over the n nodes (uniform without), each
 *               next one a uniformly chosen out-neighbour of the last (edge weights are not
 *               used). "Layer" ℓ is then the ℓ-th hop; every mix serves every hop and its
 *               pool is shared by all of them, so the mixes are stored as one layer of
 *               W = n (a mix-loop starts at hop 0 of its mix) and a packet leaves after its
 *               L-th hop, wherever it is.
 * A share of the mixes is corrupt, chosen once from the seed.
 */
export const MIXNET_TOPOLOGIES = ['stratified', 'cascade', 'free'] as const;
export type MixnetTopologyKind = (typeof MIXNET_TOPOLOGIES)[number];

export interface MixnetTopologyOptions {
  kind?: MixnetTopologyKind;
  layers: number;
  /** Mixes per layer (stratified, cascade); free routes take none (their mixes are the graph's nodes). */
  width?: number;
  /** Bandwidth weights (>= 0, 0: never picked) of the L·W mixes, layer by layer (free: of the n nodes, the entry law); uniform when absent. */
  weights?: readonly number[];
  /** Share of the mixes that are corrupt, in [0, 1]: round(F·mixes) of them. */
  corrupt?: number;
  seed?: number;
  /** free only, and required there: each mix's out-neighbours (a graph's CSR rows, every row non-empty). */
  routes?: MixnetRoutes;
}

/** The out-neighbours of mix i: colIdx[rowPtr[i] .. rowPtr[i + 1]). */
export interface MixnetRoutes {
  rowPtr: Uint32Array;
  colIdx: Uint32Array;
  /** How errors name mix i (a graph's node key); "mix i" when absent. */
  nameOf?: (mix: number) => string;
}

export interface MixnetTopology {
  kind: MixnetTopologyKind;
  layers: number;
  width: number;
  mixes: number;
  /** Cumulative weights per layer: cumulative[ℓ·W + w] = Σ_{v ≤ w} weight(ℓ, v) / Σ_v weight(ℓ, v). */
  cumulative: Float64Array;
  weighted: boolean;
  /** 1 for a corrupt mix. */
  corrupt: Uint8Array;
  corruptFraction: number;
  /** free: where each hop may go next. */
  routes?: MixnetRoutes;
}

const WHERE = 'anonscope/mixnet topology';

export function mixnetTopology(options: MixnetTopologyOptions): MixnetTopology {
  const { layers: L, routes } = options;
  const kind = options.kind ?? 'stratified';
  if (!MIXNET_TOPOLOGIES.includes(kind)) throw new ParameterError(`${WHERE}: unknown topology "${kind}" (expected ${MIXNET_TOPOLOGIES.join(', ')})`);
  if (!Number.isInteger(L) || L < 1 || L > 64) throw new ParameterError(`${WHERE}: layers must be an integer in 1..64, got ${L}`);
  if ((kind === 'free') !== (routes !== undefined)) throw new ParameterError(`${WHERE}: ${kind === 'free' ? 'free routes need a graph to run over (its nodes are the mixes)' : `a ${kind} topology takes no graph (free routes do: topology free)`}`);
  if (routes) {
    checkRoutes(routes);
    if (options.width !== undefined) throw new ParameterError(`${WHERE}: free routes take no width: their mixes are the graph's ${routes.rowPtr.length - 1} nodes`);
  }
  // Free routes: one layer of all the graph's nodes, entered by its weights, L hops deep.
  const width = routes ? routes.rowPtr.length - 1 : options.width ?? NaN;
  const layerCount = routes ? 1 : L;
  if (!routes && !(Number.isInteger(width) && width >= 1 && width <= 4096)) throw new ParameterError(`${WHERE}: width must be an integer in 1..4096, got ${options.width}`);
  const M = layerCount * width;
  const weights = options.weights;
  if (weights && weights.length !== M) {
    throw new ParameterError(`${WHERE}: ${weights.length} weights for ${routes ? `the graph's ${M} nodes (give one per node, in the graph's order)` : `${L} × ${width} = ${M} mixes (give one per mix, layer by layer)`}`);
  }
  weights?.forEach((w, i) => {
    if (!(Number.isFinite(w) && w >= 0)) throw new ParameterError(`${WHERE}: weight ${i + 1} must be a finite number >= 0, got ${w}`);
  });
  const weightOf = (mix: number) => (weights ? weights[mix] : 1);
  const cumulative = new Float64Array(M);
  for (let l = 0; l < layerCount; l++) {
    let total = 0;
    let lastPositive = -1;
    for (let w = 0; w < width; w++) {
      total += weightOf(l * width + w);
      if (weightOf(l * width + w) > 0) lastPositive = w;
    }
    if (lastPositive < 0) throw new ParameterError(`${WHERE}: ${routes ? 'every node has' : `every mix of layer ${l + 1} has`} weight 0, so no route could ${routes ? 'enter' : 'cross it'}`);
    // A mix of weight 0 is never picked: its cumulative share equals the one before it (1 from the last positive one on).
    let running = 0;
    for (let w = 0; w < width; w++) {
      running += weightOf(l * width + w);
      cumulative[l * width + w] = w >= lastPositive ? 1 : running / total;
    }
  }
  const fraction = options.corrupt ?? 0;
  if (!(fraction >= 0 && fraction <= 1)) throw new ParameterError(`${WHERE}: the corrupt share must be in [0, 1], got ${fraction}`);
  const corrupt = new Uint8Array(M);
  for (const m of sampleWithoutReplacement(M, Math.round(fraction * M), options.seed ?? 1)) corrupt[m] = 1;
  return { kind, layers: L, width, mixes: M, cumulative, weighted: !!weights, corrupt, corruptFraction: fraction, ...(routes ? { routes } : {}) };
}

/** Every mix must have somewhere to send a packet next, and every neighbour must be a mix. */
function checkRoutes({ rowPtr, colIdx, nameOf = (i) => `mix ${i}` }: MixnetRoutes): void {
  const n = rowPtr.length - 1;
  if (n < 1 || rowPtr[0] !== 0 || rowPtr[n] !== colIdx.length) throw new ParameterError(`${WHERE}: the routes are not a CSR (rowPtr from 0 to colIdx.length)`);
  const dangling: number[] = [];
  for (let i = 0; i < n; i++) if (rowPtr[i + 1] <= rowPtr[i]) dangling.push(i);
  if (dangling.length > 0) {
    const named = dangling.slice(0, 5).map(nameOf).join(', ');
    throw new ParameterError(
      `${WHERE}: ${dangling.length === 1 ? `${named} has` : `${dangling.length} of the ${n} nodes have`} no out-neighbour, so a route reaching ${dangling.length === 1 ? 'it' : 'one'} could not go on` +
        `${dangling.length > 1 ? ` (${named}${dangling.length > 5 ? ', …' : ''})` : ''}; free routes need every node to have one (read the graph as undirected, or remove those nodes)`,
    );
  }
  for (const j of colIdx) if (j >= n) throw new ParameterError(`${WHERE}: a route goes to mix ${j}, beyond the ${n} mixes`);
}

/** A mix of layer ℓ by the layer's weights. */
function pickInLayer(topology: MixnetTopology, layer: number, rng: Pcg32): number {
  const { width: W, cumulative } = topology;
  const u = uniform01(rng);
  let lo = layer * W;
  let hi = lo + W - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (u < cumulative[mid]) hi = mid; // the first mix whose share reaches past u: never one of weight 0
    else lo = mid + 1;
  }
  return lo;
}

/** The mix at `layer` of a route whose mix at layer − 1 was `previous` (−1 at entry). */
export function nextMix(topology: MixnetTopology, layer: number, previous: number, rng: Pcg32): number {
  const { routes } = topology;
  if (routes) {
    if (previous < 0) return pickInLayer(topology, 0, rng);
    const start = routes.rowPtr[previous];
    const degree = routes.rowPtr[previous + 1] - start;
    return routes.colIdx[start + Math.min(degree - 1, Math.floor(uniform01(rng) * degree))];
  }
  if (topology.kind === 'cascade' && previous >= 0) return previous + topology.width;
  return pickInLayer(topology, layer, rng);
}
