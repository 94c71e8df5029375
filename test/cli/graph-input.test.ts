/**
 * The graph-input flags on the commands that read graphs (--directed, --undirected,
 * --ignore-weights, --header, --no-header, --input-format), the load summary, and files that
 * are not regular files.
 */
import { DOMParser } from '@xmldom/xmldom';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { exitCodeOf } from '../../src/cli/main.js';
import { networkCommand } from '../../src/cli/network.js';
import { dataset, datasetsSkipReason, haveDatasets } from '../helpers/datasets.js';
import { spawnCli } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');

function anonscope(...args: string[]) {
  const started = performance.now();
  return { ...spawnCli(args, { timeout: 30_000 }), seconds: (performance.now() - started) / 1000 };
}

let dir: string;
beforeAll(() => {
  readFileSync(CLI); // built by `npm test`; fail loudly when missing
  dir = mkdtempSync(join(tmpdir(), 'anonscope-graph-input-'));
});
afterEach(() => vi.restoreAllMocks());

function write(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** `convert` to a scratch .csr and return its load summary line. */
function summary(input: string, ...flags: string[]): string {
  const run = anonscope('convert', input, join(dir, 'out.csr'), ...flags);
  expect(run.stderr).toMatch(/^loaded /m);
  expect(run.code).toBe(0);
  return run.stderr.split('\n').find((line) => line.startsWith('loaded '))!;
}

describe.skipIf(!haveDatasets)(`a directed GEXF (${haveDatasets ? 'les_miserables.gexf' : datasetsSkipReason})`, () => {
  it('is read as the file says (arcs), and --undirected gives the symmetric graph: one edge per unordered pair', () => {
    const path = dataset('gexf/les_miserables.gexf');
    const document = new DOMParser().parseFromString(readFileSync(path, 'utf8'), 'application/xml');
    const pairs = Array.from(document.getElementsByTagName('edge'))
      .map((edge) => [edge.getAttribute('source')!, edge.getAttribute('target')!])
      .filter(([s, t]) => s !== t);
    const arcs = new Set(pairs.map(([s, t]) => `${s}\u0000${t}`)).size;
    const edges = new Set(pairs.map(([s, t]) => (s < t ? `${s}\u0000${t}` : `${t}\u0000${s}`))).size;
    const nodes = document.getElementsByTagName('node').length;
    expect(document.getElementsByTagName('graph')[0].getAttribute('defaultedgetype')).toBe('directed');

    expect(summary(path)).toMatch(new RegExp(`\\(gexf\\): ${nodes} nodes, ${arcs} arcs \\(directed\\), weighted;`));
    expect(summary(path, '--undirected')).toMatch(new RegExp(`\\(gexf\\): ${nodes} nodes, ${edges} edges \\(undirected\\), weighted;`));
    expect(summary(path, '--undirected', '--ignore-weights')).toMatch(new RegExp(`${edges} edges \\(undirected\\); `));
  });
});

describe('the read flags', () => {
  it('--directed with --undirected is a parameter error (exit 2, one line), before the file is read', () => {
    const run = anonscope('convert', join(dir, 'missing.gexf'), join(dir, 'out.csr'), '--directed', '--undirected');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('anonscope convert: error: --directed and --undirected cannot be used together\n');
  });

  it('--input-format is checked before the file is read', () => {
    const run = anonscope('entropy', join(dir, 'missing.txt'), '--input-format', 'dot');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--input-format must be one of edgelist, csv, gexf, graphml, gml, pajek, graphology-json, csr, got "dot"\n$/);
  });

  it('a header row is detected and said; --no-header reads it as an edge; --header takes unknown names', () => {
    const csv = write('h.csv', 'source,target,weight\n1,2,0.5\n');
    const detected = anonscope('convert', csv, join(dir, 'out.csr'));
    expect(detected.stderr).toMatch(/^line 1 read as a header row: source "source", target "target", weight "weight" \(pass --no-header to read it as an edge\)$/m);
    expect(detected.stderr).toMatch(/: 2 nodes, 1 edge \(undirected\), weighted; 0 self-loops dropped, 0 duplicate edges merged; 1 weakly connected component \(largest 2\)/);
    // Without the header, "weight" is the first line's weight, and not a number.
    expect(anonscope('convert', csv, join(dir, 'out.csr'), '--no-header').stderr).toMatch(/h\.csv:1: weight "weight" is not a decimal number/);
    const people = write('people.csv', 'Person1,Person2\nann,bob\nbob,cy\n');
    expect(summary(people)).toMatch(/: 5 nodes, 3 edges/); // the header is an edge
    expect(summary(people, '--header')).toMatch(/: 3 nodes, 2 edges/);
    expect(anonscope('convert', people, join(dir, 'out.csr'), '--header', '--no-header').stderr).toMatch(/--header and --no-header cannot be used together/);
  });

  it('--directed on an edge list, --ignore-weights, and gzip, through entropy as well', () => {
    const gz = write('arcs.txt.gz', gzipSync('a b 2\nb c 3\nc a 1\n'));
    expect(summary(gz)).toMatch(/\(edgelist\): 3 nodes, 3 edges \(undirected\), weighted/);
    expect(summary(gz, '--directed', '--ignore-weights')).toMatch(/\(edgelist\): 3 nodes, 3 arcs \(directed\); /);
    const json = JSON.parse(anonscope('entropy', gz, '--directed', '--hops', '2', '--format', 'json', '--quiet').stdout);
    expect(json.graph).toMatchObject({ nodes: 3, edges: 3, directed: true });
  });

  it('"1 node"-style singulars: a self-loop, a duplicate', () => {
    expect(summary(write('one.txt', 'a b\nb a\nb b\n'))).toMatch(/: 2 nodes, 1 edge \(undirected\); 1 self-loop dropped, 1 duplicate edge merged; 1 weakly connected component/);
  });

  it('a DOT file is refused by name with a conversion one-liner (exit 2)', () => {
    const run = anonscope('convert', write('g.gv', 'digraph { a -> b }\n'), join(dir, 'out.csr'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/g\.gv: this is a Graphviz DOT file, which anonscope does not read\. It reads .* Convert it, e\.g\. with networkx: python -c /);
  });
});

describe('files that are not regular files', () => {
  it('a FIFO is refused at once (it would block a reader forever)', () => {
    const fifo = join(dir, 'pipe.txt');
    execFileSync('mkfifo', [fifo]);
    const run = anonscope('convert', fifo, join(dir, 'out.csr'));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`anonscope convert: error: ${fifo}: cannot read: this is a named pipe (FIFO), not a graph file\n`);
    expect(run.seconds).toBeLessThan(10);
  });

  it('a directory and /dev/zero are refused; a missing file says "no such file"', () => {
    expect(anonscope('convert', dir, join(dir, 'out.csr')).stderr).toMatch(/: cannot read: this is a directory, not a graph file\n$/);
    expect(anonscope('convert', '/dev/zero', join(dir, 'out.csr')).stderr).toMatch(/\/dev\/zero: cannot read: this is a character device, not a graph file\n$/);
    expect(anonscope('convert', join(dir, 'nope.txt'), join(dir, 'out.csr')).stderr).toMatch(/nope\.txt: cannot read: no such file\n$/);
  });
});

describe('network --topology: the topology file says its own direction', () => {
  async function topologyLine(...argv: string[]): Promise<string> {
    let stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
    await networkCommand([...argv, '--streams', '4', '--path-length', '2', '--packets', '4', '--duration', '100', '--format', 'json']);
    vi.restoreAllMocks();
    return stderr.split('\n').find((line) => line.startsWith('topology: '))!;
  }

  it('a directed GML ring is 3 links, 6 with --undirected; --directed with --undirected is exit 2', async () => {
    const ring = write('ring.gml', 'graph [ directed 1 node [ id 0 ] node [ id 1 ] node [ id 2 ] edge [ source 0 target 1 ] edge [ source 1 target 2 ] edge [ source 2 target 0 ] ]\n');
    expect(await topologyLine('--topology', ring)).toMatch(/: 3 mixes, 3 links$/);
    expect(await topologyLine('--topology', ring, '--undirected')).toMatch(/: 3 mixes, 6 links$/);
    const error = await networkCommand(['--topology', ring, '--directed', '--undirected']).catch((e: unknown) => e);
    expect(exitCodeOf(error)).toBe(2);
    expect((error as Error).message).toBe('--directed and --undirected cannot be used together');
  });
});
