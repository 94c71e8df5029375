import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataset, datasetsSkipReason, haveDatasets } from '../helpers/datasets.js';
import { spawnCli } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const KARATE = join(ROOT, 'graphs/karate.txt');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const anonscope = (...args: string[]): Run => spawnCli(args);

/** The CLI as its own process, not waited for: shards run side by side as array tasks do. */
function anonscopeAsync(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every file of a directory, by name. */
function filesOf(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

let dir: string;
beforeAll(() => {
  readFileSync(CLI); // npm test builds first; fail loudly if the bundle is missing
  dir = mkdtempSync(join(tmpdir(), 'anonscope-shards-'));
});

/** Four shards as four concurrent processes, merged: the same stdout and --out files as the unsharded run. */
async function expectShardsMergeToUnsharded(graph: string, name: string, job: string[]): Promise<void> {
  const full = anonscope('entropy', graph, ...job, '--format', 'json', '--out', join(dir, `${name}-full`), '--quiet');
  expect(full.code, full.stderr).toBe(0);
  const shardDir = join(dir, `${name}-shards`);
  const runs = await Promise.all([0, 1, 2, 3].map((k) => anonscopeAsync('entropy', graph, ...job, '--shard', `${k}/4`, '--out', shardDir)));
  for (const [k, run] of runs.entries()) {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`wrote shard ${k} of 4 \\(terminals \\d+\\.\\.\\d+ of \\d+\\) to .*shard-${k}-of-4\\.json`));
  }
  const shardFiles = [3, 1, 0, 2].map((k) => join(shardDir, `shard-${k}-of-4.json`));
  // --graph: the plot titles name the graph as the unsharded run does (the shards do not hold its file name).
  const merged = anonscope('merge', ...shardFiles, '--graph', basename(graph), '--format', 'json', '--out', join(dir, `${name}-merged`), '--quiet');
  expect(merged.code, merged.stderr).toBe(0);
  expect(merged.stdout).toBe(full.stdout);
  expect(filesOf(join(dir, `${name}-merged`))).toEqual(filesOf(join(dir, `${name}-full`)));
  expect(Object.keys(filesOf(join(dir, `${name}-full`)))).toContain('per-terminal.csv');
  const table = anonscope('entropy', graph, ...job, '--terminal-weighting', 'terminus');
  const mergedTable = anonscope('merge', ...shardFiles, '--terminal-weighting', 'terminus');
  expect(mergedTable.stdout).toBe(table.stdout);
  // The notes the unsharded run prints on stderr, the merge prints too.
  const notes = (text: string) => text.split('\n').filter((line) => line.startsWith('note: '));
  expect(notes(mergedTable.stderr)).toEqual(notes(table.stderr));
}

