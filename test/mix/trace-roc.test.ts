import { describe, expect, it } from 'vitest';
import { traceLinks } from '../../src/analyses/stream-trace.js';
import { checkTraceRocOptions, traceRoc, type RocStreams, type TraceRocOptions } from '../../src/analyses/trace-roc.js';
import { ParameterError } from '../../src/errors.js';
import { parseDelaySync, uniform01 } from '../../src/mix/delays.js';
import { Pcg32 } from '../../src/random.js';

/**
 * traceRoc against independent computations: every pair's score equals traceLinks' score of
 * that target against the same links (the tested single-target path), the AUC and TPR at
 * FPR equal Mann–Whitney and direct counting over those scores, and a case with perfect
 * separation gives AUC 1.
 */

/** Mann–Whitney over all pairs, ties half. */
function directAuc(pos: number[], neg: number[]): number {
  let sum = 0;
  for (const x of pos) for (const y of neg) sum += x > y ? 1 : x === y ? 0.5 : 0;
  return sum / (pos.length * neg.length);
}

/** Largest TPR over thresholds (each score and +∞) with FPR ≤ α. */
function directTpr(pos: number[], neg: number[], alpha: number): number {
  let best = 0;
  for (const t of [Infinity, ...pos, ...neg]) {
    if (neg.filter((y) => y >= t).length > alpha * neg.length) continue;
    best = Math.max(best, pos.filter((x) => x >= t).length / pos.length);
  }
  return best;
}

/** F flows through an exponential mix: flow i's input, its link (delayed beside cover), and two links of cover only. */
function recordedFlows(seed: number, flows: number): RocStreams {
  const rng = new Pcg32(seed);
  const delay = parseDelaySync('exp:2');
  const targets = [];
  const links = [];
  for (let i = 0; i < flows; i++) {
    const input = Array.from({ length: 15 + (i % 4) * 5 }, () => 100 + uniform01(rng) * 20);
    targets.push({ name: `f${i}`, times: input });
    const cover = Array.from({ length: 40 }, () => 100 + uniform01(rng) * 24);
    links.push({ name: `f${i}`, times: [...input.map((t) => t + delay.sample(rng)), ...cover] });
  }
  for (const name of ['cover1', 'cover2']) links.push({ name, times: Array.from({ length: 60 }, () => 100 + uniform01(rng) * 24) });
  return { targets, links, window: [100, 124] };
}

