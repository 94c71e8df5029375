/**
 * Download names and the zip of everything: each file is named after the graph, the analysis
 * and its parameters (karate-entropy-simple-10hops-seed1-hops.csv), so that files from
 * several runs can sit in one folder and say what they hold.
 */
import { strToU8, zipSync } from 'fflate';
import type { Download, RunRequest } from './protocol.js';

/** A file-name-safe piece: letters, digits and dots; runs of anything else become one dash. */
const safe = (text: string) => text.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
/** A file's name without its extensions (karate.txt.gz: karate). */
const stemOf = (name: string) => name.replace(/\.gz$/i, '').replace(/\.[A-Za-z0-9]+$/, '');

/** The stem every download of this run starts with. */
export function downloadStem(job: RunRequest, graphName: string | undefined): string {
  const parts: string[] = [];
  if (graphName !== undefined) parts.push(stemOf(graphName));
  parts.push(job.analysis);
  const p = job.params as unknown as Record<string, unknown>;
  switch (job.analysis) {
    case 'entropy':
      parts.push(job.params.walk + (job.params.lazy ? '-lazy' : ''), `${job.params.hops}hops`, `terminals-${job.params.terminals ?? 'auto'}`, `seed${job.params.seed}`);
      if (job.params.rounds) parts.push(`${job.params.rounds}rounds`);
      if (job.params.prior) parts.push(`prior-${stemOf(job.params.prior.name)}`);
      break;
    case 'adversary':
      parts.push(job.params.walk, `${job.params.hops}hops`, `g${job.params.attackEdges.join('_')}`, `seed${job.params.seed}`);
      break;
    case 'mixing':
      parts.push(job.params.walk + (job.params.lazy ? '-lazy' : ''), `${job.params.hops}hops`, `sources-${job.params.sourceIds ? 'ids' : job.params.sources ?? 'auto'}`, `eps${job.params.epsilon}`, `seed${job.params.seed}`);
      break;
    case 'roc':
      parts.push(`targets${job.params.targets}`, `packets${job.params.packets.join('_')}`, ...(job.params.delay ? [`delay${job.params.delay}`] : []), `seed${job.params.seed}`);
      break;
    default:
      parts.push(...['rate', 'delay', 'mixes', 'links', 'streams', 'trials'].filter((k) => p[k] !== undefined && p[k] !== '').map((k) => `${k}${String(p[k])}`), `seed${String(p.seed)}`);
  }
  if ('reading' in job && job.reading.directed !== undefined) parts.push(job.reading.directed ? 'directed' : 'undirected');
  if ('reading' in job && job.reading.component === 'largest') parts.push('largest');
  return parts.map(safe).join('-');
}

export const downloadName = (stem: string, file: string) => `${stem}-${file}`;

/** Every download of the run in one zip, under the same names. */
export function zipOf(stem: string, downloads: readonly Download[]): Uint8Array {
  return zipSync(Object.fromEntries(downloads.map((d) => [downloadName(stem, d.name), strToU8(d.text)])));
}
