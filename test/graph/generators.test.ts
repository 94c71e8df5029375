import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParameterError } from '../../src/errors.js';
import { edgeCount, type Csr } from '../../src/graph/csr.js';
import {
  barabasiAlbert,
  chungLu,
  chungLuWeights,
  generatedToCsr,
  randomRegular,
  rmat,
  wattsStrogatz,
  writeEdgeList,
  type GeneratedGraph,
} from '../../src/graph/generators.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { Pcg32 } from '../../src/random.js';

function maxOf(a: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, a[i]);
  return max;
}

function degrees(csr: Csr): number[] {
  return Array.from({ length: csr.n }, (_, i) => csr.rowPtr[i + 1] - csr.rowPtr[i]);
}

function sameGraph(a: GeneratedGraph, b: GeneratedGraph): boolean {
  return a.n === b.n && a.src.length === b.src.length && a.src.every((x, k) => x === b.src[k]) && a.dst.every((x, k) => x === b.dst[k]);
}

/** PCG32 transcribed from O'Neill's reference in BigInt: 64-bit state, XSH-RR output. */
class Pcg32BigInt {
  private state = 0n;
  private readonly increment: bigint;
  private static readonly MASK = (1n << 64n) - 1n;

  constructor(seed: number, stream = 54) {
    this.increment = ((BigInt(stream) << 1n) | 1n) & Pcg32BigInt.MASK;
    this.nextUint32();
    this.state = (this.state + BigInt(seed)) & Pcg32BigInt.MASK;
    this.nextUint32();
  }

  nextUint32(): number {
    const old = this.state;
    this.state = (old * 6364136223846793005n + this.increment) & Pcg32BigInt.MASK;
    const xorShifted = Number((((old >> 18n) ^ old) >> 27n) & 0xffffffffn);
    const rotation = Number(old >> 59n);
    return ((xorShifted >>> rotation) | (xorShifted << (-rotation & 31))) >>> 0;
  }

  below(bound: number): number {
    const threshold = (0x100000000 - bound) % bound;
    for (;;) {
      const r = this.nextUint32();
      if (r >= threshold) return r % bound;
    }
  }
}

describe('Pcg32', () => {
  it("gives the output of O'Neill's pcg32-demo for pcg32_srandom(42, 54)", () => {
    const rng = new Pcg32(42, 54);
    expect(Array.from({ length: 6 }, () => rng.nextUint32())).toEqual([0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e]);
  });

  it('gives the reference stream (BigInt transcription), for small, 32-bit and 53-bit seeds and several streams', () => {
    for (const [seed, stream] of [[0, 54], [1, 54], [42, 77], [0xffffffff, 54], [2 ** 32 + 5, 55], [2 ** 53 - 1, 54]]) {
      const slow = new Pcg32BigInt(seed, stream);
      const fast = new Pcg32(seed, stream);
      for (let i = 0; i < 5000; i++) expect(fast.nextUint32()).toBe(slow.nextUint32());
      for (let i = 0; i < 500; i++) expect(fast.below(1000 + i)).toBe(slow.below(1000 + i));
    }
  });
});

