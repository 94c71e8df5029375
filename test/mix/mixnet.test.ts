import { describe, expect, it } from 'vitest';
import { mergeMixnetShards, mixnetAnonymity, mixnetPoolMeansJob, mixnetShard, mixnetSweep } from '../../src/analyses/mixnet.js';
import { mixnetShardFile, mixnetShardOfFile } from '../../src/analyses/mixnet-shards.js';
import { poolMeansReference } from '../../src/engines/cpu/pool-means.js';
import { NO_COLUMN, NO_MARK, POOL_EVENT, type MixKernels, type PoolMeansJob } from '../../src/engines/mix-kernels.js';
import { referenceMixKernels } from '../../src/engines/reference.js';
import { FormatError, ParameterError } from '../../src/errors.js';
import { expDelay } from '../../src/mix/delays.js';
import { simulateMixnet, type MixnetEventLog, type MixnetTraffic } from '../../src/mix/mixnet-simulator.js';
import { mixnetTopology, type MixnetTopology } from '../../src/mix/mixnet-topology.js';
import { mixnetShardsThroughFiles } from '../helpers/mixnet-shards.js';

const { inject, arrive, depart, exit } = POOL_EVENT;

function traffic(over: Partial<MixnetTraffic>): MixnetTraffic {
  return { clients: 2, rate: 1, loopRate: 0, dropRate: 0, mixLoopRate: 0, delay: expDelay(1), targets: 2, burnIn: 1, window: 2, coolDown: 3, ...over };
}

/**
 * The exact Bayesian posterior of "exit j carries injected packet i", by enumerating every
 * assignment of a mix's departures to the packets in its pool, each weighted by its
 * likelihood under exponential delays of rate μ: Π μ e^{−μ·(departure − arrival)} over the
 * packets that left a mix, and e^{−μ·(end − arrival)} for those still inside at the end.
 * Returns posterior[j][i] over the exits j in log order.
 */
function enumeratePosterior(log: MixnetEventLog, mu: number): { posterior: number[][]; labels: number[][] } {
  const events = log.events;
  const times = log.times!;
  const E = events.length / 4;
  const labels: number[][] = []; // the columns each injected packet carries
  const exits: number[] = [];
  for (let e = 0; e < E; e++) {
    if (events[4 * e] === inject) labels.push([events[4 * e + 2], events[4 * e + 3]].filter((c) => c !== NO_COLUMN));
    if (events[4 * e] === exit) exits.push(e);
  }
  const posterior = exits.map(() => new Array<number>(labels.length).fill(0));
  let total = 0;
  const carried = new Map<number, number>(); // slot → identity
  const pools = new Map<number, { id: number; since: number }[]>();
  const exitCarries: number[] = [];
  let nextId = 0;
  const walk = (e: number, weight: number): void => {
    if (e === E) {
      let w = weight;
      for (const pool of pools.values()) for (const p of pool) w *= Math.exp(-mu * (log.end - p.since));
      total += w;
      exitCarries.forEach((id, j) => (posterior[j][id] += w));
      return;
    }
    const code = events[4 * e];
    const slot = events[4 * e + 1];
    const mix = events[4 * e + 2];
    if (code === inject) {
      const before = carried.get(slot);
      carried.set(slot, nextId++);
      walk(e + 1, weight);
      nextId--;
      if (before === undefined) carried.delete(slot);
      else carried.set(slot, before);
    } else if (code === arrive) {
      const pool = pools.get(mix) ?? [];
      pools.set(mix, pool);
      pool.push({ id: carried.get(slot)!, since: times[e] });
      walk(e + 1, weight);
      pool.pop();
    } else if (code === depart) {
      const pool = pools.get(mix)!;
      const before = carried.get(slot);
      for (let i = 0; i < pool.length; i++) {
        const [p] = pool.splice(i, 1);
        carried.set(slot, p.id);
        walk(e + 1, weight * mu * Math.exp(-mu * (times[e] - p.since)));
        pool.splice(i, 0, p);
      }
      carried.set(slot, before!);
    } else {
      exitCarries.push(carried.get(slot)!);
      walk(e + 1, weight);
      exitCarries.pop();
    }
  };
  walk(0, 1);
  return { posterior: posterior.map((row) => row.map((p) => p / total)), labels };
}

