/**
 * `anonscope mixing` as a user runs it: the JSON on stdout against the closed forms of the
 * complete graph K_n (TV after t hops from any vertex (1 − 1/n)·(1/(n−1))^t; eigenvalues 1
 * and −1/(n−1)), the --out files, --help, and bad parameters refused with exit code 2.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { exitCodeOf } from '../../src/cli/main.js';
import { MIXING_HELP, mixingCommand } from '../../src/cli/mixing.js';
import { runCommand } from '../helpers/cli.js';

const run = (...argv: string[]) => runCommand(mixingCommand, ...argv);

const N = 5;
let dir: string;
let complete: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anonscope-mixing-cli-'));
  complete = join(dir, 'k5.txt');
  const lines: string[] = [];
  for (let u = 0; u < N; u++) for (let v = u + 1; v < N; v++) lines.push(`${u} ${v}`);
  writeFileSync(complete, `${lines.join('\n')}\n`);
});
afterEach(() => vi.restoreAllMocks());

describe('anonscope mixing', () => {
  it('--format json on K_5: the documented fields, TV and eigenvalues equal the closed forms', async () => {
    const hops = 6;
    const { stdout } = await run(complete, '--hops', String(hops), '--sources', 'all', '--format', 'json', '--quiet', '--backend', 'cpu');
    const json = JSON.parse(stdout);
    for (const field of ['graph', 'walk', 'slem', 'lambda2', 'lambdaMin', 'sources', 'hops', 'mixingTime']) expect(json).toHaveProperty(field);
    expect(json.sources).toBe(N);
    expect(json.hops).toHaveLength(hops);
    json.hops.forEach((h: { hop: number; tvMean: number; tvMax: number; tvMedian: number }, t: number) => {
      const tv = (1 - 1 / N) * (1 / (N - 1)) ** (t + 1);
      expect(h.hop).toBe(t + 1);
      for (const v of [h.tvMean, h.tvMax, h.tvMedian]) expect(Math.abs(v - tv)).toBeLessThan(1e-12);
    });
    expect(Math.abs(json.lambda2 + 1 / (N - 1))).toBeLessThan(1e-9);
    expect(Math.abs(json.lambdaMin + 1 / (N - 1))).toBeLessThan(1e-9);
    expect(Math.abs(json.slem - 1 / (N - 1))).toBeLessThan(1e-9);
    // τ(1/4): TV_0 = 1 − 1/5 = 0.8, TV_1 = 0.2 ≤ 0.25, so every source mixes at t = 1.
    expect(json.mixingTime.perSource.map((s: { tau: number }) => s.tau)).toEqual(Array(N).fill(1));
  });

  it('--out DIR writes results.json, hops.csv with one row per hop, sources.csv and the TV plot', async () => {
    const out = join(dir, 'out');
    await run(complete, '--hops', '3', '--sources', 'all', '--out', out, '--quiet', '--backend', 'cpu');
    const csv = readFileSync(join(out, 'hops.csv'), 'utf8').trim().split('\n');
    expect(csv[0].split(',')[0]).toBe('hop');
    expect(csv).toHaveLength(1 + 3);
    expect(Number(csv[2].split(',')[1])).toBeCloseTo((1 - 1 / N) / (N - 1) ** 2, 9);
    expect(readFileSync(join(out, 'sources.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + N);
    const svg = readFileSync(join(out, 'tv-vs-hops.svg'), 'utf8');
    expect(svg).toMatch(/^<svg|<\?xml/);
    expect(svg).toContain('k5.txt');
  });

  it('--help prints the help; bad parameters are refused with exit code 2 before any work', async () => {
    expect((await run('--help')).stdout).toBe(MIXING_HELP);
    for (const argv of [[complete, '--epsilon', '2'], [complete, '--hops', '0'], [complete, '--source-ids', 'nosuchnode'], []]) {
      const error = await run(...argv).then(() => undefined, (e: unknown) => e);
      expect(error, argv.join(' ')).toBeInstanceOf(Error);
      expect(exitCodeOf(error), argv.join(' ')).toBe(2);
    }
  });
});
