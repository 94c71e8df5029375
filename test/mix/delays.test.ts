import { describe, expect, it } from 'vitest';
import { FormatError, ParameterError } from '../../src/errors.js';
import {
  delayOnGrid,
  histogramFromText,
  lawsWithMean,
  numericEntropyBits,
  parseDelay,
  parseDelaySync,
  scaleDelay,
  type DelayLaw,
} from '../../src/mix/delays.js';
import { logDensity } from '../../src/engines/mix-kernels.js';
import { Pcg32 } from '../../src/random.js';

const LAWS = ['exp:0.5', 'uniform:1,4', 'erlang:3,2', 'lognormal:0.3,0.7', 'pareto:2.5,1.5'].map(parseDelaySync);

/** Midpoint-rule integral of g over [lo, hi]; in y = ln x when lo > 0 (heavy tails). */
function integrate(g: (x: number) => number, lo: number, hi: number, n = 200_000): number {
  if (lo > 0) {
    const a = Math.log(lo);
    const h = (Math.log(hi) - a) / n;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const x = Math.exp(a + (i + 0.5) * h);
      s += g(x) * x;
    }
    return s * h;
  }
  const h = (hi - lo) / n;
  let s = 0;
  for (let i = 0; i < n; i++) s += g(lo + (i + 0.5) * h);
  return s * h;
}

describe('delay laws', () => {
  it.each(LAWS.map((l) => [l.spec, l] as [string, DelayLaw]))('%s: density integrates to 1; mean, h(f), ∫f² and the cdf agree with quadrature', (_spec, law) => {
    const lo = law.quantile(0);
    const hi = law.quantile(1 - 1e-10);
    // Pareto's tail beyond the 1 − 1e-10 quantile still carries a little of the mean.
    expect(integrate(law.density, lo, hi)).toBeCloseTo(1, 6);
    const meanTail = law.kind === 'pareto' ? 1e-3 : 1e-5;
    expect(Math.abs(integrate((x) => x * law.density(x), lo, hi) - law.mean)).toBeLessThan(meanTail * law.mean);
    expect(law.entropyMethod).toBe('closed-form');
    expect(numericEntropyBits(law)).toBeCloseTo(law.entropyBits, 5);
    expect(integrate((x) => law.density(x) ** 2, lo, hi)).toBeCloseTo(law.collision, 5);
    for (const p of [0.1, 0.5, 0.9]) {
      const x = law.quantile(p);
      expect(law.cdf(x)).toBeCloseTo(p, 6);
      expect(integrate(law.density, lo, x, 20_000)).toBeCloseTo(p, 5);
    }
    // The kernel-side descriptor evaluates the same density.
    for (const x of [law.quantile(0.2), law.quantile(0.7)]) expect(Math.exp(logDensity(law.descriptor(), x))).toBeCloseTo(law.density(x), 10);
  });

  it('closed forms: exponential h = log2(e/μ), uniform log2(b − a), the exponential is the most entropic of its mean', () => {
    expect(parseDelaySync('exp:0.5').entropyBits).toBeCloseTo(Math.log2(Math.E / 0.5), 12);
    expect(parseDelaySync('uniform:1,5').entropyBits).toBeCloseTo(2, 12);
    const laws = lawsWithMean(3);
    for (const law of laws) expect(law.mean).toBeCloseTo(3, 12);
    const [exp, ...others] = laws;
    for (const other of others) expect(exp.entropyBits).toBeGreaterThan(other.entropyBits);
  });

  it('samplers match their means: |sample mean − mean| within 4 standard errors (false-alarm rate about 6e-5 per law)', () => {
    const rng = new Pcg32(5);
    for (const law of [...LAWS.slice(0, 4), parseDelaySync('pareto:4.5,1')]) {
      const n = 20_000;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const x = law.sample(rng);
        s += x;
        s2 += x * x;
      }
      const mean = s / n;
      const se = Math.sqrt((s2 / n - mean * mean) / n);
      expect(Math.abs(mean - law.mean), law.spec).toBeLessThanOrEqual(4 * se);
    }
  });

  it('scaling keeps the shape: mean × c, h + log2 c', () => {
    for (const law of LAWS) {
      const scaled = scaleDelay(law, 3);
      expect(scaled.kind).toBe(law.kind);
      expect(scaled.mean).toBeCloseTo(3 * law.mean, 9);
      expect(scaled.entropyBits).toBeCloseTo(law.entropyBits + Math.log2(3), 9);
    }
  });

  it('delayOnGrid holds the bin masses centred on the grid points', () => {
    const law = parseDelaySync('exp:2');
    const d = delayOnGrid(law, 0.1, 400);
    expect(d[0]).toBeCloseTo(law.cdf(0.05) / 0.1, 12);
    expect(d[3]).toBeCloseTo((law.cdf(0.35) - law.cdf(0.25)) / 0.1, 12);
    expect(d.reduce((a, b) => a + b, 0) * 0.1).toBeCloseTo(1, 10);
  });

  it('refuses bad specs with a ParameterError that names the problem', async () => {
    const bad: [string, RegExp][] = [
      ['exp', /expected 1 number/],
      ['exp:0', /rate μ must be a positive number/],
      ['exp:abc', /"abc" is not a number/],
      ['uniform:3,2', /b must be a number > a/],
      ['uniform:-1,2', /a must be a number >= 0/],
      ['erlang:2.5,1', /k must be an integer/],
      ['lognormal:0,-1', /s must be a positive number/],
      ['pareto:1,0', /scale xm must be a positive number/],
      ['gamma:2,1', /unknown delay law/],
      ['hist:', /file name is missing/],
    ];
    for (const [spec, message] of bad) {
      await expect(parseDelay(spec), spec).rejects.toThrow(ParameterError);
      await expect(parseDelay(spec), spec).rejects.toThrow(message);
    }
    await expect(parseDelay('hist:/nonexistent/delays.txt')).rejects.toThrow(/cannot read the delay histogram/);
  });
});

