import { Worker, type MessagePort } from 'node:worker_threads';

/**
 * A worker thread running `main(parentPort, workerData)` from its source text
 * (new Worker(..., { eval: true })): no worker file to find in the bundles, and it runs
 * unbundled under vitest. `main` may use nothing but its arguments and globals.
 */
export function evalWorker<T>(main: (parentPort: MessagePort, data: T) => void, workerData: T): Worker {
  // `require` stays in the string: bundlers would rewrite it in code.
  return new Worker(`const threads = require('node:worker_threads'); (${main.toString()})(threads.parentPort, threads.workerData);`, { eval: true, workerData });
}
