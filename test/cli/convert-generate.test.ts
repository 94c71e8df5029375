import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONVERT_HELP, convertCommand } from '../../src/cli/convert.js';
import { GENERATE_HELP, generateCommand } from '../../src/cli/generate.js';
import { exitCodeOf } from '../../src/cli/main.js';
import { ParameterError } from '../../src/errors.js';
import { edgeCount } from '../../src/graph/csr.js';
import { chungLu } from '../../src/graph/generators.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { runCommandSettled, spawnCli } from '../helpers/cli.js';
import { markedUndirected } from '../helpers/csr-files.js';
import { csrFromEdges } from '../helpers/graphs.js';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const KARATE = join(ROOT, 'graphs/karate.txt');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anonscope-convert-'));
});

describe('anonscope convert', () => {
  it('writes a .csr that loads to the same graph; the summary goes to stderr', async () => {
    const out = join(dir, 'karate.csr');
    const run = await runCommandSettled(convertCommand, KARATE, out);
    expect(run.error).toBeUndefined();
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/loaded .*karate\.txt \(edgelist\): 34 nodes, 78 edges/);
    expect(run.stderr).toMatch(/wrote .*karate\.csr: 34 nodes, 78 edges/);
    const original = (await loadGraphFile(KARATE)).csr;
    const { csr, report } = await loadGraphFile(out);
    expect(report.format).toBe('csr');
    expect([...csr.colIdx]).toEqual([...original.colIdx]);
    expect(csr.nodeKeys).toEqual(original.nodeKeys);
  });

  it('takes the graph input options (--directed, --component)', async () => {
    const input = join(dir, 'two.txt');
    writeFileSync(input, 'a b\nb c\nx y\n');
    const out = join(dir, 'two.csr');
    expect((await runCommandSettled(convertCommand, input, out, '--directed', '--component', 'largest', '--quiet')).error).toBeUndefined();
    const { csr } = await loadGraphFile(out);
    expect(csr.directed).toBe(true);
    expect(csr.nodeKeys).toEqual(['a', 'b', 'c']);
  });

  it('refuses a missing argument, a non-.csr output, and reports bad input with exit code 2', async () => {
    for (const argv of [[KARATE], [KARATE, join(dir, 'out.txt')]]) {
      const { error } = await runCommandSettled(convertCommand, ...argv);
      expect(error).toBeInstanceOf(ParameterError);
      expect(exitCodeOf(error)).toBe(2);
    }
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, 'a b\nc\n');
    const { error } = await runCommandSettled(convertCommand, bad, join(dir, 'bad.csr'));
    expect((error as Error).message).toMatch(/bad\.txt:2: expected 2 or 3 columns/);
    expect(exitCodeOf(error)).toBe(2);
    expect(existsSync(join(dir, 'bad.csr'))).toBe(false);
  });

  it('--verify checks a .csr whose seal is trusted otherwise; without it, the writer still refuses the bad graph', async () => {
    const forged = join(dir, 'forged.csr');
    writeFileSync(forged, markedUndirected(csrFromEdges([['a', 'b'], ['b', 'c'], ['c', 'b']], true), { reseal: true }));
    const checked = await runCommandSettled(convertCommand, forged, join(dir, 'checked.csr'), '--verify');
    expect((checked.error as Error).message).toBe(`${forged}: marked undirected, but the arc "a" -> "b" has no reverse (an undirected .csr stores every edge both ways)`);
    expect(exitCodeOf(checked.error)).toBe(2);
    const trusted = await runCommandSettled(convertCommand, forged, join(dir, 'trusted.csr'));
    expect(trusted.stderr).toMatch(/loaded .*forged\.csr \(csr\): 3 nodes/); // trusted, as the seal says
    expect((trusted.error as Error).message).toMatch(/^anonscope\/writeCsrFile: cannot write this graph: marked undirected, but the arc "a" -> "b" has no reverse/);
    expect(exitCodeOf(trusted.error)).toBe(2);
    expect(existsSync(join(dir, 'checked.csr')) || existsSync(join(dir, 'trusted.csr'))).toBe(false);
  });

  it('--help prints the help', async () => {
    expect((await runCommandSettled(convertCommand, '--help')).stdout).toBe(CONVERT_HELP);
  });
});

