import type { Csr } from './csr.js';

/**
 * A fast non-cryptographic 64-bit checksum: two independent 32-bit lanes, each word mixed
 * in with one Math.imul and a rotation (MurmurHash3's constants), both lanes through its
 * finaliser at the end. It tells shards and checkpoints of one job from those of another:
 * a consistency check, not security (anyone can make two inputs with the same checksum).
 */
export class Checksum {
  private a = 0x9e3779b9;
  private b = 0x85ebca6b;

  words(words: Uint32Array): this {
    let { a, b } = this;
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      // One multiply per lane and no lane reading the other: the CPU runs them side by side.
      a = Math.imul(a ^ w, 0xcc9e2d51);
      a = (a << 15) | (a >>> 17);
      b = Math.imul(b + w, 0x1b873593);
      b = (b << 13) | (b >>> 19);
    }
    this.a = a;
    this.b = b;
    return this;
  }

  word(w: number): this {
    return this.words(Uint32Array.of(w));
  }

  /** The bits of floats (so -0, NaN payloads and every rounding count). */
  floats(values: Float32Array | Float64Array): this {
    return this.words(new Uint32Array(values.buffer, values.byteOffset, values.byteLength / 4));
  }

  /** Strings as their UTF-16 code units, each after its length, then the count. */
  strings(values: readonly string[]): this {
    let { a, b } = this;
    for (const text of values) {
      for (let c = -1; c < text.length; c++) {
        // The lanes of `words`, inline: copying a million keys' units into an array first took twice as long.
        const w = c < 0 ? text.length : text.charCodeAt(c);
        a = Math.imul(a ^ w, 0xcc9e2d51);
        a = (a << 15) | (a >>> 17);
        b = Math.imul(b + w, 0x1b873593);
        b = (b << 13) | (b >>> 19);
      }
    }
    this.a = a;
    this.b = b;
    return this.word(values.length);
  }

  /** 16 hex digits. */
  hex(): string {
    const finish = (h: number) => {
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
      return ((h ^ (h >>> 16)) >>> 0).toString(16).padStart(8, '0');
    };
    return finish(this.a ^ Math.imul(this.b, 0x9e3779b1)) + finish(this.b);
  }
}

/**
 * The checksum of a graph: n, direction, rows, columns, weights (their float bits, after a
 * flag) and node keys. Each part's length follows from the ones before it.
 */
export function csrChecksum(csr: Csr): string {
  const sum = new Checksum().word(csr.n).word(csr.directed ? 1 : 0).words(csr.rowPtr).words(csr.colIdx);
  if (csr.weights) sum.word(1).floats(csr.weights);
  else sum.word(0);
  return sum.strings(csr.nodeKeys).hex();
}
