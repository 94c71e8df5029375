import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FormatError, ParameterError } from '../../src/errors.js';
import { CSR_HEADER_BYTES, crc32, decodeCsr, encodeCsr, writeCsrFile } from '../../src/graph/binary-csr.js';
import type { Csr } from '../../src/graph/csr.js';
import { parseEdgeList } from '../../src/graph/edge-list.js';
import { generatedToCsr, rmat } from '../../src/graph/generators.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { dataset, datasetsSkipReason, haveDatasets } from '../helpers/datasets.js';
import { markedUndirected, rechecksummed } from '../helpers/csr-files.js';
import { csrFromEdges, randomGraph } from '../helpers/graphs.js';

const dir = mkdtempSync(join(tmpdir(), 'anonscope-csr-'));

/** Byte equality of typed arrays (toEqual walks them element by element: slow on big ones). */
const sameBytes = (a: ArrayBufferView | undefined, b: ArrayBufferView | undefined) =>
  a === b || (!!a && !!b && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)));

function expectSame(a: Csr, b: Csr): void {
  expect(b.n).toBe(a.n);
  expect(b.directed).toBe(a.directed);
  expect(sameBytes(b.rowPtr, a.rowPtr)).toBe(true);
  expect(sameBytes(b.colIdx, a.colIdx)).toBe(true);
  expect(b.weights === undefined).toBe(a.weights === undefined);
  expect(sameBytes(b.weights, a.weights)).toBe(true);
  expect(b.nodeKeys).toEqual(a.nodeKeys);
}

/** The error decodeCsr throws, or undefined. */
function decodeError(bytes: Uint8Array, options: { verify?: boolean } = {}): Error | undefined {
  try {
    decodeCsr(bytes, 'bad.csr', options);
  } catch (error) {
    return error as Error;
  }
  return undefined;
}

/** Round trip through encodeCsr (trusting its seal, and checking all), and through writeCsrFile + loadGraphFile. */
async function roundTrip(csr: Csr, name: string): Promise<Csr> {
  const bytes = encodeCsr(csr);
  expectSame(csr, decodeCsr(bytes, 'mem.csr'));
  expectSame(csr, decodeCsr(bytes, 'mem.csr', { verify: true }));
  const path = join(dir, `${name}.csr`);
  await writeCsrFile(path, csr);
  expect(sameBytes(readFileSync(path), bytes)).toBe(true); // the streaming writer writes the same bytes
  const loaded = await loadGraphFile(path);
  expect(loaded.report.format).toBe('csr');
  expectSame(csr, loaded.csr);
  return loaded.csr;
}

