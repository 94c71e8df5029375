/**
 * Download names and the zip of everything: each file is named after the graph, the analysis
 * and its parameters (karate-entropy-simple-10hops-seed1-hops.csv), so that files from
 * several runs can sit in one folder and say what they hold.
 */
import { strToU8, zipSync } from 'fflate';
import { Checksum } from '../graph/checksum.js';
import type { Download, RunRequest } from './protocol.js';

/** A file of the run: text from the worker, or bytes the page made (a chart's PNG). */
export type RunFile = Download | { name: string; mime: string; bytes: Uint8Array };

const bytesOf = (file: RunFile): Uint8Array => ('bytes' in file ? file.bytes : strToU8(file.text));

/** The file as a Blob, for a download link. */
export const blobOf = (file: RunFile): Blob => new Blob([bytesOf(file) as Uint8Array<ArrayBuffer>], { type: file.mime });

/** A chart's PNG is named as its SVG file is (entropy-vs-hops.svg: entropy-vs-hops.png). */
export const pngName = (svgName: string) => svgName.replace(/\.svg$/i, '') + '.png';

/** A file-name-safe piece: letters, digits and dots; runs of anything else become one dash. */
const safe = (text: string) => text.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
/** A file's name without its extensions (karate.txt.gz: karate). */
const stemOf = (name: string) => name.replace(/\.gz$/i, '').replace(/\.[A-Za-z0-9]+$/, '');

/** Weights listed up to this many in a name; beyond, their count and checksum (a name stays far under the 255 bytes file systems allow). */
const WEIGHTS_NAMED_UP_TO = 12;

/** A weighted run's piece of the stem: the list (weights2-1-1 once made safe), or their count and checksum (weights300-1f0c9a2e). */
function weightsPart(weights: readonly number[]): string {
  if (weights.length <= WEIGHTS_NAMED_UP_TO) return `weights${weights.join('_')}`;
  return `weights${weights.length}-${new Checksum().floats(Float64Array.from(weights)).hex().slice(0, 8)}`;
}

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
    case 'mixnet': {
      // Corrupt mixes and cover only when there are any; a swept parameter is named by the sweep.
      const m = job.params;
      parts.push(m.topology, m.topology === 'free' ? `${m.layers ?? 'L'}hops` : `${m.layers ?? 'L'}x${m.width ?? 'W'}`);
      if (m.weights) parts.push(weightsPart(m.weights));
      if (m.entryWeights) parts.push(`entry-weights-${stemOf(m.entryWeights.name)}`);
      const named: [string, number | string | undefined, boolean][] = [
        ['corrupt', m.corrupt, false], ['clients', m.clients, true], ['rate', m.rate, true], ['delay', m.delay, true], ['mu', m.mu, true],
        ['loop', m.loopRate, false], ['drop', m.dropRate, false], ['mixloop', m.mixLoopRate, false], ['targets', m.targets, true], ['reps', m.replications, true],
      ];
      parts.push(...named.filter(([, v, zeroToo]) => v !== undefined && v !== '' && (zeroToo || v !== 0)).map(([k, v]) => `${k}${String(v)}`));
      if (m.seed !== undefined) parts.push(`seed${m.seed}`);
      if (m.sweep) parts.push(`sweep-${m.sweep.parameter}-${m.sweep.values.join('_')}`);
      break;
    }
    default:
      parts.push(...['rate', 'delay', 'mixes', 'links', 'streams', 'trials'].filter((k) => p[k] !== undefined && p[k] !== '').map((k) => `${k}${String(p[k])}`), `seed${String(p.seed)}`);
  }
  const reading = 'reading' in job ? job.reading : undefined;
  if (reading?.directed !== undefined) parts.push(reading.directed ? 'directed' : 'undirected');
  if (reading?.component === 'largest') parts.push('largest');
  return parts.map(safe).join('-');
}

export const downloadName = (stem: string, file: string) => `${stem}-${file}`;

/** Every download of the run in one zip, under the same names. */
export function zipOf(stem: string, files: readonly RunFile[]): Uint8Array {
  return zipSync(Object.fromEntries(files.map((file) => [downloadName(stem, file.name), bytesOf(file)])));
}
