import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '../..');
const KARATE = join(ROOT, 'graphs/karate.txt');

const anonscope = (...args: string[]) => spawnCli(args);

describe('anonscope adversary', () => {
  it('--format json: the documented fields; g = 0 is log2 n; two walks give { walks }', () => {
    const run = anonscope('adversary', KARATE, '--attack-edges', '0,3', '--walkers', '5000', '--hops', '5', '--format', 'json', '--quiet', '--backend', 'cpu');
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ walk: 'simple', hops: 5, walkers: 5000, graph: { nodes: 34, edges: 78 } });
    expect(json.rows.map((r: { attackEdges: number }) => r.attackEdges)).toEqual([0, 3]);
    expect(json.rows[0].HIO).toBeCloseTo(Math.log2(34), 12);
    expect(json.rows[1].pM).toHaveLength(5);
    expect(json.rows[1].HIM).toHaveLength(5);
    expect(json.rows[1].HIO).toBeLessThan(Math.log2(34));
    const both = JSON.parse(anonscope('adversary', KARATE, '--walk', 'simple,mh', '--attack-edges', '2', '--walkers', '2000', '--format', 'json', '--quiet').stdout);
    expect(both.walks.map((w: { walk: string }) => w.walk)).toEqual(['simple', 'mh']);
  });

  it('--compromised FILE and --two-hop write their files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anonscope-adv-'));
    writeFileSync(join(dir, 'bad-nodes.txt'), '# the adversary\n0\n33\n');
    const run = anonscope('adversary', KARATE, '--compromised', join(dir, 'bad-nodes.txt'), '--two-hop', 'sweep', '--hops', '4', '--walkers', '3000', '--out', join(dir, 'out'), '--quiet');
    expect(run.code, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(dir, 'out/results.json'), 'utf8'));
    expect(results.rows[0]).toMatchObject({ attackEdges: null, compromised: 2 });
    expect(results.rows[0].twoHop.map((t: { k: number }) => t.k)).toEqual([1, 2, 3]);
    expect(results.optimal).toBeCloseTo(Math.log2(32), 12);
    expect(readFileSync(join(dir, 'out/two-hop.csv'), 'utf8').trim().split('\n')).toHaveLength(4);
  });

  it.each([
    [['--attack-edges=-3'], /--attack-edges must be >= 0, got -3/],
    [['--attack-edges', '-3'], /--attack-edges -3: a value that starts with "-" is read as an option.*write --attack-edges=-3/],
    [['--hops', '0'], /--hops must be in 1\.\.100000/],
    [['--sybil-region', 'star'], /--sybil-region must be one of random, clique/],
    [['--two-hop', '10', '--hops', '5'], /--two-hop must be in 1\.\.4/],
    [['--compromised', '/nonexistent/list.txt'], /cannot read the compromised-node file/],
  ])('bad input %j: exit code 2 and one line', (args, message) => {
    const run = anonscope('adversary', KARATE, '--walkers', '100', ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(/^anonscope adversary: error: /);
    expect(run.stderr.trim().split('\n').filter((line) => line.includes('error:'))).toHaveLength(1);
  });
});
