/**
 * The one graph loader, for Node (load-file.ts opens the file) and the page's worker (a File
 * or a fetch body): bytes in, gzip undone as a stream, the reader chosen in formats.ts, edge
 * lists parsed chunk by chunk, the other formats read whole.
 */
import { FormatError, InputError, ParameterError } from '../errors.js';
import { decodeCsr, type Crc32 } from './binary-csr.js';
import { assertNotEmpty, type Csr } from './csr.js';
import { CsrBuilder } from './csr-builder.js';
import { EdgeListParser } from './edge-list.js';
import { chooseFormat, checkInputFormat, extensionOf, isGzip, SNIFF_BYTES, type InputFormat } from './formats.js';
import type { EdgeWeightGetter } from './from-graphology.js';
import { parseGexf, parseGraphologyJson } from './gexf.js';
import { parseGml } from './gml.js';
import { parseGraphml } from './graphml.js';
import type { GraphReadOptions, LoadedGraph } from './loaded-graph.js';
import { parsePajek } from './pajek.js';

/** A graph file's bytes, as a Node file, a File or a fetch body gives them. */
export interface GraphByteSource {
  /** The file's name: its extension helps choose the reader, and messages name it. */
  name: string;
  /** Its size in bytes, for progress; 0 or absent when unknown. */
  size?: number;
  bytes: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;
}

export interface ReadGraphOptions extends GraphReadOptions {
  /** Force a reader (--input-format); default: chosen from the content and the name. */
  format?: InputFormat;
  /** Edge lists: skip lines with the wrong number of columns (counted in the report). */
  skipBadLines?: boolean;
  /** Edge lists: true: the first line is a header row; false: never; default: detected. */
  header?: boolean;
  /** GEXF, GraphML, graphology JSON: which edge attribute is the weight (default "weight"). */
  getEdgeWeight?: EdgeWeightGetter;
  /** Bytes of the file read so far (compressed bytes for a .gz), and its size. */
  onProgress?: (read: number, total: number) => void;
  /** A faster CRC-32 for .csr files (Node's zlib). */
  crc32?: Crc32;
  /** .csr files: check the graph's invariants even when the writer's seal vouches for them. */
  verify?: boolean;
  /**
   * Node: the whole file in one read, for the formats read whole when it is not gzipped
   * (instead of gathering its chunks into a second buffer).
   */
  readAll?: () => Promise<Uint8Array>;
  /**
   * Node: read the rest of an uncompressed edge list, from byte `offset` of the file on,
   * into `parser` (in worker threads: parallel-edge-list.ts), once its first chunk has
   * fixed a plain dialect (`u v [weight]`, no header, no CSV).
   */
  readRest?: (parser: EdgeListParser, offset: number) => Promise<void>;
}

type TextFormat = Exclude<InputFormat, 'edgelist' | 'csv' | 'csr'>;

const TEXT_READERS: Record<TextFormat, (text: string, file: string, options: ReadGraphOptions) => LoadedGraph> = {
  gexf: parseGexf,
  graphml: parseGraphml,
  gml: parseGml,
  pajek: parsePajek,
  'graphology-json': parseGraphologyJson,
};

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** Read a graph from a byte source. Bad content is a FormatError naming `source.name`. */
export async function readGraph(source: GraphByteSource, options: ReadGraphOptions = {}): Promise<LoadedGraph> {
  const forced = options.format === undefined ? undefined : checkInputFormat(options.format);
  const file = source.name;
  const raw = new ChunkReader(countedChunks(source, options.onProgress));
  const gzip = isGzip(await raw.peek(2));
  if (extensionOf(file).gzip && !gzip) throw new FormatError(file, undefined, 'named .gz but not gzip-compressed (it does not start with the gzip magic number 1f 8b)');
  const content = new ChunkReader(gzip ? gunzipped(raw.chunks(), file) : raw.chunks());
  const bom = startsWithBom(await content.peek(UTF8_BOM.length));
  if (bom) await content.skip(UTF8_BOM.length);
  const format = chooseFormat(file, (await content.peek(SNIFF_BYTES)).subarray(0, SNIFF_BYTES), forced);

  if (format === 'edgelist' || format === 'csv') {
    const parser = new EdgeListParser(file, {
      directed: options.directed,
      ignoreWeights: options.ignoreWeights,
      skipBadLines: options.skipBadLines,
      header: options.header,
      delimited: format === 'csv',
    });
    let offset = bom ? UTF8_BOM.length : 0;
    for await (const chunk of content.chunks()) {
      parser.push(chunk);
      offset += chunk.length;
      if (options.readRest && !gzip && parser.plainColumns) {
        await options.readRest(parser, offset - parser.dropPending());
        break;
      }
    }
    return parser.end();
  }
  if (options.header !== undefined) throw new ParameterError(`${file}: a header row (--header, --no-header) is an edge-list notion; this file is read as ${format}`);
  let bytes: Uint8Array;
  if (!gzip && options.readAll) {
    bytes = (await options.readAll()).subarray(bom ? UTF8_BOM.length : 0);
    options.onProgress?.(bytes.length, bytes.length);
  } else {
    bytes = await content.readAll(gzip ? 0 : source.size ?? 0);
  }
  if (format === 'csr') return readCsr(bytes, file, options);
  return TEXT_READERS[format](new TextDecoder().decode(bytes), file, options);
}