describe('binary CSR format', () => {
  it('crc32 is zlib\'s CRC-32, at any alignment and split', () => {
    const data = new Uint8Array(10_001).map((_, i) => (i * 7919) & 255);
    for (const offset of [0, 1, 2, 3, 5]) {
      const part = data.subarray(offset);
      expect(crc32(part)).toBe(zlib.crc32(part));
      expect(crc32(part.subarray(777), crc32(part.subarray(0, 777)))).toBe(zlib.crc32(part));
    }
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926); // the standard check value
  });

  it('round-trips random graphs: unweighted, weighted, directed, string and integer keys', async () => {
    await roundTrip(randomGraph(500, 3000, 1), 'random');
    await roundTrip(randomGraph(500, 3000, 2, { weighted: true }), 'weighted');
    await roundTrip(randomGraph(300, 2000, 3, { directed: true, weighted: true }), 'directed');
    await roundTrip(csrFromEdges([['alice', 'bob', 2.5], ['bob', 'carol ü', 1], ['😀', 'alice', 0.5], ['', 'x', 1]]), 'strings');
    await roundTrip(parseEdgeList('10 20\n20 4000000000\n7 10\n', 'ints.txt').csr, 'uint32-keys');
    await roundTrip(parseEdgeList('10 20\n20 40000000000\n007 10\n', 'mixed.txt').csr, 'mixed-keys');
    await roundTrip(generatedToCsr(rmat(4096, 20_000, 1)), 'identity-keys'); // with isolated nodes
  });

  it('stores keys compactly: nothing for 0..n-1, 4 bytes a node for integers', () => {
    const identity = generatedToCsr(rmat(1024, 3000, 1));
    expect(encodeCsr(identity).length).toBe(CSR_HEADER_BYTES + Math.ceil((4 * 1025) / 8) * 8 + 4 * 6000);
    const integers = parseEdgeList('5 6\n6 7\n', 'x.txt').csr; // keys "5","6","7"
    expect(encodeCsr(integers).length).toBe(CSR_HEADER_BYTES + 16 + 16 + 16); // rowPtr, colIdx, 3 × u32 keys padded to 16
  });

  it('decodes without copying when aligned, and copies when not', () => {
    const csr = randomGraph(100, 400, 4, { weighted: true });
    const bytes = encodeCsr(csr);
    const aligned = decodeCsr(bytes, 'a.csr');
    expect(aligned.colIdx.buffer).toBe(bytes.buffer);
    expect(aligned.weights!.buffer).toBe(bytes.buffer);
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    const copied = decodeCsr(shifted, 'b.csr');
    expect(copied.colIdx.buffer).not.toBe(shifted.buffer);
    expectSame(csr, copied);
    expectSame(csr, decodeCsr(bytes.slice().buffer, 'c.csr')); // an ArrayBuffer, as fetch gives
  });

  it.skipIf(!haveDatasets)('round-trips the SNAP data sets', async () => {
    for (const [file, options] of [
      ['snap/facebook_combined.txt', {}],
      ['snap/email-Eu-core.txt', { directed: true }],
      ['snap/oregon1_010331.txt', { skipBadLines: true }],
    ] as const) {
      const { csr } = await loadGraphFile(dataset(file), options);
      await roundTrip(csr, file.replace(/\W/g, '_'));
    }
  });
  if (!haveDatasets) it.skip(datasetsSkipReason, () => {});

  describe('refuses corrupt files with a FormatError naming the file', () => {
    const csr = randomGraph(200, 800, 5, { weighted: true });
    const good = encodeCsr(csr);
    const patched = (at: number, bytes: number[]) => {
      const copy = good.slice();
      copy.set(bytes, at);
      return copy;
    };
    /** Rewrite the header checksum after editing the header, to get past it. */
    const reHeader = (bytes: Uint8Array) => {
      new DataView(bytes.buffer).setUint32(60, crc32(bytes.subarray(0, 60)), true);
      return bytes;
    };
    const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset);
    const cases: [string, () => Uint8Array, RegExp][] = [
      ['an empty file', () => new Uint8Array(0), /bad magic number/],
      ['an edge list', () => new TextEncoder().encode('1 2\n2 3\n'), /bad magic number/],
      ['a truncated header', () => good.slice(0, 40), /truncated: 40 bytes, shorter than the 64-byte header/],
      ['a newer version', () => reHeader(patched(8, [2, 0, 0, 0])), /format version 2 is not supported \(this anonscope reads version 1\)/],
      ['a corrupt header', () => patched(16, [good[16] ^ 1]), /header checksum mismatch/],
      ['unknown flags', () => reHeader(patched(12, [good[12] | 0x40])), /unknown flags/],
      ['a truncated payload', () => good.slice(0, good.length - 100), new RegExp(`truncated: ${good.length - 100} bytes, expected ${good.length}`)],
      ['trailing bytes', () => Uint8Array.from([...good, 0, 0, 0, 0, 0, 0, 0, 0]), /8 unexpected bytes after the end/],
      ['a flipped bit in the columns', () => patched(CSR_HEADER_BYTES + 808 + 40, [good[CSR_HEADER_BYTES + 808 + 40] ^ 4]), /payload checksum mismatch/],
      ['a flipped bit in the last byte', () => patched(good.length - 1, [good[good.length - 1] ^ 128]), /payload checksum mismatch/],
      [
        'a wrong node count',
        () => {
          const bytes = good.slice();
          view(bytes).setUint32(16, 199, true);
          return reHeader(bytes);
        },
        /inconsistent sizes|truncated|unexpected bytes/,
      ],
      [
        'an out-of-range column with a valid checksum',
        () => {
          const bytes = good.slice();
          view(bytes).setUint32(CSR_HEADER_BYTES + 808, 5000, true); // first column
          view(bytes).setUint32(48, crc32(bytes.subarray(CSR_HEADER_BYTES)), true);
          return reHeader(bytes);
        },
        /column 5000 in row 0 is out of range|row 0 is not sorted/,
      ],
      [
        'a self-loop with valid checksums',
        () => {
          const bytes = good.slice();
          view(bytes).setUint32(CSR_HEADER_BYTES + 808, 0, true); // row 0's first column, now 0
          return rechecksummed(bytes);
        },
        /self-loop at node 0/,
      ],
      [
        'a negative weight with valid checksums',
        () => {
          const bytes = good.slice();
          const nnz = view(bytes).getUint32(20, true);
          view(bytes).setFloat32(CSR_HEADER_BYTES + 808 + Math.ceil((4 * nnz) / 8) * 8, -1, true); // the first weight, after colIdx
          return rechecksummed(bytes);
        },
        /weight -1 of entry 0 is not finite and non-negative/,
      ],
      [
        'a directed graph marked undirected, the header checksum not redone',
        () => {
          const bytes = encodeCsr(randomGraph(50, 200, 6, { directed: true }));
          bytes[12] &= ~1;
          return bytes;
        },
        /header checksum mismatch/,
      ],
    ];
    it.each(cases.flatMap(([what, make, message]) => [false, true].map((verify) => [what, verify, make, message] as const)))('%s (verify: %s)', (_, verify, make, message) => {
      const error = decodeError(make(), { verify });
      expect(error).toBeInstanceOf(FormatError);
      expect(error!.message).toMatch(/^bad\.csr: /);
      expect(error!.message).toMatch(message);
    });

    it('an undirected .csr whose arcs are not symmetric (it loaded as "0.5 edges"), or whose two arcs weigh differently, with or without verify', () => {
      const oneWay = csrFromEdges([['a', 'b'], ['b', 'c'], ['c', 'b']], true);
      const uneven = csrFromEdges([['a', 'b', 2], ['b', 'a', 3]], true);
      for (const verify of [false, true]) {
        expect(() => decodeCsr(markedUndirected(oneWay), 'bad.csr', { verify })).toThrow(new FormatError('bad.csr', undefined, 'marked undirected, but the arc "a" -> "b" has no reverse (an undirected .csr stores every edge both ways)'));
        expect(() => decodeCsr(markedUndirected(uneven), 'bad.csr', { verify })).toThrow('bad.csr: marked undirected, but the arc "a" -> "b" weighs 2 and its reverse 3');
      }
      const symmetric = { ...csrFromEdges([['a', 'b', 2], ['b', 'a', 2], ['b', 'c'], ['c', 'b']], true), directed: false };
      expect(decodeCsr(encodeCsr(symmetric), 'good.csr').directed).toBe(false);
      expect(decodeCsr(markedUndirected(symmetric), 'good.csr').directed).toBe(false); // checked, and symmetric
    });

    it('the seal: trusted when it matches, checked when it does not or is 0, and verify checks a forged one', () => {
      const oneWay = csrFromEdges([['a', 'b'], ['b', 'c'], ['c', 'b']], true);
      const forged = markedUndirected(oneWay, { reseal: true });
      // A forged seal is trusted (the loader skips the checks it vouches for): only verify catches it.
      const trusted = decodeCsr(forged, 'forged.csr');
      expect(trusted.directed).toBe(false);
      expect([...trusted.colIdx]).toEqual([...oneWay.colIdx]);
      expect(decodeError(forged, { verify: true })?.message).toBe('bad.csr: marked undirected, but the arc "a" -> "b" has no reverse (an undirected .csr stores every edge both ways)');
      // Seal 0 (a file from a writer that did not check, or from before the seal): checked.
      const unsealed = forged.slice();
      new DataView(unsealed.buffer).setUint32(52, 0, true);
      expect(decodeError(rechecksummed(unsealed))?.message).toMatch(/^bad\.csr: marked undirected, but the arc "a" -> "b" has no reverse/);
      const good = encodeCsr(csrFromEdges([['a', 'b'], ['b', 'c']]));
      const goodUnsealed = good.slice();
      new DataView(goodUnsealed.buffer).setUint32(52, 0, true);
      expectSame(decodeCsr(good, 'good.csr'), decodeCsr(rechecksummed(goodUnsealed), 'good.csr'));
    });

    it('the writer seals the header: bytes 52..55 are the CRC-32 of bytes 8..51', () => {
      const bytes = encodeCsr(randomGraph(50, 120, 9, { weighted: true }));
      expect(new DataView(bytes.buffer).getUint32(52, true)).toBe(zlib.crc32(bytes.subarray(8, 52)));
      expect(new DataView(bytes.buffer).getUint32(56, true)).toBe(0); // reserved
    });

    it('asymmetry anywhere in a large graph: one arc re-aimed, or one weight nudged by one float32 step, is named by the writer and the reader', () => {
      const edges: [string, string, number][] = [];
      for (let i = 0; i < 2000; i++) for (const d of [1, 7, 31]) edges.push([`n${i}`, `n${(i + d) % 2000}`, 1 + (i % 5)]);
      const both = edges.flatMap(([u, v, w]) => [[u, v, w], [v, u, w]] as [string, string, number][]);
      const symmetric = { ...csrFromEdges(both, true), directed: false };
      expect(decodeCsr(encodeCsr(symmetric), 'good.csr').directed).toBe(false);
      // Re-aim one arc of a row to a column that row lacks, keeping the row sorted.
      const reaimed = { ...symmetric, colIdx: symmetric.colIdx.slice() };
      const row = 1234;
      const first = reaimed.rowPtr[row];
      const from = reaimed.colIdx[first];
      const to = from - 1;
      expect(to === row || reaimed.colIdx.subarray(first, reaimed.rowPtr[row + 1]).includes(to)).toBe(false);
      reaimed.colIdx[first] = to;
      // Two arcs lost their reverse: the new one, and the old one's reverse; the first in row order is named.
      const key = (i: number) => `"${symmetric.nodeKeys[i]}"`;
      const named = [`${key(from)} -> ${key(row)}`, `${key(row)} -> ${key(to)}`][from < row ? 0 : 1];
      expect(() => encodeCsr(reaimed)).toThrow(new ParameterError(`anonscope/encodeCsr: cannot write this graph: marked undirected, but the arc ${named} has no reverse (an undirected .csr stores every edge both ways)`));
      expect(() => decodeCsr(markedUndirected(reaimed), 'bad.csr')).toThrow(`bad.csr: marked undirected, but the arc ${named} has no reverse`);
      const nudged = { ...symmetric, weights: symmetric.weights!.slice() };
      const bits = new Uint32Array(nudged.weights.buffer);
      bits[first] += 1;
      expect(() => encodeCsr(nudged)).toThrow(/^anonscope\/encodeCsr: cannot write this graph: marked undirected, but the arc .* weighs .* and its reverse/);
      expect(() => decodeCsr(markedUndirected(nudged), 'bad.csr')).toThrow(/^bad\.csr: marked undirected, but the arc .* weighs .* and its reverse/);
    });

    it('the writers refuse a graph that breaks an invariant, and writeCsrFile then writes nothing', async () => {
      const base = csrFromEdges([['a', 'b'], ['b', 'c']], true); // a -> b, b -> c: rows 0 and 1 hold one arc each
      const selfLoop = { ...base, colIdx: Uint32Array.of(0, 2) };
      const outOfRange = { ...base, colIdx: Uint32Array.of(1, 3) };
      const repeatedKeys = { ...base, nodeKeys: ['a', 'b', 'a'] };
      const repeatedIntegers = { ...base, nodeKeys: ['7', '8', '7'] };
      const negative = { ...base, weights: Float32Array.of(1, -2) };
      for (const [csr, problem] of [
        [selfLoop, 'self-loop at node 0'],
        [outOfRange, 'column 3 in row 1 is out of range (n = 3)'],
        [repeatedKeys, 'node keys are not unique'],
        [repeatedIntegers, 'node key 7 appears twice'],
        [negative, 'weight -2 of entry 1 is not finite and non-negative'],
      ] as const) {
        expect(() => encodeCsr(csr)).toThrow(new ParameterError(`anonscope/encodeCsr: cannot write this graph: ${problem}`));
        const path = join(dir, 'refused.csr');
        await expect(writeCsrFile(path, csr)).rejects.toThrow(new ParameterError(`anonscope/writeCsrFile: cannot write this graph: ${problem}`));
        expect(existsSync(path)).toBe(false);
      }
    });

    it('through loadGraphFile too, naming the path; verify reaches the decoder', async () => {
      const path = join(dir, 'corrupt.csr');
      writeFileSync(path, patched(good.length - 1, [good[good.length - 1] ^ 1]));
      await expect(loadGraphFile(path)).rejects.toThrow(`${path}: payload checksum mismatch`);
      const forged = join(dir, 'forged.csr');
      writeFileSync(forged, markedUndirected(csrFromEdges([['a', 'b'], ['b', 'c'], ['c', 'b']], true), { reseal: true }));
      expect((await loadGraphFile(forged)).csr.directed).toBe(false);
      await expect(loadGraphFile(forged, { verify: true })).rejects.toThrow(`${forged}: marked undirected, but the arc "a" -> "b" has no reverse`);
      await expect(loadGraphFile(join(dir, 'missing.csr'))).rejects.toThrow(/missing\.csr: cannot read: no such file$/);
    });
  });
});
