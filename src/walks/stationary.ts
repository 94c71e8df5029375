import { ParameterError } from '../errors.js';
import { strongComponents, weakComponents, type Components } from '../graph/components.js';
import { outStrengths, type Csr } from '../graph/csr.js';
import { quoted } from '../text.js';
import type { TransitionMatrix } from './transition.js';

/**
 * The law a walk forgets its start towards. The walk's components are the weakly connected
 * components of P's nonzeros (a node whose edges all weigh 0 is a dangling node, alone); a
 * walk never leaves its component, so π holds one law per component, each summing to 1 on
 * it, and the TV distance from a source is measured to its own component's law.
 */
export interface StationaryLaw {
  pi: Float64Array;
  /**
   * How π was found: π_i ∝ W_i, the strength (simple walk on an undirected graph), uniform
   * (Metropolis-Hastings on an undirected graph), or by power iteration of the lazy walk
   * (directed graphs, whose laws have no closed form).
   */
  method: 'strength' | 'uniform' | 'power';
  /** π_i P_ij = π_j P_ji: the walks on undirected graphs are; the spectral bound needs it. */
  reversible: boolean;
  components: Components;
  /** Power iterations used (method 'power'; 0 otherwise). */
  iterations: number;
}

export interface StationaryOptions {
  /** Power iteration stops when an iteration changes π by less than this in L1 (default 1e-14). */
  tolerance?: number;
  /** ... or refuses after this many iterations (default 100,000). */
  maxIterations?: number;
}

const DEFAULTS = { tolerance: 1e-14, maxIterations: 100_000 } as const;
const WHERE = 'anonscope/stationaryLaw';

/** π of `walk` on `csr` (its P), one law per component of the walk. */
export function stationaryLaw(csr: Csr, walk: TransitionMatrix, options: StationaryOptions = {}): StationaryLaw {
  const components = weakComponents(walk);
  if (csr.directed) return powerLaw(csr, walk, components, options);
  const weight = walk.model === 'mh' ? new Float64Array(walk.n).fill(1) : outStrengths(csr);
  const total = new Float64Array(components.sizes.length);
  for (let i = 0; i < walk.n; i++) total[components.component[i]] += weight[i];
  const pi = new Float64Array(walk.n);
  for (let i = 0; i < walk.n; i++) {
    const c = components.component[i];
    // A component whose strengths sum to 0 is one dangling node: it keeps all its mass.
    pi[i] = total[c] > 0 ? weight[i] / total[c] : 1 / components.sizes[c];
  }
  return { pi, method: walk.model === 'mh' ? 'uniform' : 'strength', reversible: true, components, iterations: 0 };
}

/**
 * Directed walks: each component must hold exactly one closed class (a strongly connected
 * set no arc leaves), where its law lives; more than one (say two dangling nodes) and the
 * limit depends on the start, so there is no one law to mix to, and it is refused. π comes
 * from the lazy walk (I + P)/2, which has the same law and is aperiodic, iterated from the
 * uniform law on the closed classes.
 */
function powerLaw(csr: Csr, walk: TransitionMatrix, components: Components, options: StationaryOptions): StationaryLaw {
  const tolerance = options.tolerance ?? DEFAULTS.tolerance;
  const maxIterations = options.maxIterations ?? DEFAULTS.maxIterations;
  const strong = strongComponents(walk);
  const closedClasses = new Uint32Array(components.sizes.length);
  const example: number[][] = components.sizes.map(() => []);
  const seen = new Uint8Array(strong.count);
  for (let i = 0; i < walk.n; i++) {
    const s = strong.component[i];
    if (!strong.closed[s] || seen[s]) continue;
    seen[s] = 1;
    const c = components.component[i];
    closedClasses[c]++;
    if (example[c].length < 2) example[c].push(i);
  }
  const crowded = closedClasses.findIndex((k) => k > 1);
  if (crowded >= 0) {
    const [a, b] = example[crowded].map((i) => quoted(csr.nodeKeys[i]));
    throw new ParameterError(
      `${WHERE}: a weakly connected component of ${components.sizes[crowded]} nodes holds ${closedClasses[crowded]} closed classes (sets a walk never leaves, such as dangling nodes: the classes of ${a} and ${b}), so where a walk ends up depends on where it starts and there is no single stationary law to mix to; analyse a strongly connected part of the graph, or read it as undirected`,
    );
  }
  const n = walk.n;
  let x = new Float64Array(n);
  const closedMass = new Float64Array(components.sizes.length);
  for (let i = 0; i < n; i++) if (strong.closed[strong.component[i]]) closedMass[components.component[i]]++;
  for (let i = 0; i < n; i++) if (strong.closed[strong.component[i]]) x[i] = 1 / closedMass[components.component[i]];
  let y = new Float64Array(n);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    for (let i = 0; i < n; i++) y[i] = x[i] / 2;
    for (let i = 0; i < n; i++) {
      const half = x[i] / 2;
      if (half === 0) continue;
      for (let e = walk.rowPtr[i]; e < walk.rowPtr[i + 1]; e++) y[walk.colIdx[e]] += half * walk.values[e];
    }
    let change = 0;
    for (let i = 0; i < n; i++) change += Math.abs(y[i] - x[i]);
    [x, y] = [y, x];
    if (change < tolerance) return { pi: x, method: 'power', reversible: false, components, iterations: iteration };
  }
  throw new ParameterError(`${WHERE}: the power iteration for the directed walk's stationary law did not settle within ${maxIterations} iterations (tolerance ${tolerance} in L1); the walk mixes too slowly to measure here`);
}