describe('histogram delays', () => {
  it('"value count" lines: bins centred on the values, exact entropy and mean', () => {
    const law = histogramFromText('# delay count\n1 1\n2 2\n3 1\n', 'h.txt');
    // Bins [0.5,1.5), [1.5,2.5), [2.5,3.5) with probabilities 1/4, 1/2, 1/4.
    expect(law.mean).toBeCloseTo(2, 12);
    expect(law.entropyBits).toBeCloseTo(1.5, 12);
    expect(law.density(2)).toBeCloseTo(0.5, 12);
    expect(law.density(0.4)).toBe(0);
    expect(law.cdf(1.5)).toBeCloseTo(0.25, 12);
    expect(law.quantile(0.5)).toBeCloseTo(2, 12);
    expect(numericEntropyBits(law)).toBeCloseTo(1.5, 4);
    const rng = new Pcg32(1);
    for (let i = 0; i < 1000; i++) {
      const x = law.sample(rng);
      expect(x >= 0.5 && x < 3.5).toBe(true);
    }
  });

  it('one sample per line: Rice-rule bins over [min, max]', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => (i + 0.5) / 100).join('\n'); // uniform on [0, 10)
    const law = histogramFromText(samples, 's.txt');
    expect(law.params.bins).toBe(20);
    expect(law.mean).toBeCloseTo(5, 1);
    expect(law.entropyBits).toBeCloseTo(Math.log2(10), 2);
  });

  it('refuses bad files with a FormatError naming the line', () => {
    const cases: [string, RegExp][] = [
      ['1 2\nx 3\n', /h\.txt:2: not a decimal number: "x"/],
      ['1 2\n0x10 3\n', /h\.txt:2: not a decimal number: "0x10"/],
      ['1 2\n3 Infinity\n', /h\.txt:2: count must be a finite decimal number >= 0, got "Infinity"/],
      [`1 ${'9'.repeat(100_000)}x\n`, new RegExp(`h\\.txt:1: count must be a finite decimal number >= 0, got "${'9'.repeat(40)}…"$`)],
      ['1 2\n3\n', /h\.txt:2: mixed column counts/],
      ['1 2 3\n', /h\.txt:1: expected "value count"/],
      ['-1 2\n', /h\.txt:1: delays must be >= 0/],
      ['1 -2\n', /h\.txt:1: count must be a finite decimal number >= 0/],
      ['1 0\n2 0\n', /every count is 0/],
      ['# nothing\n', /no delay values/],
      ['5\n5\n', /two distinct samples/],
    ];
    for (const [text, message] of cases) {
      expect(() => histogramFromText(text, 'h.txt'), text).toThrow(FormatError);
      expect(() => histogramFromText(text, 'h.txt'), text).toThrow(message);
    }
  });
});
