import { FormatError, ParameterError } from '../errors.js';
import { nodeKey, withLazyNodeKeys, type Csr } from './csr.js';
import { quoted } from '../text.js';

/**
 * anonscope's binary CSR file (`.csr`), version 1: the Csr's typed arrays as they lie in
 * memory, so that loading is a read, a checksum and a few views.
 *
 * All integers are little-endian. A 64-byte header:
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 8 | magic `ANONCSR\0` (41 4E 4F 4E 43 53 52 00) |
 * | 8 | 4 | format version, 1 |
 * | 12 | 4 | flags: bit 0 directed, bit 1 weighted, bits 2-3 key encoding (below); other bits 0 |
 * | 16 | 4 | n, the node count |
 * | 20 | 4 | nnz, the stored entries (rowPtr[n]; undirected edges are stored both ways) |
 * | 24 | 8 | key section bytes (u64) |
 * | 32 | 8 | bytes of the key lengths within the key section (u64; 0 unless strings) |
 * | 40 | 8 | payload bytes (u64): everything after the header, the file is 64 + this long |
 * | 48 | 4 | CRC-32 of the payload |
 * | 52 | 4 | seal: CRC-32 of header bytes 8..51, written once the writer checked the graph; 0 if it did not |
 * | 56 | 4 | reserved, 0 |
 * | 60 | 4 | CRC-32 of header bytes 0..59 |
 *
 * Then the payload, each section starting at a multiple of 8 bytes (zero padding between):
 * rowPtr ((n+1) × u32), colIdx (nnz × u32), weights (nnz × f32, only when weighted), and
 * the node keys, encoded in one of three ways (flags bits 2-3):
 *
 * - 0, identity: node i's key is the decimal of i ("0".."n-1"); no key section.
 * - 1, integers: n × u32, node i's key is the decimal of the i-th value (SNAP files loaded
 *   in first-appearance order).
 * - 2, strings: n unsigned LEB128 byte lengths, then the n keys' UTF-8 bytes back to back.
 *
 * The checksum is CRC-32 (IEEE 802.3 polynomial 0xEDB88320, reflected, initial and final
 * XOR 0xFFFFFFFF: the CRC of zlib, gzip and PNG), so `zlib.crc32` checks it too. Node's
 * zlib computes it at several GB/s; the portable slicing-by-8 fallback here, at about
 * 1 GB/s, is what a browser uses.
 *
 * Decoding always checks the magic, the version, both checksums and the sizes against the
 * file length. The graph's invariants (row offsets nondecreasing from 0 to nnz, columns < n,
 * sorted and unique within a row, no self-loops, weights finite and ≥ 0, node keys unique,
 * and an undirected graph storing every edge both ways with one weight) are checked by the
 * writer, which refuses a graph that breaks one and seals the header; the reader trusts
 * them when the seal matches the header it covers, and checks them itself when it does
 * not (a file from another writer, or one whose header or payload was edited and its
 * checksums redone) or when asked to (`verify`). The checksums make a corrupt or truncated
 * file fail either way; the seal spares the load the checks, which were most of its time.
 */

export const CSR_MAGIC = Uint8Array.of(0x41, 0x4e, 0x4f, 0x4e, 0x43, 0x53, 0x52, 0x00);
export const CSR_VERSION = 1;
export const CSR_HEADER_BYTES = 64;

const FLAG_DIRECTED = 1;
const FLAG_WEIGHTED = 2;
const KEYS_SHIFT = 2;
const KEYS_MASK = 3 << KEYS_SHIFT;
const KNOWN_FLAGS = FLAG_DIRECTED | FLAG_WEIGHTED | KEYS_MASK;
const KEYS_IDENTITY = 0;
const KEYS_UINT32 = 1;
const KEYS_STRINGS = 2;
/** The header bytes the seal covers: the version, flags, counts, sizes and the payload's CRC. */
const SEALED_FROM = 8;
const SEAL_AT = 52;

/** A CRC-32 function with zlib's signature: crc32(data, previous CRC). */
export type Crc32 = (data: Uint8Array, value?: number) => number;

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

let crcTable: Uint32Array | undefined;

