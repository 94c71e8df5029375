import { it } from 'vitest';
import type { Backend } from '../../src/engines/backend.js';
import { loadGraphFile } from '../../src/graph/load-file.js';
import { expectSameAsReference } from './compare.js';
import { dataset, datasetsSkipReason, haveDatasets } from './datasets.js';
import { expectDenseAnswer } from './dense-reference.js';
import { exactCases } from './exact-cases.js';
import { randomGraph } from './graphs.js';

/**
 * The cases every engine must answer as the float64 dense reference does (issue 11): the
 * hand-built inexact graphs of every walk model, lazy or not, and a zeroing prior against a
 * dense P; directed, weighted graphs with dangling nodes and several components, long walks
 * (100 hops) and real directed graphs against the cpu reference: same terminals, same
 * unreachable counts, `tolerance` bits. `backend` is read when the tests run (set in beforeAll);
 * slow engines may run only some `parts`.
 */
export function directedSuite(backend: () => Backend, tolerance: number, parts: readonly ('dense' | 'random' | 'real')[] = ['dense', 'random', 'real']): void {
  it.runIf(parts.includes('dense'))('every walk model, lazy or not, on graphs whose rows do not sum exactly, and a zeroing prior: the dense answer', async () => {
    for (const c of exactCases()) await expectDenseAnswer(backend(), c.csr, c.options, tolerance);
  });

  it.runIf(parts.includes('random'))('random directed weighted graph with dangling nodes and several components, 100 hops of both walks', async () => {
    const csr = randomGraph(300, 420, 77, { directed: true, weighted: true });
    await expectSameAsReference(backend(), csr, { hops: 100, terminals: 48, seed: 3 }, tolerance);
    await expectSameAsReference(backend(), csr, { walk: 'mh', hops: 100, terminals: 32, seed: 4 }, tolerance);
    const prior = new Map(csr.nodeKeys.map((key, i) => [key, i % 4 === 0 ? 0 : 1 + (i % 3)]));
    await expectSameAsReference(backend(), csr, { hops: 30, terminals: 32, seed: 5, prior }, tolerance);
  });

  it.skipIf(!parts.includes('real') || !haveDatasets)(`Les Misérables (directed, weighted, dangling nodes), all terminals, 100 hops; email-Eu-core directed, 40 hops${haveDatasets ? '' : ` (${datasetsSkipReason})`}`, async () => {
    const lesMiserables = (await loadGraphFile(dataset('gexf/les_miserables.gexf'))).csr;
    await expectSameAsReference(backend(), lesMiserables, { hops: 100, terminals: 'all' }, tolerance);
    await expectSameAsReference(backend(), lesMiserables, { walk: 'mh', lazy: true, hops: 100, terminals: 'all' }, tolerance);
    const email = (await loadGraphFile(dataset('snap/email-Eu-core.txt'), { directed: true })).csr;
    await expectSameAsReference(backend(), email, { hops: 40, terminals: 32, seed: 6 }, tolerance);
  });
}
