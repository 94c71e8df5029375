/**
 * Bad parameters are refused in one line with exit code 2, before the work they would
 * waste: before the graph loads where the graph is not needed, and before the backend (or
 * the mix kernels) starts where it is. In-process through main(), so that many cases stay fast.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCommand } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '../..');
const KARATE = join(ROOT, 'graphs/karate.txt');

async function anonscope(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { value: code, stdout, stderr } = await runCommand(main, ...argv);
  return { code, stdout, stderr };
}

let dir: string;
let aFile: string;
let directed: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anonscope-params-'));
  aFile = join(dir, 'a-file');
  writeFileSync(aFile, 'not a directory\n');
  writeFileSync(join(dir, 'unknown-nodes.txt'), '0\n999\n');
  // d has no in-arcs: no walk of any length ends there.
  directed = join(dir, 'directed.txt');
  writeFileSync(directed, 'a b\nb c\nc a\nd a\n');
});

/** Where the refusal came: before the graph loaded, or after it loaded but before the backend started. */
type Stage = 'before load' | 'before backend';

const cases: [string, () => string[], RegExp, Stage][] = [
  ['--rounds 0', () => ['entropy', KARATE, '--rounds', '0'], /--rounds must be in 1\.\.256, got 0/, 'before load'],
  ['--rounds-samples 0', () => ['entropy', KARATE, '--rounds', '2', '--rounds-samples', '0'], /--rounds-samples must be >= 1, got 0/, 'before load'],
  ['--threads 0', () => ['entropy', KARATE, '--threads', '0', '--backend', 'cpu-parallel'], /--threads must be in 1\.\.1024, got 0/, 'before load'],
  ['--precision half', () => ['entropy', KARATE, '--precision', 'half', '--backend', 'cpu-parallel'], /--precision must be one of float32, float64/, 'before load'],
  ['--cdf-hop past --hops', () => ['entropy', KARATE, '--hops', '3', '--cdf-hop', '5'], /--cdf-hop must be in 1\.\.3, got 5/, 'before load'],
  ['--hops -3', () => ['entropy', KARATE, '--hops', '-3'], /--hops -3: a value that starts with "-" is read as an option.*write --hops=-3/, 'before load'],
  ['--hops=-3', () => ['entropy', KARATE, '--hops=-3'], /--hops must be in 1\.\.100000, got -3/, 'before load'],
  ['--guessing off cpu', () => ['entropy', KARATE, '--guessing', '--backend', 'cpu-parallel'], /--guessing .*runs on --backend cpu only, not cpu-parallel/, 'before load'],
  ['empty --terminal-ids', () => ['entropy', KARATE, '--terminal-ids', ','], /--terminal-ids needs at least one node id/, 'before load'],
  ['--out a file', () => ['entropy', KARATE, '--out', aFile], /--out .*a-file: not a directory/, 'before load'],
  ['--out under /proc', () => ['entropy', KARATE, '--out', '/proc/anonscope/x'], /--out \/proc\/anonscope\/x: cannot create or write this directory \(ENOENT/, 'before load'],
  ['--terminals 1000 on 34 nodes', () => ['entropy', KARATE, '--terminals', '1000'], /--terminals must be 'all' or an integer in 1\.\.34 \(the node count\), got 1000/, 'before backend'],
  ['an unknown terminal id', () => ['entropy', KARATE, '--terminal-ids', '0,99'], /unknown terminal id "99"/, 'before backend'],
  ['empty --attack-edges', () => ['adversary', KARATE, '--attack-edges', ''], /--attack-edges needs at least one count/, 'before load'],
  ['a Sybil region past 2^24 nodes', () => ['adversary', KARATE, '--attack-edges', '1000000000'], /makes 10000000000 Sybils; at most 2\^24 = 16777216 nodes/, 'before load'],
  [
    'Sybils and honest nodes past 2^24',
    () => ['adversary', KARATE, '--attack-edges', '1677720', '--sybil-degree', '2'],
    /makes 16777200 Sybils plus 34 honest nodes; at most 2\^24/,
    'before backend',
  ],
  ['a clique Sybil region past 2^26 edges', () => ['adversary', KARATE, '--attack-edges', '3000', '--sybil-region', 'clique'], /clique Sybil region of 30000 nodes .* --sybil-region random/, 'before load'],
  ['--two-hop 1 --hops 1', () => ['adversary', KARATE, '--two-hop', '1', '--hops', '1'], /--two-hop needs walks of at least 2 hops \(k in 1\.\.L-1\), got --hops 1/, 'before load'],
  ['--two-hop sweep --hops 1', () => ['adversary', KARATE, '--two-hop', 'sweep', '--hops', '1'], /--two-hop needs walks of at least 2 hops/, 'before load'],
  ['empty --two-hop', () => ['adversary', KARATE, '--two-hop', ','], /--two-hop needs k1,k2,… or sweep/, 'before load'],
  ['empty --walk', () => ['adversary', KARATE, '--walk', ','], /--walk needs at least one of simple, mh/, 'before load'],
  ['--compromised /dev/null', () => ['adversary', KARATE, '--compromised', '/dev/null'], /\/dev\/null: the compromised-node file lists no node ids/, 'before load'],
  ['an unknown compromised node', () => ['adversary', KARATE, '--compromised', join(dir, 'unknown-nodes.txt')], /--compromised: node "999" is not a node of the graph/, 'before backend'],
  ['adversary --out a file', () => ['adversary', KARATE, '--out', aFile], /not a directory/, 'before load'],
  ['convert to a missing directory', () => ['convert', KARATE, '/nonexistent-dir/x.csr'], /\/nonexistent-dir\/x\.csr: cannot write this file: the directory \/nonexistent-dir does not exist/, 'before load'],
  ['convert under a file', () => ['convert', KARATE, join(aFile, 'x.csr')], /cannot write this file: .*a-file is not a directory/, 'before load'],
  ['generate to a missing directory', () => ['generate', '--model', 'ba', '--nodes', '10', '--degree', '2', '/nonexistent-dir/g.txt'], /the directory \/nonexistent-dir does not exist/, 'before load'],
  ['generate onto a directory', () => ['generate', '--model', 'ba', '--nodes', '10', '--degree', '2', dir], /cannot write this file: it is a directory/, 'before load'],
  ['mix --rate 0 on webgpu', () => ['mix', '--rate', '0', '--backend', 'webgpu'], /--rate must be > 0, got 0/, 'before backend'],
  ['mix --out a file', () => ['mix', '--rate', '1', '--out', aFile, '--backend', 'webgpu'], /not a directory/, 'before backend'],
  ['trace --trials 1 on webgpu', () => ['trace', '--trials', '1', '--backend', 'webgpu'], /--trials must be in 2\.\.10000000, got 1/, 'before backend'],
];

describe('bad parameters: exit code 2, one line, before the work', () => {
  it.each(cases)('%s', async (_what, argv, message, stage) => {
    const args = argv();
    const run = await anonscope(...args);
    expect(run.code, run.stderr).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(new RegExp(`^anonscope ${args[0]}: error: `));
    expect(lines.at(-1)).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.stderr).not.toMatch(/^(backend|kernels)[: ]/m);
    if (stage === 'before load') expect(run.stderr).not.toMatch(/^(loaded|generated) /m);
    else if (args[0] === 'entropy' || args[0] === 'adversary') expect(run.stderr).toMatch(/^loaded /m);
    expect(run.stdout).toBe('');
  });
});

