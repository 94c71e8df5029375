import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import {
  adversaryEntropy,
  adversaryJob,
  adversaryShard,
  SYBIL_REGION_SHAPES,
  type AdversaryCheckpoint,
  type AdversaryJob,
  type AdversaryOptions,
  type AdversaryResult,
  type AdversaryShard,
} from '../analyses/adversary.js';
import { ADVERSARY_SHARD_KIND, adversaryShardFile, tallyColumns, tallyOfColumns } from '../analyses/adversary-shards.js';
import { SHARD_FILE_FORMAT, SHARD_FILE_VERSION } from '../analyses/shard-file.js';
import { shardRange } from '../analyses/shards.js';
import type { Backend } from '../engines/backend.js';
import { BACKEND_NAMES, createBackend, RUNTIMES } from '../engines/create.js';
import { InputError, ParameterError } from '../errors.js';
import { adversaryCsv, adversaryJson, adversaryTable, hioVsAttackEdgesChart, twoHopChart, twoHopCsv, type AdversaryChartOptions } from '../report/adversary-report.js';
import { nodeIndex, type Csr } from '../graph/csr.js';
import { WALK_MODELS, type WalkModel } from '../walks/index.js';
import { choiceOption, formatOption, integerOption, listOption, OUTPUT_OPTIONS, prepareOutputDirectory, printResult, writeOutputs, type OutputFile } from './args.js';
import { prepareCheckpointDirectory, startAnalysisCheckpoint, writeAnalysisBatch, type CheckpointSettings } from './checkpoint.js';
import { SHARD_OPTIONS, shardHelp, shardSettings, writeShard, type ShardSettings } from './shard-output.js';
import { GRAPH_HELP, GRAPH_OPTIONS, loadGraphForCommand } from './load-graph.js';
import { withProgress } from './progress.js';

export const ADVERSARY_HELP = `Usage: anonscope adversary <graph-file> [options]

The insider adversary of Pisces: Sybils behind g attack edges (or a given set of
compromised nodes) see the first compromised hop of a walk and its last hop. For each g:
P(M_i) from Monte-Carlo walkers, H(I|M_i) from the batched pull step on the honest graph,
and H(I|O) = Σ P(M_i) H(I|M_i) + (1 - Σ P(M_i)) log2 n.

Adversary:
  --attack-edges g1,g2 attack-edge counts to evaluate [0,10,100,1000]; the Sybils and
                       honest nodes must fit in 2^24 nodes, the Sybil edges in 2^26
  --sybils-per-edge S  Sybils per attack edge [10]
  --sybil-region R     ${SYBIL_REGION_SHAPES.join(' | ')}: the Sybils' own topology [random]
  --sybil-degree D     mean degree inside a random Sybil region [10]
  --compromised FILE   node ids (one per line) the adversary controls, instead of Sybils

Walks:
  --walk W[,W]         ${WALK_MODELS.join(' | ')}; several give one line each in the plot [simple]
  --hops L             walk length [10]
  --walkers N          Monte-Carlo walkers per row [100000]
  --two-hop k1,k2|sweep
                       also the two-hop optimisation (only the k-th and last hops form
                       the circuit), for these k or every k in 1..L-1 (needs L >= 2);
                       its rows go to the table, the JSON and two-hop.csv in --out
  --posterior-samples K
                       walkers per hop whose predecessor's posterior is computed [200]
  --seed S             seed of the walkers and the Sybil region [1]

${GRAPH_HELP}

Compute and output:
  --backend B          ${BACKEND_NAMES.join(' | ')} [auto]
  --runtime R          ${RUNTIMES.join(' | ')} [auto]
  --format F           table | json | csv [table]
  --out DIR            also write results.json, adversary.csv, hio-vs-attack-edges.svg
                       (and two-hop.csv, two-hop.svg)
  --quiet              no load summary or progress on stderr
  -h, --help           this help

Shards and checkpoints (see the README's "Shards, merge and checkpoints"):
${shardHelp("walkers of every row (walker w walks as in the unsharded run)")}
  --checkpoint DIR     write DIR/job.json and a DIR/batch-<b>.json per finished row
                       (b = walk × rows + row), so that a crashed run can go on
  --resume             continue the checkpoint in --checkpoint DIR: take its finished
                       rows, compute the rest (a DIR of another job is refused)
`;