/** How many complete assignments the enumeration visits: Π over departures of the pool size. */
function assignments(log: MixnetEventLog): number {
  const sizes = new Map<number, number>();
  let product = 1;
  for (let e = 0; e < log.events.length / 4; e++) {
    const [code, , mix] = log.events.subarray(4 * e, 4 * e + 3);
    if (code === arrive) sizes.set(mix, (sizes.get(mix) ?? 0) + 1);
    if (code === depart) {
      product *= sizes.get(mix)!;
      sizes.set(mix, sizes.get(mix)! - 1);
    }
  }
  return product;
}

function jobOf(logs: MixnetEventLog[], topology: MixnetTopology, targets: number): PoolMeansJob {
  return mixnetPoolMeansJob(logs, topology, targets);
}

describe('the pool-mean metric against an exact Bayesian enumeration', () => {
  const cases: [string, MixnetTopology, Partial<MixnetTraffic>][] = [
    ['one mix', mixnetTopology({ layers: 1, width: 1 }), { rate: 2.2 }],
    ['2 × 2 stratified', mixnetTopology({ layers: 2, width: 2 }), { rate: 2.5, targets: 3 }],
    ['2 × 2 with a corrupt mix', mixnetTopology({ layers: 2, width: 2, corrupt: 0.25, seed: 5 }), { rate: 2.5, targets: 3 }],
    ['cascades with cover', mixnetTopology({ kind: 'cascade', layers: 2, width: 2 }), { rate: 1.5, loopRate: 0.3, mixLoopRate: 0.2 }],
    // 0 ⇄ 1, 1 → 2 → 0: three hops may pass a mix twice, its pool shared by every hop.
    ['free routes of 3 hops on a 3-node graph, with mix-loops', mixnetTopology({ kind: 'free', layers: 3, routes: { rowPtr: Uint32Array.of(0, 1, 3, 4), colIdx: Uint32Array.of(1, 0, 2, 0) } }), { rate: 1.5, mixLoopRate: 0.2 }],
  ];
  for (const [name, topology, over] of cases) {
    it(`${name}: every mass, Σ p ln p and marked vector equals the enumerated posterior`, () => {
      const t = traffic(over);
      const T = t.targets;
      let checked = 0;
      for (let seed = 1; checked < 4 && seed < 200; seed++) {
        const log = simulateMixnet(topology, t, seed, 0, true);
        const count = assignments(log);
        if (count > 60_000 || !log.targetsSent.some((s) => s)) continue;
        checked++;
        const { posterior, labels } = enumeratePosterior(log, 1);
        const result = poolMeansReference(jobOf([log], topology, T));
        const C = T + 2;
        for (let c = 0; c < C; c++) {
          // P(exit j carries column c) = Σ over injected packets labelled c.
          const perExit = posterior.map((row) => row.reduce((sum, p, i) => sum + (labels[i].includes(c) ? p : 0), 0));
          const mass = perExit.reduce((a, b) => a + b, 0);
          const plogp = perExit.reduce((a, p) => a + (p > 0 ? p * Math.log(p) : 0), 0);
          expect(result.mass[c]).toBeCloseTo(mass, 10);
          expect(result.plogp[c]).toBeCloseTo(plogp, 10);
        }
        // The marked exit of target t: its own packet, whatever it is believed to carry.
        let j = 0;
        for (let e = 0; e < log.events.length / 4; e++) {
          if (log.events[4 * e] !== exit) continue;
          const mark = log.events[4 * e + 2];
          if (mark !== NO_MARK) {
            for (let c = 0; c < C; c++) {
              const p = posterior[j].reduce((sum, q, i) => sum + (labels[i].includes(c) ? q : 0), 0);
              expect(result.marked[mark * C + c]).toBeCloseTo(p, 10);
            }
          }
          j++;
        }
      }
      expect(checked).toBe(4);
    });
  }
});

describe('one mix with Poisson input and exponential delay: Danezis log2(λe/μ)', () => {
  // Independent runs (one replication each, its targets far apart) give a standard error of
  // the mean; the closed form is the large-λ limit and the metric's finite-load correction is
  // O(μ/λ) bits, allowed as 2μ/λ beside 3 standard errors.
  for (const [lambda, mu] of [
    [50, 1],
    [40, 0.2],
  ]) {
    it(`λ = ${lambda}, μ = ${mu}`, async () => {
      const runs = 24;
      const means: number[] = [];
      for (let seed = 1; seed <= runs; seed++) {
        const r = await mixnetAnonymity({ layers: 1, width: 1, clients: 2, rate: lambda, delay: expDelay(mu), targets: 10, replications: 1, window: 200 / mu, seed });
        expect(r.targets.unexitedMass).toBeLessThan(1e-3);
        means.push(r.entropy.mean);
      }
      const mean = means.reduce((a, b) => a + b, 0) / runs;
      const se = Math.sqrt(means.reduce((a, m) => a + (m - mean) ** 2, 0) / (runs - 1) / runs);
      const closed = Math.log2((lambda * Math.E) / mu);
      expect(Math.abs(mean - closed)).toBeLessThan(3 * se + (2 * mu) / lambda);
    }, 60_000);
  }
});

