import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { checkTraceRocOptions, traceRoc, traceRocShard, type RocStreams, type TraceRocResult } from '../analyses/trace-roc.js';
import { traceRocShardFile } from '../analyses/trace-roc-shards.js';
import { FormatError, InputError, ParameterError } from '../errors.js';
import { parseDelay } from '../mix/delays.js';
import { mixJson, traceRocCsv, traceRocCurveCsv, traceRocChart, traceRocTable, tprVsPacketsChart } from '../report/mix-report.js';
import { integerOption, listOption, printResult, realListOption, realOption, writeOutputs, type OutputFile, type OutputFormat } from './args.js';
import { withMixKernels } from './mix.js';
import { forEachPacketRow } from './packet-times.js';
import { withProgress } from './progress.js';
import { writeShard, type ShardSettings } from './shard-output.js';

/** The options of `trace` that --roc reads (parseArgs values, strings as typed). */
export interface TraceRocValues {
  input?: string;
  delay?: string;
  'signal-rate'?: string;
  'cover-rate'?: string;
  'padding-rate'?: string;
  packets?: string;
  'sweep-packets'?: string;
  targets?: string;
  fpr?: string;
  trials?: string;
  seed?: string;
  'sweep-cover'?: string;
  'sweep-delay'?: string;
  out?: string;
  quiet?: boolean;
  backend?: string;
  runtime?: string;
  'gpujs-mode'?: string;
}

/** What the help of `trace` says about --roc (kept beside the code that reads it). */
export const TRACE_ROC_HELP = `ROC (--roc): every target stream scored against every link, true pairs against false
  --roc                the ROC curve of the score, its AUC (DeLong 95% CI) and the TPR at
                       fixed FPRs (Wilson 95% CI over the true pairs)
  --targets T          simulation: target streams, each through the mix onto its own
                       link beside --cover-rate cover [200]; T true pairs, T(T-1) false
  --packets K          observed packets per target [simulation 20; data: all]
  --sweep-packets a,b  one ROC per packet count, and TPR@FPR against the count
  --fpr a,b,c          FPRs at which the TPR is reported [0.1,0.01,0.001]
  --input FILE         CSV "time,flow,side" rows (side in: flow's input stream, out: its
                       link), or JSON {"targets": {"A": [t…]}, "links": {"A": [t…], …},
                       "window": [a, b]}; a target and the link of its name are the true pair
`;

/** Options of the plain trace that --roc does not read, noted when given. */
const NOT_FOR_ROC = ['padding-rate', 'trials', 'sweep-cover', 'sweep-delay'] as const;
const SIMULATION_ONLY = ['signal-rate', 'cover-rate', 'targets', 'seed'] as const;

/** `trace --roc`: options checked in a fixed order, then the input read, then the kernels started. */
export async function traceRocCommand(
  values: TraceRocValues,
  settings: { format: OutputFormat; step?: number; window?: [number, number]; shard?: ShardSettings; log: (line: string) => void },
): Promise<void> {
  const { format, step, log } = settings;
  const ignored = [...NOT_FOR_ROC, ...(values.input !== undefined ? SIMULATION_ONLY : [])].filter((name) => values[name] !== undefined);
  if (ignored.length) log(`note: ${ignored.map((n) => `--${n}`).join(', ')} do not apply to --roc${values.input !== undefined ? ' with --input' : ''}`);
  if (values.input === undefined && settings.window) log('note: --window only applies to --input');
  if (values.input !== undefined && values.delay === undefined) throw new ParameterError("trace: --input needs --delay LAW (the mix's delay density)");
  const options = {
    packets: values.packets === undefined ? undefined : packetCount(values.packets),
    sweepPackets: values['sweep-packets'] === undefined ? undefined : listOption(values['sweep-packets']).map((k) => integerOption('sweep-packets', k, 1, 1_000_000)),
    fprs: values.fpr === undefined ? undefined : realListOption('fpr', values.fpr, { exclusiveMin: 0 }).map((a) => fprOption(a)),
    targets: values.targets === undefined ? undefined : integerOption('targets', values.targets, 2, 100_000),
    signalRate: values['signal-rate'] === undefined ? undefined : realOption('signal-rate', values['signal-rate'], { exclusiveMin: 0 }),
    coverRate: values['cover-rate'] === undefined ? undefined : realOption('cover-rate', values['cover-rate'], { min: 0 }),
    seed: values.seed === undefined ? undefined : integerOption('seed', values.seed, 0, 2 ** 53 - 1),
    delay: values.delay === undefined ? undefined : await parseDelay(values.delay),
    step,
  };
  if (options.packets !== undefined && options.sweepPackets !== undefined) throw new ParameterError('--packets and --sweep-packets do not go together: give one count or a list');
  if (options.sweepPackets?.length === 0) throw new ParameterError('--sweep-packets needs at least one count');
  const input = values.input === undefined ? undefined : await readRocInput(values.input);
  if (input && settings.window) input.window = settings.window;
  checkTraceRocOptions({ ...options, input }); // before the kernels start, as the page does
  const { shard } = settings;
  if (shard) {
    const part = await withMixKernels(values, log, (kernels) =>
      withProgress('trace --roc', values.quiet ?? false, (onProgress) => traceRocShard({ ...options, input, kernels, onProgress, shard: shard.spec })),
    );
    await writeShard(shard, traceRocShardFile(part), log);
    return;
  }
  const result = await withMixKernels(values, log, (kernels) =>
    withProgress('trace --roc', values.quiet ?? false, (onProgress) => traceRoc({ ...options, input, kernels, onProgress })),
  );
  await reportTraceRoc(result, format, values.out, log);
}

