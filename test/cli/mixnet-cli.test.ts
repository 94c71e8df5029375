/**
 * `anonscope mixnet` as a user runs it: the JSON the issue asks for, checked against float64
 * computations of its own per-target entropies; one mix against Danezis' log2(λe/μ); a
 * cascade's latency against the Erlang law of L exponential hops; a sweep's rows and plots;
 * bad options refused with exit code 2 naming the option; and 4 shards merged = the run.
 * Free routes over a graph file: the library's run on the same graph, the refusals, and
 * shards of two graphs refused at the merge.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { exitCodeOf, main } from '../../src/cli/main.js';
import { mergeCommand } from '../../src/cli/merge.js';
import { MIXNET_HELP, mixnetCommand } from '../../src/cli/mixnet.js';
import { mixnetAnonymity } from '../../src/analyses/mixnet.js';
import { mixnetSweepEntropyChart } from '../../src/report/mixnet-report.js';
import { runCommand } from '../helpers/cli.js';
import { csrFromEdges } from '../helpers/graphs.js';
import { chartFile } from '../helpers/svg.js';

const mixnet = (...argv: string[]) => runCommand(mixnetCommand, ...argv);

/** Every number of two JSON values within `tolerance` (relative to 1 + |a|); everything else equal. */
function expectClose(a: unknown, b: unknown, tolerance: number, path = '$'): void {
  if (typeof a === 'number' && typeof b === 'number') {
    expect(Math.abs(a - b), path).toBeLessThanOrEqual(tolerance * (1 + Math.abs(a)));
  } else if (Array.isArray(a) && Array.isArray(b)) {
    expect(b.length, path).toBe(a.length);
    a.forEach((v, i) => expectClose(v, b[i], tolerance, `${path}[${i}]`));
  } else if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    expect(Object.keys(b as object).sort(), path).toEqual(Object.keys(a as object).sort());
    for (const key of Object.keys(a)) expectClose((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], tolerance, `${path}.${key}`);
  } else {
    expect(b, path).toEqual(a);
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anonscope-mixnet-cli-'));
});
afterEach(() => vi.restoreAllMocks());

