import { expect } from 'vitest';
import { initiatorEntropy, type InitiatorEntropyOptions } from '../../src/analyses/initiator-entropy.js';
import type { Backend } from '../../src/engines/backend.js';
import type { Csr } from '../../src/graph/csr.js';

/**
 * Cross-backend check: run the analysis on `backend` and on the float64 cpu reference with
 * the same options, and require every terminal's Shannon and min-entropy at every hop, and
 * every per-hop statistic, to agree within `tolerance` bits (undefined entropies must agree
 * too). Returns the largest difference seen.
 */
export async function expectSameAsReference(
  backend: Backend,
  csr: Csr,
  options: InitiatorEntropyOptions,
  tolerance: number,
): Promise<number> {
  const gpu = await initiatorEntropy(csr, { ...options, backend, perTerminal: true });
  const reference = await initiatorEntropy(csr, { ...options, perTerminal: true });
  let worst = 0;
  const close = (a: number, b: number, what: string) => {
    if (Number.isNaN(b)) {
      expect(a, what).toBeNaN();
      return;
    }
    const difference = Math.abs(a - b);
    worst = Math.max(worst, difference);
    if (!(difference <= tolerance)) expect.fail(`${what}: ${a} vs reference ${b} (difference ${difference} > ${tolerance})`);
  };
  reference.perTerminal!.forEach((terminal, k) => {
    terminal.shannon.forEach((h, t) => {
      close(gpu.perTerminal![k].shannon[t], h, `terminal ${terminal.id} hop ${t + 1} Shannon`);
      close(gpu.perTerminal![k].minEntropy[t], terminal.minEntropy[t], `terminal ${terminal.id} hop ${t + 1} min-entropy`);
    });
  });
  reference.hops.forEach((hop, t) => {
    for (const key of ['mean', 'min', 'p05', 'median', 'max', 'minEntropyMean', 'terminusWeightedMean'] as const) {
      close(gpu.hops[t][key], hop[key], `hop ${t + 1} ${key}`);
    }
    expect(gpu.hops[t].unreachable, `hop ${t + 1} unreachable`).toBe(hop.unreachable);
    expect(gpu.hops[t].zeroPriorOnly, `hop ${t + 1} zero-prior only`).toBe(hop.zeroPriorOnly);
  });
  expect(gpu.backend).toBe(backend.info.name);
  return worst;
}
