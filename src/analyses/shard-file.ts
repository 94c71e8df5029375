import { FormatError } from '../errors.js';
import { Checksum } from '../graph/checksum.js';
import { checkShardSpec, type ShardSpec } from './shards.js';

/**
 * The shard file of every analysis that averages over Monte-Carlo items (walkers, trials,
 * samples, streams): the job that defines it, which slice of the job's items it holds, and
 * its per-item results as named float64 columns. Two encodings carry the same thing:
 * - JSON: the metadata and the columns as arrays (NaN, ±Infinity, -0 as null, "Infinity",
 *   "-Infinity", "-0", so that every float64 round-trips; in the job, as {"float64": "NaN"},
 *   {"float64": "Infinity"}, … : see encodeJobNumbers);
 * - binary: the magic "ANONSHRD", a little-endian uint32 version and uint32 metadata byte
 *   length, the metadata as UTF-8 JSON (with the columns' names, lengths and checksum, and
 *   the labels), zero padding to a multiple of 8 bytes, then each column as little-endian
 *   float64 values.
 */

export const SHARD_FILE_FORMAT = 'anonscope-shard';
export const SHARD_FILE_VERSION = 1;
export const SHARD_ENCODINGS = ['json', 'binary'] as const;
export type ShardEncoding = (typeof SHARD_ENCODINGS)[number];
/** The file names' extensions, by encoding. */
export const SHARD_EXTENSIONS: Record<ShardEncoding, string> = { json: 'json', binary: 'bin' };

const MAGIC = 'ANONSHRD';
/** The key of a job's number that JSON cannot hold (see encodeJobNumbers). */
const FLOAT_TAG = 'float64';
const HEADER_BYTES = 16;

/** Shard `shard` of a job of `items.total` items: items first .. first + count - 1. */
export interface ShardFile {
  format: typeof SHARD_FILE_FORMAT;
  version: typeof SHARD_FILE_VERSION;
  /** Which analysis: merge reads the rest accordingly. */
  kind: string;
  /** Everything that defines the job (options, seed, graph checksum): equal jobs give shards that merge. */
  job: Record<string, unknown>;
  shard: ShardSpec;
  items: { total: number; first: number; count: number };
  /** Per-item results (and any per-shard tallies) by name. */
  columns: Record<string, Float64Array>;
  /** Per-item names (node ids, say) by name, where an analysis reports them. */
  labels?: Record<string, string[]>;
}

/** Non-finite numbers and -0 as JSON can hold them; everything else as is. */
export function encodeNumber(v: number): number | string | null {
  if (Number.isNaN(v)) return null;
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return Object.is(v, -0) ? '-0' : v;
}

/** encodeNumber's inverse; undefined for what it never writes. */
export function decodeNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === null) return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === '-0') return -0;
  return undefined;
}

/**
 * JSON.stringify's replacer for a job: NaN, ±Infinity and -0 as {"float64": "NaN"},
 * {"float64": "Infinity"}, {"float64": "-Infinity"}, {"float64": "-0"}. Plain JSON would write
 * null (or 0) for them, and the job read back would be another one (a delay law of infinite
 * mean with a mean of null), or the same as another (Infinity and NaN both null), so that
 * merge could neither rebuild the result nor tell the jobs apart. A tag rather than a bare
 * string, as in the columns, because a job's strings (mix names, say) may read "Infinity"
 * and its nulls (no weights, say) are nulls.
 */
export function encodeJobNumbers(_key: string, value: unknown): unknown {
  if (typeof value !== 'number' || (Number.isFinite(value) && !Object.is(value, -0))) return value;
  return { [FLOAT_TAG]: Object.is(value, -0) ? '-0' : String(value) };
}

/** encodeJobNumbers' inverse over a whole job: every tagged number back as the number it was. */
export function decodeJobNumbers(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(decodeJobNumbers);
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0][0] === FLOAT_TAG && typeof entries[0][1] === 'string') {
    const decoded = entries[0][1] === 'NaN' ? NaN : decodeNumber(entries[0][1]);
    if (decoded !== undefined) return decoded;
  }
  return Object.fromEntries(entries.map(([key, v]) => [key, decodeJobNumbers(v)]));
}

