/**
 * The long fuzz campaign: `npm run fuzz -- --cases N [--seed S]` runs cases 0..N-1 of
 * campaign S (default: a seed from the clock, printed), prints a summary by reader and
 * outcome, and exits 1 on any failure, naming the seed and case that reproduce it
 * (`--seed S --from K --cases 1` runs that case alone).
 */
import { parseArgs } from 'node:util';
import { runCase, summarize, type CaseReport } from './fuzz-cases.js';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '1000' }, seed: { type: 'string' }, from: { type: 'string', default: '0' } } });
const cases = Number(values.cases);
const from = Number(values.from);
const seed = values.seed === undefined ? Date.now() % 2 ** 32 : Number(values.seed);
if (!Number.isSafeInteger(cases) || cases < 1 || !Number.isSafeInteger(seed) || seed < 0 || !Number.isSafeInteger(from) || from < 0) {
  console.error('usage: npm run fuzz -- --cases N [--seed S] [--from K]   (N >= 1; S, K integers >= 0)');
  process.exit(2);
}
console.log(`fuzz: seed ${seed}, cases ${from}..${from + cases - 1}`);
const reports: CaseReport[] = [];
const started = performance.now();
for (let index = from; index < from + cases; index++) {
  const report = await runCase(seed, index);
  reports.push(report);
  if (report.failure) console.log(`FAIL seed ${seed} case ${index} (${report.reader}; ${report.mutations.join(' + ')}): ${report.failure}`);
  if ((index - from + 1) % 1000 === 0) console.log(`  ${index - from + 1} cases, ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
console.log(summarize(reports));
process.exit(reports.some((r) => r.failure) ? 1 : 0);