describe('generators', () => {
  it('are reproducible from the seed, and differ between seeds', () => {
    const models = [
      (seed: number) => rmat(5000, 20000, seed),
      (seed: number) => chungLu(5000, 20000, seed),
      (seed: number) => barabasiAlbert(3000, 3, seed),
      (seed: number) => randomRegular(2000, 4, seed),
      (seed: number) => wattsStrogatz(2000, 6, 0.2, seed),
    ];
    for (const model of models) {
      expect(sameGraph(model(7), model(7))).toBe(true);
      expect(sameGraph(model(7), model(8))).toBe(false);
    }
  });

  it('R-MAT: exactly the edges asked for, simple, ids in range, and a skewed degree distribution', () => {
    const g = rmat(1 << 14, 100_000, 1);
    expect(g.src.length).toBe(100_000);
    expect(Math.max(maxOf(g.src), maxOf(g.dst))).toBeLessThan(1 << 14);
    const csr = generatedToCsr(g);
    expect(csr.n).toBe(1 << 14);
    expect(edgeCount(csr)).toBe(100_000); // nothing merged: no duplicates, no self-loops
    const d = degrees(csr);
    const mean = (2 * 100_000) / csr.n;
    expect(maxOf(d)).toBeGreaterThan(20 * mean); // power-law hubs
    expect(d.filter((x) => x === 0).length).toBeGreaterThan(0); // and isolated nodes
  });

  it('R-MAT: node counts that are not powers of two, directed arcs, milder probabilities', () => {
    const g = rmat(1000, 5000, 3, { a: 0.45, b: 0.15, c: 0.15, d: 0.25, directed: true });
    expect(g.directed).toBe(true);
    expect(Math.max(maxOf(g.src), maxOf(g.dst))).toBeLessThan(1000);
    const csr = generatedToCsr(g);
    expect(edgeCount(csr)).toBe(5000);
  });

  it('R-MAT refuses bad probabilities and impossible edge counts', () => {
    expect(() => rmat(100, 10, 1, { a: 0.5, b: 0.5, c: 0.5 })).toThrow(/probability d must be in \[0, 1\]/);
    expect(() => rmat(100, 10, 1, { a: 0.5, b: 0.2, c: 0.2, d: 0.2 })).toThrow(/sum to 1/);
    expect(() => rmat(10, 40, 1)).toThrow(ParameterError);
  });

  it('Chung-Lu weights: the rank power law w_r ∝ (r + r0)^(−1/(γ−1)), cut off at √Σw, with the edges asked for', () => {
    for (const exponent of [2.1, 2.5, 3]) {
      const w = chungLuWeights(50_000, 400_000, exponent);
      const alpha = 1 / (exponent - 1);
      // r0 from the two heaviest, then every weight from the closed form.
      const r0 = 1 / ((w[0] / w[1]) ** (exponent - 1) - 1);
      for (const r of [2, 10, 1000, 49_999]) expect(w[r] / w[0]).toBeCloseTo((r0 / (r + r0)) ** alpha, 9);
      const S = w.reduce((a, b) => a + b, 0);
      const squares = w.reduce((a, b) => a + b * b, 0);
      expect((S - squares / S) / 2).toBeCloseTo(400_000, 3);
      expect(w[0]).toBeLessThanOrEqual(Math.sqrt(S));
      expect(w[0]).toBeGreaterThan(0.99 * Math.sqrt(S)); // the smallest offset that fits
    }
  });

  it('Chung-Lu: degrees within statistical tolerance of w_r − w_r²/Σw, simple, ids shuffled without changing the graph', () => {
    const n = 20_000;
    const m = 100_000;
    const w = chungLuWeights(n, m, 2.5);
    const S = w.reduce((a, b) => a + b, 0);
    const squares = w.reduce((a, b) => a + b * b, 0);
    const expected = Array.from(w, (x) => x - (x * x) / S);
    const variance = Array.from(w, (x) => x - (x * x) / S - (x * x * (squares - x * x)) / (S * S));
    const ordered = chungLu(n, m, 5, { shuffle: false });
    const csr = generatedToCsr(ordered);
    expect(edgeCount(csr)).toBe(ordered.src.length); // no duplicates, no self-loops
    expect(Math.abs(ordered.src.length - m)).toBeLessThan(5 * Math.sqrt(m));
    const d = degrees(csr);
    expect(Math.abs(d.reduce((a, b) => a + b, 0) / n - (2 * m) / n)).toBeLessThan((10 * Math.sqrt(m)) / n);
    for (let r = 0; r < 5; r++) expect(Math.abs(d[r] - expected[r])).toBeLessThan(5 * Math.sqrt(variance[r]));
    // Degree mass of each tenth of the ranks; an edge adds at most 2 to a tenth's sum.
    for (let first = 0; first < n; first += n / 10) {
      let got = 0;
      let mean = 0;
      for (let r = first; r < first + n / 10; r++) {
        got += d[r];
        mean += expected[r];
      }
      expect(Math.abs(got - mean)).toBeLessThan(5 * Math.sqrt(4 * mean));
    }
    const shuffled = chungLu(n, m, 5);
    const shuffledDegrees = degrees(generatedToCsr(shuffled));
    expect([...shuffledDegrees].sort((a, b) => a - b)).toEqual([...d].sort((a, b) => a - b));
    const firstTenth = (degreesById: number[]) => degreesById.slice(0, n / 10).reduce((a, b) => a + b, 0) / (n / 10);
    expect(firstTenth(d)).toBeGreaterThan(3 * ((2 * m) / n));
    expect(Math.abs(firstTenth(shuffledDegrees) / ((2 * m) / n) - 1)).toBeLessThan(0.2);
  });

  it('Chung-Lu refuses exponents at or below 2 and graphs too dense for the cutoff', () => {
    expect(() => chungLu(1000, 5000, 1, { exponent: 2 })).toThrow(/exponent must be in \(2, 100\]/);
    expect(() => chungLu(100, 2000, 1)).toThrow(ParameterError);
  });

  it('Barabási-Albert: m(m+1)/2 + (n-m-1)m edges, minimum degree m, hubs', () => {
    const n = 20_000;
    const m = 3;
    const csr = generatedToCsr(barabasiAlbert(n, m, 5));
    expect(csr.n).toBe(n);
    expect(edgeCount(csr)).toBe((m * (m + 1)) / 2 + (n - m - 1) * m);
    const d = degrees(csr);
    expect(Math.min(...d)).toBe(m);
    expect(maxOf(d)).toBeGreaterThan(20 * 2 * m);
  });

  it('random regular: every degree exactly d, n·d/2 edges, simple', () => {
    for (const [n, d] of [
      [1000, 3],
      [5000, 10],
      [11, 10],
      [50, 1],
    ]) {
      const csr = generatedToCsr(randomRegular(n, d, 2));
      expect(edgeCount(csr)).toBe((n * d) / 2);
      expect(degrees(csr).every((x) => x === d)).toBe(true);
    }
    expect(() => randomRegular(7, 3, 1)).toThrow(/must be even/);
    expect(() => randomRegular(4, 4, 1)).toThrow(ParameterError);
  });

  it('Watts-Strogatz: beta = 0 is the ring lattice; rewiring keeps n·k/2 simple edges', () => {
    const n = 100;
    const k = 4;
    const ring = generatedToCsr(wattsStrogatz(n, k, 0, 1));
    expect(edgeCount(ring)).toBe((n * k) / 2);
    for (let i = 0; i < n; i++) {
      const row = [...ring.colIdx.subarray(ring.rowPtr[i], ring.rowPtr[i + 1])].map((j) => Number(ring.nodeKeys[j]));
      const expected = [1, 2, n - 1, n - 2].map((offset) => (i + offset) % n).sort((a, b) => a - b);
      expect(row.sort((a, b) => a - b)).toEqual(expected);
    }
    const rewired = generatedToCsr(wattsStrogatz(5000, 10, 0.3, 1));
    expect(edgeCount(rewired)).toBe(25_000);
    const full = generatedToCsr(wattsStrogatz(200, 6, 1, 1));
    expect(edgeCount(full)).toBe(600);
    expect(() => wattsStrogatz(100, 3, 0.1, 1)).toThrow(/k must be even/);
    expect(() => wattsStrogatz(100, 4, 1.5, 1)).toThrow(/beta must be in/);
  });

  it('writes an edge list that loads back to the same graph', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anonscope-gen-'));
    const g = barabasiAlbert(2000, 2, 9);
    const path = join(dir, 'ba.txt');
    await writeEdgeList(path, g, ['a comment']);
    const { csr } = await loadGraphFile(path);
    const direct = generatedToCsr(g);
    expect(edgeCount(csr)).toBe(edgeCount(direct));
    // Same edges, as key pairs (dense indices differ: the file's are in order of appearance).
    const pairs = (c: Csr) => {
      const out: string[] = [];
      for (let i = 0; i < c.n; i++) for (let e = c.rowPtr[i]; e < c.rowPtr[i + 1]; e++) out.push(`${c.nodeKeys[i]} ${c.nodeKeys[c.colIdx[e]]}`);
      return out.sort();
    };
    expect(pairs(csr)).toEqual(pairs(direct));
  });
});