describe('entropy --shard and anonscope merge', () => {
  it('karate: four shard processes merged give the unsharded output byte for byte', async () => {
    await expectShardsMergeToUnsharded(KARATE, 'karate', ['--hops', '6', '--terminals', 'all', '--backend', 'cpu', '--per-terminal']);
  });

  it('karate with --rounds: the shards split the sampled initiators too, and the merge writes rounds.csv and rounds.svg as the unsharded run does', async () => {
    await expectShardsMergeToUnsharded(KARATE, 'karate-rounds', ['--hops', '4', '--terminals', '10', '--seed', '2', '--rounds', '3', '--rounds-samples', '9', '--backend', 'cpu', '--per-terminal']);
    expect(Object.keys(filesOf(join(dir, 'karate-rounds-merged')))).toEqual(expect.arrayContaining(['rounds.csv', 'rounds.svg']));
  });

  it.skipIf(!haveDatasets)(`email-Eu-core (directed, dangling nodes, terminals no walk reaches), on cpu-parallel in float64: the same${haveDatasets ? '' : ` (${datasetsSkipReason})`}`, async () => {
    await expectShardsMergeToUnsharded(dataset('snap/email-Eu-core.txt'), 'email', ['--directed', '--hops', '5', '--terminals', '150', '--seed', '3', '--backend', 'cpu-parallel', '--precision', 'float64', '--threads', '1', '--per-terminal']);
  });

  it('merge refuses a missing shard, a repeated shard, shards of another seed or graph, and a file that is no shard', () => {
    const job = ['--hops', '3', '--terminals', '12', '--backend', 'cpu'];
    const out = join(dir, 'refusals');
    for (const k of [0, 1, 2]) expect(anonscope('entropy', KARATE, ...job, '--shard', `${k}/3`, '--out', out).code).toBe(0);
    expect(anonscope('entropy', KARATE, ...job, '--seed', '5', '--shard', '1/3', '--out', join(out, 'seed5')).code).toBe(0);
    const karatePlus = join(dir, 'karate-plus.txt');
    spawnSync('sh', ['-c', `cat '${KARATE}' > '${karatePlus}' && echo '34 35' >> '${karatePlus}'`]);
    expect(anonscope('entropy', karatePlus, ...job, '--shard', '2/3', '--out', join(out, 'other'), '--quiet').code).toBe(0);
    const shard = (k: number) => join(out, `shard-${k}-of-3.json`);

    const missing = anonscope('merge', shard(0), shard(2));
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toMatch(/shard 1 of 3 missing/);
    expect(anonscope('merge', shard(0), shard(1), shard(1), shard(2)).stderr).toMatch(/shard 1 of 3 is given twice: .*shard-1-of-3\.json and .*shard-1-of-3\.json/);
    const seed = anonscope('merge', shard(0), join(out, 'seed5', 'shard-1-of-3.json'), shard(2));
    expect(seed.code).toBe(2);
    expect(seed.stderr).toMatch(/seed5\/shard-1-of-3\.json is a shard of another job than .*shard-0-of-3\.json; they differ in terminals\.seed \(1 in .*, 5 in .*\)/);
    const graph = anonscope('merge', shard(0), shard(1), join(out, 'other', 'shard-2-of-3.json'));
    expect(graph.code).toBe(2);
    expect(graph.stderr).toMatch(/other\/shard-2-of-3\.json is a shard of another job .*graph\.nodes \(34 in .*, 36 in .*\).*checksums\.graph/);
    const notShard = anonscope('merge', KARATE);
    expect(notShard.code).toBe(2);
    expect(notShard.stderr).toMatch(/karate\.txt: not JSON .* nor a binary shard; expected an anonscope-shard file/);
  });

  it('--shard is checked before the graph loads: its syntax and range, --out', () => {
    const missing = join(dir, 'no-such-graph.txt');
    expect(anonscope('entropy', missing, '--shard', '2/4').stderr).toMatch(/--shard needs --out DIR/);
    expect(anonscope('entropy', missing, '--shard', '4/4', '--out', dir).stderr).toMatch(/--shard 4\/4: the shard index must be an integer in 0\.\.3 \(0-based\), got 4/);
    expect(anonscope('entropy', missing, '--shard', '1-4', '--out', dir).stderr).toMatch(/--shard must be K\/N/);
  });
});

/**
 * `command args --shard K/N` as N concurrent processes, merged in another order: the merge's
 * stdout (JSON and CSV) and --out files are the unsharded run's, byte for byte. Returns the
 * shard files.
 */
async function expectCommandShardsMerge(name: string, command: string[], { N = 4, binary = false, graph }: { N?: number; binary?: boolean; graph?: string } = {}): Promise<string[]> {
  const full = anonscope(...command, '--format', 'json', '--out', join(dir, `${name}-full`), '--quiet');
  expect(full.code, full.stderr).toBe(0);
  const shardDir = join(dir, `${name}-shards`);
  const format = binary ? ['--shard-format', 'binary'] : [];
  const runs = await Promise.all(Array.from({ length: N }, (_, k) => anonscopeAsync(...command, '--shard', `${k}/${N}`, ...format, '--out', shardDir)));
  for (const [k, run] of runs.entries()) {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`wrote shard ${k} of ${N} \\(.* items \\d+\\.\\.\\d+ of \\d+\\) to .*shard-${k}-of-${N}\\.${binary ? 'bin' : 'json'}`));
  }
  const files = Array.from({ length: N }, (_, k) => join(shardDir, `shard-${(k * 3 + 1) % N}-of-${N}.${binary ? 'bin' : 'json'}`));
  expect(new Set(files).size).toBe(N);
  const titled = graph ? ['--graph', graph] : [];
  const merged = anonscope('merge', ...files, ...titled, '--format', 'json', '--out', join(dir, `${name}-merged`), '--quiet');
  expect(merged.code, merged.stderr).toBe(0);
  expect(merged.stdout).toBe(full.stdout);
  expect(filesOf(join(dir, `${name}-merged`))).toEqual(filesOf(join(dir, `${name}-full`)));
  expect(anonscope('merge', ...files, '--format', 'csv', '--quiet').stdout).toBe(anonscope(...command, '--format', 'csv', '--quiet').stdout);
  expect(anonscope('merge', ...files, '--quiet').stdout).toBe(anonscope(...command, '--quiet').stdout);
  return files;
}