function table(): Uint32Array {
  if (crcTable) return crcTable;
  const t = new Uint32Array(256 * 8);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    let c = t[i];
    for (let k = 1; k < 8; k++) {
      c = t[c & 255] ^ (c >>> 8);
      t[k * 256 + i] = c >>> 0;
    }
  }
  return (crcTable = t);
}

/** CRC-32 (zlib's), slicing-by-8; `value` continues an earlier CRC. Any environment. */
export function crc32(data: Uint8Array, value = 0): number {
  const t = table();
  let c = ~value;
  let i = 0;
  const length = data.length;
  // Bytes up to a 4-byte boundary, then 8 bytes at a time through a Uint32Array view.
  while (i < length && (data.byteOffset + i) % 4 !== 0) c = t[(c ^ data[i++]) & 255] ^ (c >>> 8);
  if (LITTLE_ENDIAN && length - i >= 8) {
    const words = new Uint32Array(data.buffer, data.byteOffset + i, (length - i) >>> 2);
    const pairs = words.length & ~1;
    for (let w = 0; w < pairs; w += 2) {
      const a = words[w] ^ c;
      const b = words[w + 1];
      c =
        t[1792 + (a & 255)] ^
        t[1536 + ((a >>> 8) & 255)] ^
        t[1280 + ((a >>> 16) & 255)] ^
        t[1024 + (a >>> 24)] ^
        t[768 + (b & 255)] ^
        t[512 + ((b >>> 8) & 255)] ^
        t[256 + ((b >>> 16) & 255)] ^
        t[b >>> 24];
    }
    i += pairs * 4;
  }
  while (i < length) c = t[(c ^ data[i++]) & 255] ^ (c >>> 8);
  return ~c >>> 0;
}

const align8 = (x: number) => Math.ceil(x / 8) * 8;

/** The decimal value of a canonical key ("0", "17"; not "007") that fits a u32, else -1. */
function uint32Key(key: string): number {
  const length = key.length;
  if (length === 0 || length > 10 || (length > 1 && key.charCodeAt(0) === 48)) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const c = key.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value <= 0xffffffff ? value : -1;
}

