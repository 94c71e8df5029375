import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ParameterError } from '../errors.js';
import { writeCsrFile } from '../graph/binary-csr.js';
import { edgeCount } from '../graph/csr.js';
import { count } from '../report/count.js';
import { checkOutputFile, writingOutput } from './args.js';
import { GRAPH_HELP, GRAPH_OPTIONS, loadGraphForCommand } from './load-graph.js';

export const CONVERT_HELP = `Usage: anonscope convert <graph-file> <out.csr> [options]

Convert a graph (any format below: edge list, CSV, GEXF, GraphML, GML, Pajek, graphology
JSON, .csr, each optionally .gz) into anonscope's binary CSR format: a versioned,
CRC-32-checksummed file of the CSR arrays that loads several times faster than an edge
list (any command takes it, recognised by its header).

${GRAPH_HELP}

Output:
  --quiet              no load summary on stderr
  -h, --help           this help
`;

export async function convertCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...GRAPH_OPTIONS,
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(CONVERT_HELP);
    return;
  }
  if (positionals.length !== 2) {
    throw new ParameterError(`convert: expected an input file and an output .csr file, got ${positionals.length} arguments (see anonscope convert --help)`);
  }
  const [input, output] = positionals;
  if (!output.toLowerCase().endsWith('.csr')) throw new ParameterError(`convert: the output file must end in .csr, got "${output}"`);
  const log = (line: string) => values.quiet || process.stderr.write(`${line}\n`);
  await checkOutputFile(output);
  const csr = await loadGraphForCommand(input, values, log);
  const started = performance.now();
  await writingOutput(output, () => writeCsrFile(output, csr));
  const bytes = (await stat(output)).size;
  log(
    `wrote ${output}: ${count(csr.n, 'node')}, ${count(edgeCount(csr), csr.directed ? 'arc' : 'edge')}, ` +
      `${(bytes / 2 ** 20).toFixed(1)} MiB in ${((performance.now() - started) / 1000).toFixed(2)} s`,
  );
}

