import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError, InputError } from '../../src/errors.js';
import { edgeCount, nodeIndex, type Csr } from '../../src/graph/csr.js';
import { EdgeListParser, parseEdgeList } from '../../src/graph/edge-list.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { dataset, datasetsSkipReason, haveDatasets } from '../helpers/datasets.js';

/** The neighbours of a node key, as keys, with weights when present. */
function neighbours(csr: Csr, key: string): Record<string, number> {
  const i = nodeIndex(csr).get(key)!;
  const out: Record<string, number> = {};
  for (let e = csr.rowPtr[i]; e < csr.rowPtr[i + 1]; e++) out[csr.nodeKeys[csr.colIdx[e]]] = csr.weights ? csr.weights[e] : 1;
  return out;
}

describe('edge-list parser', () => {
  it('reads comments, tabs, commas, CRLF and string ids, symmetric when undirected', () => {
    const { csr, report } = parseEdgeList('# comment\r\n% another\r\na\tb\r\nb,c\r\n\r\n  c   a  \r\n', 'mem.txt');
    expect(csr.n).toBe(3);
    expect(edgeCount(csr)).toBe(3);
    expect(csr.directed).toBe(false);
    expect(csr.weights).toBeUndefined();
    expect(neighbours(csr, 'a')).toEqual({ b: 1, c: 1 });
    expect(neighbours(csr, 'b')).toEqual({ a: 1, c: 1 });
    expect(report.selfLoops).toBe(0);
  });

  it('keeps integer ids as keys, and "007" distinct from "7"', () => {
    const { csr } = parseEdgeList('10 20\n007 7\n', 'mem.txt');
    expect([...csr.nodeKeys]).toEqual(['10', '20', '007', '7']);
  });

  it('takes a first line holding only a count as the declared node count', () => {
    const { csr, report } = parseEdgeList('3\n0 1\n1 2\n', 'mem.txt');
    expect(report.declaredNodes).toBe(3);
    expect(csr.n).toBe(3);
  });

  it('merges duplicates with weights added and drops self-loops, counting both', () => {
    const { csr, report } = parseEdgeList('a b 1.5\nb a 2\na a 4\nb c 0.25\n', 'mem.txt');
    expect(report.selfLoops).toBe(1);
    expect(report.duplicates).toBe(1);
    expect(neighbours(csr, 'a')).toEqual({ b: 3.5 });
    expect(neighbours(csr, 'b')).toEqual({ a: 3.5, c: 0.25 });
  });

  it('stores arcs one way when directed', () => {
    const { csr } = parseEdgeList('a b\nb c\n', 'mem.txt', { directed: true });
    expect(csr.directed).toBe(true);
    expect(edgeCount(csr)).toBe(2);
    expect(neighbours(csr, 'a')).toEqual({ b: 1 });
    expect(neighbours(csr, 'c')).toEqual({});
  });

  it('gives the same graph whatever the chunking (lines split across chunks)', () => {
    const text = '# header\r\n1 2 0.5\r\n2 3 1e-1\r\n3 1 7\r\nx y 2';
    const whole = parseEdgeList(text, 'mem.txt').csr;
    const parser = new EdgeListParser('mem.txt');
    for (const byte of new TextEncoder().encode(text)) parser.push(Uint8Array.of(byte));
    const chunked = parser.end().csr;
    expect([...chunked.rowPtr]).toEqual([...whole.rowPtr]);
    expect([...chunked.colIdx]).toEqual([...whole.colIdx]);
    expect([...chunked.weights!]).toEqual([...whole.weights!]);
    expect(chunked.nodeKeys).toEqual(whole.nodeKeys);
  });

  describe('bad input names the file and line', () => {
    const cases: [string, string, RegExp][] = [
      ['a malformed line', 'a b\nc\n', /^bad\.txt:2: expected 2 or 3 columns/],
      ['too many columns', 'a b 1 9\n', /^bad\.txt:1: expected 2 or 3 columns \(u v \[weight\]\), found 4/],
      ['a non-numeric weight', 'a b 1\nb c heavy\n', /^bad\.txt:2: weight "heavy" is not a decimal number/],
      ['a NaN weight', 'a b NaN\n', /^bad\.txt:1: weight "NaN" is not a decimal number/],
      ['a negative weight', '# c\na b -2\n', /^bad\.txt:2: weight -2 is negative/],
      ['an infinite weight', 'a b Infinity\n', /^bad\.txt:1: weight "Infinity" is not a decimal number/],
      ['a weight past float32', 'a b 1e39\n', /^bad\.txt:1: weight 1e39 is larger than float32 can hold/],
      ['a hexadecimal weight', 'a b 0x10\n', /^bad\.txt:1: weight "0x10" is not a decimal number/],
      ['mixed column counts', 'a b 1\nb c\n', /^bad\.txt:2: found 2 columns, but earlier lines have 3/],
      ['an empty file', '# nothing\n\n', /^bad\.txt: empty graph/],
      ['only self-loops', 'a a\n', /^bad\.txt: empty graph/],
    ];
    for (const [what, text, message] of cases) {
      it(what, () => {
        let error: unknown;
        try {
          parseEdgeList(text, 'bad.txt');
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(FormatError);
        expect((error as Error).message).toMatch(message);
      });
    }

    it('skips lines with the wrong column count when asked, and counts them', () => {
      const { csr, report } = parseEdgeList('a b\n-1\nb c\nx y z w\n', 'bad.txt', { skipBadLines: true });
      expect(edgeCount(csr)).toBe(2);
      expect(report.skippedLines).toBe(2);
      expect(report.firstSkippedLine).toBe(2);
    });

    it('an unreadable file is an input error naming the file', async () => {
      await expect(loadGraphFile('/nonexistent/graph.txt')).rejects.toThrow(InputError);
      await expect(loadGraphFile('/nonexistent/graph.txt')).rejects.toThrow(/^\/nonexistent\/graph\.txt: cannot read: no such file$/);
    });
  });

  it('streams a file from disk into the same graph as parsing it whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anonscope-'));
    const path = join(dir, 'g.tsv');
    const lines = ['# generated'];
    for (let i = 0; i < 5000; i++) lines.push(`${i}\t${(i * 7919) % 5000}\t${1 + (i % 5)}`);
    writeFileSync(path, lines.join('\r\n'));
    const streamed = (await loadGraphFile(path)).csr;
    const whole = parseEdgeList(await readFile(path), path).csr;
    expect([...streamed.colIdx]).toEqual([...whole.colIdx]);
    expect([...streamed.weights!]).toEqual([...whole.weights!]);
  });
});