describe('corrupt mixes', () => {
  it('a hand-worked log: an honest mix then a corrupt one that passes each vector on', () => {
    // Mix 0 honest, mix 1 corrupt (no events). Target a (column 0) and b arrive: mean 1, then 1/2;
    // one leaves with 1/2; c arrives: (1·1/2 + 0)/2 = 1/4; two leave with 1/4 each.
    const N = NO_COLUMN;
    const events = Uint32Array.from([
      [inject, 0, 0, N], [arrive, 0, 0, 0],
      [inject, 1, N, N], [arrive, 1, 0, 1],
      [depart, 2, 0, 0], [exit, 2, 0, 0],
      [inject, 3, N, N], [arrive, 3, 0, 1],
      [depart, 4, 0, 0], [exit, 4, NO_MARK, 0],
      [depart, 5, 0, 0], [exit, 5, NO_MARK, 0],
    ].flat());
    const result = poolMeansReference({ events, eventOffsets: Uint32Array.from([0, 12]), columns: 1, mixes: 2, slots: 6, marks: 1 });
    expect(result.mass[0]).toBeCloseTo(1, 15);
    expect(-result.plogp[0] / Math.LN2).toBeCloseTo(1.5, 14); // −(½ log2 ½ + 2 · ¼ log2 ¼)
    expect(result.marked[0]).toBe(0.5);
  });

  it('the simulator logs nothing at corrupt mixes; round(F·mixes) of them, the same for a seed', () => {
    const topology = mixnetTopology({ layers: 3, width: 4, corrupt: 0.3, seed: 9 });
    const corrupt = [...topology.corrupt.keys()].filter((m) => topology.corrupt[m]);
    expect(corrupt).toHaveLength(4);
    expect(mixnetTopology({ layers: 3, width: 4, corrupt: 0.3, seed: 9 }).corrupt).toEqual(topology.corrupt);
    const log = simulateMixnet(topology, traffic({ rate: 20, targets: 4 }), 3, 0);
    const touched = new Set<number>();
    for (let e = 0; e < log.events.length / 4; e++) if (log.events[4 * e] === arrive || log.events[4 * e] === depart) touched.add(log.events[4 * e + 2]);
    expect(corrupt.filter((m) => touched.has(m))).toEqual([]);
    expect(touched.size).toBe(12 - 4);
  });

  it('every mix corrupt: each target is traced (0 bits) and the other sender is excluded (δ = 1)', async () => {
    const r = await mixnetAnonymity({ layers: 2, width: 2, corrupt: 1, rate: 20, clients: 4, targets: 6, replications: 2 });
    expect(r.corrupt.mixes).toEqual([0, 1, 2, 3]);
    expect(r.entropy.max).toBe(0);
    expect(r.unlinkability.delta).toBe(1);
    expect(r.unlinkability.epsilonMean).toBeNaN();
  });
});

