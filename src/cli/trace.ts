import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_TRACE_PACKETS, traceLinks, traceSimulation, traceSimulationShard, type TraceInput, type TraceSimulationResult } from '../analyses/stream-trace.js';
import { traceShardFile } from '../analyses/stream-trace-shards.js';
import { FormatError, InputError, ParameterError } from '../errors.js';
import { parseDelay } from '../mix/delays.js';
import { detectionChart, mixJson, traceCsv, traceTable } from '../report/mix-report.js';
import { formatOption, integerOption, listOption, OUTPUT_OPTIONS, prepareOutputDirectory, printResult, realListOption, realOption, writeOutputs, type OutputFormat } from './args.js';
import { MIX_KERNEL_HELP, MIX_KERNEL_OPTIONS, withMixKernels } from './mix.js';
import { forEachPacketRow } from './packet-times.js';
import { withProgress } from './progress.js';
import { SHARD_OPTIONS, shardHelp, shardSettings, writeShard, type ShardSettings } from './shard-output.js';
import { TRACE_ROC_HELP, traceRocCommand } from './trace-roc.js';

export const TRACE_HELP = `Usage: anonscope trace [options]                      (simulation)
       anonscope trace --input FILE --delay LAW [options] (your packet times)
       anonscope trace --roc [--input FILE --delay LAW] [options] (ROC over many pairs)

Tracing a stream through one continuous-time mix (Danezis, PET 2004): the target's input
stream f convolved with the delay density d gives C = d * f; each output link X is scored
by the log-likelihood ratio of the mixture C_X = [λ_f C + (λ_X − λ_f) u] / λ_X against
uniform noise u (eqs. 23, 28); the decision, the LLR's mean and variance (eqs. 31-34) and
the Chebyshev bound on the error (eq. 35). Convolution and scoring are batched kernels.

Data (--input):
  --input FILE         CSV "time,link" rows (a header line is optional), or JSON
                       {"target": [t…], "links": {"X": [t…], …}, "window": [a, b]}
  --target-link NAME   CSV: rows of this link are the target's input stream [target]
  --window a,b         observation window [earliest..latest time in the data]

Simulation (default; Danezis's example):
  --signal-rate R      the target's packet rate λ_f [50]
  --cover-rate R       cover traffic beside the target on link X [150]
  --padding-rate R     padding on link Y [200]
  --packets a,b,c      target packet counts [${DEFAULT_TRACE_PACKETS.join(',')}]
  --trials N           trials per point [200]
  --seed S             PCG32 seed [1]
  --sweep-cover a,b    one curve per cover rate c (cover c on X, padding λ_f + c on Y)
  --sweep-delay a,b    one curve per mean delay (the delay law rescaled)

Both:
  --delay LAW          exp:μ | uniform:a,b | erlang:k,μ | lognormal:m,s | pareto:α,xm
                       | hist:FILE [simulation: exp:30, departure rate 30]
  --step DT            time-grid step [a tenth of the mean delay]

${TRACE_ROC_HELP}
${MIX_KERNEL_HELP}
Output:
  --format F           table | json | csv: what goes to stdout [table]
  --out DIR            also write results.json and trace.csv (simulation: and
                       detection-vs-packets.svg) into DIR; with --roc results.json,
                       roc.csv, roc-curve.csv, roc.svg (and tpr-vs-packets.svg)
  --quiet              no progress or notes on stderr
  -h, --help           this help

Shards (see the README's "Shards, merge and checkpoints"): the simulation's trials (the
same slice at every point), or with --roc the target streams (each scored against every
link; with --input too); not with --input alone:
${shardHelp('trials (or streams)')}
`;

