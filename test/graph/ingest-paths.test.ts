/**
 * The fast ingestion paths against the ones they replace: worker-thread parsing against the
 * one-thread parse, the integer scanner against the tokenizer (the same lines with quoted
 * ids), union-find components against a breadth-first search written here, and lazily made
 * node keys against the keys themselves.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCsr } from '../../src/graph/binary-csr.js';
import { weakComponents } from '../../src/graph/components.js';
import { nodeKey, type Csr } from '../../src/graph/csr.js';
import { parseEdgeList } from '../../src/graph/edge-list.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import type { LoadedGraph } from '../../src/graph/loaded-graph.js';
import { readGraph } from '../../src/graph/read-graph.js';
import { Pcg32 } from '../../src/random.js';

/** A uniform float in [0, 1). */
const uniform = (random: Pcg32) => random.nextUint32() / 2 ** 32;

const dir = mkdtempSync(join(tmpdir(), 'anonscope-ingest-paths-'));

/** Everything a load gives, as plain values (keys made), for toEqual. */
function plain({ csr, report }: LoadedGraph) {
  return {
    n: csr.n,
    directed: csr.directed,
    rowPtr: Array.from(csr.rowPtr),
    colIdx: Array.from(csr.colIdx),
    weights: csr.weights && Array.from(csr.weights),
    nodeKeys: [...csr.nodeKeys],
    report,
  };
}