/** The key section in memory, how its keys are encoded, and the integer keys' values. */
function encodeKeys(keys: readonly string[]): { encoding: number; section: Uint8Array; lengthsBytes: number; values?: Uint32Array } {
  const n = keys.length;
  let identity = true;
  let integers = true;
  for (let i = 0; i < n && integers; i++) {
    const value = uint32Key(keys[i]);
    if (value !== i) identity = false;
    if (value < 0) integers = false;
  }
  if (identity) return { encoding: KEYS_IDENTITY, section: new Uint8Array(0), lengthsBytes: 0 };
  if (integers) {
    const values = new Uint32Array(n);
    for (let i = 0; i < n; i++) values[i] = uint32Key(keys[i]);
    return { encoding: KEYS_UINT32, section: bytesOf(values), lengthsBytes: 0, values };
  }
  // Strings: UTF-8 bytes into a growable buffer, with each key's byte length.
  const encoder = new TextEncoder();
  const lengths = new Uint32Array(n);
  let data = new Uint8Array(Math.max(1024, n * 8));
  let used = 0;
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    if (used + key.length * 3 > data.length) {
      const bigger = new Uint8Array(Math.max(2 * data.length, used + key.length * 3));
      bigger.set(data.subarray(0, used));
      data = bigger;
    }
    const start = used;
    let ascii = true;
    for (let j = 0; j < key.length; j++) {
      const c = key.charCodeAt(j);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      data[used + j] = c;
    }
    if (ascii) used += key.length;
    else used += encoder.encodeInto(key, data.subarray(used)).written!;
    lengths[i] = used - start;
  }
  let lengthsBytes = 0;
  for (let i = 0; i < n; i++) lengthsBytes += leb128Size(lengths[i]);
  const section = new Uint8Array(lengthsBytes + used);
  let p = 0;
  for (let i = 0; i < n; i++) {
    let x = lengths[i];
    while (x >= 0x80) {
      section[p++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    section[p++] = x;
  }
  section.set(data.subarray(0, used), lengthsBytes);
  return { encoding: KEYS_STRINGS, section, lengthsBytes };
}

function leb128Size(x: number): number {
  let size = 1;
  while (x >= 0x80) {
    x >>>= 7;
    size++;
  }
  return size;
}

/** The bytes of a typed array, little-endian (a view on little-endian machines). */
function bytesOf(array: Uint32Array | Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const out = new Uint8Array(array.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < array.length; i++) {
    if (array instanceof Float32Array) view.setFloat32(4 * i, array[i], true);
    else view.setUint32(4 * i, array[i], true);
  }
  return out;
}

/**
 * The file as a header and a list of payload pieces (padding included), in order. The graph
 * is checked first, so that the seal is true and no reader refuses what was written.
 */
function layout(csr: Csr, crc: Crc32, where: string): { header: Uint8Array; pieces: Uint8Array[] } {
  const n = csr.n;
  const nnz = csr.rowPtr[n];
  if (csr.colIdx.length < nnz || (csr.weights && csr.weights.length < nnz)) {
    throw new ParameterError(`anonscope/${where}: colIdx or weights shorter than rowPtr[n] = ${nnz}`);
  }
  if (csr.nodeKeys.length !== n) throw new ParameterError(`anonscope/${where}: ${csr.nodeKeys.length} node keys for ${n} nodes`);
  const keys = encodeKeys(csr.nodeKeys);
  const fail = (problem: string): never => {
    throw new ParameterError(`anonscope/${where}: cannot write this graph: ${problem}`);
  };
  const graph = { n, rowPtr: csr.rowPtr.subarray(0, n + 1), colIdx: csr.colIdx.subarray(0, nnz), weights: csr.weights?.subarray(0, nnz), directed: csr.directed };
  checkGraph(graph, (i) => nodeKey(csr, i), fail);
  checkUniqueKeys(keys.encoding === KEYS_UINT32 ? keys.values : keys.encoding === KEYS_STRINGS ? csr.nodeKeys : undefined, fail);
  const pieces: Uint8Array[] = [];
  let offset = 0;
  const add = (bytes: Uint8Array) => {
    pieces.push(bytes);
    offset += bytes.length;
    const padding = align8(offset) - offset;
    if (padding > 0) {
      pieces.push(new Uint8Array(padding));
      offset += padding;
    }
  };
  add(bytesOf(graph.rowPtr));
  add(bytesOf(graph.colIdx));
  if (graph.weights) add(bytesOf(graph.weights));
  if (keys.section.length > 0) add(keys.section);
  let payloadCrc = 0;
  for (const piece of pieces) payloadCrc = crc(piece, payloadCrc);

  const header = new Uint8Array(CSR_HEADER_BYTES);
  const view = new DataView(header.buffer);
  header.set(CSR_MAGIC, 0);
  view.setUint32(8, CSR_VERSION, true);
  view.setUint32(12, (csr.directed ? FLAG_DIRECTED : 0) | (csr.weights ? FLAG_WEIGHTED : 0) | (keys.encoding << KEYS_SHIFT), true);
  view.setUint32(16, n, true);
  view.setUint32(20, nnz, true);
  setUint64(view, 24, keys.section.length);
  setUint64(view, 32, keys.lengthsBytes);
  setUint64(view, 40, offset);
  view.setUint32(48, payloadCrc, true);
  view.setUint32(SEAL_AT, crc(header.subarray(SEALED_FROM, SEAL_AT)), true);
  view.setUint32(60, crc(header.subarray(0, 60)), true);
  return { header, pieces };
}

function setUint64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value >>> 0, true);
  view.setUint32(at + 4, Math.floor(value / 0x100000000), true);
}

function getUint64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 0x100000000;
}

/** The whole `.csr` file in memory; a graph that breaks an invariant is a ParameterError. */
export function encodeCsr(csr: Csr, options: { crc32?: Crc32 } = {}): Uint8Array {
  const { header, pieces } = layout(csr, options.crc32 ?? crc32, 'encodeCsr');
  const total = header.length + pieces.reduce((sum, piece) => sum + piece.length, 0);
  const out = new Uint8Array(total);
  out.set(header, 0);
  let offset = header.length;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}

/**
 * Write a `.csr` file (Node): the graph checked and the header sealed as in encodeCsr, then
 * the typed arrays straight from memory, no copy of the graph. Uses zlib's native CRC-32
 * when this Node has it.
 */
