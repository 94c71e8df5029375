import { largestComponent, weakComponents } from '../graph/components.js';
import { edgeCount, type Csr } from '../graph/csr.js';
import { INPUT_FORMATS, loadGraphFile, type InputFormat } from '../graph/load-file.js';
import { choiceOption } from './args.js';

export const GRAPH_OPTIONS = {
  'input-format': { type: 'string' },
  directed: { type: 'boolean', default: false },
  'skip-bad-lines': { type: 'boolean', default: false },
  component: { type: 'string', default: 'all' },
} as const;

export const GRAPH_HELP = `Graph input:
  --input-format F     edgelist | gexf | graphology-json | csr (default: from the
                       extension: .gexf, .json, .csr; anything else is an edge list)
  --directed           edge lists: each line is an arc u -> v (default: undirected)
  --skip-bad-lines     edge lists: skip lines with the wrong number of columns (counted
                       on stderr) instead of stopping at the first one
  --component C        all | largest: keep only the largest weakly connected component`;

/** Load a graph for a command, print the load summary on stderr, apply --component. */
export async function loadGraphForCommand(
  path: string,
  values: { 'input-format'?: string; directed?: boolean; 'skip-bad-lines'?: boolean; component?: string },
  log: (line: string) => void,
): Promise<Csr> {
  const format = values['input-format'] ? choiceOption('input-format', values['input-format'], INPUT_FORMATS) : undefined;
  const component = choiceOption('component', values.component ?? 'all', ['all', 'largest'] as const);
  const { csr, report } = await loadGraphFile(path, {
    format: format as InputFormat | undefined,
    directed: values.directed,
    skipBadLines: values['skip-bad-lines'],
  });
  const components = weakComponents(csr);
  const largest = Math.max(...components.sizes);
  log(
    `loaded ${path} (${report.format}): ${csr.n} nodes, ${edgeCount(csr)} ${csr.directed ? 'arcs (directed)' : 'edges (undirected)'}` +
      `${csr.weights ? ', weighted' : ''}; ${report.selfLoops} self-loops dropped, ${report.duplicates} duplicate edges merged; ` +
      `${components.sizes.length} weakly connected component${components.sizes.length === 1 ? '' : 's'} (largest ${largest})`,
  );
  if (report.declaredNodes !== undefined && report.declaredNodes !== csr.n) {
    log(`warning: ${path} declares ${report.declaredNodes} nodes on its first line but lists edges among ${csr.n}`);
  }
  if (report.skippedLines) {
    log(`warning: skipped ${report.skippedLines} malformed line${report.skippedLines === 1 ? '' : 's'} of ${path} (first: line ${report.firstSkippedLine})`);
  }
  if (component === 'largest' && components.sizes.length > 1) {
    const kept = largestComponent(csr, components);
    log(`kept the largest component: ${kept.n} nodes, ${edgeCount(kept)} edges`);
    return kept;
  }
  return csr;
}
