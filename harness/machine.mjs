// The machine a benchmark ran on, as every results file in harness/results records it. Plain
// JS (typed by machine.d.mts) so that import-cost.mjs, which runs without a build, shares it.
import { cpus, totalmem } from 'node:os';

/** The CPU model, its cores, the memory, Node's version and the platform of this machine. */
export function machineDescription() {
  const cores = cpus();
  return {
    cpu: cores[0]?.model ?? 'unknown',
    cores: cores.length,
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** The 1-minute load average before and after a run, in the words the benchmarks print: other work on the machine skews the times. */
export function loadLine(before, after) {
  return `load average ${before[0].toFixed(2)} before, ${after[0].toFixed(2)} after on ${cpus().length} cpus`;
}
