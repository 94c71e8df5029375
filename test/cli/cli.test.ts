import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json';
import { initiatorEntropy } from '../../src/analyses/initiator-entropy.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { spawnCli } from '../helpers/cli.js';
import { chartFile } from '../helpers/svg.js';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const KARATE = join(ROOT, 'graphs/karate.txt');

const anonscope = (...args: string[]) => spawnCli(args);

let dir: string;
beforeAll(() => {
  // The suite runs after `npm run build` (npm test); fail loudly if the bundle is missing.
  readFileSync(CLI);
  dir = mkdtempSync(join(tmpdir(), 'anonscope-cli-'));
});

describe('anonscope CLI', () => {
  it('--version prints the package version; --help lists the commands', () => {
    expect(anonscope('--version')).toMatchObject({ code: 0, stdout: `${packageJson.version}\n` });
    const help = anonscope('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/entropy <graph>/);
    const entropyHelp = anonscope('entropy', '--help');
    expect(entropyHelp.stdout).toMatch(/--terminals K\|all/);
  });

  it('entropy --format json: the documented fields, equal to the library result', async () => {
    const run = anonscope('entropy', KARATE, '--hops', '4', '--walk', 'mh', '--format', 'json', '--precision', 'float64');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.graph).toMatchObject({ nodes: 34, edges: 78, directed: false });
    expect(json).toMatchObject({ walk: 'mh', terminals: 34, precision: 'float64' });
    expect(json.backend).toMatch(/^cpu/); // auto on a machine without a GPU
    expect(json.optimal).toBeCloseTo(Math.log2(34), 12);
    expect(Object.keys(json.hops[0])).toEqual(
      expect.arrayContaining(['hop', 'mean', 'ci95', 'min', 'p05', 'median', 'max', 'minEntropyMean']),
    );
    const library = await initiatorEntropy((await loadGraphFile(KARATE)).csr, { hops: 4, walk: 'mh' });
    json.hops.forEach((hop: { mean: number; p05: number }, t: number) => {
      expect(hop.mean).toBeCloseTo(library.hops[t].mean, 12);
      expect(hop.p05).toBeCloseTo(library.hops[t].p05, 12);
    });
    expect(run.stderr).toMatch(/loaded .*karate\.txt \(edgelist\): 34 nodes, 78 edges/);
  });

  it('entropy on the CPU defaults to float32 storage, within 1e-4 bits of the float64 library result', async () => {
    const run = anonscope('entropy', KARATE, '--hops', '6', '--backend', 'cpu-parallel', '--format', 'json', '--quiet');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ backend: 'cpu-parallel', precision: 'float32' });
    const library = await initiatorEntropy((await loadGraphFile(KARATE)).csr, { hops: 6 });
    json.hops.forEach((hop: { mean: number; min: number }, t: number) => {
      expect(Math.abs(hop.mean - library.hops[t].mean)).toBeLessThan(1e-4);
      expect(Math.abs(hop.min - library.hops[t].min)).toBeLessThan(1e-4);
    });
  });

  it('entropy --format csv prints one row per hop; --out writes JSON, CSV and SVG plots', () => {
    const out = join(dir, 'run1');
    const run = anonscope('entropy', KARATE, '--hops', '3', '--format', 'csv', '--out', out, '--per-terminal', '--quiet');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('hop,mean,ci95_low,ci95_high,min,p05,median,max,min_entropy_mean,terminus_weighted_mean,guessing_mean,unreachable,optimal');
    expect(lines).toHaveLength(4);
    expect(readFileSync(join(out, 'hops.csv'), 'utf8')).toBe(run.stdout);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.perTerminal).toHaveLength(34);
    expect(readFileSync(join(out, 'per-terminal.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 34 * 3);
    for (const svg of ['entropy-vs-hops.svg', 'entropy-cdf.svg']) {
      expect(chartFile(join(out, svg)).marks).toBeGreaterThanOrEqual(2);
    }
  });

  it('--backend webgpu runs the WGSL kernels in headless Chromium and says on which adapter', () => {
    const args = ['entropy', KARATE, '--hops', '6', '--walk', 'mh', '--format', 'json'];
    const gpu = anonscope(...args, '--backend', 'webgpu', '--runtime', 'browser');
    expect(gpu.code, gpu.stderr).toBe(0);
    const gpuResult = JSON.parse(gpu.stdout);
    expect(gpuResult).toMatchObject({ backend: 'webgpu', runtime: 'browser', precision: 'float32' });
    expect(Object.keys(gpuResult.adapter)).toEqual(['vendor', 'architecture', 'device', 'description']);
    expect(gpu.stderr).toMatch(/backend: webgpu \(browser\) on /);
    const cpuResult = JSON.parse(anonscope(...args, '--backend', 'cpu', '--quiet').stdout);
    gpuResult.hops.forEach((hop: { mean: number; p05: number; max: number }, t: number) => {
      expect(Math.abs(hop.mean - cpuResult.hops[t].mean)).toBeLessThanOrEqual(1e-3);
      expect(Math.abs(hop.p05 - cpuResult.hops[t].p05)).toBeLessThanOrEqual(1e-3);
      expect(Math.abs(hop.max - cpuResult.hops[t].max)).toBeLessThanOrEqual(1e-3);
    });
  });

  it('--backend auto says what it picked and, when it is not the best, why the better ones were skipped', () => {
    const run = anonscope('entropy', KARATE, '--hops', '2', '--format', 'csv');
    expect(run.code).toBe(0);
    const picked = /^backend: (webgpu|gpujs|cpu)/m.exec(run.stderr)?.[1];
    expect(picked).toBeDefined();
    if (picked !== 'webgpu') expect(run.stderr).toMatch(/^backend auto: skipped webgpu \(.+\)/m);
    if (picked === 'cpu') expect(run.stderr).toMatch(/; gpujs \(.+\)/);
  });

  it('--backend gpujs names the gpu.js mode and matches the cpu numbers', () => {
    const args = ['entropy', KARATE, '--hops', '5', '--format', 'json', '--quiet'];
    const gpujs = JSON.parse(anonscope(...args, '--backend', 'gpujs', '--gpujs-mode', 'webasm').stdout);
    expect(gpujs).toMatchObject({ backend: 'gpujs', runtime: 'node webasm', precision: 'float32' });
    const cpu = JSON.parse(anonscope(...args, '--backend', 'cpu').stdout);
    gpujs.hops.forEach((hop: { mean: number }, t: number) => expect(Math.abs(hop.mean - cpu.hops[t].mean)).toBeLessThanOrEqual(1e-3));
  });

  it('--component largest keeps the largest weakly connected component and says so', () => {
    const path = join(dir, 'two-parts.txt');
    writeFileSync(path, 'a b\nb c\nc a\nc d\nx y\n');
    const run = anonscope('entropy', path, '--component', 'largest', '--hops', '1', '--format', 'json', '--backend', 'cpu');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).graph).toMatchObject({ nodes: 4, edges: 4 });
    expect(run.stderr).toMatch(/2 weakly connected components \(largest 4\)/);
    expect(run.stderr).toMatch(/kept the largest component: 4 nodes, 4 edges/);
  });

  it('--terminal-ids and --prior select terminals and reweight initiators', () => {
    const prior = join(dir, 'prior.txt');
    writeFileSync(prior, '# node weight\n0 1\n1 1\n');
    const run = anonscope('entropy', KARATE, '--hops', '1', '--terminal-ids', '2', '--prior', prior, '--format', 'json', '--quiet', '--precision', 'float64');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    // node 2 neighbours 0 (degree 16) and 1 (degree 9): p ∝ (1/16, 1/9)
    const p = [1 / 16 / (1 / 16 + 1 / 9), 1 / 9 / (1 / 16 + 1 / 9)];
    expect(json.hops[0].mean).toBeCloseTo(-(p[0] * Math.log2(p[0]) + p[1] * Math.log2(p[1])), 12);
    expect(json.optimal).toBeCloseTo(1, 12);
    expect(json.terminalSelection).toBe('ids');
  });

  describe('bad input: one clear line on stderr and exit code 2', () => {
    const write = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const cases: [string, () => string[], RegExp][] = [
      ['a missing file', () => ['entropy', join(dir, 'missing.txt')], /missing\.txt: cannot read: no such file\n/],
      ['a malformed line', () => ['entropy', write('bad1.txt', '1 2\n3\n')], /bad1\.txt:2: expected 2 or 3 columns/],
      ['a negative weight', () => ['entropy', write('bad2.txt', '1 2 -1\n')], /bad2\.txt:1: weight -1 is negative/],
      ['a NaN weight', () => ['entropy', write('bad3.txt', '1 2 NaN\n')], /bad3\.txt:1: weight "NaN" is not a decimal number/],
      ['an empty graph', () => ['entropy', write('empty.txt', '# nothing\n')], /empty\.txt: empty graph/],
      ['hops < 1', () => ['entropy', KARATE, '--hops', '0'], /--hops must be in 1\.\.100000, got 0/],
      ['hops not a number', () => ['entropy', KARATE, '--hops', 'ten'], /--hops must be an integer, got "ten"/],
      ['terminals out of range', () => ['entropy', KARATE, '--terminals', '35'], /terminals must be 'all' or an integer in 1\.\.34/],
      ['an unknown terminal id', () => ['entropy', KARATE, '--terminal-ids', '0,99'], /unknown terminal id "99"/],
      ['an unknown walk', () => ['entropy', KARATE, '--walk', 'levy'], /--walk must be one of simple, mh, got "levy"/],
      ['an unknown option', () => ['entropy', KARATE, '--hopz', '3'], /Unknown option '--hopz'/],
      ['a bad prior line', () => ['entropy', KARATE, '--prior', write('prior-bad.txt', '0 1\n1 x\n')], /prior-bad\.txt:2: weight "x"/],
      ['a prior naming a node the graph lacks, by its line', () => ['entropy', KARATE, '--prior', write('prior-unknown.txt', '0 1\n# a comment\n99 2\n')], /prior-unknown\.txt:3: node "99" is not in karate\.txt \(its nodes are named by their keys: "0", "1", "2", …\)/],
      ['no graph file', () => ['entropy'], /expected one graph file, got 0/],
      ['an unknown gpu.js mode', () => ['entropy', KARATE, '--backend', 'gpujs', '--gpujs-mode', 'opengl'], /--gpujs-mode must be one of gpu, webgl2/],
      ['an unknown runtime', () => ['entropy', KARATE, '--backend', 'webgpu', '--runtime', 'deno'], /--runtime must be one of auto, browser, node/],
    ];
    for (const [what, args, message] of cases) {
      it(what, () => {
        const run = anonscope(...args());
        expect(run.code).toBe(2);
        expect(run.stdout).toBe('');
        expect(run.stderr).toMatch(message);
        expect(run.stderr.trim().split('\n').at(-1)).toMatch(/^anonscope entropy: error: /);
      });
    }
    it('an unknown command', () => {
      const run = anonscope('entropie');
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/unknown command "entropie"/);
    });
  });
});
