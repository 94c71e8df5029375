import { ParameterError } from '../errors.js';
import { sampleWithoutReplacement, type Pcg32 } from '../random.js';
import { uniform01 } from './delays.js';

/**
 * The topology of a Loopix-style mixnet: L layers of W mixes (mix ℓ·W + w is mix w of layer
 * ℓ). A packet's route visits one mix per layer:
 *   stratified  each hop picks a mix of the next layer independently, uniformly or in
 *               proportion to the mixes' bandwidth weights;
 *   cascade     W fixed cascades (column w of every layer): the packet picks one cascade at
 *               entry (by the weights of its first-layer mixes) and keeps to it.
 * A share of the mixes is corrupt, chosen once from the seed.
 */
export const MIXNET_TOPOLOGIES = ['stratified', 'cascade'] as const;
export type MixnetTopologyKind = (typeof MIXNET_TOPOLOGIES)[number];

export interface MixnetTopologyOptions {
  kind?: MixnetTopologyKind;
  layers: number;
  width: number;
  /** Bandwidth weights of the L·W mixes, layer by layer; uniform when absent. */
  weights?: readonly number[];
  /** Share of the mixes that are corrupt, in [0, 1]: round(F·L·W) of them. */
  corrupt?: number;
  seed?: number;
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
}

const WHERE = 'anonscope/mixnet topology';

export function mixnetTopology(options: MixnetTopologyOptions): MixnetTopology {
  const { layers: L, width: W } = options;
  const kind = options.kind ?? 'stratified';
  if (!MIXNET_TOPOLOGIES.includes(kind)) throw new ParameterError(`${WHERE}: unknown topology "${kind}" (expected ${MIXNET_TOPOLOGIES.join(', ')})`);
  if (!Number.isInteger(L) || L < 1 || L > 64) throw new ParameterError(`${WHERE}: layers must be an integer in 1..64, got ${L}`);
  if (!Number.isInteger(W) || W < 1 || W > 4096) throw new ParameterError(`${WHERE}: width must be an integer in 1..4096, got ${W}`);
  const M = L * W;
  const weights = options.weights;
  if (weights && weights.length !== M) throw new ParameterError(`${WHERE}: ${weights.length} weights for ${L} × ${W} = ${M} mixes (give one per mix, layer by layer)`);
  weights?.forEach((w, i) => {
    if (!(Number.isFinite(w) && w > 0)) throw new ParameterError(`${WHERE}: weight ${i + 1} must be a positive number, got ${w}`);
  });
  const cumulative = new Float64Array(M);
  for (let l = 0; l < L; l++) {
    let total = 0;
    for (let w = 0; w < W; w++) total += weights ? weights[l * W + w] : 1;
    let running = 0;
    for (let w = 0; w < W; w++) {
      running += weights ? weights[l * W + w] : 1;
      cumulative[l * W + w] = w === W - 1 ? 1 : running / total;
    }
  }
  const fraction = options.corrupt ?? 0;
  if (!(fraction >= 0 && fraction <= 1)) throw new ParameterError(`${WHERE}: the corrupt share must be in [0, 1], got ${fraction}`);
  const corrupt = new Uint8Array(M);
  for (const m of sampleWithoutReplacement(M, Math.round(fraction * M), options.seed ?? 1)) corrupt[m] = 1;
  return { kind, layers: L, width: W, mixes: M, cumulative, weighted: !!weights, corrupt, corruptFraction: fraction };
}

/** A mix of layer ℓ by the layer's weights. */
function pickInLayer(topology: MixnetTopology, layer: number, rng: Pcg32): number {
  const { width: W, cumulative } = topology;
  const u = uniform01(rng);
  let lo = layer * W;
  let hi = lo + W - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (u <= cumulative[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The mix at `layer` of a route whose mix at layer − 1 was `previous` (−1 at entry). */
export function nextMix(topology: MixnetTopology, layer: number, previous: number, rng: Pcg32): number {
  if (topology.kind === 'cascade' && previous >= 0) return previous + topology.width;
  return pickInLayer(topology, layer, rng);
}