async function readNodeList(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read the compromised-node file (${(error as Error).message})`, { cause: error });
  }
  const ids = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (ids.length === 0) throw new InputError(`${path}: the compromised-node file lists no node ids (one per line)`);
  return ids;
}

/** The graph builder indexes node keys in a Map, which holds at most 2^24 entries. */
const MAX_NODES = 2 ** 24;
/** Sybil-region edges: beyond this the region alone takes gigabytes. */
const MAX_SYBIL_EDGES = 2 ** 26;

/** The Sybil region must fit in memory: refuse before any work what would fail after a long build. */
function checkSybilRegion(attackEdges: number[], sybilsPerEdge: number, shape: string, sybilDegree: number, honestNodes = 0): void {
  for (const g of attackEdges) {
    const sybils = g * sybilsPerEdge;
    if (honestNodes + sybils > MAX_NODES) {
      const honest = honestNodes ? ` plus ${honestNodes} honest nodes` : '';
      throw new ParameterError(
        `--attack-edges ${g} with --sybils-per-edge ${sybilsPerEdge} makes ${sybils} Sybils${honest}; at most 2^24 = ${MAX_NODES} nodes fit in all`,
      );
    }
    const edges = shape === 'clique' ? (sybils * (sybils - 1)) / 2 : (sybils * sybilDegree) / 2;
    if (edges > MAX_SYBIL_EDGES) {
      throw new ParameterError(
        `--attack-edges ${g}: a ${shape} Sybil region of ${sybils} nodes has about ${Math.round(edges)} edges; at most 2^26 = ${MAX_SYBIL_EDGES} fit (fewer attack edges or Sybils${shape === 'clique' ? ', or --sybil-region random' : ', or a lower --sybil-degree'})`,
      );
    }
  }
}

/** The k of --two-hop: a list or "sweep", each in 1..L-1 (hop k and the last hop form the circuit). */
function twoHopOption(text: string, hops: number): number[] {
  if (hops < 2) throw new ParameterError(`--two-hop needs walks of at least 2 hops (k in 1..L-1), got --hops ${hops}`);
  if (text === 'sweep') return Array.from({ length: hops - 1 }, (_, k) => k + 1);
  const ks = listOption(text).map((k) => integerOption('two-hop', k, 1, hops - 1));
  if (ks.length === 0) throw new ParameterError('--two-hop needs k1,k2,… or sweep');
  return ks;
}

/** The node ids of --compromised must be nodes of the graph: checked before the backend starts. */
function checkCompromised(csr: Csr, ids: string[]): void {
  const index = nodeIndex(csr);
  const unknown = ids.find((id) => !index.has(id));
  if (unknown !== undefined) throw new ParameterError(`--compromised: node "${unknown}" is not a node of the graph`);
}

const ADVERSARY_OPTIONS = {
  ...GRAPH_OPTIONS,
  'attack-edges': { type: 'string', default: '0,10,100,1000' },
  'sybils-per-edge': { type: 'string', default: '10' },
  'sybil-region': { type: 'string', default: 'random' },
  'sybil-degree': { type: 'string', default: '10' },
  compromised: { type: 'string' },
  walk: { type: 'string', default: 'simple' },
  hops: { type: 'string', default: '10' },
  walkers: { type: 'string', default: '100000' },
  'posterior-samples': { type: 'string', default: '200' },
  'two-hop': { type: 'string' },
  seed: { type: 'string', default: '1' },
  backend: { type: 'string', default: 'auto' },
  runtime: { type: 'string', default: 'auto' },
  ...SHARD_OPTIONS,
  checkpoint: { type: 'string' },
  resume: { type: 'boolean', default: false },
  ...OUTPUT_OPTIONS,
} as const;

const parseAdversaryArgs = (argv: string[]) => parseArgs({ args: argv, allowPositionals: true, options: ADVERSARY_OPTIONS });
type AdversaryValues = ReturnType<typeof parseAdversaryArgs>['values'];

export async function adversaryCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseAdversaryArgs(argv);
  if (values.help) {
    process.stdout.write(ADVERSARY_HELP);
    return;
  }
  if (positionals.length !== 1) {
    throw new ParameterError(`adversary: expected one graph file, got ${positionals.length} (see anonscope adversary --help)`);
  }
  const log = (line: string) => values.quiet || process.stderr.write(`${line}\n`);
  // Every parameter is checked before the graph loads and the backend starts.
  const { walks, options, format, backendName, runtime, shard, checkpoint } = adversarySettings(values);
  if (!values.compromised) checkSybilRegion(options.attackEdges, options.sybilsPerEdge, options.sybilRegion, options.sybilDegree);
  if (values.out) await prepareOutputDirectory(values.out);
  if (checkpoint) await prepareCheckpointDirectory(checkpoint);
  if (values.compromised) options.compromised = await readNodeList(values.compromised);

  const csr = await loadGraphForCommand(positionals[0], values, log);
  if (options.compromised) checkCompromised(csr, options.compromised);
  else checkSybilRegion(options.attackEdges.filter((g) => g > 0), options.sybilsPerEdge, options.sybilRegion, options.sybilDegree, csr.n);
  const backend = await createBackend(backendName, { runtime, log });
  let results: AdversaryResult[];
  try {
    const checkpoints = checkpoint && (await walkCheckpoints(checkpoint, csr, walks, { ...options, backend }, shard, log));
    const run = { ...options, backend, checkpoints };
    if (shard) {
      const shards = await withProgress('adversary', values.quiet, (onProgress) => adversaryPerWalk(csr, walks, run, onProgress, shard));
      await writeShard(shard, adversaryShardFile(shards), log);
      return;
    }
    results = await withProgress('adversary', values.quiet, (onProgress) => adversaryPerWalk(csr, walks, run, onProgress));
  } finally {
    await backend.dispose();
  }
  await reportAdversary(results, format, values.out, options, { graph: basename(positionals[0]) }, log);
}

/** What adversary and merge both print: the result on stdout, the --out files. */
export async function reportAdversary(
  results: AdversaryResult[],
  format: ReturnType<typeof formatOption>,
  out: string | undefined,
  options: { compromised?: unknown; twoHop?: number[] },
  chart: AdversaryChartOptions,
  log: (line: string) => void,
): Promise<void> {
  printResult(format, results, { table: adversaryTable, json: adversaryJson, csv: adversaryCsv });
  if (out) await writeOutputs(out, adversaryFiles(results, options, chart), log);
}

/** The command line checked, option by option in a fixed order (so the first bad one is the one reported). */
function adversarySettings(values: AdversaryValues) {
  const walks = listOption(values.walk).map((w) => choiceOption('walk', w, WALK_MODELS));
  if (walks.length === 0) throw new ParameterError(`--walk needs at least one of ${WALK_MODELS.join(', ')}`);
  const attackEdges = listOption(values['attack-edges']).map((g) => integerOption('attack-edges', g, 0));
  if (attackEdges.length === 0 && !values.compromised) throw new ParameterError('--attack-edges needs at least one count (e.g. 0,10,100)');
  const hops = integerOption('hops', values.hops, 1, 100_000);
  const options = {
    attackEdges,
    sybilsPerEdge: integerOption('sybils-per-edge', values['sybils-per-edge'], 1),
    sybilRegion: choiceOption('sybil-region', values['sybil-region'], SYBIL_REGION_SHAPES),
    sybilDegree: integerOption('sybil-degree', values['sybil-degree'], 2),
    hops,
    walkers: integerOption('walkers', values.walkers, 1, 1e9),
    posteriorSamples: integerOption('posterior-samples', values['posterior-samples'], 1),
    seed: integerOption('seed', values.seed, 0, 2 ** 32 - 1),
    twoHop: values['two-hop'] === undefined ? undefined : twoHopOption(values['two-hop'], hops),
    compromised: undefined as string[] | undefined,
  };
  const format = formatOption(values.format);
  const backendName = choiceOption('backend', values.backend, BACKEND_NAMES);
  const runtime = choiceOption('runtime', values.runtime, RUNTIMES);
  const shard = shardSettings(values);
  if (values.checkpoint === undefined && values.resume) throw new ParameterError('--resume needs --checkpoint DIR (the checkpoint to continue)');
  const checkpoint: CheckpointSettings | undefined = values.checkpoint === undefined ? undefined : { dir: values.checkpoint, resume: values.resume, batchTerminals: 1 };
  return { walks, options, format, backendName, runtime, shard, checkpoint };
}

/** The files of --out DIR: the Sybil plot without a given compromised set, the two-hop files with --two-hop. */
function adversaryFiles(results: AdversaryResult[], options: { compromised?: unknown; twoHop?: number[] }, chart: AdversaryChartOptions): OutputFile[] {
  const files: OutputFile[] = [
    ['results.json', `${adversaryJson(results)}\n`],
    ['adversary.csv', adversaryCsv(results)],
  ];
  if (!options.compromised) files.push(['hio-vs-attack-edges.svg', hioVsAttackEdgesChart(results, chart)]);
  if (options.twoHop?.length) files.push(['two-hop.csv', twoHopCsv(results)], ['two-hop.svg', twoHopChart(results, chart)]);
  return files;
}

type WalkOptions = Omit<AdversaryOptions, 'walk' | 'onProgress' | 'checkpoint'> & { backend: Backend; checkpoints?: AdversaryCheckpoint[] };

/** One analysis (or its shard) per walk model on the same backend; progress counts all of them. */
async function adversaryPerWalk(csr: Csr, walks: WalkModel[], options: WalkOptions, onProgress: (done: number, total: number) => void): Promise<AdversaryResult[]>;
async function adversaryPerWalk(csr: Csr, walks: WalkModel[], options: WalkOptions, onProgress: (done: number, total: number) => void, shard: ShardSettings): Promise<AdversaryShard[]>;
async function adversaryPerWalk(
  csr: Csr,
  walks: WalkModel[],
  { checkpoints, ...options }: WalkOptions,
  onProgress: (done: number, total: number) => void,
  shard?: ShardSettings,
): Promise<(AdversaryResult | AdversaryShard)[]> {
  const results: (AdversaryResult | AdversaryShard)[] = [];
  for (const [k, walk] of walks.entries()) {
    const run = { ...options, walk, checkpoint: checkpoints?.[k], onProgress: (done: number, total: number) => onProgress(k * total + done, walks.length * total) };
    results.push(shard ? await adversaryShard(csr, { ...run, shard: shard.spec }) : await adversaryEntropy(csr, run));
  }
  return results;
}

/**
 * --checkpoint DIR: job.json holds every walk's job (and the shard); batch b = k × rows + r
 * is walk k's row r. Each walk's checkpoint hands the analysis its finished rows.
 */
async function walkCheckpoints(
  settings: CheckpointSettings,
  csr: Csr,
  walks: WalkModel[],
  options: Omit<WalkOptions, 'checkpoints'>,
  shard: ShardSettings | undefined,
  log: (line: string) => void,
): Promise<AdversaryCheckpoint[]> {
  const jobs: AdversaryJob[] = walks.map((walk) => adversaryJob(csr, { ...options, walk }));
  const rows = jobs[0].attackEdges.length;
  const spec = shard?.spec ?? { index: 0, count: 1 };
  const head = { kind: ADVERSARY_SHARD_KIND, job: { walks: jobs }, ...(shard ? { shard: shard.spec } : {}) };
  const finished = await startAnalysisCheckpoint(settings, head, walks.length * rows, log);
  const [first, last] = shardRange(jobs[0].walkers, spec);
  return jobs.map((job, k) => ({
    start: () => {
      const taken = new Map<number, ReturnType<typeof tallyOfColumns>>();
      for (let r = 0; r < rows; r++) {
        const batch = finished.get(k * rows + r);
        if (batch) taken.set(r, tallyOfColumns(batch.columns, '', job, join(settings.dir, `batch-${k * rows + r}.json`)));
      }
      return taken;
    },
    onRow: (r, tally) =>
      writeAnalysisBatch(settings.dir, {
        format: SHARD_FILE_FORMAT,
        version: SHARD_FILE_VERSION,
        kind: `${ADVERSARY_SHARD_KIND}-batch`,
        job: { batch: k * rows + r },
        shard: spec,
        items: { total: job.walkers, first, count: last - first },
        columns: tallyColumns(tally),
      }),
  }));
}