describe('mixnetAnonymity', () => {
  it('latency of L exponential hops: mean L/μ, median of the Erlang(L, μ)', async () => {
    const r = await mixnetAnonymity({ layers: 3, width: 2, rate: 40, delay: expDelay(2), targets: 10, replications: 4 });
    const n = r.latency.count;
    expect(n).toBeGreaterThan(1000);
    // Erlang(3, 2): mean 1.5, sd √3/2; median 1.3370 (the root of its CDF at ½, computed here).
    expect(Math.abs(r.latency.mean - 1.5)).toBeLessThan((4 * Math.sqrt(3)) / 2 / Math.sqrt(n));
    const cdf = (x: number) => 1 - Math.exp(-2 * x) * (1 + 2 * x + 2 * x * x);
    let lo = 0, hi = 10;
    for (let i = 0; i < 60; i++) ((cdf((lo + hi) / 2) < 0.5) ? (lo = (lo + hi) / 2) : (hi = (lo + hi) / 2));
    expect(Math.abs(r.latency.p50 - lo)).toBeLessThan(0.06);
  });

  it('cover traffic raises the entropy; corrupt mixes lower it (same seed)', async () => {
    const base = { layers: 2, width: 2, rate: 10, targets: 20, replications: 4, seed: 4 } as const;
    const plain = await mixnetAnonymity(base);
    const covered = await mixnetAnonymity({ ...base, loopRate: 0.2, mixLoopRate: 5 });
    const corrupted = await mixnetAnonymity({ ...base, corrupt: 0.5 });
    expect(covered.entropy.ci95[0]).toBeGreaterThan(plain.entropy.ci95[1]);
    expect(corrupted.entropy.ci95[1]).toBeLessThan(plain.entropy.ci95[0]);
    expect(covered.rate.total).toBeCloseTo(10 + 100 * 0.2 + 4 * 5, 12);
  });

  it('sweeps check every point first', async () => {
    await expect(mixnetSweep({ parameter: 'layers', values: [1, 0] })).rejects.toThrow(/layers must be an integer in 1\.\.64, got 0/);
    const s = await mixnetSweep({ parameter: 'mu', values: [1, 4], layers: 1, width: 1, rate: 20, targets: 10, replications: 2 });
    expect(s.points.map((p) => p.delay.mean)).toEqual([1, 0.25]);
  });

  it('refuses bad parameters before any work', async () => {
    await expect(mixnetAnonymity({ rate: 0 })).rejects.toThrow(ParameterError);
    await expect(mixnetAnonymity({ clients: 1 })).rejects.toThrow(/clients must be an integer in 2\.\./);
    await expect(mixnetAnonymity({ corrupt: 1.5 })).rejects.toThrow(/corrupt share must be in \[0, 1\]/);
    await expect(mixnetAnonymity({ layers: 2, width: 2, weights: [1, 2, 3] })).rejects.toThrow(/3 weights for 2 × 2 = 4 mixes/);
    await expect(mixnetAnonymity({ rate: 1e7 })).rejects.toThrow(/events per replication is too many/);
  });
});

describe('mixnet shards', () => {
  const job = { layers: 2, width: 2, rate: 12, loopRate: 0.1, corrupt: 0.25, targets: 4, replications: 7, seed: 3 } as const;

  it('3 uneven slices of the replications, through both file encodings, merge into exactly the whole run', async () => {
    const whole = await mixnetAnonymity(job);
    const shards = await mixnetShardsThroughFiles(job, 3);
    expect(shards.map((s) => [s.first, s.count])).toEqual([[0, 2], [2, 2], [4, 3]]);
    expect(mergeMixnetShards(shards.reverse())).toEqual(whole);
  });

  it('busy replications go to the kernels in several calls, each simulated while the last computes: the same outcomes as one replication per run (to the bit)', async () => {
    // ~1.5M events (6M words) a replication: a call takes replications until it holds 16M words.
    const busy = { layers: 1, width: 1, clients: 10, rate: 5000, targets: 2, burnIn: 1, window: 75, coolDown: 5, replications: 5, seed: 2 } as const;
    const calls: number[] = [];
    const counting: MixKernels = {
      info: referenceMixKernels.info,
      convolve: (j) => referenceMixKernels.convolve(j),
      scoreLinks: (j) => referenceMixKernels.scoreLinks(j),
      mixEntropies: (j) => referenceMixKernels.mixEntropies(j),
      poolMeans: (j) => (calls.push(j.eventOffsets.length - 1), referenceMixKernels.poolMeans(j)),
      dispose: () => undefined,
    };
    const whole = await mixnetAnonymity({ ...busy, kernels: counting });
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(busy.replications);
    const alone = [];
    for (let index = 0; index < busy.replications; index++) alone.push(await mixnetShard({ ...busy, shard: { index, count: busy.replications } }));
    expect(alone.every((s) => s.count === 1)).toBe(true);
    expect(mergeMixnetShards(alone)).toEqual(whole);
  }, 60_000);

  it('refuses shards of different jobs (naming the field) and a column of the wrong length (naming the file)', async () => {
    const a = await mixnetShard({ ...job, shard: { index: 0, count: 2 } });
    const b = await mixnetShard({ ...job, rate: 13, shard: { index: 1, count: 2 } });
    expect(() => mergeMixnetShards([a, b], ['a.json', 'b.json'])).toThrow(/b\.json is a shard of another job than a\.json; they differ in rate\.real \(12 in a\.json, 13 in b\.json\)/);
    const file = mixnetShardFile(a);
    file.columns.entropy = file.columns.entropy.subarray(1);
    expect(() => mixnetShardOfFile(file, 'cut.json')).toThrow(FormatError);
    expect(() => mixnetShardOfFile(file, 'cut.json')).toThrow(/cut\.json.*column "entropy" has 11 values, but the shard's 3 replications need 12/);
  });
});
