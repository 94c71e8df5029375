/**
 * A mixnet sweep over several delay laws (issue 15: "entropy vs λ/μ per law"): each law's
 * line is exactly the single-law sweep run alone with the same options and seed, the writers
 * put one row per (law, value) with the law in its own field, and the overlay chart draws a
 * line and a CI per law with Danezis' log2(λe/μ) once across every law's loads.
 */
import { describe, expect, it } from 'vitest';
import { mixnetLawSweep, mixnetSweep, type MixnetLawSweepResult } from '../../src/analyses/mixnet.js';
import { ParameterError } from '../../src/errors.js';
import { parseDelay } from '../../src/mix/delays.js';
import {
  MIXNET_CSV_COLUMNS,
  mixnetLawSweepCsv,
  mixnetLawSweepEntropyChart,
  mixnetLawSweepJson,
  mixnetLawSweepLatencyChart,
  mixnetLawSweepRows,
  mixnetSweepCsv,
  mixnetSweepJson,
  mixnetSweepRows,
} from '../../src/report/mixnet-report.js';

const base = { layers: 1, width: 1, clients: 6, targets: 3, replications: 2, seed: 5 };
const specs = ['exp:1', 'uniform:0,4', 'erlang:3,2'];

describe('mixnetLawSweep', () => {
  let result: MixnetLawSweepResult;
  const rates = [4, 16];

  it('each law: exactly the single-law sweep of that law with the same options and seed', async () => {
    const laws = await Promise.all(specs.map((s) => parseDelay(s)));
    result = await mixnetLawSweep({ ...base, laws, parameter: 'rate', values: rates });
    expect(result.laws).toEqual(specs);
    expect(result.sweep).toEqual({ parameter: 'rate', values: rates });
    for (const [k, delay] of laws.entries()) {
      const alone = await mixnetSweep({ ...base, delay, parameter: 'rate', values: rates });
      expect(result.sweeps[k]).toEqual(alone);
    }
    // The laws differ: not one sweep copied three times.
    expect(result.sweeps[0].points[0].perTarget).not.toEqual(result.sweeps[1].points[0].perTarget);
  });

  it('a mu sweep rescales every law to the mean 1/μ', async () => {
    const laws = await Promise.all(['exp:2', 'uniform:0,1'].map((s) => parseDelay(s)));
    const s = await mixnetLawSweep({ ...base, rate: 10, laws, parameter: 'mu', values: [0.5, 4] });
    expect(s.sweeps.map((sweep) => sweep.points.map((p) => [p.delay.kind, p.delay.mean]))).toEqual([
      [['exp', 2], ['exp', 0.25]],
      [['uniform', 2], ['uniform', 0.25]],
    ]);
  });

  it('checks every law and point before the first runs; a law given twice is refused', async () => {
    const exp = await parseDelay('exp:1');
    let progress = 0;
    const run = (laws: Awaited<ReturnType<typeof parseDelay>>[], values: number[]) => mixnetLawSweep({ ...base, laws, parameter: 'layers', values, onProgress: () => progress++ });
    await expect(run([exp, await parseDelay('pareto:0.5,1')], [1])).rejects.toThrow(/pareto:0\.5,1 has no finite mean/);
    await expect(run([exp, await parseDelay('uniform:0,2')], [1, 0])).rejects.toThrow(/layers must be an integer in 1\.\.64, got 0/);
    await expect(run([exp, await parseDelay('exp:1')], [1])).rejects.toThrow(/the delay law exp:1 is given twice/);
    await expect(run([], [1])).rejects.toThrow(ParameterError);
    expect(progress).toBe(0);
  });

  it('JSON, CSV and table rows: one per (law, value), law after law, the single-law writers with the law in front', () => {
    const json = JSON.parse(mixnetLawSweepJson(result));
    expect(Object.keys(json)).toEqual(['sweep', 'laws', 'points']);
    expect(json.laws).toEqual(specs);
    expect(json.points.map((p: { law: string; value: number }) => [p.law, p.value])).toEqual(specs.flatMap((law) => rates.map((v) => [law, v])));
    result.sweeps.forEach((sweep, k) => {
      const alone = JSON.parse(mixnetSweepJson(sweep)).points;
      const mine = json.points.slice(k * rates.length, (k + 1) * rates.length).map(({ law, value, ...point }: Record<string, unknown>) => point);
      expect(mine).toEqual(alone);
    });
    const csv = mixnetLawSweepCsv(result).trim().split('\n');
    expect(csv[0]).toBe(['law', ...MIXNET_CSV_COLUMNS].join(','));
    const quoted = (law: string) => (law.includes(',') ? `"${law}"` : law);
    const expected = result.sweeps.flatMap((sweep, k) => mixnetSweepCsv(sweep).trim().split('\n').slice(1).map((line) => `${quoted(specs[k])},${line}`));
    expect(csv.slice(1)).toEqual(expected);
    const rows = mixnetLawSweepRows(result);
    expect(rows[0]).toEqual(['law', ...mixnetSweepRows(result.sweeps[0])[0]]);
    expect(rows.slice(1)).toEqual(result.sweeps.flatMap((sweep, k) => mixnetSweepRows(sweep).slice(1).map((row) => [specs[k], ...row])));
  });

  it('the overlay: a line and a 95% CI per law at λ·E[D], log2(λe/μ) once across all loads; latency mean and p99 per law', () => {
    const chart = mixnetLawSweepEntropyChart(result);
    expect(chart.xScale).toBe('log');
    const lines = chart.series.filter((s) => specs.includes(s.name));
    expect(lines.map((s) => s.name)).toEqual(specs);
    const means = [1, 2, 1.5]; // E[D] of exp:1, uniform:0,4, erlang:3,2
    lines.forEach((line, k) => {
      expect(line.x).toEqual(rates.map((r) => r * means[k]));
      expect(line.y).toEqual(result.sweeps[k].points.map((p) => p.entropy.mean));
    });
    expect(new Set(lines.map((s) => s.color)).size).toBe(specs.length);
    expect(chart.bands!.map((b) => [b.name, b.lower, b.upper])).toEqual(
      result.sweeps.map((sweep, k) => [`${specs[k]} 95% CI`, sweep.points.map((p) => p.entropy.ci95[0]), sweep.points.map((p) => p.entropy.ci95[1])]),
    );
    const danezis = chart.series.filter((s) => s.name.startsWith('log2(λe/μ)'));
    expect(danezis).toHaveLength(1);
    expect(danezis[0].x[0]).toBeCloseTo(4, 12);
    expect(danezis[0].x.at(-1)).toBeCloseTo(32, 12);
    danezis[0].x.forEach((x, i) => expect(danezis[0].y[i]).toBeCloseTo(Math.log2(x * Math.E), 12));
    const latency = mixnetLawSweepLatencyChart(result);
    expect(latency.series.map((s) => s.name)).toEqual(specs.flatMap((law) => [`${law} mean`, `${law} p99`]));
    expect(latency.series[2].y).toEqual(result.sweeps[1].points.map((p) => p.latency.mean));
    expect(latency.series[5].y).toEqual(result.sweeps[2].points.map((p) => p.latency.p99));
  });
});