describe('what the entropy command says it averaged', () => {
  it('a terminal no walk reaches: the unreachable column and a stderr note for every hop; mh on a directed graph: a note, also in the JSON', async () => {
    const table = await anonscope('entropy', directed, '--directed', '--hops', '3', '--backend', 'cpu', '--walk', 'mh');
    expect(table.code, table.stderr).toBe(0);
    // Terminal d has no in-arcs; a, b and c sit on a cycle that every hop reaches: 1 left out at hops 1, 2, 3.
    const rows = table.stdout.split('\n').filter((line) => /^\s+\d\s/.test(line));
    expect(rows.map((row) => Number(row.trim().split(/\s+/).at(-1)))).toEqual([1, 1, 1]);
    expect(table.stdout).toMatch(/ unreachable\n/);
    expect(table.stderr).toMatch(/^note: terminals reached by no walk of that length are left out of the statistics: hops 1-3: 1$/m);
    expect(table.stderr).toMatch(/^note: mh walk on a directed graph: .*stationary law is no longer uniform/m);
    const json = JSON.parse((await anonscope('entropy', directed, '--directed', '--hops', '3', '--backend', 'cpu', '--walk', 'mh', '--format', 'json', '--quiet')).stdout);
    expect(json.hops.map((h: { unreachable: number }) => h.unreachable)).toEqual([1, 1, 1]);
    expect(json.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^mh walk on a directed graph/), 'terminals reached by no walk of that length are left out of the statistics: hops 1-3: 1']));
  });

  it('counts of one are singular: "1 edge", "1 arc", not "1 edges"', async () => {
    const pair = join(dir, 'pair.txt');
    writeFileSync(pair, 'a b\n');
    const run = await anonscope('entropy', pair, '--hops', '1', '--backend', 'cpu');
    expect(run.stdout).toMatch(/^graph: 2 nodes, 1 edge; walk: simple;/);
    expect(run.stderr).toMatch(/^loaded .*pair\.txt \(edgelist\): 2 nodes, 1 edge \(undirected\); 0 self-loops dropped, 0 duplicate edges merged; 1 weakly connected component \(largest 2\)$/m);
    const directedPair = await anonscope('entropy', pair, '--hops', '1', '--backend', 'cpu', '--directed', '--quiet');
    expect(directedPair.stdout).toMatch(/^graph: 2 nodes, 1 arc \(directed\); walk: simple;/);
    const converted = await anonscope('convert', pair, join(dir, 'pair.csr'));
    expect(converted.stderr).toMatch(/^wrote .*pair\.csr: 2 nodes, 1 edge, /m);
  });

  it('adversary --two-hop shows its rows in the table', async () => {
    const run = await anonscope('adversary', KARATE, '--two-hop', '1,3', '--hops', '4', '--attack-edges', '2', '--walkers', '500', '--backend', 'cpu', '--quiet');
    expect(run.code, run.stderr).toBe(0);
    const twoHop = run.stdout.slice(run.stdout.indexOf('two-hop optimisation'));
    expect(twoHop.split('\n').filter((line) => /^\s+2\s+[13]\s/.test(line))).toHaveLength(2);
  });
});
