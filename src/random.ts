/**
 * PCG32 (O'Neill 2014): a small seeded generator whose stream is the same in every runtime,
 * so `--seed` reproduces a terminal sample anywhere.
 */
export class Pcg32 {
  private state = 0n;
  private readonly increment: bigint;
  private static readonly MULTIPLIER = 6364136223846793005n;
  private static readonly MASK = (1n << 64n) - 1n;

  constructor(seed: number, stream = 54) {
    this.increment = ((BigInt(stream) << 1n) | 1n) & Pcg32.MASK;
    this.nextUint32();
    this.state = (this.state + BigInt(seed)) & Pcg32.MASK;
    this.nextUint32();
  }

  nextUint32(): number {
    const old = this.state;
    this.state = (old * Pcg32.MULTIPLIER + this.increment) & Pcg32.MASK;
    const xorShifted = Number((((old >> 18n) ^ old) >> 27n) & 0xffffffffn);
    const rotation = Number(old >> 59n);
    return ((xorShifted >>> rotation) | (xorShifted << (-rotation & 31))) >>> 0;
  }

  /** Uniform integer in [0, bound), without modulo bias. */
  below(bound: number): number {
    const threshold = (0x100000000 - bound) % bound;
    for (;;) {
      const r = this.nextUint32();
      if (r >= threshold) return r % bound;
    }
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