describe('anonscope generate', () => {
  it('rmat to an edge list: the same file for the same seed, exactly --edges edges', async () => {
    const a = join(dir, 'a.txt');
    const b = join(dir, 'b.txt');
    const args = ['--model', 'rmat', '--nodes', '5000', '--edges', '20000', '--seed', '3'];
    const run = await runCommandSettled(generateCommand, ...args, a);
    expect(run.error).toBeUndefined();
    expect(run.stderr).toMatch(/generated rmat: 5000 nodes \(\d+ with edges\), 20000 edges/);
    await runCommandSettled(generateCommand, ...args, '--quiet', b);
    const text = readFileSync(a, 'utf8');
    expect(text.split('\n').filter((line) => line && !line.startsWith('#'))).toEqual(
      readFileSync(b, 'utf8').split('\n').filter((line) => line && !line.startsWith('#')),
    );
    expect(text).toMatch(/^# anonscope generate --model rmat --nodes 5000 --edges 20000 --seed 3\n/);
    const { csr, report } = await loadGraphFile(a);
    expect(edgeCount(csr)).toBe(20000);
    expect(report.duplicates).toBe(0);
    expect(report.selfLoops).toBe(0);
  });

  it('every model to .csr, with all n nodes', async () => {
    const cases: [string[], number, number][] = [
      [['--model', 'rmat', '--nodes', '1000', '--edges', '3000', '--rmat', '0.45,0.15,0.15,0.25', '--directed'], 1000, 3000],
      [['--model', 'chung-lu', '--nodes', '1000', '--edges', '3000', '--exponent', '2.2'], 1000, chungLu(1000, 3000, 2, { exponent: 2.2 }).src.length],
      [['--model', 'ba', '--nodes', '1000', '--degree', '3'], 1000, 6 + 996 * 3],
      [['--model', 'regular', '--nodes', '1000', '--degree', '4'], 1000, 2000],
      [['--model', 'ws', '--nodes', '1000', '--k', '6', '--beta', '0.1'], 1000, 3000],
    ];
    for (const [argv, n, m] of cases) {
      const out = join(dir, `${argv[1]}.csr`);
      const { error } = await runCommandSettled(generateCommand, ...argv, '--seed', '2', '--quiet', out);
      expect(error).toBeUndefined();
      const { csr } = await loadGraphFile(out);
      expect(csr.n).toBe(n);
      expect(edgeCount(csr)).toBe(m);
      expect(csr.directed).toBe(argv.includes('--directed'));
    }
  });

  it('refuses missing, unknown and misplaced options with exit code 2', async () => {
    const out = join(dir, 'x.txt');
    const cases: [string[], RegExp][] = [
      [['--nodes', '10', out], /--model is required/],
      [['--model', 'kronecker', '--nodes', '10', out], /--model must be one of rmat, chung-lu, ba, regular, ws/],
      [['--model', 'chung-lu', '--nodes', '1000', out], /model chung-lu needs --edges/],
      [['--model', 'rmat', '--nodes', '1000', '--edges', '5', '--exponent', '3', out], /--exponent does not apply to model rmat/],
      [['--model', 'chung-lu', '--nodes', '1000', '--edges', '5', '--exponent', '1.5', out], /exponent must be in \(2, 100\]/],
      [['--model', 'rmat', '--nodes', '10', out], /model rmat needs --edges/],
      [['--model', 'ws', '--nodes', '10', '--k', '4', out], /model ws needs --beta/],
      [['--model', 'ba', '--nodes', '10', '--degree', '2', '--directed', out], /--directed does not apply to model ba/],
      [['--model', 'regular', '--nodes', '10', '--edges', '5', out], /--edges does not apply to model regular/],
      [['--model', 'regular', '--nodes', '7', '--degree', '3', out], /must be even/],
      [['--model', 'ws', '--nodes', '10', '--k', '4', '--beta', 'lots', out], /--beta must be a number/],
      [['--model', 'rmat', '--nodes', '1e6', '--edges', '5', out], /--nodes must be an integer/],
      [['--model', 'rmat', '--nodes', '100', '--edges', '5', '--rmat', '0.5,0.5', out], /four probabilities/],
      [['--model', 'rmat', '--nodes', '100', '--edges', '5'], /expected one output file/],
      [['--model', 'rmat', '--nodes', '100', '--edges', '5', '--bogus', out], /Unknown option '--bogus'/],
    ];
    for (const [argv, message] of cases) {
      const { error } = await runCommandSettled(generateCommand, ...argv);
      expect((error as Error)?.message, argv.join(' ')).toMatch(message);
      expect(exitCodeOf(error)).toBe(2);
    }
  });

  it('--help prints the help', async () => {
    expect((await runCommandSettled(generateCommand, '--help')).stdout).toBe(GENERATE_HELP);
  });
});

// The spawned CLI, once main.ts registers the two commands (dist/cli.js from `npm run build`).
const registered =
  existsSync(CLI) && spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout.includes('convert');
describe.skipIf(!registered)('node dist/cli.js generate | convert (needs the commands registered in main.ts)', () => {
  it('generates, converts and analyses a graph end to end', () => {
    const txt = join(dir, 'spawned.txt');
    const csr = join(dir, 'spawned.csr');
    const cli = (...args: string[]) => spawnCli(args);
    expect(cli('generate', '--model', 'ba', '--nodes', '500', '--degree', '2', '--seed', '1', txt).code).toBe(0);
    expect(cli('convert', txt, csr).code).toBe(0);
    const run = cli('entropy', csr, '--hops', '3', '--terminals', '10', '--backend', 'cpu', '--format', 'json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).graph).toMatchObject({ nodes: 500, edges: 1 + 498 * 2 });
    expect(cli('generate', '--model', 'nope', '--nodes', '5', txt).code).toBe(2);
  });
});