/** The outcome of a load: the graph, or the error's class and message. */
async function outcome(load: () => Promise<LoadedGraph>) {
  try {
    return { graph: plain(await load()) };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

interface ListShape {
  lines: number;
  weighted: boolean;
  ids: number;
  /** A line that is not a plain integer line, somewhere in the file. */
  odd?: string;
}

/** A seeded edge list: integer ids (some repeated edges and self-loops), comments, blank lines, CRLF, odd separators. */
function edgeList(random: Pcg32, shape: ListShape): string {
  const out: string[] = ['# generated', `0 1${shape.weighted ? ' 1' : ''}`];
  const oddAt = shape.odd === undefined ? -1 : 1 + Math.floor(uniform(random) * shape.lines);
  for (let k = 1; k <= shape.lines; k++) {
    if (k === oddAt) out.push(shape.odd!);
    const r = uniform(random);
    if (r < 0.02) out.push('# a comment, 12 34');
    else if (r < 0.04) out.push(uniform(random) < 0.5 ? '' : ' \t');
    const u = Math.floor(uniform(random) ** 2 * shape.ids);
    const v = uniform(random) < 0.01 ? u : Math.floor(uniform(random) * shape.ids);
    const separator = [' ', '\t', ',', ' ; ', '  '][Math.floor(uniform(random) * 5)];
    const weight = shape.weighted ? `${separator}${uniform(random) < 0.5 ? Math.floor(uniform(random) * 9) : (uniform(random) * 3).toPrecision(4)}` : '';
    out.push(`${u}${separator}${v}${weight}${uniform(random) < 0.1 ? '\r' : ''}`);
  }
  return out.join('\n');
}

describe('edge lists parsed in worker threads', () => {
  const odd = [
    undefined,
    'alice bob', // string ids: the main thread reads on from there
    '5 6 7 8', // four columns
    '5', // one column
    '9 10 x', // a bad weight (in weighted files; a third column otherwise)
    '9 10 1e999', // a weight past float64
    '"11" "12"', // quoted ids
    '13 014', // a leading zero: a string id
    '4294967296 1', // an id past 32 bits
  ];
  const cases = odd.flatMap((line, c) => [false, true].map((weighted) => ({ line, weighted, seed: 10 + 2 * c + (weighted ? 1 : 0) })));

  it.each(cases)('give what one thread gives: odd line $line, weighted $weighted', async ({ line, weighted, seed }) => {
    const random = new Pcg32(seed);
    const text = edgeList(random, { lines: 12_000 + Math.floor(uniform(random) * 4000), weighted, ids: 3000, odd: line });
    const file = join(dir, `list-${seed}.txt`);
    writeFileSync(file, uniform(random) < 0.5 ? text : `${text}\n`);
    const one = await outcome(() => loadGraphFile(file, { threads: 1 }));
    for (const threads of [2, 3, 5]) {
      expect(await outcome(() => loadGraphFile(file, { threads, threadMinBytes: 1 << 12 }))).toEqual(one);
    }
    const skipping = await outcome(() => loadGraphFile(file, { threads: 1, skipBadLines: true }));
    expect(await outcome(() => loadGraphFile(file, { threads: 3, threadMinBytes: 1 << 12, skipBadLines: true }))).toEqual(skipping);
  });

  it('name the line of a bad line far into the file, as one thread does', async () => {
    const lines = Array.from({ length: 30_000 }, (_, k) => `${k} ${k + 1}`);
    lines[25_000] = '7 8 9 10';
    const file = join(dir, 'bad-late.txt');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const error = `FormatError: ${file}:25001: expected 2 or 3 columns (u v [weight]), found 4 (pass --skip-bad-lines to skip such lines)`;
    expect(await outcome(() => loadGraphFile(file, { threads: 1 }))).toEqual({ error });
    expect(await outcome(() => loadGraphFile(file, { threads: 4, threadMinBytes: 1 << 12 }))).toEqual({ error });
  });
});

describe('the integer scanner against the tokenizer', () => {
  it.each([1, 2, 3, 4])('reads unquoted lines as the tokenizer reads them quoted (seed %i)', (seed) => {
    const random = new Pcg32(seed);
    const weighted = seed % 2 === 0;
    const text = edgeList(random, { lines: 3000, weighted, ids: 500 });
    // Quoted ids make every edge line go through the tokenizer: the same ids once unquoted.
    const quoted = text.replace(/^(\s*)(\d+)([ \t,;]+)(\d+)/gm, '$1"$2"$3"$4"');
    expect(quoted).not.toEqual(text);
    const fast = plain(parseEdgeList(text, 'list.txt'));
    expect(plain(parseEdgeList(quoted, 'list.txt'))).toEqual(fast);
    // And the graph is the one the lines describe, counted here.
    const order = new Map<string, number>();
    let selfLoops = 0;
    for (const line of text.split('\n')) {
      const fields = line.split(/[ \t,;\r]+/).filter((field) => field !== '');
      if (fields.length === 0 || fields[0].startsWith('#')) continue;
      for (const id of fields.slice(0, 2)) if (!order.has(id)) order.set(id, order.size);
      if (fields[0] === fields[1]) selfLoops++;
    }
    expect(fast.nodeKeys).toEqual([...order.keys()]);
    expect(fast.report.selfLoops).toBe(selfLoops);
  });
});

/** Components by breadth-first search over both directions of every arc, ids by first node. */
function componentsByBfs(csr: Csr): { component: number[]; sizes: number[] } {
  const neighbours: number[][] = Array.from({ length: csr.n }, () => []);
  for (let u = 0; u < csr.n; u++) {
    for (let e = csr.rowPtr[u]; e < csr.rowPtr[u + 1]; e++) {
      neighbours[u].push(csr.colIdx[e]);
      neighbours[csr.colIdx[e]].push(u);
    }
  }
  const component = new Array<number>(csr.n).fill(-1);
  const sizes: number[] = [];
  for (let start = 0; start < csr.n; start++) {
    if (component[start] >= 0) continue;
    const id = sizes.length;
    sizes.push(0);
    const queue = [start];
    component[start] = id;
    while (queue.length > 0) {
      const u = queue.pop()!;
      sizes[id]++;
      for (const v of neighbours[u]) {
        if (component[v] < 0) {
          component[v] = id;
          queue.push(v);
        }
      }
    }
  }
  return { component, sizes };
}

describe('union-find components', () => {
  it.each([
    [1, false],
    [2, true],
    [3, false],
    [4, true],
  ])('match a breadth-first search (seed %i, directed %s)', (seed, directed) => {
    const random = new Pcg32(seed);
    const n = 2000;
    const lines: string[] = [];
    // Few edges per node: many components of many sizes.
    for (let k = 0; k < 1100; k++) lines.push(`${Math.floor(uniform(random) * n)} ${Math.floor(uniform(random) * n)}`);
    const { csr } = parseEdgeList(lines.join('\n'), 'random.txt', { directed });
    const found = weakComponents(csr);
    const expected = componentsByBfs(csr);
    expect(Array.from(found.component)).toEqual(expected.component);
    expect(found.sizes).toEqual(expected.sizes);
    expect(expected.sizes.length).toBeGreaterThan(50);
    expect(found.sizes[found.largest]).toBe(Math.max(...expected.sizes));
    expect(found.largest).toBe(expected.sizes.indexOf(Math.max(...expected.sizes)));
  });
});

describe('lazily made node keys', () => {
  it('nodeKey gives what nodeKeys holds, from edge lists and .csr files', async () => {
    const { csr } = parseEdgeList('10 20\n20 x\n7 10\n', 'mem.txt');
    expect([0, 1, 2, 3].map((i) => nodeKey(csr, i))).toEqual(['10', '20', 'x', '7']);
    expect(csr.nodeKeys).toEqual(['10', '20', 'x', '7']);
    const bytes = encodeCsr(csr);
    const read = await readGraph({ name: 'g.csr', bytes: (async function* () { yield bytes; })() });
    expect([0, 1, 2, 3].map((i) => nodeKey(read.csr, i))).toEqual(['10', '20', 'x', '7']);
    expect(read.csr.nodeKeys).toEqual(['10', '20', 'x', '7']);
    // A spread copy reads them.
    expect({ ...read.csr }.nodeKeys).toEqual(['10', '20', 'x', '7']);
  });
});
