import { ParameterError } from './errors.js';

/**
 * PCG32 (O'Neill 2014; XSH-RR, 64-bit state): a small seeded generator whose stream is the
 * same in every runtime, so `--seed` reproduces a terminal sample anywhere. The 64-bit state
 * is kept as two 32-bit words, without BigInt (about 20× faster, which R-MAT's ~20 draws per
 * edge need); the tests check it against a BigInt transcription of the reference.
 */
export class Pcg32 {
  private hi = 0;
  private lo = 0;
  private readonly incHi: number;
  private readonly incLo: number;

  constructor(seed: number, stream = 54) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new ParameterError(`seed must be an integer in 0..2^53-1, got ${seed}`);
    // increment = (stream << 1) | 1, modulo 2^64
    const inc = stream * 2 + 1;
    this.incHi = Math.floor(inc / 0x100000000) >>> 0;
    this.incLo = inc >>> 0;
    this.nextUint32();
    const seedLo = seed >>> 0;
    const seedHi = Math.floor(seed / 0x100000000) >>> 0;
    const lo = this.lo + seedLo;
    this.lo = lo >>> 0;
    this.hi = (this.hi + seedHi + (lo > 0xffffffff ? 1 : 0)) >>> 0;
    this.nextUint32();
  }

  nextUint32(): number {
    const sh = this.hi;
    const sl = this.lo;
    // state = state * 6364136223846793005 + increment (mod 2^64); multiplier 0x5851f42d_4c957f2d
    const a0 = sl & 0xffff;
    const a1 = sl >>> 16;
    const p00 = a0 * 0x7f2d;
    const mid = a0 * 0x4c95 + a1 * 0x7f2d;
    const low = p00 + (mid % 0x10000) * 0x10000;
    const lowWord = low % 0x100000000;
    const high = a1 * 0x4c95 + Math.floor(mid / 0x10000) + Math.floor(low / 0x100000000);
    const hiWord = (high + Math.imul(sh, 0x4c957f2d) + Math.imul(sl, 0x5851f42d)) | 0;
    const lo = lowWord + this.incLo;
    this.lo = lo >>> 0;
    this.hi = (hiWord + this.incHi + (lo > 0xffffffff ? 1 : 0)) >>> 0;
    // output from the old state: xorshifted = ((old >> 18) ^ old) >> 27, rotation = old >> 59
    const xHi = sh ^ (sh >>> 18);
    const xLo = sl ^ ((sl >>> 18) | (sh << 14));
    const xs = ((xLo >>> 27) | (xHi << 5)) >>> 0;
    const rot = sh >>> 27;
    return ((xs >>> rot) | (xs << (-rot & 31))) >>> 0;
  }

  /** Uniform integer in [0, bound), without modulo bias. */
  below(bound: number): number {
    const threshold = (0x100000000 - bound) % bound;
    for (;;) {
      const r = this.nextUint32();
      if (r >= threshold) return r % bound;
    }
  }

  /** Uniform in [0, 1), 32 bits. */
  uniform(): number {
    return this.nextUint32() / 0x100000000;
  }
}

/** k distinct integers from [0, n), uniformly, in the order drawn (partial Fisher-Yates). */
export function sampleWithoutReplacement(n: number, k: number, seed: number): Uint32Array {
  const rng = new Pcg32(seed);
  const pool = new Uint32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + rng.below(n - i);
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return pool.slice(0, k);
}
