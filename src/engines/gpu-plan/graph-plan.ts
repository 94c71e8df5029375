import { DeviceError } from '../../errors.js';
import type { SparseRows } from '../../walks/transition.js';

/**
 * How a walk is laid out on a GPU whose bindings are bounded: pure arithmetic, no GPU API,
 * so it is tested on its own.
 *
 * The n × B block is cut into row slabs (one storage buffer each) and P into tiles
 * (row slab r × column slab s), each with its own CSR whose arrays fit one binding. A pull
 * step computes, for every row slab r, x'_r = Σ_s P_rs x_s: the first tile of r writes every
 * row of the slab (rows it has no entries for get 0), later tiles accumulate. Rows with more
 * than LONG_ROW nonzeros in a tile are cut into segments of SEGMENT nonzeros, each summed by
 * its own threads, so a hub of degree 10^5 spreads over thousands of threads instead of
 * serializing one (the power-law case).
 */

export const WORKGROUP = 256;
/** A row with more nonzeros than this (within one tile) is split into segments. */
export const LONG_ROW = 64;
export const SEGMENT = 64;
/** Rows each thread of the entropy-partials kernel sums (one chunk). */
export const ENTROPY_CHUNK_ROWS = 256;
export const MAX_BATCH = 256;

export interface PlanLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  /** Upper bound on terminals per batch (a power of two ≤ 256). */
  maxBatch: number;
}

export interface Slab {
  start: number;
  end: number;
}

export interface Tile {
  rowSlab: number;
  columnSlab: number;
  /** Local CSR: rows of the row slab, columns relative to the column slab's start. */
  rowPtr: Uint32Array;
  colIdx: Uint32Array;
  values: Float32Array;
  /** Local rows summed whole, one thread per (row, column). */
  shortRows: Uint32Array;
  /** Local rows split into segments; segPtr[k]..segPtr[k+1] are the segments of longRows[k]. */
  longRows: Uint32Array;
  segPtr: Uint32Array;
  /** [start, end) pairs into colIdx/values, one per segment. */
  segments: Uint32Array;
  /** The first tile of its row slab: writes rather than accumulates. */
  writes: boolean;
}

export interface Plan {
  n: number;
  /** Terminals per batch: a power of two, so that 256 threads split evenly into lanes. */
  batch: number;
  slabs: Slab[];
  /** Tiles grouped by row slab, the writing tile first in each group. */
  tiles: Tile[];
  /** Entropy chunks (ENTROPY_CHUNK_ROWS rows) per slab, and the first chunk of each slab. */
  chunks: number[];
  chunkBase: number[];
  totalChunks: number;
  /** The most segments of any tile (sizes the shared partial buffer). */
  maxSegments: number;
}

const F32 = 4;

function largestPowerOfTwoAtMost(x: number): number {
  return x < 1 ? 0 : 2 ** Math.floor(Math.log2(x));
}

/** Terminals per batch: as many as asked (up to maxBatch) while one column block of n rows fits a binding. */
export function chooseBatch(n: number, terminals: number, limits: PlanLimits): number {
  const wanted = Math.min(largestPowerOfTwoAtMost(limits.maxBatch), 2 ** Math.ceil(Math.log2(Math.max(1, terminals))));
  const bindingBytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const fitting = largestPowerOfTwoAtMost(bindingBytes / (F32 * n));
  // When even B = 1 does not fit, keep B small and let row slabs do the rest.
  return Math.max(1, Math.min(wanted, fitting || 1));
}

export function makePlan(walk: SparseRows, terminals: number, limits: PlanLimits): Plan {
  const { n } = walk;
  const batch = chooseBatch(n, terminals, limits);
  const bindingElements = Math.floor(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / F32);
  if (bindingElements < batch) throw new DeviceError('anonscope/webgpu: storage bindings too small for one row of the block');
  let slabRows = Math.min(n, Math.floor(bindingElements / batch));
  for (;;) {
    const slabs = cutSlabs(n, slabRows);
    const tiles = cutTiles(walk, slabs, bindingElements, batch);
    if (tiles) return finish(n, batch, slabs, tiles);
    if (slabRows === 1) throw new DeviceError('anonscope/webgpu: cannot tile the walk within the binding limits');
    slabRows = Math.max(1, Math.floor(slabRows / 2));
  }
}

function cutSlabs(n: number, slabRows: number): Slab[] {
  const slabs: Slab[] = [];
  for (let start = 0; start < n; start += slabRows) slabs.push({ start, end: Math.min(n, start + slabRows) });
  return slabs;
}

