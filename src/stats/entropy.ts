/**
 * Entropies of the posterior p_i ∝ y_i, in bits, read from a strided vector (one column of
 * the node-major n × B block: y[offset + i*stride]). NaN when the column has no mass (no walk
 * of that length ends at the terminal).
 */
export interface PosteriorEntropy {
  shannon: number;
  minEntropy: number;
}

export function posteriorEntropy(
  y: Float64Array,
  offset: number,
  stride: number,
  n: number,
  prior?: Float64Array,
): PosteriorEntropy {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = prior ? prior[i] * y[offset + i * stride] : y[offset + i * stride];
    sum += v;
    if (v > max) max = v;
  }
  if (!(sum > 0)) return { shannon: NaN, minEntropy: NaN };
  let shannon = 0;
  for (let i = 0; i < n; i++) {
    const v = prior ? prior[i] * y[offset + i * stride] : y[offset + i * stride];
    if (v > 0) {
      const p = v / sum;
      shannon -= p * Math.log2(p);
    }
  }
  return { shannon, minEntropy: Math.log2(sum / max) };
}

/** Shannon entropy of a distribution given by non-negative weights, in bits. */
export function shannonOfWeights(weights: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i];
  let h = 0;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i] > 0) {
      const p = weights[i] / sum;
      h -= p * Math.log2(p);
    }
  }
  return h;
}