/** A .csr file, with --directed / --undirected / --ignore-weights applied to what it stores. */
function readCsr(bytes: Uint8Array, file: string, options: ReadGraphOptions): LoadedGraph {
  let csr = decodeCsr(bytes, file, { crc32: options.crc32, verify: options.verify });
  assertNotEmpty(csr, file);
  let report = { selfLoops: 0, duplicates: 0 };
  if (options.directed === true && !csr.directed) {
    throw new FormatError(file, undefined, 'is undirected, and a .csr file keeps no direction for its edges (each is stored both ways); --directed cannot be honoured');
  }
  if (options.directed === false && csr.directed) ({ csr, report } = undirectedCopy(csr, file));
  if (options.ignoreWeights && csr.weights) csr = { ...csr, weights: undefined };
  return { csr, report: { ...report, file, format: 'csr' } };
}

/** A directed Csr read as undirected: each arc an edge, the two arcs of a pair merged (weights added). */
function undirectedCopy(csr: Csr, file: string): { csr: Csr; report: { selfLoops: number; duplicates: number } } {
  const builder = new CsrBuilder(false);
  if (csr.weights) builder.enableWeights();
  for (const key of csr.nodeKeys) builder.node(key);
  for (let u = 0; u < csr.n; u++) {
    for (let e = csr.rowPtr[u]; e < csr.rowPtr[u + 1]; e++) builder.addEdge(u, csr.colIdx[e], csr.weights ? csr.weights[e] : 1);
  }
  return builder.build(file);
}

function startsWithBom(bytes: Uint8Array): boolean {
  return UTF8_BOM.every((b, i) => bytes[i] === b);
}

/** The source's chunks, counted for progress; a failure to read is an InputError naming the file. */
async function* countedChunks(source: GraphByteSource, onProgress?: (read: number, total: number) => void): AsyncGenerator<Uint8Array> {
  let read = 0;
  const chunks = source.bytes instanceof ReadableStream ? streamChunks(source.bytes) : source.bytes;
  try {
    for await (const chunk of chunks) {
      read += chunk.length;
      onProgress?.(read, Math.max(source.size ?? 0, read));
      yield chunk;
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${source.name}: cannot read: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}

/** A ReadableStream's chunks (Safari's streams are not async iterable). */
async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** gzip undone as a stream (DecompressionStream: Node ≥ 18 and browsers); corrupt or truncated data is a FormatError. */
async function* gunzipped(chunks: AsyncIterable<Uint8Array>, file: string): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const compressed = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  const reader = compressed.pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>).getReader();
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (error) {
      if (error instanceof InputError) throw error; // reading the file failed, not gunzip
      throw new FormatError(file, undefined, `not valid gzip data: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
    if (next.done) return;
    yield next.value;
  }
}

/** Chunks that can be looked at before they are read: the first bytes choose the reader. */
class ChunkReader {
  private readonly ahead: Uint8Array[] = [];
  private aheadBytes = 0;
  private done = false;
  private readonly iterator: AsyncIterator<Uint8Array>;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.iterator = chunks[Symbol.asyncIterator]();
  }

  /** The first `bytes` bytes still to come (fewer at the end; more when a chunk is larger), kept for chunks(). */
  async peek(bytes: number): Promise<Uint8Array> {
    while (this.aheadBytes < bytes && !this.done) {
      const { done, value } = await this.iterator.next();
      if (done) this.done = true;
      else if (value.length > 0) {
        this.ahead.push(value);
        this.aheadBytes += value.length;
      }
    }
    return this.ahead.length === 1 ? this.ahead[0] : join(this.ahead, this.aheadBytes);
  }

  /** Drop `bytes` bytes already peeked. */
  async skip(bytes: number): Promise<void> {
    await this.peek(bytes);
    let left = bytes;
    while (left > 0 && this.ahead.length > 0) {
      const first = this.ahead[0];
      const cut = Math.min(left, first.length);
      if (cut === first.length) this.ahead.shift();
      else this.ahead[0] = first.subarray(cut);
      this.aheadBytes -= cut;
      left -= cut;
    }
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    while (this.ahead.length > 0) {
      const chunk = this.ahead.shift()!;
      this.aheadBytes -= chunk.length;
      yield chunk;
    }
    if (this.done) return;
    for (;;) {
      const { done, value } = await this.iterator.next();
      if (done) return;
      yield value;
    }
  }

  /** Everything still to come in one array, allocated once when `sizeHint` is right. */
  async readAll(sizeHint: number): Promise<Uint8Array> {
    let out = new Uint8Array(sizeHint);
    let length = 0;
    for await (const chunk of this.chunks()) {
      if (length + chunk.length > out.length) {
        const grown = new Uint8Array(Math.max(2 * out.length, length + chunk.length));
        grown.set(out.subarray(0, length));
        out = grown;
      }
      out.set(chunk, length);
      length += chunk.length;
    }
    return out.subarray(0, length);
  }
}

function join(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
