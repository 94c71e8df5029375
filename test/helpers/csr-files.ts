import * as zlib from 'node:zlib';
import { CSR_HEADER_BYTES, encodeCsr } from '../../src/graph/binary-csr.js';
import type { Csr } from '../../src/graph/csr.js';

/**
 * Redo a .csr's checksums after an edit (header bytes 48 and 60), so that the loader's own
 * checks see it; `reseal` also redoes the writer's seal (bytes 52..55: the CRC-32 of header
 * bytes 8..51), as only a forger or a broken writer would.
 */
export function rechecksummed(bytes: Uint8Array, { reseal = false } = {}): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  view.setUint32(48, zlib.crc32(bytes.subarray(CSR_HEADER_BYTES)), true);
  if (reseal) view.setUint32(52, zlib.crc32(bytes.subarray(8, 52)), true);
  view.setUint32(60, zlib.crc32(bytes.subarray(0, 60)), true);
  return bytes;
}

/**
 * A .csr marked undirected holding `csr`'s arcs as they are: written directed (the writer
 * refuses an asymmetric undirected graph), then flags bit 0 cleared and the checksums redone.
 */
export function markedUndirected(csr: Csr, options: { reseal?: boolean } = {}): Uint8Array {
  const bytes = encodeCsr({ ...csr, directed: true });
  bytes[12] &= ~1;
  return rechecksummed(bytes, options);
}
