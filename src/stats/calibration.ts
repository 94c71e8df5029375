import { ParameterError } from '../errors.js';

/**
 * Calibration of posteriors against the outcomes that happened: does a posterior that puts
 * 0.9 on its top guess turn out right 90% of the time? An entropy computed from a posterior
 * measures anonymity only when the posterior is calibrated; otherwise it measures how sure
 * the attacker's model is.
 *
 * Two identities hold for a calibrated posterior p with outcome t drawn from it:
 *   E[max_v p(v)] = P(the top guess is t)   and   E[p(t)] = E[Σ_v p(v)²].
 * Each is checked by the mean of its per-case difference with a 95% CI.
 */

/** Mean of per-case differences with a normal-approximation 95% CI (unbounded below two cases). */
export interface Gap {
  mean: number;
  ci95: [number, number];
}

export interface ReliabilityBin {
  /** Top-1 probabilities in [low, high) (the last bin includes 1). */
  low: number;
  high: number;
  count: number;
  /** NaN (null in JSON) for an empty bin. */
  meanConfidence: number;
  accuracy: number;
}

export interface Calibration {
  count: number;
  /** Mean probability of the top guess. */
  meanConfidence: number;
  /** How often the top guess is the outcome (a tie among k guesses counts 1/k). */
  accuracy: number;
  /** confidence − accuracy per case: > 0 overconfident, < 0 underconfident. */
  confidenceGap: Gap;
  /** Mean probability given to the outcome. */
  meanTruthProbability: number;
  /** What the posteriors themselves expect that mean to be: the mean of Σ_v p(v)². */
  expectedTruthProbability: number;
  /** Σ p² − p(truth) per case. */
  truthGap: Gap;
  /** Expected calibration error: Σ_bins (count/n) |accuracy − mean confidence|. */
  expectedCalibrationError: number;
  /** Mean −log2 p(truth), bits; Infinity when some case gives the outcome probability 0. */
  logLoss: number;
  /** Cases whose posterior gives the outcome probability 0. */
  zeroTruth: number;
  reliability: ReliabilityBin[];
  /** Both gaps' CIs contain 0: no evidence of miscalibration. */
  consistent: boolean;
}

const Z95 = 1.959963984540054;

function gap(differences: Float64Array): Gap {
  const k = differences.length;
  let sum = 0;
  for (const d of differences) sum += d;
  const mean = sum / k;
  let squares = 0;
  for (const d of differences) squares += (d - mean) ** 2;
  const half = k < 2 ? Infinity : (Z95 * Math.sqrt(squares / (k - 1))) / Math.sqrt(k);
  return { mean, ci95: [mean - half, mean + half] };
}

const containsZero = (g: Gap) => g.ci95[0] <= 0 && g.ci95[1] >= 0;

/**
 * Calibration of `count` posteriors, row r of `weights` (count × outcomes, not necessarily
 * normalised) over `outcomes` values, against the outcome `truths[r]` that happened;
 * `bins` equal-width bins of the top-1 probability make the reliability table.
 */
export function calibration(weights: ArrayLike<number>, outcomes: number, truths: ArrayLike<number>, bins = 10): Calibration {
  const where = 'anonscope/calibration';
  const count = truths.length;
  if (count < 1 || weights.length !== count * outcomes) {
    throw new ParameterError(`${where}: need one row of ${outcomes} weights per outcome, got ${weights.length} weights for ${count} outcomes`);
  }
  if (!Number.isInteger(bins) || bins < 1) throw new ParameterError(`${where}: bins must be a positive integer, got ${bins}`);
  const confidence = new Float64Array(count);
  const correct = new Float64Array(count);
  const truthProbability = new Float64Array(count);
  const squares = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    const base = r * outcomes;
    const truth = truths[r];
    if (!Number.isInteger(truth) || truth < 0 || truth >= outcomes) throw new ParameterError(`${where}: row ${r}: outcome ${truth} is not in 0..${outcomes - 1}`);
    let total = 0;
    let top = 0;
    for (let v = 0; v < outcomes; v++) {
      total += weights[base + v];
      top = Math.max(top, weights[base + v]);
    }
    if (!(total > 0) || !Number.isFinite(total)) throw new ParameterError(`${where}: row ${r} has no finite positive mass`);
    let ties = 0;
    let square = 0;
    for (let v = 0; v < outcomes; v++) {
      if (weights[base + v] === top) ties++;
      square += (weights[base + v] / total) ** 2;
    }
    confidence[r] = top / total;
    correct[r] = weights[base + truth] === top ? 1 / ties : 0;
    truthProbability[r] = weights[base + truth] / total;
    squares[r] = square;
  }
  const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / count;

  const reliability: ReliabilityBin[] = Array.from({ length: bins }, (_, i) => ({ low: i / bins, high: (i + 1) / bins, count: 0, meanConfidence: 0, accuracy: 0 }));
  for (let r = 0; r < count; r++) {
    const bin = reliability[Math.min(bins - 1, Math.floor(confidence[r] * bins))];
    bin.count++;
    bin.meanConfidence += confidence[r];
    bin.accuracy += correct[r];
  }
  let ece = 0;
  for (const bin of reliability) {
    bin.meanConfidence /= bin.count; // 0/0 = NaN for an empty bin
    bin.accuracy /= bin.count;
    if (bin.count > 0) ece += (bin.count / count) * Math.abs(bin.accuracy - bin.meanConfidence);
  }

  const confidenceGap = gap(confidence.map((c, r) => c - correct[r]));
  const truthGap = gap(squares.map((s, r) => s - truthProbability[r]));
  return {
    count,
    meanConfidence: mean(confidence),
    accuracy: mean(correct),
    confidenceGap,
    meanTruthProbability: mean(truthProbability),
    expectedTruthProbability: mean(squares),
    truthGap,
    expectedCalibrationError: ece,
    logLoss: mean(truthProbability.map((p) => -Math.log2(p))),
    zeroTruth: truthProbability.filter((p) => p === 0).length,
    reliability,
    consistent: containsZero(confidenceGap) && containsZero(truthGap),
  };
}
