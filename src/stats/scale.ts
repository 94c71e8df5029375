/**
 * Weights brought to a safe scale by a power of two, so that the largest lies in [0.5, 1):
 * ratios are kept exactly (a power-of-two product is exact unless it underflows, and what
 * underflows is below 2^-1074 of the largest), sums cannot overflow (1e308 twice) and the
 * largest cannot underflow in float32 or float64 (5e-324). Normalising comes after.
 */
export function scaledToUnitMax(weights: ArrayLike<number>): Float64Array {
  let max = 0;
  for (let i = 0; i < weights.length; i++) if (weights[i] > max) max = weights[i];
  const out = Float64Array.from(weights);
  if (!(max > 0) || !Number.isFinite(max)) return out;
  // 2^-exponent in two factors: 2^1074 alone is past float64 (the largest power is 2^1023).
  const exponent = Math.floor(Math.log2(max)) + 1;
  const first = 2 ** -Math.trunc(exponent / 2);
  const second = 2 ** -(exponent - Math.trunc(exponent / 2));
  for (let i = 0; i < out.length; i++) out[i] = out[i] * first * second;
  return out;
}
