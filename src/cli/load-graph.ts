import { ParameterError } from '../errors.js';
import { largestComponent, weakComponents } from '../graph/components.js';
import { edgeCount, type Csr } from '../graph/csr.js';
import { INPUT_FORMATS } from '../graph/formats.js';
import { loadGraphFile, type LoadFileOptions } from '../graph/load-file.js';
import type { LoadReport } from '../graph/loaded-graph.js';
import { count } from '../report/count.js';
import { choiceOption } from './args.js';

/** The flags that say how to read a graph file, for every command that reads one. */
export const GRAPH_READ_OPTIONS = {
  'input-format': { type: 'string' },
  directed: { type: 'boolean' },
  undirected: { type: 'boolean' },
  'ignore-weights': { type: 'boolean' },
  header: { type: 'boolean' },
  'no-header': { type: 'boolean' },
  'skip-bad-lines': { type: 'boolean' },
  verify: { type: 'boolean' },
} as const;

export const GRAPH_OPTIONS = {
  ...GRAPH_READ_OPTIONS,
  component: { type: 'string', default: 'all' },
} as const;

export const GRAPH_READ_HELP = `  --input-format F     ${INPUT_FORMATS.join(' | ')}
                       (default: from the content and the extension; see the README's
                       "Input formats"; a .gz file is decompressed first)
  --directed           read every edge as an arc (edge lists: u -> v)
  --undirected         read every arc as an undirected edge
                       (default: as the file says; edge lists are undirected unless a
                       Type column says Directed)
  --ignore-weights     read every edge with weight 1
  --header             edge lists: the first line is a header row (source,target,…)
  --no-header          edge lists: the first line is an edge, even if it reads
                       source,target (default: a header is detected by its names)
  --skip-bad-lines     edge lists: skip lines with the wrong number of columns (counted
                       on stderr) instead of stopping at the first one
  --verify             .csr files: check the graph (sorted rows, columns in range,
                       symmetry, unique keys) even when the file's seal says its
                       writer did (default: trusted when the seal and checksums match;
                       the other formats are always checked)`;

export const GRAPH_HELP = `Graph input:
${GRAPH_READ_HELP}
  --component C        all | largest: keep only the largest weakly connected component`;

type GraphReadValues = { [K in keyof typeof GRAPH_READ_OPTIONS]?: (typeof GRAPH_READ_OPTIONS)[K]['type'] extends 'string' ? string : boolean };

/** The read options the flags ask for, checked before any file is opened. */
export function graphReadOptions(values: GraphReadValues): LoadFileOptions {
  if (values.directed && values.undirected) throw new ParameterError('--directed and --undirected cannot be used together');
  if (values.header && values['no-header']) throw new ParameterError('--header and --no-header cannot be used together');
  return {
    format: values['input-format'] === undefined ? undefined : choiceOption('input-format', values['input-format'], INPUT_FORMATS),
    directed: values.directed ? true : values.undirected ? false : undefined,
    ignoreWeights: values['ignore-weights'],
    header: values.header ? true : values['no-header'] ? false : undefined,
    skipBadLines: values['skip-bad-lines'],
    verify: values.verify,
  };
}

/** What the header row was read as, for the load summary. */
function headerSummary(header: NonNullable<LoadReport['header']>): string {
  const name = (text: string) => (text === '' ? '(unnamed)' : `"${text}"`);
  const used = [`source ${name(header.source)}`, `target ${name(header.target)}`];
  if (header.weight !== undefined) used.push(`weight ${name(header.weight)}`);
  if (header.type !== undefined) used.push(`direction ${name(header.type)}`);
  const ignored = header.ignored.length > 0 ? `; ignored ${header.ignored.map(name).join(', ')}` : '';
  return `line ${header.line} read as a header row: ${used.join(', ')}${ignored} (pass --no-header to read it as an edge)`;
}

/** Load a graph for a command, print the load summary on stderr, apply --component. */
export async function loadGraphForCommand(
  path: string,
  values: GraphReadValues & { component?: string },
  log: (line: string) => void,
): Promise<Csr> {
  const options = graphReadOptions(values);
  const component = choiceOption('component', values.component ?? 'all', ['all', 'largest'] as const);
  const { csr, report } = await loadGraphFile(path, options);
  const components = weakComponents(csr);
  const largest = components.sizes[components.largest] ?? 0;
  if (report.header) log(headerSummary(report.header));
  log(
    `loaded ${path} (${report.format}): ${count(csr.n, 'node')}, ${count(edgeCount(csr), csr.directed ? 'arc' : 'edge')} (${csr.directed ? 'directed' : 'undirected'})` +
      `${csr.weights ? ', weighted' : ''}; ${count(report.selfLoops, 'self-loop')} dropped, ${count(report.duplicates, 'duplicate edge')} merged; ` +
      `${count(components.sizes.length, 'weakly connected component')} (largest ${largest})`,
  );
  if (report.declaredNodes !== undefined && report.declaredNodes !== csr.n) {
    log(`warning: ${path} declares ${count(report.declaredNodes, 'node')} on its first line but lists edges among ${csr.n}`);
  }
  if (report.skippedLines) {
    log(`warning: skipped ${count(report.skippedLines, 'malformed line')} of ${path} (first: line ${report.firstSkippedLine})`);
  }
  if (component === 'largest' && components.sizes.length > 1) {
    const kept = largestComponent(csr, components);
    log(`kept the largest component: ${count(kept.n, 'node')}, ${count(edgeCount(kept), kept.directed ? 'arc' : 'edge')}`);
    return kept;
  }
  return csr;
}