/** Packet times from CSV (`time,link`) or JSON; the CSV rows of `targetLink` are the target's input. */
export async function readTraceInput(path: string, targetLink = 'target'): Promise<TraceInput> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read the trace (${(error as Error).message})`, { cause: error });
  }
  if (extname(path).toLowerCase() === '.json' || text.trimStart().startsWith('{')) return traceFromJson(text, path);
  return traceFromCsv(text, path, targetLink);
}

export function traceFromCsv(text: string, file: string, targetLink = 'target'): TraceInput {
  const target: number[] = [];
  const links = new Map<string, number[]>();
  forEachPacketRow(text, file, 'time,link', (time, cells, line) => {
    if (cells[1] === '') throw new FormatError(file, line, 'empty link name');
    if (cells[1] === targetLink) target.push(time);
    else {
      let list = links.get(cells[1]);
      if (!list) links.set(cells[1], (list = []));
      list.push(time);
    }
  });
  if (target.length === 0) throw new FormatError(file, undefined, `no rows of the target stream (link "${targetLink}"; see --target-link)`);
  if (links.size === 0) throw new FormatError(file, undefined, 'no output links besides the target stream');
  return { target, links: [...links].map(([name, times]) => ({ name, times })) };
}

export function traceFromJson(text: string, file: string): TraceInput {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new FormatError(file, undefined, `not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const object = data as { target?: unknown; links?: unknown; window?: unknown };
  const times = (value: unknown, what: string): number[] => {
    if (!Array.isArray(value) || value.some((t) => typeof t !== 'number' || !Number.isFinite(t))) {
      throw new FormatError(file, undefined, `${what} must be an array of finite numbers`);
    }
    return value as number[];
  };
  if (typeof data !== 'object' || data === null) throw new FormatError(file, undefined, 'expected an object {"target": […], "links": {…}}');
  const target = times(object.target, '"target"');
  if (typeof object.links !== 'object' || object.links === null || Array.isArray(object.links)) {
    throw new FormatError(file, undefined, '"links" must be an object of name → array of times');
  }
  const links = Object.entries(object.links as Record<string, unknown>).map(([name, value]) => ({ name, times: times(value, `"links.${name}"`) }));
  if (links.length === 0) throw new FormatError(file, undefined, '"links" is empty');
  let window: [number, number] | undefined;
  if (object.window !== undefined) {
    const w = times(object.window, '"window"');
    if (w.length !== 2 || !(w[1] > w[0])) throw new FormatError(file, undefined, '"window" must be [start, end] with end > start');
    window = [w[0], w[1]];
  }
  return { target, links, window };
}

const TRACE_OPTIONS = {
  input: { type: 'string' },
  'target-link': { type: 'string', default: 'target' },
  window: { type: 'string' },
  'signal-rate': { type: 'string' },
  'cover-rate': { type: 'string' },
  'padding-rate': { type: 'string' },
  packets: { type: 'string' },
  trials: { type: 'string' },
  seed: { type: 'string' },
  'sweep-cover': { type: 'string' },
  'sweep-delay': { type: 'string' },
  roc: { type: 'boolean', default: false },
  targets: { type: 'string' },
  'sweep-packets': { type: 'string' },
  fpr: { type: 'string' },
  delay: { type: 'string' },
  step: { type: 'string' },
  ...OUTPUT_OPTIONS,
  ...MIX_KERNEL_OPTIONS,
  ...SHARD_OPTIONS,
} as const;

const parseTraceArgs = (argv: string[]) => parseArgs({ args: argv, allowPositionals: true, options: TRACE_OPTIONS });
type TraceValues = ReturnType<typeof parseTraceArgs>['values'];

/** The options of the simulation only, noted as ignored with --input. */
const SIMULATION_ONLY = ['signal-rate', 'cover-rate', 'padding-rate', 'packets', 'trials', 'seed', 'sweep-cover', 'sweep-delay'] as const;

/** The options only --roc reads. */
const ROC_ONLY = ['targets', 'sweep-packets', 'fpr'] as const;

export async function traceCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseTraceArgs(argv);
  if (values.help) {
    process.stdout.write(TRACE_HELP);
    return;
  }
  if (positionals.length > 0) throw new ParameterError(`trace: unexpected argument "${positionals[0]}" (use --input FILE; see anonscope trace --help)`);
  const log = (line: string) => values.quiet || process.stderr.write(`${line}\n`);
  const format = formatOption(values.format);
  const step = values.step === undefined ? undefined : realOption('step', values.step, { exclusiveMin: 0 });
  const shard = shardSettings(values);
  if (shard && !values.roc && values.input !== undefined) {
    throw new ParameterError('trace: --shard splits the trials of the simulation or the target streams of --roc; --input alone scores one set of links (run it unsharded)');
  }
  if (values.out) await prepareOutputDirectory(values.out);
  if (values.roc) return traceRocCommand(values, { format, step, window: values.window === undefined ? undefined : windowOption(values.window), shard, log });
  const rocOnly = ROC_ONLY.filter((name) => values[name] !== undefined);
  if (rocOnly.length) throw new ParameterError(`trace: ${rocOnly.map((n) => `--${n}`).join(', ')} only apply with --roc`);
  if (values.input !== undefined) await traceData(values, values.input, format, step, log);
  else await traceSimulated(values, format, step, shard, log);
}

