import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { exitCodeOf } from '../../src/cli/main.js';
import { MIX_HELP, mixCommand } from '../../src/cli/mix.js';
import { NETWORK_HELP, networkCommand } from '../../src/cli/network.js';
import { TRACE_HELP, traceCommand } from '../../src/cli/trace.js';
import { FormatError, ParameterError } from '../../src/errors.js';
import { runCommand } from '../helpers/cli.js';
import { chartFile } from '../helpers/svg.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anonscope-mix-'));
});
afterEach(() => vi.restoreAllMocks());

describe('anonscope mix', () => {
  it('--format json: simulated mean and CI beside the closed form', async () => {
    const { stdout } = await runCommand(mixCommand, '--rate', '10', '--delay', 'exp:0.5', '--trials', '300', '--format', 'json', '--quiet');
    const json = JSON.parse(stdout);
    expect(json.rate).toBe(10);
    expect(json.theory).toBeCloseTo(5.7646, 4);
    expect(json.delay).toMatchObject({ spec: 'exp:0.5', kind: 'exp', mean: 2 });
    expect(json.simulated.ci95).toHaveLength(2);
    expect(json.simulated.mean).toBeGreaterThan(json.simulated.ci95[0]);
    expect(json.valid).toBe(true);
    expect(json.perTrial).toBeUndefined();
  });

  it('table on stdout; --out writes results.json, mix.csv, mix-entropy-cdf.svg; the invalid-model warning', async () => {
    const out = join(dir, 'mix1');
    const { stdout, stderr } = await runCommand(mixCommand, '--rate', '0.2', '--delay', 'exp:1', '--trials', '200', '--out', out);
    expect(stdout).toMatch(/simulated\s+\d/);
    expect(stdout).toMatch(/warning: the model breaks down: μ = 1 > λe/);
    expect(stderr).toMatch(/warning: the model breaks down/);
    expect(stderr).toMatch(/wrote results\.json, mix\.csv, mix-entropy-cdf\.svg/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.valid).toBe(false);
    expect(results.perTrial).toHaveLength(200);
    const csv = readFileSync(join(out, 'mix.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('rate,delay,load,trials,mean,ci95_low,ci95_high,sd,theory,theory_first_order,valid');
    expect(csv).toHaveLength(2);
    expect(chartFile(join(out, 'mix-entropy-cdf.svg')).marks).toBeGreaterThanOrEqual(3);
  });

  it('--sweep: CSV rows per law and load, the SVG of simulated vs theory', async () => {
    const out = join(dir, 'sweep');
    const { stdout } = await runCommand(mixCommand, '--sweep', '--delay', 'exp:1', '--loads', '5,20', '--trials', '100', '--format', 'csv', '--out', out, '--quiet');
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('law,kind,load,rate,mean_delay,mean,ci95_low,ci95_high,theory,theory_first_order,valid');
    expect(lines).toHaveLength(1 + 5 * 2);
    expect(readFileSync(join(out, 'sweep.csv'), 'utf8')).toBe(stdout);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).best).toEqual([
      { load: 5, law: 'exp:1' },
      { load: 20, law: 'exp:1' },
    ]);
    expect(chartFile(join(out, 'mix-sweep.svg')).marks).toBeGreaterThanOrEqual(10);
  });

  it('--sweep with --delay repeated: exactly those laws, each row what the law alone (--no-compare) gives; their means must agree', async () => {
    const out = join(dir, 'sweep-laws');
    const laws = ['erlang:3,3', 'exp:1', 'uniform:0,2'];
    const job = ['--sweep', '--loads', '2,20', '--trials', '60', '--seed', '9', '--format', 'csv', '--quiet'];
    const { stdout } = await runCommand(mixCommand, ...job, ...laws.flatMap((law) => ['--delay', law]), '--out', out);
    const lines = stdout.trim().split('\n');
    const alone: string[][] = [];
    for (const law of laws) alone.push((await runCommand(mixCommand, ...job, '--delay', law, '--no-compare')).stdout.trim().split('\n')); // one at a time: runCommand captures the one stdout
    expect(lines).toEqual([alone[0][0], ...alone.flatMap((rows) => rows.slice(1))]);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.laws.map((l: { spec: string }) => l.spec)).toEqual(laws);
    expect(chartFile(join(out, 'mix-sweep.svg')).marks).toBeGreaterThanOrEqual(2 * laws.length); // simulated and h(f) + log2 λ per law
    const refusals: [string[], RegExp][] = [
      [['--sweep', '--delay', 'exp:1', '--delay', 'exp:2'], /a sweep compares laws of one mean.*exp:2 has mean 0\.5, exp:1 has 1/],
      [['--sweep', '--delay', 'exp:1', '--delay', 'exp:1'], /the delay law exp:1 is given twice/],
      [['--sweep', '--delay', 'exp:1', '--delay', 'erlang:3,3', '--no-compare'], /--no-compare runs one law alone, and --delay is given several times/],
      [['--rate', '5', '--delay', 'exp:1', '--delay', 'erlang:3,3'], /--delay is given 2 times: several laws need --sweep/],
    ];
    for (const [argv, message] of refusals) {
      const error = await runCommand(mixCommand, ...argv, '--quiet').catch((e) => e);
      expect(error, argv.join(' ')).toBeInstanceOf(ParameterError);
      expect(error.message, argv.join(' ')).toMatch(message);
    }
  });

  it('--delay hist:FILE reads a histogram', async () => {
    const file = join(dir, 'delays.txt');
    writeFileSync(file, '# delay count\n1 1\n2 2\n3 1\n');
    const { stdout } = await runCommand(mixCommand, '--rate', '5', '--delay', `hist:${file}`, '--trials', '50', '--format', 'json', '--quiet');
    const json = JSON.parse(stdout);
    expect(json.delay.kind).toBe('hist');
    expect(json.delay.entropy).toBeCloseTo(1.5, 12);
    expect(json.theory).toBeCloseTo(1.5 + Math.log2(5), 12);
  });

  it('bad parameters are ParameterErrors (exit code 2)', async () => {
    for (const argv of [['--rate=-1'], ['--rate', 'x'], ['--rate', '1', '--delay', 'gamma:1'], [], ['--rate', '1', '--trials', '1'], ['--rate', '1', 'extra']]) {
      const error = await runCommand(mixCommand, ...argv).catch((e) => e);
      expect(error, argv.join(' ')).toBeInstanceOf(ParameterError);
      expect(exitCodeOf(error)).toBe(2);
    }
    const badHist = join(dir, 'bad-hist.txt');
    writeFileSync(badHist, '1 2\nx 1\n');
    const error = await runCommand(mixCommand, '--rate', '1', '--delay', `hist:${badHist}`).catch((e) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toMatch(/bad-hist\.txt:2: not a decimal number/);
    expect(exitCodeOf(error)).toBe(2);
    expect((await runCommand(mixCommand, '--help')).stdout).toBe(MIX_HELP);
  });
});

