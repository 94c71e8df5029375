/**
 * The mutation fuzzer's CI budget (fuzz-cases.ts holds the readers, the mutations and the
 * checks): a fixed seed and a few hundred cases, spread evenly over every reader. The long
 * campaign is `npm run fuzz -- --cases N [--seed S]`.
 */
import { describe, expect, it } from 'vitest';
import { CASE_LIMIT_MS, makeCase, MUTATIONS, READERS, runCase, summarize, type CaseReport } from './fuzz-cases.js';

const SEED = 20_260_511;
const CASES = 30 * READERS.length;

describe('mutation fuzz over every reader', () => {
  it('every seed input is read as it is (the mutations start from valid files)', async () => {
    for (const reader of READERS) {
      const { gzipSync } = await import('node:zlib');
      const bytes = reader.gzip ? gzipSync(reader.seed) : reader.seed;
      await expect(reader.read(bytes, reader.file, makeCase(SEED, 0).rng), reader.name).resolves.toBeDefined();
    }
  });

  it('cases are reproducible from (seed, case)', () => {
    const a = makeCase(SEED, 7);
    const b = makeCase(SEED, 7);
    expect(a.mutations).toEqual(b.mutations);
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
  });

  it(`${CASES} cases: only project errors naming the file, no silent bad values, no entity expanded, each under ${CASE_LIMIT_MS / 1000} s`, async () => {
    const reports: CaseReport[] = [];
    for (let index = 0; index < CASES; index++) reports.push(await runCase(SEED, index));
    const failures = reports.filter((r) => r.failure);
    expect(failures, summarize(reports)).toEqual([]);
    // The budget reached every reader and most mutations, and some inputs were refused.
    expect(new Set(reports.map((r) => r.reader)).size).toBe(READERS.length);
    expect(new Set(reports.flatMap((r) => r.mutations)).size).toBeGreaterThanOrEqual(MUTATIONS.length - 1);
    expect(reports.filter((r) => r.outcome === 'FormatError').length).toBeGreaterThan(CASES / 3);
  }, 60_000);
});