/** The file as JSON text: the metadata pretty-printed, each column on one line. */
export function shardFileJson(file: ShardFile): string {
  const { columns, labels, ...head } = file;
  const lines = Object.entries(columns).map(([name, values]) => `${JSON.stringify(name)}: ${JSON.stringify(Array.from(values, encodeNumber))}`);
  const labelLines = Object.entries(labels ?? {}).map(([name, values]) => `${JSON.stringify(name)}: ${JSON.stringify(values)}`);
  const headText = JSON.stringify(head, encodeJobNumbers, 2).replace(/\n}$/, '');
  const labelText = labels ? `,\n  "labels": {\n    ${labelLines.join(',\n    ')}\n  }` : '';
  return `${headText},\n  "columns": {\n    ${lines.join(',\n    ')}\n  }${labelText}\n}\n`;
}

/** The file in the binary encoding. */
export function shardFileBinary(file: ShardFile): Uint8Array {
  const { columns, ...head } = file;
  const names = Object.keys(columns);
  const metadata = new TextEncoder().encode(
    JSON.stringify({ ...head, columns: names.map((name) => ({ name, length: columns[name].length })), checksum: columnsChecksum(names.map((name) => columns[name])) }, encodeJobNumbers),
  );
  const start = Math.ceil((HEADER_BYTES + metadata.length) / 8) * 8;
  const values = names.reduce((sum, name) => sum + columns[name].length, 0);
  const bytes = new Uint8Array(start + values * 8);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, SHARD_FILE_VERSION, true);
  view.setUint32(12, metadata.length, true);
  bytes.set(metadata, HEADER_BYTES);
  let at = start;
  for (const name of names) {
    for (const v of columns[name]) {
      view.setFloat64(at, v, true);
      at += 8;
    }
  }
  return bytes;
}

/** The file's encoding, from its first bytes. */
export const isBinaryShard = (bytes: Uint8Array): boolean => new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) === MAGIC;

/** A shard file in either encoding, every field checked; errors name `file`. */
export function readShardFile(bytes: Uint8Array, file: string): ShardFile {
  return isBinaryShard(bytes) ? readBinary(bytes, file) : readJson(new TextDecoder().decode(bytes), file);
}

/** The checksum of the columns' float bits, in order, each after its length. */
function columnsChecksum(columns: Float64Array[]): string {
  const sum = new Checksum();
  for (const column of columns) sum.word(column.length).floats(column);
  return sum.hex();
}

function readJson(text: string, file: string): ShardFile {
  const fail = (problem: string): never => {
    throw new FormatError(file, undefined, problem);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FormatError(file, undefined, `not JSON (${(error as Error).message}) nor a binary shard; expected an ${SHARD_FILE_FORMAT} file`, { cause: error });
  }
  const o = checkHead(value, file);
  const columns = o.columns as Record<string, unknown>;
  if (typeof columns !== 'object' || columns === null || Array.isArray(columns)) fail('no "columns" object');
  const decoded: Record<string, Float64Array> = {};
  for (const [name, list] of Object.entries(columns)) {
    if (!Array.isArray(list)) fail(`column "${name}" is not an array`);
    decoded[name] = Float64Array.from(list as unknown[], (v, k) => decodeNumber(v) ?? fail(`column "${name}"[${k}] is ${JSON.stringify(v)}, not a number (or null, "Infinity", "-Infinity", "-0")`));
  }
  return { ...headOf(o), columns: decoded, ...labelsOf(o, file) };
}