/** The tiles of P for these slabs, or null when one tile's arrays would exceed a binding. */
function cutTiles(walk: SparseRows, slabs: Slab[], bindingElements: number, batch: number): Tile[] | null {
  const slabOfColumn = (column: number) => {
    let lo = 0;
    let hi = slabs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (slabs[mid].start <= column) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const tiles: Tile[] = [];
  slabs.forEach((rows, r) => {
    const rowCount = rows.end - rows.start;
    // Count nonzeros per (column slab, local row).
    const counts = new Map<number, Uint32Array>();
    for (let i = rows.start; i < rows.end; i++) {
      for (let e = walk.rowPtr[i]; e < walk.rowPtr[i + 1]; e++) {
        const s = slabOfColumn(walk.colIdx[e]);
        let c = counts.get(s);
        if (!c) counts.set(s, (c = new Uint32Array(rowCount)));
        c[i - rows.start]++;
      }
    }
    const columnSlabs = [...counts.keys()].sort((a, b) => a - b);
    columnSlabs.forEach((s, order) => {
      const c = counts.get(s)!;
      const rowPtr = new Uint32Array(rowCount + 1);
      for (let k = 0; k < rowCount; k++) rowPtr[k + 1] = rowPtr[k] + c[k];
      const nnz = rowPtr[rowCount];
      tiles.push({
        rowSlab: r,
        columnSlab: s,
        rowPtr,
        colIdx: new Uint32Array(nnz),
        values: new Float32Array(nnz),
        shortRows: new Uint32Array(0),
        longRows: new Uint32Array(0),
        segPtr: new Uint32Array(1),
        segments: new Uint32Array(0),
        writes: order === 0,
      });
    });
    // Fill the tiles of this row slab.
    const tileOf = new Map(tiles.filter((t) => t.rowSlab === r).map((t) => [t.columnSlab, t]));
    const cursor = new Map([...tileOf].map(([s, t]) => [s, t.rowPtr.slice(0, rowCount)]));
    for (let i = rows.start; i < rows.end; i++) {
      for (let e = walk.rowPtr[i]; e < walk.rowPtr[i + 1]; e++) {
        const column = walk.colIdx[e];
        const s = slabOfColumn(column);
        const tile = tileOf.get(s)!;
        const at = cursor.get(s)![i - rows.start]++;
        tile.colIdx[at] = column - slabs[s].start;
        tile.values[at] = walk.values[e];
      }
    }
    for (const tile of tileOf.values()) {
      const short: number[] = [];
      const long: number[] = [];
      const segPtr: number[] = [0];
      const segments: number[] = [];
      for (let k = 0; k < rowCount; k++) {
        const start = tile.rowPtr[k];
        const end = tile.rowPtr[k + 1];
        if (end - start > LONG_ROW) {
          long.push(k);
          for (let e = start; e < end; e += SEGMENT) segments.push(e, Math.min(end, e + SEGMENT));
          segPtr.push(segments.length / 2);
        } else if (end > start || tile.writes) {
          short.push(k);
        }
      }
      tile.shortRows = Uint32Array.from(short);
      tile.longRows = Uint32Array.from(long);
      tile.segPtr = Uint32Array.from(segPtr);
      tile.segments = Uint32Array.from(segments);
    }
  });
  const fits = tiles.every(
    (t) =>
      t.colIdx.length <= bindingElements &&
      t.rowPtr.length <= bindingElements &&
      (t.segments.length / 2) * batch <= bindingElements,
  );
  return fits ? tiles : null;
}

function finish(n: number, batch: number, slabs: Slab[], tiles: Tile[]): Plan {
  const chunks = slabs.map((s) => Math.ceil((s.end - s.start) / ENTROPY_CHUNK_ROWS));
  const chunkBase: number[] = [];
  let total = 0;
  for (const c of chunks) {
    chunkBase.push(total);
    total += c;
  }
  const maxSegments = tiles.reduce((most, t) => Math.max(most, t.segments.length / 2), 0);
  return { n, batch, slabs, tiles, chunks, chunkBase, totalChunks: total, maxSegments };
}

/** Split a workgroup count over x and y so that neither exceeds the per-dimension limit. */
export function dispatchSize(groups: number, maxPerDimension: number): [number, number] {
  if (groups <= maxPerDimension) return [Math.max(1, groups), 1];
  const y = Math.ceil(groups / maxPerDimension);
  return [Math.ceil(groups / y), y];
}
