/**
 * Weights past float32's range: the float32 engines would store Infinity and drain the row
 * (its terminals turning "unreachable"), and convert would write a .csr its own reader
 * refuses. A single weight is refused by each reader with its line; duplicates whose sum
 * passes the range are refused when the CSR is built, naming the file and the edge.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { refusal } from '../helpers/refusal.js';
import { parseEdgeList } from '../../src/graph/edge-list.js';
import { parseGexf, parseGraphologyJson } from '../../src/graph/gexf.js';
import { parseGml } from '../../src/graph/gml.js';
import { parsePajek } from '../../src/graph/pajek.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { MAX_WEIGHT } from '../../src/graph/weights.js';
import { main } from '../../src/cli/main.js';

const half = 2e38; // twice this is past 3.4028e38
const gexf = (weights: number[]) =>
  `<?xml version="1.0"?>\n<gexf version="1.3"><graph defaultedgetype="undirected"><nodes><node id="a"/><node id="b"/><node id="c"/></nodes><edges>` +
  weights.map((w, k) => `<edge id="e${k}" source="a" target="b" weight="${w}"/>`).join('') +
  `<edge id="z" source="b" target="c"/></edges></graph></gexf>\n`;


const sum = (edge: string) => `the edge ${edge} is listed more than once and its weights add up to 4.00000e+38, more than float32 can hold (3.4028235e+38)`;

describe('weights past float32', () => {
  it('a single weight of 1e39 is refused with its line (edge list) or edge (GEXF, JSON)', () => {
    expect(refusal(() => parseEdgeList('a b 1\nb c 1e39\n', 'g.txt')).message).toBe('g.txt:2: weight 1e39 is larger than float32 can hold (3.4028235e+38)');
    expect(refusal(() => parseGexf(gexf([1e39]), 'g.gexf')).message).toMatch(/^g\.gexf: edge "e0" \(a -> b\): weight 1e\+39 is larger than float32/);
    const json = JSON.stringify({ options: { type: 'undirected' }, nodes: [{ key: 'a' }, { key: 'b' }], edges: [{ source: 'a', target: 'b', attributes: { weight: 1e39 } }] });
    expect(refusal(() => parseGraphologyJson(json, 'g.json')).message).toMatch(/^g\.json: edge .* weight 1e\+39 is larger than float32/);
  });

  it('duplicates whose sum passes float32 are refused in every format', () => {
    expect(half).toBeLessThan(MAX_WEIGHT);
    expect(2 * half).toBeGreaterThan(MAX_WEIGHT);
    const cases: [string, string, () => unknown][] = [
      ['g.txt', 'a -- b', () => parseEdgeList(`a b ${half}\nb c 1\nb a ${half}\n`, 'g.txt')],
      ['g.gexf', 'a -- b', () => parseGexf(gexf([half, half]), 'g.gexf')],
      ['g.gml', '1 -- 2', () => parseGml(`graph [\n node [ id 1 label "a" ]\n node [ id 2 label "b" ]\n node [ id 3 label "c" ]\n edge [ source 1 target 2 weight ${half} ]\n edge [ source 2 target 1 weight ${half} ]\n edge [ source 2 target 3 ]\n]\n`, 'g.gml')],
      ['g.net', 'a -- b', () => parsePajek(`*Vertices 3\n1 "a"\n2 "b"\n3 "c"\n*Edges\n1 2 ${half}\n1 2 ${half}\n2 3 1\n`, 'g.net')],
    ];
    for (const [file, edge, read] of cases) {
      const error = refusal(read);
      expect(error.file).toBe(file);
      expect(error.problem).toBe(sum(edge));
    }
  });

  it('arcs a -> b and b -> a read --undirected from a directed .csr add up past float32: refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anonscope-weights-'));
    writeFileSync(join(dir, 'd.txt'), `a b ${half}\nb a ${half}\nb c 1\n`);
    const code = await main(['convert', join(dir, 'd.txt'), join(dir, 'd.csr'), '--directed', '--quiet']);
    expect(code).toBe(0);
    await expect(loadGraphFile(join(dir, 'd.csr'), { directed: false })).rejects.toThrow(/d\.csr: the edge a -- b is listed more than once and its weights add up to 4\.00000e\+38/);
  });

  it('convert refuses the duplicates instead of writing a .csr its reader refuses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anonscope-weights-'));
    writeFileSync(join(dir, 'g.txt'), `a b ${half}\na b ${half}\nb c 1\n`);
    const code = await main(['convert', join(dir, 'g.txt'), join(dir, 'g.csr'), '--quiet']);
    expect(code).toBe(2);
    await expect(loadGraphFile(join(dir, 'g.csr'))).rejects.toThrow(/no such file/);
  });

  it('a 200 KB bad weight is refused at once, quoted in 40 characters (the decimal pattern once backtracked quadratically)', () => {
    const error = refusal(() => parseEdgeList(`a b 1\nb c ${'9'.repeat(200_000)}x\n`, 'g.txt'));
    expect(error.message).toBe(`g.txt:2: weight "${'9'.repeat(40)}…" is not a decimal number`);
  });

  it('duplicates that stay within float32 are merged, their weights added', () => {
    const { csr, report } = parseEdgeList(`a b ${half / 2}\na b ${half / 2}\nb c 1\n`, 'g.txt');
    expect(report.duplicates).toBe(1);
    expect(csr.weights![0]).toBe(Math.fround(half));
  });
});