function readBinary(bytes: Uint8Array, file: string): ShardFile {
  const fail = (problem: string): never => {
    throw new FormatError(file, undefined, `binary shard: ${problem}`);
  };
  if (bytes.length < HEADER_BYTES) fail(`truncated: ${bytes.length} bytes, shorter than its ${HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== SHARD_FILE_VERSION) fail(`version ${version}; this anonscope reads version ${SHARD_FILE_VERSION}`);
  const metadataBytes = view.getUint32(12, true);
  if (HEADER_BYTES + metadataBytes > bytes.length) fail(`truncated: its header announces ${metadataBytes} bytes of metadata, the file has ${bytes.length - HEADER_BYTES} after the header`);
  let metadata: unknown;
  try {
    metadata = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + metadataBytes)));
  } catch (error) {
    throw new FormatError(file, undefined, `binary shard: its metadata is not UTF-8 JSON (${(error as Error).message}): the file is corrupted`, { cause: error });
  }
  const o = checkHead(metadata, file);
  const list = o.columns as { name: unknown; length: unknown }[];
  if (!Array.isArray(list) || list.some((c) => typeof c?.name !== 'string' || !Number.isSafeInteger(c.length) || (c.length as number) < 0)) {
    fail('its metadata has no list of columns (name, length)');
  }
  const start = Math.ceil((HEADER_BYTES + metadataBytes) / 8) * 8;
  const expected = start + 8 * list.reduce((sum, c) => sum + (c.length as number), 0);
  if (bytes.length !== expected) {
    fail(`${bytes.length < expected ? 'truncated' : 'too long'}: its columns (${list.map((c) => `${c.name} × ${c.length}`).join(', ')}) need ${expected} bytes, the file has ${bytes.length}`);
  }
  const columns: Record<string, Float64Array> = {};
  let at = start;
  for (const { name, length } of list) {
    const values = new Float64Array(length as number);
    for (let k = 0; k < values.length; k++, at += 8) values[k] = view.getFloat64(at, true);
    columns[name as string] = values;
  }
  const found = columnsChecksum(Object.values(columns));
  if (found !== o.checksum) fail(`its columns' checksum is ${found}, its header says ${JSON.stringify(o.checksum)}: the file is corrupted`);
  return { ...headOf(o), columns, ...labelsOf(o, file) };
}

/** The "labels" object, if any: lists of strings by name. */
function labelsOf(o: Record<string, unknown>, file: string): Pick<ShardFile, 'labels'> {
  if (o.labels === undefined) return {};
  const labels = o.labels as Record<string, unknown>;
  const fail = (problem: string): never => {
    throw new FormatError(file, undefined, problem);
  };
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) fail('"labels" is not an object of lists of names');
  for (const [name, list] of Object.entries(labels)) {
    if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) fail(`labels "${name}" is not a list of strings`);
  }
  return { labels: labels as Record<string, string[]> };
}

/** The fields every shard has, checked. */
function checkHead(value: unknown, file: string): Record<string, unknown> {
  const fail = (problem: string): never => {
    throw new FormatError(file, undefined, problem);
  };
  const o = value as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || o.format !== SHARD_FILE_FORMAT) {
    fail(`not an ${SHARD_FILE_FORMAT} file (${typeof o === 'object' && o !== null && 'format' in o ? `its format is ${JSON.stringify(o.format)}` : 'it has no "format" field'})`);
  }
  if (o.version !== SHARD_FILE_VERSION) fail(`${SHARD_FILE_FORMAT} version ${JSON.stringify(o.version)}; this anonscope reads version ${SHARD_FILE_VERSION}`);
  if (typeof o.kind !== 'string') fail('no "kind" string (which analysis the shard is of)');
  if (typeof o.job !== 'object' || o.job === null) fail('no "job" object');
  const spec = o.shard as ShardSpec;
  if (typeof spec !== 'object' || spec === null) fail('no "shard" object');
  try {
    checkShardSpec(spec, 'shard');
  } catch (error) {
    throw new FormatError(file, undefined, (error as Error).message, { cause: error });
  }
  const items = o.items as ShardFile['items'];
  const count = (field: keyof ShardFile['items']) => {
    const v = items?.[field];
    if (!Number.isSafeInteger(v) || v < 0) fail(`"items.${field}" must be an integer >= 0, got ${JSON.stringify(v)}`);
  };
  count('total');
  count('first');
  count('count');
  return o;
}

function headOf(o: Record<string, unknown>): Omit<ShardFile, 'columns'> {
  const { index, count } = o.shard as ShardSpec;
  const { total, first, count: items } = o.items as ShardFile['items'];
  return {
    format: SHARD_FILE_FORMAT,
    version: SHARD_FILE_VERSION,
    kind: o.kind as string,
    job: decodeJobNumbers(o.job) as Record<string, unknown>,
    shard: { index, count },
    items: { total, first, count: items },
  };
}