export async function writeCsrFile(path: string, csr: Csr): Promise<void> {
  // Specifiers in variables keep browser bundles from trying to resolve Node built-ins.
  const fsModule = 'node:fs/promises';
  const zlibModule = 'node:zlib';
  const { open } = (await import(/* @vite-ignore */ fsModule)) as typeof import('node:fs/promises');
  const zlib = (await import(/* @vite-ignore */ zlibModule)) as typeof import('node:zlib');
  const crc: Crc32 = typeof zlib.crc32 === 'function' ? (data, value) => zlib.crc32(data, value) : crc32;
  const { header, pieces } = layout(csr, crc, 'writeCsrFile');
  const handle = await open(path, 'w');
  try {
    await handle.write(header);
    for (const piece of pieces) {
      // Large arrays in 64 MiB writes (one write call is limited to 2 GiB).
      for (let at = 0; at < piece.length; at += 64 << 20) await handle.write(piece.subarray(at, Math.min(piece.length, at + (64 << 20))));
    }
  } finally {
    await handle.close();
  }
}

/** A little-endian u32 section as a Uint32Array: a view when aligned, else a copy. */
function u32Section(bytes: Uint8Array, at: number, count: number): Uint32Array {
  const offset = bytes.byteOffset + at;
  if (LITTLE_ENDIAN && offset % 4 === 0) return new Uint32Array(bytes.buffer, offset, count);
  const out = new Uint32Array(count);
  const view = new DataView(bytes.buffer, offset, count * 4);
  for (let i = 0; i < count; i++) out[i] = view.getUint32(4 * i, true);
  return out;
}

function f32Section(bytes: Uint8Array, at: number, count: number): Float32Array {
  const offset = bytes.byteOffset + at;
  if (LITTLE_ENDIAN && offset % 4 === 0) return new Float32Array(bytes.buffer, offset, count);
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, offset, count * 4);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

export interface DecodeCsrOptions {
  /** A faster CRC-32 (Node's zlib). */
  crc32?: Crc32;
  /** Check the graph's invariants even when the writer's seal vouches for them. */
  verify?: boolean;
}

/**
 * Read a `.csr` file held in memory (Node or browser). The typed arrays are views on
 * `bytes` where they are 4-byte aligned (they are when the file starts aligned, as
 * readFile's and fetch's buffers do), so `bytes` must not be modified afterwards. The
 * graph's invariants are checked unless the writer's seal vouches for them, and always
 * with `verify`. Errors are FormatErrors naming `name`.
 */
