import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { exitCodeOf } from '../../src/cli/main.js';
import { networkCommand } from '../../src/cli/network.js';
import { NETWORK_CALIBRATION_COLUMNS, NETWORK_RELIABILITY_COLUMNS } from '../../src/report/mix-report.js';
import { runCommand } from '../helpers/cli.js';

/** Run `anonscope network` in-process; stdout and stderr are captured. */
const network = (...argv: string[]) => runCommand(networkCommand, ...argv);

let dir: string;
let consensus: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anonscope-network-'));
  // Ten relays of skewed bandwidth: a Tor-like complete topology.
  const relays = [40, 25, 20, 12, 9, 7, 5, 4, 3, 2].map(
    (bw, i) => `r relay${i} ${String.fromCharCode(65 + i).repeat(27)} ${'Z'.repeat(27)} 2024-01-01 00:00:00 10.0.0.${i + 1} 9001 0\ns Fast Running Valid\nw Bandwidth=${bw}\n`,
  );
  consensus = join(dir, 'consensus');
  writeFileSync(consensus, `network-status-version 3\n${relays.join('')}`);
});
afterEach(() => vi.restoreAllMocks());

const HARD = ['--streams', '60', '--packets', '12', '--duration', '5000', '--delay', 'exp:0.002'];

describe('anonscope network: calibration in the output', () => {
  it('--format json: the calibration, the temperature and the notes; the entropy is called the posterior where it is overconfident', async () => {
    const r = JSON.parse((await network('--topology', consensus, ...HARD, '--format', 'json', '--quiet')).stdout);
    expect(r).toMatchObject({ temperature: 1, temperatureFit: 'given', mixes: 10 });
    expect(Object.keys(r.calibration)).toEqual(
      expect.arrayContaining(['meanConfidence', 'accuracy', 'confidenceGap', 'meanTruthProbability', 'expectedTruthProbability', 'expectedCalibrationError', 'logLoss', 'reliability', 'consistent']),
    );
    expect(r.calibration.count).toBe(r.streams);
    expect(r.calibration.reliability.reduce((n: number, bin: { count: number }) => n + bin.count, 0)).toBe(r.streams);
    // The per-stream rows give the same mean probability of the truth.
    const mean = r.perStream.reduce((s: number, row: { truthProbability: number }) => s + row.truthProbability, 0) / r.streams;
    expect(r.calibration.meanTruthProbability).toBeCloseTo(mean, 12);
    expect(r.calibration.consistent).toBe(false);
    expect(r.notes.join('\n')).toMatch(/is the entropy of the attacker's posterior, not the streams' anonymity: that posterior is overconfident/);
  });

  it('table and --out: calibration lines, the reliability table, calibration.csv and reliability.csv; auto says it uses the ground truth', async () => {
    const out = join(dir, 'auto');
    const { stdout } = await network('--topology', consensus, ...HARD, '--temperature', 'auto', '--out', out, '--quiet');
    expect(stdout).toMatch(/temperature [\d.]+ \(fitted\)/);
    expect(stdout).toMatch(/^calibration \(temperature [\d.]+ \(fitted\)\): top guess given [\d.]+ on average, right for [\d.]+/m);
    expect(stdout).toMatch(/^calibration \(temperature 1\): /m);
    expect(stdout).toMatch(/^reliability of the destination posterior/m);
    expect(stdout).toMatch(/^note: temperature .* uses the simulation's ground truth, so it calibrates the attack model; a deployed attacker could not fit it$/m);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const calibrationCsv = readFileSync(join(out, 'calibration.csv'), 'utf8').trim().split('\n');
    expect(calibrationCsv[0]).toBe(NETWORK_CALIBRATION_COLUMNS.join(','));
    expect(calibrationCsv).toHaveLength(3); // fitted, then temperature 1
    const fitted = calibrationCsv[1].split(',');
    expect(Number(fitted[0])).toBeCloseTo(results.temperature, 6);
    expect(fitted[1]).toBe('auto');
    expect(Number(fitted[NETWORK_CALIBRATION_COLUMNS.indexOf('log_loss_bits')])).toBeCloseTo(results.calibration.logLoss, 6);
    const reliability = readFileSync(join(out, 'reliability.csv'), 'utf8').trim().split('\n');
    expect(reliability[0]).toBe(NETWORK_RELIABILITY_COLUMNS.join(','));
    expect(reliability).toHaveLength(1 + 2 * 10);
    const streams = readFileSync(join(out, 'streams.csv'), 'utf8').trim().split('\n');
    expect(streams[0].endsWith(',confidence,truth_probability')).toBe(true);
  });

  it('--format csv: the notes go to stderr, once', async () => {
    const { stdout, stderr } = await network('--topology', consensus, ...HARD, '--format', 'csv');
    expect(stdout.split('\n')[0]).toMatch(/^step,top1/);
    expect(stderr.match(/attacker's posterior/g)).toHaveLength(1);
  });

  it('a dead-end note is printed once', async () => {
    const { stdout, stderr } = await network('--mixes', '6', '--links', '2', '--path-length', '4', '--streams', '50', '--packets', '20', '--duration', '500');
    expect(`${stdout}${stderr}`.match(/dead end/g)).toHaveLength(1);
  });
});

describe('anonscope network: parameters are refused before any work (exit 2)', () => {
  it('--max-relays 0, --max-relays without a consensus, and the other parameters', async () => {
    const missing = join(dir, 'missing-consensus');
    const cases: [string[], RegExp][] = [
      [['--topology', missing, '--max-relays', '0'], /--max-relays must be in 2\.\./], // refused before the (missing) file is read
      [['--max-relays', '30'], /--max-relays applies to a Tor consensus given with --topology/],
      [['--topology', missing, '--mixes', '10'], /cannot be used with --topology/],
      [['--topology', missing, '--temperature', '0'], /--temperature must be > 0/],
      [['--temperature', 'warm'], /--temperature must be a number/],
      [['--topology', missing, '--streams', '0'], /--streams must be/],
      [['--topology', missing, '--streams', '100000', '--packets', '1000'], /link packets is too many/],
      [['--topology', missing, '--step', '0.00001', '--duration', '1e6'], /grid points is too much/],
      [['--mixes', '5', '--links', '2', '--path-length', '6'], /--path-length must be an integer in 2\.\.5/],
    ];
    for (const [argv, message] of cases) {
      const error = await network(...argv).catch((e) => e);
      expect(error.message, argv.join(' ')).toMatch(message);
      expect(exitCodeOf(error), argv.join(' ')).toBe(2);
    }
    const edges = join(dir, 'mixes.txt');
    writeFileSync(edges, '0 1\n1 2\n2 0\n');
    const error = await network('--topology', edges, '--max-relays', '5').catch((e) => e);
    expect(error.message).toMatch(/--max-relays applies to a Tor consensus; .*mixes\.txt is read as a graph/);
    expect(exitCodeOf(error)).toBe(2);
  });

  it('a microdesc consensus is read through --topology', async () => {
    const micro = join(dir, 'micro');
    const text = readFileSync(consensus, 'utf8')
      .replace('network-status-version 3', 'network-status-version 3 microdesc')
      .replace(/^r (\S+) (\S+) (\S+) (.*)$/gm, (_l, nick, id, digest, rest) => `r ${nick} ${id} ${rest}\nm ${digest}`);
    writeFileSync(micro, text);
    const { stderr } = await network('--topology', micro, '--max-relays', '4', '--streams', '10', '--path-length', '3', '--packets', '10', '--duration', '200', '--format', 'json');
    expect(stderr).toMatch(/topology: tor microdesc consensus .*: 4 of 10 relays/);
  });
});