describe('traceRoc on recorded streams', () => {
  const delay = parseDelaySync('exp:2');
  const input = recordedFlows(3, 12);

  it("every pair's score is traceLinks' score of that target; AUC and TPR@FPR are Mann–Whitney and direct counts of them", async () => {
    const result = await traceRoc({ input, delay, step: 0.05, keepScores: true, fprs: [0.2, 0.05, 0.01] });
    expect(result).toMatchObject({ mode: 'data', targets: 12, links: 14, window: [100, 124], kernels: 'cpu' });
    const [point] = result.byPackets;
    expect(point.packets).toBeNull();
    expect(point.positives).toBe(12);
    expect(point.negatives).toBe(12 * 14 - 12);
    const pos: number[] = [];
    const neg: number[] = [];
    for (const [t, target] of input.targets.entries()) {
      const single = await traceLinks({ target: target.times, links: input.links, window: input.window }, { delay, step: 0.05 });
      single.links.forEach((l, j) => {
        expect(point.pairScores![t * input.links.length + j]).toBeCloseTo(l.score, 9);
        (l.name === target.name ? pos : neg).push(l.score);
      });
    }
    expect(point.auc.value).toBeCloseTo(directAuc(pos, neg), 9);
    point.atFpr.forEach((o) => expect(o.tpr).toBeCloseTo(directTpr(pos, neg, o.targetFpr), 12));
    expect(point.meanTargetPackets).toBeCloseTo(input.targets.reduce((s, t) => s + t.times.length, 0) / 12, 12);
  });

  it('--sweep-packets on data: the first k packets of each target, as traceLinks sees them', async () => {
    const result = await traceRoc({ input, delay, step: 0.05, sweepPackets: [5, 1000], keepScores: true });
    const [five, all] = result.byPackets;
    expect(five.packets).toBe(5);
    expect(five.meanTargetPackets).toBe(5);
    expect(all.meanTargetPackets).toBeCloseTo(input.targets.reduce((s, t) => s + t.times.length, 0) / 12, 12); // shorter streams keep all
    const first = Array.from(input.targets[7].times).sort((a, b) => a - b).slice(0, 5);
    const single = await traceLinks({ target: first, links: input.links, window: input.window }, { delay, step: 0.05 });
    single.links.forEach((l, j) => expect(five.pairScores![7 * input.links.length + j]).toBeCloseTo(l.score, 9));
  });

  it('refuses data with no true pair, only true pairs, duplicate names, or a target outside the window', async () => {
    const links = [{ name: 'X', times: [1, 2] }];
    await expect(traceRoc({ input: { targets: [{ name: 'A', times: [1] }], links }, delay })).rejects.toThrow(/no true pair/);
    await expect(traceRoc({ input: { targets: [{ name: 'X', times: [1] }], links }, delay })).rejects.toThrow(/no false pair/);
    await expect(traceRoc({ input: { targets: [{ name: 'X', times: [1] }, { name: 'X', times: [2] }], links }, delay })).rejects.toThrow(/two targets are named "X"/);
    await expect(traceRoc({ input: { targets: [{ name: 'X', times: [1] }, { name: 'B', times: [9] }], links, window: [0, 3] }, delay })).rejects.toThrow(/target "B" has no packet inside/);
    await expect(traceRoc({ input: { targets: [{ name: 'X', times: [1] }], links } })).rejects.toThrow(/need the mix's delay law/);
  });
});

describe('traceRoc simulation', () => {
  it('a packet count gives the same ROC alone and in a sweep; the pairs are T true and T(T − 1) false', async () => {
    const options = { targets: 30, seed: 5 };
    const alone = await traceRoc({ ...options, packets: 10, keepScores: true });
    const sweep = await traceRoc({ ...options, sweepPackets: [3, 10], keepScores: true });
    expect(sweep.byPackets[1]).toEqual(alone.byPackets[0]);
    expect(alone.byPackets[0]).toMatchObject({ positives: 30, negatives: 30 * 29, packets: 10, meanTargetPackets: 10 });
    expect(alone).toMatchObject({ mode: 'simulation', targets: 30, links: 30, signalRate: 50, coverRate: 150, delay: 'exp:30' });
    // The diagonal of the score matrix is the positives: their Mann–Whitney against the rest is the AUC.
    const scores = alone.byPackets[0].pairScores!;
    const pos: number[] = [];
    const neg: number[] = [];
    scores.forEach((s, p) => (Math.floor(p / 30) === p % 30 ? pos : neg).push(s));
    expect(alone.byPackets[0].auc.value).toBeCloseTo(directAuc(pos, neg), 12);
  });

  it('no cover and a delay much shorter than the gaps: every target is found (AUC 1, TPR 1 at FPR 1e-3)', async () => {
    const result = await traceRoc({ targets: 40, packets: 30, coverRate: 0, delay: parseDelaySync('exp:1000'), step: 1e-4 });
    const [point] = result.byPackets;
    expect(point.auc.value).toBe(1);
    expect(point.atFpr.map((o) => o.tpr)).toEqual([1, 1, 1]);
  });

  it('more observed packets separate better (Danezis example, 100 targets)', async () => {
    const result = await traceRoc({ sweepPackets: [2, 50], targets: 100 });
    const [few, many] = result.byPackets;
    // Both AUCs are estimated to about ±0.03 (DeLong): the gap is many standard errors wide.
    expect(many.auc.value - few.auc.value).toBeGreaterThan(4 * Math.hypot(many.auc.se, few.auc.se));
    expect(result.method.aucCi).toMatch(/DeLong/);
    expect(result.method.tprCi).toMatch(/Wilson/);
  });

  it('checks its parameters before any work', async () => {
    await expect(traceRoc({ packets: 5, sweepPackets: [5] })).rejects.toThrow(ParameterError);
    await expect(traceRoc({ targets: 1 })).rejects.toThrow(/number of targets must be an integer in 2\.\.100000, got 1/);
    await expect(traceRoc({ fprs: [0.1, 1] })).rejects.toThrow(/target FPRs must be in \(0, 1\)/);
    await expect(traceRoc({ sweepPackets: [] })).rejects.toThrow(/at least one count/);
    await expect(traceRoc({ packets: 0 })).rejects.toThrow(/packet count must be an integer/);
    await expect(traceRoc({ coverRate: -1 })).rejects.toThrow(/cover rate must be a non-negative number/);
    await expect(traceRoc({ targets: 5000 })).rejects.toThrow(/25000000 pairs, more than 16777216/);
    await expect(traceRoc({ targets: 2000, packets: 20_000 })).rejects.toThrow(/exceed 16777216; use fewer targets/);
    await expect(traceRoc({ targets: 2, packets: 1_000_000 })).rejects.toThrow(/a grid of 6000139 points is too fine/);
  });

  it('checkTraceRocOptions refuses what traceRoc refuses, with its message, and scores nothing', async () => {
    const bad: TraceRocOptions[] = [
      { targets: 1 }, { fprs: [0.1, 1] }, { packets: 0 }, { coverRate: -1 }, { targets: 5000 }, { targets: 2000, packets: 20_000 }, { targets: 2, packets: 1_000_000 },
      { input: { targets: [{ name: 'A', times: [1] }], links: [{ name: 'X', times: [1, 2] }] }, delay: parseDelaySync('exp:1') },
    ];
    for (const options of bad) {
      const run = await traceRoc(options).then(() => undefined, (e: Error) => e.message);
      expect(run, JSON.stringify(options)).toBeDefined();
      expect(() => checkTraceRocOptions(options), JSON.stringify(options)).toThrow(run);
    }
    // Good options pass without touching the kernels (whose every call would throw here).
    const untouchable = new Proxy({}, { get: (_t, key) => (key === 'info' ? { name: 'none', precision: 'float64' } : () => { throw new Error(`kernels.${String(key)} called`); }) });
    expect(() => checkTraceRocOptions({ targets: 50, sweepPackets: [5, 20], kernels: untouchable as TraceRocOptions['kernels'] })).not.toThrow();
  });
});