describe('anonscope mixnet', () => {
  it('--format json: the fields of issue 15; mean, CI and CDF recomputed in float64 from every target of results.json', async () => {
    const out = join(dir, 'json');
    const { stdout, stderr } = await mixnet('--layers', '2', '--width', '2', '--rate', '20', '--targets', '10', '--replications', '3', '--format', 'json', '--out', out);
    expect(stderr).toMatch(/wrote results\.json, mixnet\.csv, mixnet-entropy-cdf\.svg/);
    const json = JSON.parse(stdout);
    for (const field of ['topology', 'rate', 'delay', 'corrupt', 'targets', 'entropy', 'unlinkability', 'latency', 'entropyCdf']) expect(json).toHaveProperty(field);
    expect(json.perTarget).toBeUndefined();
    expect(Object.keys(json.unlinkability).sort()).toEqual(['delta', 'epsilonMean', 'epsilonSd']);
    expect(json.topology).toEqual({ kind: 'stratified', layers: 2, width: 2, mixes: 4, routing: 'uniform' });
    expect(json.delay).toEqual({ spec: 'exp:1', kind: 'exp', mean: 1 });
    expect(json.targets).toMatchObject({ perReplication: 10, replications: 3, total: 30 });

    const full = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const entropies: number[] = full.perTarget.filter((h: number | null) => h !== null);
    expect(full.perTarget).toHaveLength(json.targets.sent);
    const n = entropies.length;
    const mean = entropies.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(entropies.reduce((a, h) => a + (h - mean) ** 2, 0) / (n - 1));
    expect(json.entropy.mean).toBeCloseTo(mean, 12);
    expect(json.entropy.sd).toBeCloseTo(sd, 12);
    expect(json.entropy.ci95[0]).toBeCloseTo(mean - (1.96 * sd) / Math.sqrt(n), 3);
    expect(json.entropy.ci95[1]).toBeCloseTo(mean + (1.96 * sd) / Math.sqrt(n), 3);
    // The CDF: at each distinct entropy, the share of targets at or below it.
    const distinct = [...new Set(entropies)].sort((a, b) => a - b);
    expect(json.entropyCdf.value).toEqual(distinct);
    json.entropyCdf.probability.forEach((p: number, i: number) => expect(p).toBe(entropies.filter((h) => h <= distinct[i]).length / n));

    const csv = readFileSync(join(out, 'mixnet.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(2);
    const row = Object.fromEntries(csv[0].split(',').map((k, i) => [k, csv[1].split(',')[i]]));
    expect(Number(row.entropy_mean)).toBeCloseTo(mean, 8);
    expect(row.topology).toBe('stratified');
    const cdf = chartFile(join(out, 'mixnet-entropy-cdf.svg'));
    expect(cdf.marks).toBeGreaterThanOrEqual(2); // the CDF and its mean
    expect(cdf.text).toContain('stratified, 2 layers × 2 mixes');
  });

  it("one mix (--layers 1 --width 1), Poisson input, exponential delay: Danezis' log2(λe/μ)", async () => {
    // One target per replication, so the targets are independent and the CI is that of their
    // mean; the closed form is the large-λ limit, the metric's finite-load term O(μ/λ) bits.
    const [lambda, mu] = [50, 1];
    const { stdout } = await mixnet('--layers', '1', '--width', '1', '--clients', '2', '--rate', String(lambda), '--delay', `exp:${mu}`, '--targets', '1', '--replications', '300', '--format', 'json', '--quiet');
    const json = JSON.parse(stdout);
    expect(json.targets.sent).toBe(300);
    expect(json.targets.unexitedMass).toBeLessThan(1e-3);
    const se = (json.entropy.ci95[1] - json.entropy.ci95[0]) / (2 * 1.959963984540054);
    const closed = Math.log2((lambda * Math.E) / mu);
    expect(Math.abs(json.entropy.mean - closed)).toBeLessThan(3 * se + (2 * mu) / lambda);
  }, 60_000);

  it('a cascade of L exponential hops: latency mean L/μ and the Erlang(L, μ) median', async () => {
    const [L, mu] = [3, 2];
    const { stdout } = await mixnet('--topology', 'cascade', '--layers', String(L), '--width', '2', '--rate', '40', '--delay', `exp:${mu}`, '--targets', '5', '--replications', '4', '--format', 'json', '--quiet');
    const json = JSON.parse(stdout);
    expect(json.topology.kind).toBe('cascade');
    const n = json.latency.count;
    expect(n).toBeGreaterThan(1000);
    expect(Math.abs(json.latency.mean - L / mu)).toBeLessThan((4 * Math.sqrt(L)) / mu / Math.sqrt(n));
    // The Erlang(3, 2) CDF 1 − e^{−2x}(1 + 2x + 2x²), its median by bisection.
    const cdf = (x: number) => 1 - Math.exp(-mu * x) * (1 + mu * x + (mu * x) ** 2 / 2);
    let [lo, hi] = [0, 10];
    for (let i = 0; i < 60; i++) [lo, hi] = cdf((lo + hi) / 2) < 0.5 ? [(lo + hi) / 2, hi] : [lo, (lo + hi) / 2];
    expect(Math.abs(json.latency.p50 - lo)).toBeLessThan(0.06);
  });

  it('--sweep rate=…: one CSV row per value on stdout and in mixnet.csv, the CDFs, entropy vs λ/μ with log2(λe/μ), latency', async () => {
    const out = join(dir, 'sweep');
    const rates = [5, 20, 80];
    const { stdout } = await mixnet('--sweep', `rate=${rates.join(',')}`, '--layers', '1', '--width', '1', '--clients', '4', '--delay', 'exp:2', '--targets', '10', '--replications', '2', '--format', 'csv', '--out', out, '--quiet');
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1 + rates.length);
    expect(readFileSync(join(out, 'mixnet.csv'), 'utf8')).toBe(stdout);
    const header = lines[0].split(',');
    const rows = lines.slice(1).map((line) => Object.fromEntries(line.split(',').map((v, i) => [header[i], v])));
    expect(rows.map((r) => [r.parameter, Number(r.value), Number(r.rate), Number(r.load)])).toEqual(rates.map((v) => ['rate', v, v, v / 2]));
    // More traffic per mean delay, more anonymity: every step of 4× in λ/μ adds about 2 bits.
    const entropies = rows.map((r) => Number(r.entropy_mean));
    expect(entropies[1]).toBeGreaterThan(Number(rows[0].entropy_ci95_high));
    expect(entropies[2]).toBeGreaterThan(Number(rows[1].entropy_ci95_high));
    const entropy = chartFile(join(out, 'mixnet-entropy-vs-rate.svg'));
    expect(entropy.marks).toBeGreaterThanOrEqual(2); // the simulated mean and log2(λe/μ)
    expect(entropy.text).toContain('log2(λe/μ)');
    expect(entropy.text).toContain('stratified, 1 layer × 1 mix');
    expect(chartFile(join(out, 'mixnet-latency-vs-rate.svg')).marks).toBeGreaterThanOrEqual(4); // mean, median, p90, p99
    expect(chartFile(join(out, 'mixnet-entropy-cdf.svg')).marks).toBeGreaterThanOrEqual(rates.length);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.sweep).toEqual({ parameter: 'rate', values: rates });
    expect(results.points.map((p: { rate: { real: number } }) => p.rate.real)).toEqual(rates);
  });

  it('--sweep mu=…: the same law scaled to the mean 1/μ at each value, plotted against λ/μ beside log2(λe/μ); --mu does it for one run', async () => {
    const out = join(dir, 'mu');
    const { stdout } = await mixnet('--sweep', 'mu=0.5,2', '--layers', '1', '--width', '1', '--rate', '10', '--delay', 'erlang:2,4', '--targets', '5', '--replications', '1', '--format', 'json', '--out', out, '--quiet');
    const json = JSON.parse(stdout);
    expect(json.points.map((p: { delay: { kind: string; mean: number } }) => [p.delay.kind, p.delay.mean])).toEqual([['erlang', 2], ['erlang', 0.5]]);
    const chart = mixnetSweepEntropyChart(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
    expect(chart.xScale).toBe('log');
    expect(chart.series[0].x).toEqual([20, 5]); // λ·E[D] = 10 · 2 and 10 · 0.5
    const danezis = chart.series.find((series) => series.name.startsWith('log2(λe/μ)'))!;
    expect(danezis.x[0]).toBeCloseTo(5, 12);
    expect(danezis.x.at(-1)).toBeCloseTo(20, 12);
    danezis.x.forEach((x, i) => expect(danezis.y[i]).toBeCloseTo(Math.log2(x) + Math.LOG2E, 12));
    const single = JSON.parse((await mixnet('--mu', '4', '--layers', '1', '--width', '1', '--rate', '10', '--targets', '5', '--replications', '1', '--format', 'json', '--quiet')).stdout);
    expect(single.delay).toEqual({ spec: 'exp:4', kind: 'exp', mean: 0.25 });
  });

  it('--sweep with --delay repeated: one line per law, each exactly the law run alone (rows, JSON, the overlay chart)', async () => {
    const out = join(dir, 'laws');
    const laws = ['exp:2', 'uniform:0,1', 'erlang:2,4'];
    const job = ['--sweep', 'rate=5,20', '--layers', '1', '--width', '1', '--clients', '4', '--targets', '4', '--replications', '2', '--seed', '3', '--quiet'];
    const csv = (await mixnet(...job, ...laws.flatMap((law) => ['--delay', law]), '--format', 'csv', '--out', out)).stdout.trim().split('\n');
    expect(readFileSync(join(out, 'mixnet.csv'), 'utf8').trim()).toBe(csv.join('\n'));
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(json.laws).toEqual(laws);
    for (const [k, law] of laws.entries()) {
      const alone = (await mixnet(...job, '--delay', law, '--format', 'csv')).stdout.trim().split('\n');
      if (k === 0) expect(csv[0]).toBe(`law,${alone[0]}`);
      expect(csv.slice(1 + 2 * k, 3 + 2 * k)).toEqual(alone.slice(1).map((line) => `${law.includes(',') ? `"${law}"` : law},${line}`));
      await mixnet(...job, '--delay', law, '--out', join(out, `alone-${k}`));
      const aloneJson = JSON.parse(readFileSync(join(out, `alone-${k}`, 'results.json'), 'utf8'));
      const mine = json.points.filter((p: { law: string }) => p.law === law).map(({ law: _, value, ...point }: Record<string, unknown>) => point);
      expect(mine).toEqual(aloneJson.points);
    }
    const entropy = chartFile(join(out, 'mixnet-entropy-vs-rate.svg'));
    expect(entropy.marks).toBeGreaterThanOrEqual(laws.length + 1); // a line per law and log2(λe/μ) once
    for (const law of laws) expect(entropy.text).toContain(`${law} 95% CI`);
    expect(entropy.text.split('log2(λe/μ)').length - 1).toBe(1);
    expect(chartFile(join(out, 'mixnet-latency-vs-rate.svg')).marks).toBeGreaterThanOrEqual(2 * laws.length);
    const table = (await mixnet(...job, '--delay', laws[0], '--delay', laws[1])).stdout;
    expect(table).toMatch(/^mixnet sweep over rate = 5, 20 for 2 delay laws \(exp:2; uniform:0,1\)/);
    expect(table.split('\n').filter((line) => /^ *(exp:2|uniform:0,1) +(5|20) /.test(line))).toHaveLength(4);
  });

  it('every engine: cpu-parallel equals the cpu reference to the bit, gpu.js (webasm) each target within 1e-4 bits', async () => {
    const job = ['--layers', '2', '--width', '3', '--rate', '30', '--mix-loop-rate', '1', '--corrupt', '0.2', '--targets', '8', '--replications', '3', '--quiet'];
    const results = async (...engine: string[]) => {
      const out = join(dir, `engines-${engine.join('-')}`);
      await mixnet(...job, ...engine, '--out', out);
      return JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    };
    const reference = await results('--backend', 'cpu');
    const parallel = await results('--backend', 'cpu-parallel');
    expect(parallel.kernels).toBe('cpu-parallel');
    expect({ ...parallel, kernels: 'cpu' }).toEqual(reference);
    const gpujs = await results('--backend', 'gpujs', '--gpujs-mode', 'webasm');
    expect(gpujs.precision).toBe('float32');
    expect(gpujs.perTarget).toHaveLength(reference.perTarget.length);
    expect(reference.perTarget.filter((h: number | null) => h !== null).length).toBeGreaterThan(10);
    gpujs.perTarget.forEach((h: number | null, t: number) => {
      if (reference.perTarget[t] === null) expect(h, `target ${t}`).toBeNull();
      else expect(Math.abs(h! - reference.perTarget[t]), `target ${t}`).toBeLessThanOrEqual(1e-4);
    });
    expect(gpujs.latency).toEqual(reference.latency);
  }, 120_000);

  it('--help prints the help; anonscope --help lists the command', async () => {
    expect((await mixnet('--help')).stdout).toBe(MIXNET_HELP);
    expect((await runCommand(main, '--help')).stdout).toMatch(/^ {2}mixnet {12}sender anonymity of a Loopix-style mixnet/m);
  });

  it('bad options are refused with exit code 2 and a message naming the option, before --out is created', async () => {
    const out = join(dir, 'never');
    const cases: [string[], RegExp][] = [
      [['--layers', '0'], /--layers must be >= 1/],
      [['--layers', '65'], /layers must be an integer in 1\.\.64/],
      [['--width', '2.5'], /--width must be an integer/],
      [['--rate', '0'], /--rate must be > 0/],
      [['--corrupt', '1.5'], /--corrupt must be <= 1/],
      [['--clients', '1'], /--clients must be >= 2/],
      [['--topology', 'ring'], /--topology must be one of stratified, cascade/],
      [['--weights', '1,2', '--layers', '2', '--width', '2'], /2 weights for 2 × 2 = 4 mixes/],
      [['--delay', 'exp:0'], /--delay exp:0/],
      [['--delay', 'pareto:0.5,1'], /pareto:0\.5,1 has no finite mean.*give the burn-in, window and cool-down/],
      [['--mu', '-1'], /--mu/],
      [['--loop-rate=-1'], /--loop-rate must be >= 0/],
      [['--window', '0'], /--window must be > 0/],
      [['--rate', '1e7'], /events per replication is too many/],
      [['--backend', 'cuda'], /--backend must be one of cpu, cpu-parallel, webgpu, gpujs/],
      [['--sweep', 'speed=1,2'], /--sweep must be one of rate, mu, layers/],
      [['--sweep', 'rate'], /--sweep must be PARAM=v1,v2/],
      [['--sweep', 'rate=1,x'], /--sweep must be a number, got "x"/],
      [['--sweep', 'rate='], /--sweep needs at least one number/],
      [['--sweep', 'layers=2,0'], /layers must be an integer in 1\.\.64, got 0/],
      [['--sweep', 'rate=1,2', '--rate', '5'], /--rate and --sweep rate=… both set rate/],
      [['--sweep', 'layers=1,2', '--weights', '1,1,1'], /--weights cannot go with --sweep layers/],
      [['--sweep', 'rate=1,2', '--shard', '0/2'], /--shard cannot split a --sweep/],
      [['--delay', 'exp:1', '--delay', 'exp:2'], /--delay is given 2 times: several delay laws need a --sweep/],
      [['--sweep', 'rate=1,2', '--delay', 'exp:1', '--delay', 'exp:1'], /the delay law exp:1 is given twice/],
      [['--sweep', 'rate=1,2', '--delay', 'exp:1', '--delay', 'erlang:0,1'], /--delay erlang:0,1: k must be an integer/],
      [['--sweep', 'rate=1,2', '--delay', 'exp:1', '--delay', 'pareto:0.5,1'], /pareto:0\.5,1 has no finite mean/],
      [['--shard', '2/2'], /--shard 2\/2: the shard index must be an integer in 0\.\.1/],
      [['--format', 'xml'], /--format must be one of table, json, csv/],
    ];
    for (const [argv, message] of cases) {
      const error = await mixnet(...argv, '--out', out, '--quiet').then(() => undefined, (e: unknown) => e);
      expect(error, argv.join(' ')).toBeInstanceOf(Error);
      expect(exitCodeOf(error), argv.join(' ')).toBe(2);
      expect((error as Error).message, argv.join(' ')).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
    const shardWithoutOut = await mixnet('--shard', '0/2').then(() => undefined, (e: unknown) => e);
    expect((shardWithoutOut as Error).message).toMatch(/--shard needs --out DIR/);
  });

  it('4 shards (JSON and binary) merged print and write the unsharded run; a missing shard is refused', async () => {
    const job = ['--layers', '2', '--width', '3', '--rate', '15', '--loop-rate', '0.05', '--mix-loop-rate', '1', '--corrupt', '0.2', '--targets', '6', '--replications', '7', '--quiet'];
    const whole = join(dir, 'whole');
    const unsharded = JSON.parse((await mixnet(...job, '--format', 'json', '--out', whole)).stdout);
    const shards = join(dir, 'shards');
    for (let k = 0; k < 4; k++) {
      const { stdout } = await mixnet(...job, '--shard', `${k}/4`, '--out', shards, ...(k === 3 ? ['--shard-format', 'binary'] : []));
      expect(stdout).toBe('');
    }
    const files = [0, 1, 2].map((k) => join(shards, `shard-${k}-of-4.json`)).concat(join(shards, 'shard-3-of-4.bin'));
    const mergedDir = join(dir, 'merged');
    const merged = JSON.parse((await runCommand(mergeCommand, ...[...files].reverse(), '--format', 'json', '--out', mergedDir, '--quiet')).stdout);
    expect(merged.targets.replications).toBe(7);
    expectClose(unsharded, merged, 1e-9);
    expectClose(JSON.parse(readFileSync(join(whole, 'results.json'), 'utf8')), JSON.parse(readFileSync(join(mergedDir, 'results.json'), 'utf8')), 1e-9);
    expect(readFileSync(join(mergedDir, 'mixnet.csv'), 'utf8')).toBe(readFileSync(join(whole, 'mixnet.csv'), 'utf8'));

    const missing = await runCommand(mergeCommand, ...files.slice(0, 3), '--quiet').then(() => undefined, (e: unknown) => e);
    expect(exitCodeOf(missing)).toBe(2);
    expect((missing as Error).message).toMatch(/shard 3 of 4 missing/);
  });
});

describe('anonscope mixnet --topology free --graph FILE', () => {
  // A directed edge list: 1 → 2 → 3 → 1 and 3 → 4 → 1, every node with an out-neighbour.
  const arcs: [string, string][] = [['1', '2'], ['2', '3'], ['3', '1'], ['3', '4'], ['4', '1']];
  const file = (name: string, lines: [string, string][]) => {
    const path = join(dir, name);
    writeFileSync(path, lines.map(([u, v]) => `${u} ${v}`).join('\n') + '\n');
    return path;
  };
  const job = ['--topology', 'free', '--layers', '3', '--rate', '15', '--corrupt', '0.25', '--targets', '5', '--replications', '4', '--quiet'];

  it('reads the file as the other commands do (--directed) and gives the library run on the same graph, naming it', async () => {
    const path = file('ring.txt', arcs);
    const json = JSON.parse((await mixnet(...job, '--graph', path, '--directed', '--format', 'json')).stdout);
    expect(json.topology).toEqual({ kind: 'free', layers: 3, width: 4, mixes: 4, routing: 'uniform', graph: { name: 'ring.txt', nodes: 4, edges: 5, directed: true, weighted: false } });
    const library = await mixnetAnonymity({ topology: 'free', graph: csrFromEdges(arcs, true), layers: 3, rate: 15, corrupt: 0.25, targets: 5, replications: 4 });
    expect(json.entropy.mean).toBe(library.entropy.mean);
    expect(json.latency).toEqual(library.latency);
    expect((await mixnet(...job, '--graph', path, '--directed')).stdout).toMatch(/free routes of 3 hops over the 4 nodes of ring\.txt \(directed, 1 corrupt\)/);
    // Read undirected, the same file has other routes (each edge both ways).
    const undirected = JSON.parse((await mixnet(...job, '--graph', path, '--format', 'json')).stdout);
    expect(undirected.topology.graph).toMatchObject({ directed: false, edges: 5 });
    expect(undirected.entropy.mean).not.toBe(json.entropy.mean);
  });

  it('--weights-file: "node weight" lines by the file\'s node names give the library run with those node weights; unlisted nodes are never entered', async () => {
    const path = file('gateways.txt', arcs);
    const weights = join(dir, 'gateway-weights.txt');
    writeFileSync(weights, '# two gateways\n3 2\n1,0.5\n');
    const json = JSON.parse((await mixnet(...job, '--graph', path, '--directed', '--weights-file', weights, '--format', 'json')).stdout);
    expect(json.topology.routing).toBe('weighted');
    const library = await mixnetAnonymity({ topology: 'free', graph: csrFromEdges(arcs, true), nodeWeights: new Map([['3', 2], ['1', 0.5]]), layers: 3, rate: 15, corrupt: 0.25, targets: 5, replications: 4 });
    expect(json.entropy).toEqual({ ...library.entropy, ci95: [...library.entropy.ci95] });
    expect(json.latency).toEqual(library.latency);
    const uniform = JSON.parse((await mixnet(...job, '--graph', path, '--directed', '--format', 'json')).stdout);
    expect(json.entropy.mean).not.toBe(uniform.entropy.mean);
  });

  it('refusals with exit code 2, before any work: free without --graph, --graph without free, --width, a dangling node by its key', async () => {
    const path = file('ok.txt', arcs);
    const sink = file('sink.txt', [...arcs, ['4', 'sink']]);
    const badWeights = join(dir, 'bad-weights.txt');
    writeFileSync(badWeights, '1 2\n2 3 4\n');
    const unknownWeights = join(dir, 'unknown-weights.txt');
    writeFileSync(unknownWeights, '1 2\n9 1\n');
    const cases: [string[], RegExp][] = [
      [['--topology', 'free'], /--topology free needs --graph FILE/],
      [['--graph', path], /--graph is for --topology free/],
      [['--directed'], /--directed says how to read --graph, and there is no --graph/],
      [['--topology', 'free', '--graph', path, '--width', '3'], /--width does not apply to --topology free/],
      [['--topology', 'free', '--graph', path, '--sweep', 'width=2,3'], /--sweep width does not apply to --topology free/],
      [['--topology', 'free', '--graph', path, '--weights', '1,2'], /2 weights for the graph's 4 nodes/],
      [['--topology', 'free', '--graph', sink, '--directed'], /node "sink" has no out-neighbour/],
      [['--topology', 'free', '--graph', join(dir, 'absent.txt')], /absent\.txt/],
      [['--topology', 'free', '--graph', path, '--weights-file', join(dir, 'no-weights.txt')], /no-weights\.txt: cannot read weights file/],
      [['--topology', 'free', '--graph', path, '--weights-file', badWeights], /bad-weights\.txt:2: expected "node weight", found 3 columns/],
      [['--topology', 'free', '--graph', path, '--weights-file', unknownWeights], /unknown-weights\.txt:2: node "9" is not in ok\.txt \(its nodes are named by their keys: "1", "2", "3", …\)/],
      [['--topology', 'free', '--graph', path, '--weights-file', unknownWeights, '--weights', '1,1,1,1'], /--weights and --weights-file both give the weights/],
      [['--weights-file', unknownWeights], /--weights-file weighs the nodes of --graph \(--topology free\)/],
    ];
    for (const [argv, message] of cases) {
      const error = await mixnet(...argv, '--quiet').then(() => undefined, (e: unknown) => e);
      expect(error, argv.join(' ')).toBeInstanceOf(Error);
      expect(exitCodeOf(error), argv.join(' ')).toBe(2);
      expect((error as Error).message, argv.join(' ')).toMatch(message);
    }
  });

  it('shards of one graph merge into the run; shards of two graphs of the same size are refused', async () => {
    const path = file('one.txt', arcs);
    // The same name, nodes and arc count: only the graph's checksum tells them apart.
    mkdirSync(join(dir, 'elsewhere'), { recursive: true });
    const other = file(join('elsewhere', 'one.txt'), [['1', '2'], ['2', '1'], ['3', '4'], ['4', '3'], ['2', '3']]);
    const unsharded = JSON.parse((await mixnet(...job, '--graph', path, '--directed', '--format', 'json')).stdout);
    const shards = join(dir, 'free-shards');
    for (const k of [0, 1]) await mixnet(...job, '--graph', path, '--directed', '--shard', `${k}/2`, '--out', shards);
    const files = [0, 1].map((k) => join(shards, `shard-${k}-of-2.json`));
    expect(JSON.parse((await runCommand(mergeCommand, ...files, '--format', 'json', '--quiet')).stdout)).toEqual(unsharded);
    const others = join(dir, 'free-shards-other');
    await mixnet(...job, '--graph', other, '--directed', '--shard', '1/2', '--out', others);
    const mixed = await runCommand(mergeCommand, files[0], join(others, 'shard-1-of-2.json'), '--quiet').then(() => undefined, (e: unknown) => e);
    expect(exitCodeOf(mixed)).toBe(2);
    expect((mixed as Error).message).toMatch(/is a shard of another job .*they differ in checksums\.graph/);
  });
});