export function decodeCsr(source: ArrayBuffer | Uint8Array, name: string, options: DecodeCsrOptions = {}): Csr {
  const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
  const crc = options.crc32 ?? crc32;
  const fail = (problem: string): never => {
    throw new FormatError(name, undefined, problem);
  };
  if (bytes.length < CSR_MAGIC.length || CSR_MAGIC.some((b, i) => bytes[i] !== b)) {
    fail(`not an anonscope binary CSR file (bad magic number; expected "ANONCSR")`);
  }
  if (bytes.length < CSR_HEADER_BYTES) fail(`truncated: ${bytes.length} bytes, shorter than the ${CSR_HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, CSR_HEADER_BYTES);
  const version = view.getUint32(8, true);
  if (version !== CSR_VERSION) {
    fail(`binary CSR format version ${version} is not supported (this anonscope reads version ${CSR_VERSION})`);
  }
  if (crc(bytes.subarray(0, 60)) !== view.getUint32(60, true)) fail(`header checksum mismatch: the file is corrupt`);
  const flags = view.getUint32(12, true);
  if ((flags & ~KNOWN_FLAGS) !== 0) fail(`unknown flags 0x${flags.toString(16)} in the header`);
  const directed = (flags & FLAG_DIRECTED) !== 0;
  const weighted = (flags & FLAG_WEIGHTED) !== 0;
  const encoding = (flags & KEYS_MASK) >>> KEYS_SHIFT;
  if (encoding > KEYS_STRINGS) fail(`unknown node-key encoding ${encoding}`);
  const n = view.getUint32(16, true);
  const nnz = view.getUint32(20, true);
  const keyBytes = getUint64(view, 24);
  const keyLengthsBytes = getUint64(view, 32);
  const payloadBytes = getUint64(view, 40);

  // Where the sections are, as the writer lays them out.
  const rowPtrAt = CSR_HEADER_BYTES;
  const colIdxAt = rowPtrAt + align8(4 * (n + 1));
  const weightsAt = colIdxAt + align8(4 * nnz);
  const keysAt = weightsAt + (weighted ? align8(4 * nnz) : 0);
  const expectedKeyBytes = encoding === KEYS_IDENTITY ? 0 : encoding === KEYS_UINT32 ? 4 * n : keyBytes;
  if (keyBytes !== expectedKeyBytes || (encoding !== KEYS_STRINGS && keyLengthsBytes !== 0) || keyLengthsBytes > keyBytes) {
    fail(`inconsistent node-key section sizes in the header`);
  }
  const end = keysAt + align8(keyBytes);
  if (payloadBytes !== end - CSR_HEADER_BYTES) fail(`inconsistent sizes in the header (payload ${payloadBytes} bytes, sections ${end - CSR_HEADER_BYTES})`);
  if (bytes.length < end) fail(`truncated: ${bytes.length} bytes, expected ${end}`);
  if (bytes.length > end) fail(`${bytes.length - end} unexpected bytes after the end of the graph (expected ${end} bytes)`);
  if (crc(bytes.subarray(CSR_HEADER_BYTES, end)) !== view.getUint32(48, true)) fail(`payload checksum mismatch: the file is corrupt`);

  const graph = {
    n,
    rowPtr: u32Section(bytes, rowPtrAt, n + 1),
    colIdx: u32Section(bytes, colIdxAt, nnz),
    weights: weighted ? f32Section(bytes, weightsAt, nnz) : undefined,
    directed,
  };
  // Integer keys become strings only when read (withLazyNodeKeys): a million String() calls
  // would be most of the load.
  const keys =
    encoding === KEYS_UINT32 ? u32Section(bytes, keysAt, n)
    : encoding === KEYS_STRINGS ? decodeStringKeys(bytes.subarray(keysAt, keysAt + keyBytes), n, keyLengthsBytes, fail)
    : undefined;
  const keyOf = keys === undefined ? String : keys instanceof Uint32Array ? (i: number) => String(keys[i]) : (i: number) => keys[i];
  // The seal covers the payload's CRC, just checked: a match vouches for these very bytes.
  const seal = view.getUint32(SEAL_AT, true);
  const sealed = seal !== 0 && seal === crc(bytes.subarray(SEALED_FROM, SEAL_AT));
  if (!sealed || options.verify) {
    checkGraph(graph, keyOf, fail);
    checkUniqueKeys(keys, fail);
  }
  return withLazyNodeKeys(graph, keyOf);
}

/** The first repeated node key: integer keys by sorting a copy, strings through a Set. */
function checkUniqueKeys(keys: Uint32Array | readonly string[] | undefined, fail: (problem: string) => never): void {
  if (keys instanceof Uint32Array) {
    const sorted = keys.slice().sort();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) fail(`node key ${sorted[i]} appears twice`);
  } else if (keys && new Set(keys).size !== keys.length) {
    fail(`node keys are not unique`);
  }
}

/**
 * The CSR invariants in one pass over the arcs: row offsets nondecreasing from 0 to nnz,
 * columns < n, sorted and unique within a row, no self-loops, weights finite and ≥ 0. In the
 * same pass, an undirected graph's symmetry: every arc u -> v has its reverse v -> u, of the
 * same weight. Rows are sorted without repeats, so the arcs form a set, and the graph is
 * symmetric exactly when the arcs with u < v and those with u > v give the same set of
 * {min, max, weight}. A 64-bit hash of each, added for u < v and subtracted for u > v,
 * sums to 0 when the sets match: one sequential pass (a search per arc reads the whole
 * graph at random: seconds on 10M edges); only when the sum is not 0 does the search run,
 * to name the culprit.
 */
function checkGraph(graph: Omit<Csr, 'nodeKeys'>, keyOf: (i: number) => string, fail: (problem: string) => never): void {
  const { n, rowPtr, colIdx, weights, directed } = graph;
  const nnz = colIdx.length;
  if (rowPtr[0] !== 0 || rowPtr[n] !== nnz) fail(`row offsets must run from 0 to nnz = ${nnz}`);
  const weightBits = weights ? new Uint32Array(weights.buffer, weights.byteOffset, weights.length) : undefined;
  let sum0 = 0;
  let sum1 = 0;
  for (let u = 0; u < n; u++) {
    const start = rowPtr[u];
    const end = rowPtr[u + 1];
    if (end < start || end > nnz) fail(`row offsets decrease or overrun at row ${u}`);
    let previous = -1;
    for (let e = start; e < end; e++) {
      const v = colIdx[e];
      if (v >= n) fail(`column ${v} in row ${u} is out of range (n = ${n})`);
      if (v <= previous) fail(`row ${u} is not sorted, or repeats column ${v}`);
      if (v === u) fail(`self-loop at node ${u}`);
      previous = v;
      if (weights) {
        const w = weights[e];
        if (!(w >= 0) || w === Infinity) fail(`weight ${w} of entry ${e} is not finite and non-negative`);
      }
      if (directed) continue;
      const low = u < v ? u : v;
      const high = u < v ? v : u;
      const bits = weightBits ? weightBits[e] : 0;
      const h0 = mix(Math.imul(low, 0x9e3779b1) ^ Math.imul(high ^ 0x5bd1e995, 0x85ebca6b) ^ Math.imul(bits, 0xc2b2ae35));
      const h1 = mix(Math.imul(low ^ 0x27d4eb2f, 0x165667b1) ^ Math.imul(high, 0xd3a2646c | 1) ^ Math.imul(bits ^ 0x7f4a7c15, 0x9e3779b9));
      const sign = u < v ? 1 : -1;
      sum0 = (sum0 + Math.imul(sign, h0)) | 0;
      sum1 = (sum1 + Math.imul(sign, h1)) | 0;
    }
  }
  if (sum0 !== 0 || sum1 !== 0) nameAsymmetricArc(n, rowPtr, colIdx, weights, keyOf, fail);
}

/** murmur3's finaliser: every input bit moves every output bit. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The first arc without its reverse, or whose reverse weighs differently (rows are sorted: binary search). */
function nameAsymmetricArc(n: number, rowPtr: Uint32Array, colIdx: Uint32Array, weights: Float32Array | undefined, keyOf: (i: number) => string, fail: (problem: string) => never): never {
  for (let u = 0; u < n; u++) {
    for (let e = rowPtr[u]; e < rowPtr[u + 1]; e++) {
      const v = colIdx[e];
      let lo = rowPtr[v];
      let hi = rowPtr[v + 1];
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (colIdx[mid] < u) lo = mid + 1;
        else hi = mid;
      }
      const arc = () => `${quoted(keyOf(u))} -> ${quoted(keyOf(v))}`;
      if (lo === rowPtr[v + 1] || colIdx[lo] !== u) fail(`marked undirected, but the arc ${arc()} has no reverse (an undirected .csr stores every edge both ways)`);
      if (weights && weights[lo] !== weights[e]) fail(`marked undirected, but the arc ${arc()} weighs ${weights[e]} and its reverse ${weights[lo]}`);
    }
  }
  return fail('marked undirected, but its arcs are not symmetric');
}

function decodeStringKeys(section: Uint8Array, n: number, lengthsBytes: number, fail: (problem: string) => never): string[] {
  const lengths = new Uint32Array(n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (p >= lengthsBytes || shift > 28) fail(`node-key lengths are malformed`);
      const b = section[p++];
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
    }
    if (value > 0xffffffff) fail(`node-key lengths are malformed`);
    lengths[i] = value;
  }
  if (p !== lengthsBytes) fail(`node-key lengths are malformed`);
  const data = section.subarray(lengthsBytes);
  let total = 0;
  for (let i = 0; i < n; i++) total += lengths[i];
  if (total !== data.length) fail(`node-key lengths add up to ${total} bytes, the key data has ${data.length}`);

  const keys: string[] = [];
  let ascii = true;
  for (let i = 0; i < data.length; i++) {
    if (data[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    // One decode, then slices: byte offsets are character offsets in ASCII.
    const text = new TextDecoder().decode(data);
    let at = 0;
    for (let i = 0; i < n; i++) {
      keys.push(text.substring(at, at + lengths[i]));
      at += lengths[i];
    }
    return keys;
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let at = 0;
  for (let i = 0; i < n; i++) {
    try {
      keys.push(decoder.decode(data.subarray(at, at + lengths[i])));
    } catch {
      fail(`node key ${i} is not valid UTF-8`);
    }
    at += lengths[i];
  }
  return keys;
}