/** --input: the links of recorded packet times scored against the target's stream. */
async function traceData(values: TraceValues, file: string, format: OutputFormat, step: number | undefined, log: (line: string) => void): Promise<void> {
  if (values.delay === undefined) throw new ParameterError('trace: --input needs --delay LAW (the mix\'s delay density)');
  const ignored = SIMULATION_ONLY.filter((name) => values[name] !== undefined);
  if (ignored.length) log(`note: ${ignored.map((n) => `--${n}`).join(', ')} only apply to the simulation, not to --input`);
  const delay = await parseDelay(values.delay);
  const input = await readTraceInput(file, values['target-link']);
  if (values.window !== undefined) input.window = windowOption(values.window);
  const result = await withMixKernels(values, log, (kernels) => traceLinks(input, { delay, step, kernels }));
  printResult(format, result, { table: traceTable, json: mixJson, csv: traceCsv });
  if (values.out) await writeOutputs(values.out, [['results.json', `${mixJson(result)}\n`], ['trace.csv', traceCsv(result)]], log);
}

/** --window a,b with b > a. */
function windowOption(text: string): [number, number] {
  const w = realListOption('window', text);
  if (w.length !== 2 || !(w[1] > w[0])) throw new ParameterError(`--window must be a,b with b > a, got "${text}"`);
  return [w[0], w[1]];
}

/** The simulation (Danezis's example unless told otherwise): detection against the number of target packets. */
async function traceSimulated(values: TraceValues, format: OutputFormat, step: number | undefined, shard: ShardSettings | undefined, log: (line: string) => void): Promise<void> {
  if (values.window !== undefined) log('note: --window only applies to --input');
  const simulation = await simulationSettings(values, step);
  if (shard) {
    const part = await withMixKernels(values, log, (kernels) =>
      withProgress('trace', values.quiet, (onProgress) => traceSimulationShard({ ...simulation, kernels, shard: shard.spec, onProgress })),
    );
    await writeShard(shard, traceShardFile(part), log);
    return;
  }
  const result = await withMixKernels(values, log, (kernels) =>
    withProgress('trace', values.quiet, (onProgress) => traceSimulation({ ...simulation, kernels, onProgress })),
  );
  await reportTraceSimulation(result, format, values.out, log);
}

/** What trace and merge both print for the simulation: the summary on stdout, the --out files. */
export async function reportTraceSimulation(result: TraceSimulationResult, format: OutputFormat, out: string | undefined, log: (line: string) => void): Promise<void> {
  printResult(format, result, { table: traceTable, json: mixJson, csv: traceCsv });
  if (out) {
    await writeOutputs(out, [['results.json', `${mixJson(result)}\n`], ['trace.csv', traceCsv(result)], ['detection-vs-packets.svg', detectionChart(result)]], log);
  }
}

/** The simulation's options checked, in a fixed order; those not given keep traceSimulation's defaults. */
async function simulationSettings(values: TraceValues, step: number | undefined) {
  const rate = (name: 'signal-rate' | 'cover-rate' | 'padding-rate', exclusive: boolean) =>
    values[name] === undefined ? undefined : realOption(name, values[name]!, exclusive ? { exclusiveMin: 0 } : { min: 0 });
  const packets =
    values.packets === undefined ? undefined : listOption(values.packets).map((p) => integerOption('packets', p, 1, 1_000_000));
  if (packets && packets.length === 0) throw new ParameterError('--packets needs at least one count');
  return {
    signalRate: rate('signal-rate', true),
    coverRate: rate('cover-rate', false),
    paddingRate: rate('padding-rate', false),
    delay: values.delay === undefined ? undefined : await parseDelay(values.delay),
    packets,
    trials: values.trials === undefined ? undefined : integerOption('trials', values.trials, 2, 10_000_000),
    seed: values.seed === undefined ? undefined : integerOption('seed', values.seed, 0, 2 ** 53 - 1),
    step,
    coverRates: values['sweep-cover'] === undefined ? undefined : realListOption('sweep-cover', values['sweep-cover'], { min: 0 }),
    meanDelays: values['sweep-delay'] === undefined ? undefined : realListOption('sweep-delay', values['sweep-delay'], { exclusiveMin: 0 }),
  };
}