describe('anonscope trace', () => {
  it('simulation: JSON curves, CSV and the detection plot', async () => {
    const out = join(dir, 'trace');
    const { stdout } = await runCommand(traceCommand, '--packets', '2,20', '--trials', '60', '--format', 'json', '--out', out, '--quiet');
    const json = JSON.parse(stdout);
    expect(json.mode).toBe('simulation');
    expect(json.curves).toHaveLength(1);
    expect(json.curves[0].points.map((p: { packets: number }) => p.packets)).toEqual([2, 20]);
    expect(Object.keys(json.curves[0].points[0])).toEqual(['packets', 'trials', 'detection', 'bound', 'llr', 'theory']);
    const csv = readFileSync(join(out, 'trace.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^curve,signal_rate,cover_rate,padding_rate,mean_delay,packets,trials,detection,ci95_low,ci95_high,bound/);
    expect(csv).toHaveLength(3);
    expect(chartFile(join(out, 'detection-vs-packets.svg')).marks).toBeGreaterThanOrEqual(2);
  });

  it('sweep axes give one curve each', async () => {
    const { stdout } = await runCommand(traceCommand, '--packets', '5', '--trials', '20', '--sweep-cover', '0,300', '--sweep-delay', '0.01', '--format', 'csv', '--quiet');
    const rows = stdout.trim().split('\n').slice(1);
    expect(rows.map((r) => r.split(',')[0])).toEqual(['cover 0', 'cover 300', 'mean delay 0.01']);
  });

  it('--input CSV (time,link) and JSON: scores, decision, LLR and bound', async () => {
    const csvFile = join(dir, 'trace.csv');
    writeFileSync(csvFile, 'time,link\n0.5,target\n0.2,X\n1.7,X\n2.5,Y\n3.0,Y\n');
    const fromCsv = JSON.parse((await runCommand(traceCommand, '--input', csvFile, '--delay', 'uniform:0,1', '--step', '1', '--window', '0,3', '--format', 'json')).stdout);
    expect(fromCsv).toMatchObject({ mode: 'data', decision: 'X', runnerUp: 'Y', targetPackets: 1 });
    expect(fromCsv.llr).toBeCloseTo(2 * Math.log(3), 12);
    expect(fromCsv.errorBound).toBeGreaterThan(0);
    const jsonFile = join(dir, 'trace.json');
    writeFileSync(jsonFile, JSON.stringify({ target: [0.5], links: { X: [0.2, 1.7], Y: [2.5, 3.0] }, window: [0, 3] }));
    const out = join(dir, 'trace-data');
    const { stdout } = await runCommand(traceCommand, '--input', jsonFile, '--delay', 'uniform:0,1', '--step', '1', '--out', out, '--quiet');
    expect(stdout).toMatch(/decision: X/);
    expect(stdout).toMatch(/Chebyshev bound/);
    expect(readFileSync(join(out, 'trace.csv'), 'utf8').split('\n')[0]).toBe('link,packets,score,rank,feasible');
  });

  it('bad input: FormatErrors with the line, ParameterErrors (exit code 2)', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'time,link\n0.5,target\nabc,X\n');
    let error = await runCommand(traceCommand, '--input', file, '--delay', 'exp:1').catch((e) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toMatch(/bad\.csv:3: time is not a finite number/);
    writeFileSync(file, '0.5,X\n');
    error = await runCommand(traceCommand, '--input', file, '--delay', 'exp:1').catch((e) => e);
    expect(error.message).toMatch(/no rows of the target stream/);
    writeFileSync(file, '{"target": [1], "links": []}');
    error = await runCommand(traceCommand, '--input', file, '--delay', 'exp:1').catch((e) => e);
    expect(error).toBeInstanceOf(FormatError);
    error = await runCommand(traceCommand, '--input', file).catch((e) => e);
    expect(error.message).toMatch(/--delay/);
    for (const argv of [['--packets', '0'], ['--signal-rate', '0'], ['--format', 'xml'], ['--sweep-cover', '-5']]) {
      error = await runCommand(traceCommand, ...argv).catch((e) => e);
      expect(exitCodeOf(error), argv.join(' ')).toBe(2);
    }
    expect((await runCommand(traceCommand, '-h')).stdout).toBe(TRACE_HELP);
  });
});

describe('anonscope network', () => {
  it('simulation: the documented JSON fields, the CSVs and the plots', async () => {
    const out = join(dir, 'network');
    const { stdout } = await runCommand(
      networkCommand,
      '--streams', '60', '--packets', '40', '--duration', '2000', '--targets', '12', '--format', 'json', '--out', out, '--quiet',
    );
    const json = JSON.parse(stdout);
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['streams', 'top1', 'top3', 'meanRank', 'meanEntropy', 'perStream']));
    expect(json.streams).toBe(12);
    expect(json.totalStreams).toBe(60);
    expect(json.perStream).toHaveLength(12);
    expect(json.top1).toBeGreaterThan(json.chance.top1);
    expect(readFileSync(join(out, 'steps.csv'), 'utf8').trim().split('\n')).toHaveLength(4);
    expect(readFileSync(join(out, 'streams.csv'), 'utf8').trim().split('\n')).toHaveLength(13);
    expect(chartFile(join(out, 'network-accuracy.svg')).marks).toBeGreaterThanOrEqual(5);
    expect(chartFile(join(out, 'network-entropy.svg')).marks).toBeGreaterThanOrEqual(3);
    expect(chartFile(join(out, 'rank-cdf.svg')).marks).toBeGreaterThanOrEqual(1);
    // Seeded: the same command gives the same numbers.
    const again = JSON.parse((await runCommand(networkCommand, '--streams', '60', '--packets', '40', '--duration', '2000', '--targets', '12', '--format', 'json', '--quiet')).stdout);
    expect(again.perStream).toEqual(json.perStream);
  });

  it('--topology: a Tor consensus (detected) and a weighted edge list', async () => {
    const consensus = join(dir, 'consensus');
    const relay = (name: string, id: string, bw: number) =>
      `r ${name} ${id.repeat(27)} ${'Z'.repeat(27)} 2024-01-01 00:00:00 10.0.0.1 9001 0\ns Fast Running Valid\nw Bandwidth=${bw}\n`;
    writeFileSync(consensus, `network-status-version 3\n${relay('a', 'A', 300)}${relay('b', 'B', 200)}${relay('c', 'C', 100)}${relay('d', 'D', 100)}`);
    const tor = await runCommand(networkCommand, '--topology', consensus, '--streams', '30', '--path-length', '3', '--packets', '20', '--duration', '500', '--format', 'json');
    expect(tor.stderr).toMatch(/topology: tor consensus .*4 of 4 relays/);
    expect(JSON.parse(tor.stdout)).toMatchObject({ mixes: 4, links: 12, pathLength: 3 });

    const edges = join(dir, 'mixes.txt');
    writeFileSync(edges, '# u v weight\n0 1 1\n1 2 2\n2 3 1\n3 0 1\n0 2 1\n1 3 1\n');
    const graph = await runCommand(networkCommand, '--topology', edges, '--streams', '20', '--path-length', '3', '--packets', '20', '--duration', '500', '--format', 'csv', '--quiet');
    const lines = graph.stdout.trim().split('\n');
    expect(lines[0]).toBe('step,top1,top3,mean_rank,mean_entropy,prior_top1,prior_top3,prior_mean_rank,prior_mean_entropy');
    expect(lines).toHaveLength(3);
  });

  it('bad input (exit code 2)', async () => {
    const bad = join(dir, 'bad-consensus');
    writeFileSync(bad, 'network-status-version 3\nr short line\n');
    let error = await runCommand(networkCommand, '--topology', bad).catch((e) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toMatch(/bad-consensus:2:/);
    for (const argv of [['--links', '50'], ['--targets', '0'], ['--path-length', '1'], ['--delay', 'exp:-1'], ['--topology', join(dir, 'missing.txt')]]) {
      error = await runCommand(networkCommand, ...argv).catch((e) => e);
      expect(exitCodeOf(error), argv.join(' ')).toBe(2);
    }
    expect((await runCommand(networkCommand, '--help')).stdout).toBe(NETWORK_HELP);
  });
});