/** What trace --roc and merge both print: the ROC summary on stdout, the --out files. */
export async function reportTraceRoc(result: TraceRocResult, format: OutputFormat, out: string | undefined, log: (line: string) => void): Promise<void> {
  printResult(format, result, { table: traceRocTable, json: mixJson, csv: traceRocCsv });
  if (out) await writeOutputs(out, rocFiles(result), log);
}

/** --packets with --roc: one count (a list belongs to --sweep-packets). */
function packetCount(text: string): number {
  const items = listOption(text);
  if (items.length !== 1) throw new ParameterError(`--packets with --roc takes one count, got "${text}" (use --sweep-packets a,b,c for several)`);
  return integerOption('packets', items[0], 1, 1_000_000);
}

function fprOption(a: number): number {
  if (!(a < 1)) throw new ParameterError(`--fpr values must be in (0, 1), got ${a}`);
  return a;
}

function rocFiles(result: TraceRocResult): OutputFile[] {
  const files: OutputFile[] = [
    ['results.json', `${mixJson(result)}\n`],
    ['roc.csv', traceRocCsv(result)],
    ['roc-curve.csv', traceRocCurveCsv(result)],
    ['roc.svg', traceRocChart(result)],
  ];
  if (result.byPackets.length > 1) files.push(['tpr-vs-packets.svg', tprVsPacketsChart(result)]);
  return files;
}

/** Target streams and links from CSV (`time,flow,side`) or JSON. */
export async function readRocInput(path: string): Promise<RocStreams> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read the streams (${(error as Error).message})`, { cause: error });
  }
  if (extname(path).toLowerCase() === '.json' || text.trimStart().startsWith('{')) return rocStreamsFromJson(text, path);
  return rocStreamsFromCsv(text, path);
}

/** Rows `time,flow,side`: side `in` is the flow's input stream (a target), `out` its output link. */
export function rocStreamsFromCsv(text: string, file: string): RocStreams {
  const sides = { in: new Map<string, number[]>(), out: new Map<string, number[]>() };
  forEachPacketRow(text, file, 'time,flow,side', (time, cells, line) => {
    if (cells[1] === '') throw new FormatError(file, line, 'empty flow name');
    if (cells[2] !== 'in' && cells[2] !== 'out') throw new FormatError(file, line, `side must be "in" (the flow's input) or "out" (its link), got "${cells[2]}"`);
    const streams = sides[cells[2]];
    let list = streams.get(cells[1]);
    if (!list) streams.set(cells[1], (list = []));
    list.push(time);
  });
  if (sides.in.size === 0) throw new FormatError(file, undefined, 'no "in" rows: no target stream');
  if (sides.out.size === 0) throw new FormatError(file, undefined, 'no "out" rows: no output link');
  const streams = (map: Map<string, number[]>) => [...map].map(([name, times]) => ({ name, times }));
  return { targets: streams(sides.in), links: streams(sides.out) };
}

export function rocStreamsFromJson(text: string, file: string): RocStreams {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new FormatError(file, undefined, `not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new FormatError(file, undefined, 'expected an object {"targets": {…}, "links": {…}}');
  const object = data as { targets?: unknown; links?: unknown; window?: unknown };
  const times = (value: unknown, what: string): number[] => {
    if (!Array.isArray(value) || value.some((t) => typeof t !== 'number' || !Number.isFinite(t))) throw new FormatError(file, undefined, `${what} must be an array of finite numbers`);
    return value as number[];
  };
  const streams = (value: unknown, key: string) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FormatError(file, undefined, `"${key}" must be an object of name → array of times`);
    const list = Object.entries(value as Record<string, unknown>).map(([name, v]) => ({ name, times: times(v, `"${key}.${name}"`) }));
    if (list.length === 0) throw new FormatError(file, undefined, `"${key}" is empty`);
    return list;
  };
  const result: RocStreams = { targets: streams(object.targets, 'targets'), links: streams(object.links, 'links') };
  if (object.window !== undefined) {
    const w = times(object.window, '"window"');
    if (w.length !== 2 || !(w[1] > w[0])) throw new FormatError(file, undefined, '"window" must be [start, end] with end > start');
    result.window = [w[0], w[1]];
  }
  return result;
}
