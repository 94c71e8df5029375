import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ParameterError } from '../errors.js';
import { writeCsrFile } from '../graph/binary-csr.js';
import { GENERATOR_MODELS, generateGraph, generatedToCsr, writeEdgeList, type GenerateParameters } from '../graph/generators.js';
import { checkOutputFile, choiceOption, integerOption, listOption, writingOutput } from './args.js';

export const GENERATE_HELP = `Usage: anonscope generate --model M --nodes N [model options] [--seed S] <out.txt|out.csr>

Generate a seeded random graph (the same graph for the same arguments on every machine)
and write it as an edge list ("u v" lines, node ids 0..N-1) or, for a name ending in .csr,
in the binary CSR format (which also keeps nodes without edges). No self-loops, no
repeated edges: the edge count is exact (for chung-lu, its expectation).

Models:
  rmat      R-MAT / Kronecker power law (Graph500): --edges M [--rmat a,b,c,d] [--directed]
            node ids shuffled; nodes may be left without edges (many, with the default
            skew: about 43% of 1M nodes with 10M edges)
  chung-lu  Chung-Lu expected-degree power law: --edges M (expected) [--exponent G];
            P(k) ~ k^-G, heaviest expected degree at the cutoff sqrt(2M); ids shuffled,
            so no locality (about 0.02% of 1M nodes with 10M edges left without edges)
  ba        Barabasi-Albert preferential attachment: --degree m (edges per new node);
            m(m+1)/2 + (N-m-1)m edges, every degree >= m
  regular   random d-regular graph (Steger-Wormald pairing): --degree d; N*d/2 edges
  ws        Watts-Strogatz small world: --k K (even; ring neighbours) --beta B (rewiring
            probability in [0, 1]); N*K/2 edges

Options:
  --model M            ${GENERATOR_MODELS.join(' | ')}
  --nodes N            node count
  --edges M            rmat: edge count; chung-lu: expected edge count
  --exponent G         chung-lu: exponent of the degree distribution, above 2 [2.5]
  --degree D           ba: edges per new node; regular: the degree
  --k K                ws: each node's ring neighbours (K/2 on each side)
  --beta B             ws: rewiring probability
  --rmat a,b,c,d       rmat: quadrant probabilities, summing to 1 [0.57,0.19,0.19,0.05]
  --directed           rmat: arcs u -> v (default: undirected edges)
  --seed S             seed of the PCG32 stream [1]
  --quiet              nothing on stderr
  -h, --help           this help
`;

/** A strict decimal number (no hex, no "Infinity", no empty string). */
function numberOption(name: string, text: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) throw new ParameterError(`--${name} must be a number, got "${text}"`);
  return Number(text);
}

const MODEL_OPTIONS: Record<(typeof GENERATOR_MODELS)[number], readonly string[]> = {
  rmat: ['edges', 'rmat', 'directed'],
  'chung-lu': ['edges', 'exponent'],
  ba: ['degree'],
  regular: ['degree'],
  ws: ['k', 'beta'],
};

export async function generateCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      nodes: { type: 'string' },
      edges: { type: 'string' },
      exponent: { type: 'string' },
      degree: { type: 'string' },
      k: { type: 'string' },
      beta: { type: 'string' },
      rmat: { type: 'string' },
      directed: { type: 'boolean' },
      seed: { type: 'string', default: '1' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(GENERATE_HELP);
    return;
  }
  if (values.model === undefined) throw new ParameterError(`generate: --model is required (${GENERATOR_MODELS.join(', ')})`);
  const model = choiceOption('model', values.model, GENERATOR_MODELS);
  if (values.nodes === undefined) throw new ParameterError(`generate: --nodes is required`);
  if (positionals.length !== 1) {
    throw new ParameterError(`generate: expected one output file, got ${positionals.length} (see anonscope generate --help)`);
  }
  for (const option of ['edges', 'exponent', 'degree', 'k', 'beta', 'rmat', 'directed'] as const) {
    if (values[option] !== undefined && !MODEL_OPTIONS[model].includes(option)) {
      throw new ParameterError(`generate: --${option} does not apply to model ${model} (it takes ${MODEL_OPTIONS[model].map((o) => `--${o}`).join(', ')})`);
    }
  }
  const required = { rmat: ['edges'], 'chung-lu': ['edges'], ba: ['degree'], regular: ['degree'], ws: ['k', 'beta'] }[model] as (keyof typeof values)[];
  for (const option of required) {
    if (values[option] === undefined) throw new ParameterError(`generate: model ${model} needs --${option}`);
  }
  const output = positionals[0];
  const log = (line: string) => values.quiet || process.stderr.write(`${line}\n`);

  const parameters: GenerateParameters = {
    model,
    nodes: integerOption('nodes', values.nodes, 2, 0xfffffff0),
    seed: integerOption('seed', values.seed, 0, 2 ** 53 - 1),
    edges: values.edges === undefined ? undefined : integerOption('edges', values.edges, 1, 2 ** 31 - 1),
    degree: model === 'ws' ? (values.k === undefined ? undefined : integerOption('k', values.k, 2)) : values.degree === undefined ? undefined : integerOption('degree', values.degree, 1),
    beta: values.beta === undefined ? undefined : numberOption('beta', values.beta),
    exponent: values.exponent === undefined ? undefined : numberOption('exponent', values.exponent),
    directed: values.directed,
  };
  if (values.rmat !== undefined) {
    const p = listOption(values.rmat).map((text) => numberOption('rmat', text));
    if (p.length !== 4) throw new ParameterError(`--rmat takes four probabilities a,b,c,d, got "${values.rmat}"`);
    parameters.rmat = { a: p[0], b: p[1], c: p[2], d: p[3] };
  }

  await checkOutputFile(output);

  const started = performance.now();
  const graph = generateGraph(parameters);
  const degrees = new Uint32Array(graph.n);
  for (let k = 0; k < graph.src.length; k++) {
    degrees[graph.src[k]]++;
    degrees[graph.dst[k]]++;
  }
  let withEdges = 0;
  let maxDegree = 0;
  for (let i = 0; i < graph.n; i++) {
    if (degrees[i] > 0) withEdges++;
    if (degrees[i] > maxDegree) maxDegree = degrees[i];
  }
  log(
    `generated ${model}: ${graph.n} nodes (${withEdges} with edges), ${graph.src.length} ${graph.directed ? 'arcs' : 'edges'}, ` +
      `max degree ${maxDegree}, mean ${((2 * graph.src.length) / graph.n).toFixed(2)}, in ${((performance.now() - started) / 1000).toFixed(2)} s`,
  );
  const writing = performance.now();
  await writingOutput(output, async () => {
    if (output.toLowerCase().endsWith('.csr')) {
      await writeCsrFile(output, generatedToCsr(graph));
    } else {
      const command = ['anonscope generate', ...argv.filter((a) => a !== output)].join(' ');
      await writeEdgeList(output, graph, [
        command,
        `${graph.n} nodes (ids 0..${graph.n - 1}; ${graph.n - withEdges} without edges are not listed), ${graph.src.length} ${graph.directed ? 'arcs' : 'edges'}`,
      ]);
    }
  });
  const bytes = (await stat(output)).size;
  log(`wrote ${output}: ${(bytes / 2 ** 20).toFixed(1)} MiB in ${((performance.now() - writing) / 1000).toFixed(2)} s`);
}
