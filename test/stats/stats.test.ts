import { describe, expect, it } from 'vitest';
import { empiricalCdf, quantileSorted, summarize } from '../../src/stats/summary.js';
import { posteriorEntropy } from '../../src/stats/entropy.js';
import { Pcg32, sampleWithoutReplacement } from '../../src/random.js';

describe('summary statistics', () => {
  it('quantiles interpolate like numpy (type 7)', () => {
    const sorted = [1, 2, 3, 4, 10];
    expect(quantileSorted(sorted, 0.5)).toBe(3);
    expect(quantileSorted(sorted, 0.05)).toBeCloseTo(1.2, 15); // h = 0.2
    expect(quantileSorted(sorted, 0.9)).toBeCloseTo(7.6, 14); // h = 3.6
  });

  it('mean, 95% CI from the sample sd, and NaN left out', () => {
    const s = summarize([1, 2, 3, 4, NaN], false);
    expect(s.count).toBe(4);
    expect(s.mean).toBe(2.5);
    const half = (1.959963984540054 * Math.sqrt(5 / 3)) / 2;
    expect(s.ci95[0]).toBeCloseTo(2.5 - half, 14);
    expect(s.ci95[1]).toBeCloseTo(2.5 + half, 14);
    expect([s.min, s.median, s.max]).toEqual([1, 2.5, 4]);
    expect(summarize([1, 2, 3], true).ci95).toEqual([2, 2]);
  });

  it('the empirical CDF steps at distinct values', () => {
    expect(empiricalCdf([2, 1, 2, 3])).toEqual({ value: [1, 2, 3], probability: [0.25, 0.75, 1] });
  });
});

describe('posterior entropy', () => {
  it('Shannon and min-entropy of a strided column, with and without a prior', () => {
    // column 1 of a 3 x 2 node-major block holds [1, 1, 2]
    const block = Float64Array.from([9, 1, 9, 1, 9, 2]);
    const h = posteriorEntropy(block, 1, 2, 3);
    expect(h.shannon).toBeCloseTo(1.5, 15);
    expect(h.minEntropy).toBeCloseTo(1, 15);
    const withPrior = posteriorEntropy(block, 1, 2, 3, Float64Array.from([2, 2, 0]));
    expect(withPrior.shannon).toBeCloseTo(1, 15);
    expect(Number.isNaN(posteriorEntropy(new Float64Array(3), 0, 1, 3).shannon)).toBe(true);
  });
});

describe('PCG32 and sampling', () => {
  it('matches the PCG reference stream (pcg32-demo, seed 42, stream 54)', () => {
    const rng = new Pcg32(42, 54);
    expect(Array.from({ length: 6 }, () => rng.nextUint32().toString(16).padStart(8, '0'))).toEqual([
      'a15c02b7', '7b47f409', 'ba1d3330', '83d2f293', 'bfa4784b', 'cbed606e',
    ]);
  });

  it('samples k distinct nodes, reproducibly', () => {
    const a = sampleWithoutReplacement(1000, 100, 5);
    expect(new Set(a).size).toBe(100);
    expect([...a].every((v) => v < 1000)).toBe(true);
    expect([...sampleWithoutReplacement(1000, 100, 5)]).toEqual([...a]);
    expect([...sampleWithoutReplacement(1000, 100, 6)]).not.toEqual([...a]);
  });
});
