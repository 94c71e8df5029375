/**
 * Priors and delay histograms whose values overflow or underflow when summed or stored in
 * float32 (1e308 twice, 5e-324, 1e-320): finite, correct entropies (hand-computed), or a
 * clear refusal. They gave NaN or 0 bits, exit 0.
 */
import { describe, expect, it } from 'vitest';
import { initiatorEntropy } from '../../src/analyses/initiator-entropy.js';
import { GpuJsBackend } from '../../src/engines/gpujs/gpujs-backend.js';
import { ParameterError } from '../../src/errors.js';
import { histogramFromText } from '../../src/mix/delays.js';
import { scaledToUnitMax } from '../../src/stats/scale.js';
import { csrFromEdges } from '../helpers/graphs.js';

describe('scaledToUnitMax', () => {
  it('brings the largest into [0.5, 1) by a power of two, ratios exact', () => {
    const big = 1e308 / 2 ** 512 / 2 ** 512; // exact: both are powers of two
    expect(Array.from(scaledToUnitMax([1e308, 1e308, 0]))).toEqual([big, big, 0]);
    expect(Array.from(scaledToUnitMax([5e-324, 1e-323]))).toEqual([0.25, 0.5]);
    expect(Array.from(scaledToUnitMax([3, 1.5]))).toEqual([0.75, 0.375]);
    expect(Array.from(scaledToUnitMax([0.5]))).toEqual([0.5]);
    expect(Array.from(scaledToUnitMax([0, 0]))).toEqual([0, 0]);
  });
});

describe('a prior of extreme weights', () => {
  // The path 0 - 1 - 2: after one hop, terminal 1 is reached from 0 and 2, each with probability 1.
  const path = csrFromEdges([[0, 1], [1, 2]]);
  const cases: [string, [string, number][], number, number][] = [
    // [what, prior, H(q), H of terminal 1 at hop 1]
    ['1e308 twice', [['0', 1e308], ['2', 1e308]], 1, 1],
    ['1e308 three times', [['0', 1e308], ['1', 1e308], ['2', 1e308]], Math.log2(3), 1],
    ['5e-324 twice (below float32, and the smallest double)', [['0', 5e-324], ['2', 5e-324]], 1, 1],
    // p = (1e-320, 1) / (1 + 1e-320): H = 1e-320 log2(1e320) + ... ≈ 1.06e-317 bits.
    ['1e-320 beside 1', [['0', 1e-320], ['2', 1]], 0, 0],
  ];
  for (const [name, make] of [['cpu (float64)', () => undefined], ['gpujs cpu mode (float32)', () => new GpuJsBackend({ mode: 'cpu' })]] as const) {
    it.each(cases)(`${name}: %s`, async (_what, prior, optimal, entropy) => {
      const backend = make();
      try {
        const result = await initiatorEntropy(path, { hops: 1, terminalIds: ['1'], prior: new Map(prior), backend });
        expect(result.optimal).toBeCloseTo(optimal, 12);
        expect(result.hops[0].unreachable).toBe(0);
        expect(result.hops[0].mean).toBeCloseTo(entropy, 6);
      } finally {
        await backend?.dispose();
      }
    });
  }
});

describe('a delay histogram of extreme counts or values', () => {
  // Values 1 and 2: bins [0.5, 1.5) and [1.5, 2.5), of width 1.
  it.each([
    ['1e308 twice', '1 1e308\n2 1e308\n', 1, 1.5],
    ['5e-324 twice', '1 5e-324\n2 5e-324\n', 1, 1.5],
    ['1e-320 beside 1', '1 1e-320\n2 1\n', 0, 2],
    ['1e308 beside 1e307 (p = 10/11, 1/11)', '1 1e308\n2 1e307\n', -(10 / 11) * Math.log2(10 / 11) - (1 / 11) * Math.log2(1 / 11), 1 + 1 / 11],
  ])('%s: h(f) and the mean by hand', (_what, text, entropyBits, mean) => {
    const law = histogramFromText(text, 'h.txt');
    expect(Number.isFinite(law.entropyBits)).toBe(true);
    expect(law.entropyBits).toBeCloseTo(entropyBits, 12);
    expect(law.mean).toBeCloseTo(mean, 12);
    expect(law.cdf(1.5)).toBeCloseTo(1 - (mean - 1), 12);
  });

  it('delays past float64 or bins too narrow for float32 densities are refused', () => {
    expect(() => histogramFromText('1e308 1\n1.7e308 1\n', 'wide.txt')).toThrow(ParameterError);
    expect(() => histogramFromText('1e308 1\n1.7e308 1\n', 'wide.txt')).toThrow(/wide\.txt: the histogram's bin .* is wider than float64 can hold; give the delays in a larger unit/);
    expect(() => histogramFromText('1e-40 1\n2e-40 1\n', 'narrow.txt')).toThrow(/narrow\.txt: the histogram's bin .* so narrow that its density \(5\.000e\+39\) passes float32's range/);
  });
});

describe('prior files read numbers in decimal only', () => {
  it('"0x10", "Infinity" and a 100 KB token are refused with the line, the token cut to 40 characters', async () => {
    const { parsePrior } = await import('../../src/graph/prior.js');
    expect(() => parsePrior('a 1\nb 0x10\n', 'p.txt')).toThrow('p.txt:2: weight "0x10" must be a finite decimal number >= 0');
    expect(() => parsePrior('a Infinity\n', 'p.txt')).toThrow('p.txt:1: weight "Infinity" must be a finite decimal number >= 0');
    expect(() => parsePrior(`a ${'1'.repeat(100_000)}x\n`, 'p.txt')).toThrow(`p.txt:1: weight "${'1'.repeat(40)}…" must be a finite decimal number >= 0`);
    expect(parsePrior('a 1e308\nb 5e-324\n# c\n', 'p.txt')).toEqual(new Map([['a', 1e308], ['b', 5e-324]]));
  });
});