describe.skipIf(!haveDatasets)(`SNAP edge lists in shared/datasets (${haveDatasets ? 'present' : datasetsSkipReason})`, () => {
  it('ego-Facebook: 4,039 nodes, 88,234 undirected edges, one component', async () => {
    const { csr, report } = await loadGraphFile(dataset('snap/facebook_combined.txt'));
    expect(csr.n).toBe(4039);
    expect(edgeCount(csr)).toBe(88234);
    expect(report.selfLoops).toBe(0);
  });

  it('email-Eu-core, directed: 1,005 nodes, 642 self-loops dropped', async () => {
    const { csr, report } = await loadGraphFile(dataset('snap/email-Eu-core.txt'), { directed: true });
    expect(csr.n).toBe(1005);
    expect(report.selfLoops).toBe(642);
    expect(edgeCount(csr) + report.selfLoops + report.duplicates).toBe(25571);
  });

  it('Oregon-1 (count line, CRLF, both directions, weight column): stops at its trailing "-1" line unless told to skip it', async () => {
    await expect(loadGraphFile(dataset('snap/oregon1_010331.txt'))).rejects.toThrow(/oregon1_010331\.txt:44006: expected 2 or 3 columns/);
    const { csr, report } = await loadGraphFile(dataset('snap/oregon1_010331.txt'), { skipBadLines: true });
    expect(report.declaredNodes).toBe(10670);
    expect(csr.n).toBe(10670);
    expect(edgeCount(csr)).toBe(22002);
    expect(report.duplicates).toBe(22002); // every edge is listed both ways
    expect(new Set(csr.weights).size).toBe(1); // so every merged weight is 1 + 1
    expect(csr.weights![0]).toBe(2);
  });
});