describe('trace, network and mixing --shard K/N, and anonscope merge', () => {
  it('trace: four shard processes (a sweep of three curves) merged give the unsharded output byte for byte; merge refuses a shard of another seed, --input alone refuses --shard', async () => {
    const job = ['trace', '--packets', '1,4,10', '--trials', '41', '--seed', '3', '--sweep-cover', '0,100', '--sweep-delay', '0.05'];
    const files = await expectCommandShardsMerge('trace', job, { binary: true });
    const other = anonscope(...job, '--seed', '4', '--shard', '1/4', '--shard-format', 'binary', '--out', join(dir, 'trace-seed4'));
    expect(other.code, other.stderr).toBe(0);
    const mixed = anonscope('merge', ...files.filter((f) => !f.endsWith('shard-1-of-4.bin')), join(dir, 'trace-seed4', 'shard-1-of-4.bin'));
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/shard-1-of-4\.bin is a shard of another job than .*; they differ in seed \(3 in .*, 4 in .*\)/);
    const refused = anonscope('trace', '--input', KARATE, '--delay', 'exp:1', '--shard', '0/2', '--out', dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--input alone scores one set of links \(run it unsharded\)/);
  });

  it('trace --roc: four shard processes (two packet counts) merged give the unsharded ROC, curve and plots byte for byte', async () => {
    await expectCommandShardsMerge('trace-roc', ['trace', '--roc', '--targets', '26', '--sweep-packets', '4,12', '--seed', '6']);
  });

  it('network: four shard processes merged give the unsharded output byte for byte (every --out file); --temperature auto refuses --shard before any work', async () => {
    await expectCommandShardsMerge('network', ['network', '--mixes', '20', '--links', '4', '--streams', '40', '--packets', '20', '--duration', '2000', '--targets', '17', '--temperature', '2.5']);
    const auto = anonscope('network', '--temperature', 'auto', '--shard', '0/2', '--out', dir, '--topology', join(dir, 'no-such-topology.txt'));
    expect(auto.code).toBe(2);
    expect(auto.stderr).toMatch(/--temperature auto fits one temperature over every traced stream and cannot be sharded/);
  });

  it('mixing: four shard processes (the spectrum from shard 0) merged give the unsharded output byte for byte, the plot titled with --graph', async () => {
    const files = await expectCommandShardsMerge('mixing', ['mixing', KARATE, '--hops', '15', '--sources', '22', '--seed', '5', '--backend', 'cpu'], { graph: 'karate.txt' });
    const withoutShard0 = anonscope('merge', ...files.filter((f) => !f.endsWith('shard-0-of-4.json')));
    expect(withoutShard0.code).toBe(2);
    expect(withoutShard0.stderr).toMatch(/shard 0 of 4 missing/);
  });
});

describe('entropy --checkpoint DIR --resume', () => {
  it('a batch file deleted (a crash before it was written), --resume recomputes only it: the same output', () => {
    const job = ['--hops', '5', '--terminals', 'all', '--backend', 'cpu', '--format', 'json', '--checkpoint-batch', '8'];
    const checkpoint = join(dir, 'checkpoint');
    const first = anonscope('entropy', KARATE, ...job, '--checkpoint', checkpoint);
    expect(first.code, first.stderr).toBe(0);
    expect(readdirSync(checkpoint).sort()).toEqual(['batch-0.json', 'batch-16.json', 'batch-24.json', 'batch-32.json', 'batch-8.json', 'job.json']);
    const plain = anonscope('entropy', KARATE, '--hops', '5', '--terminals', 'all', '--backend', 'cpu', '--format', 'json');
    expect(first.stdout).toBe(plain.stdout);

    const again = anonscope('entropy', KARATE, ...job, '--checkpoint', checkpoint);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--checkpoint .* already holds a checkpoint .*pass --resume to continue it/);

    rmSync(join(checkpoint, 'batch-16.json'));
    const resumed = anonscope('entropy', KARATE, ...job, '--checkpoint', checkpoint, '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/4 of 5 batches taken from the checkpoint, 1 to compute/);
    expect(resumed.stdout).toBe(plain.stdout);
    expect(readdirSync(checkpoint)).toContain('batch-16.json');

    const other = anonscope('entropy', KARATE, ...job, '--hops', '4', '--checkpoint', checkpoint, '--resume');
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/job\.json is the checkpoint of another job; it differs in job\.hops \(5 in the checkpoint, 4 in this run\)/);
  });
});
