import { parseArgs } from 'node:util';
import { checkSingleMixSweepOptions, DEFAULT_LOADS, DEFAULT_MIX_TRIALS, singleMix, singleMixShard, singleMixSweep, type SingleMixResult } from '../analyses/single-mix.js';
import { singleMixShardFile } from '../analyses/single-mix-shards.js';
import { GPUJS_MODES } from '../engines/gpujs/modes.js';
import { createMixKernels, MIX_BACKENDS, RUNTIMES, type Runtime } from '../engines/create.js';
import { ParameterError } from '../errors.js';
import { parseDelay } from '../mix/delays.js';
import { type MixKernels } from '../engines/mix-kernels.js';
import {
  mixJson,
  singleMixCdfChart,
  singleMixCsv,
  singleMixTable,
  sweepCsv,
  sweepChart,
  sweepTable,
} from '../report/mix-report.js';
import { choiceOption, formatOption, integerOption, OUTPUT_OPTIONS, prepareOutputDirectory, printResult, realListOption, realOption, writeOutputs } from './args.js';
import { withProgress } from './progress.js';
import { SHARD_OPTIONS, shardHelp, shardSettings, writeShard } from './shard-output.js';

/** The kernel options of mix, trace and network (parseArgs specs), and their help text. */
export const MIX_KERNEL_OPTIONS = {
  backend: { type: 'string', default: 'cpu' },
  runtime: { type: 'string', default: 'auto' },
  'gpujs-mode': { type: 'string' },
} as const;

export const MIX_KERNEL_HELP = `Kernels:
  --backend B          cpu (float64 reference) | cpu-parallel (the reference, with pool
                       means on every core) | webgpu (WGSL, float32) | gpujs (gpu.js,
                       float32) [cpu]
  --runtime R          ${RUNTIMES.join(' | ')} [auto]: webgpu runs on Dawn in Node where it has
                       a hardware adapter, else in headless Chromium; browser also runs
                       gpujs in Chromium (webgl2 by default)
  --gpujs-mode M       ${GPUJS_MODES.join(' | ')} [gpu in a browser, webasm in Node]
`;

/**
 * The MixKernels the --backend, --runtime and --gpujs-mode options ask for, reporting on
 * stderr what runs (see createMixKernels in the engine layer). dispose() releases the device
 * or browser.
 */
async function mixKernelsForCommand(
  values: { backend?: string; runtime?: string; 'gpujs-mode'?: string },
  log: (line: string) => void,
): Promise<MixKernels> {
  const name = choiceOption('backend', values.backend ?? 'cpu', MIX_BACKENDS);
  const runtime: Runtime = choiceOption('runtime', values.runtime ?? 'auto', RUNTIMES);
  const gpujsMode = values['gpujs-mode'] === undefined ? undefined : choiceOption('gpujs-mode', values['gpujs-mode'], GPUJS_MODES);
  if ((name === 'cpu' || name === 'cpu-parallel') && (runtime !== 'auto' || gpujsMode)) log('note: --runtime and --gpujs-mode only apply to --backend webgpu or gpujs');
  if (gpujsMode && name === 'webgpu') throw new ParameterError('--gpujs-mode only applies to --backend gpujs');
  return createMixKernels(name, { runtime, gpujsMode, log });
}

/** Runs `use` on the kernels the options ask for and releases them (device or browser) however it ends. */
export async function withMixKernels<T>(
  values: { backend?: string; runtime?: string; 'gpujs-mode'?: string },
  log: (line: string) => void,
  use: (kernels: MixKernels) => Promise<T>,
): Promise<T> {
  const kernels = await mixKernelsForCommand(values, log);
  try {
    return await use(kernels);
  } finally {
    await kernels.dispose();
  }
}

export const MIX_HELP = `Usage: anonscope mix --rate λ [--delay LAW] [options]
       anonscope mix --sweep [--delay LAW] [--loads a,b,c] [options]
       anonscope mix --sweep --delay LAW1 --delay LAW2 ... [--loads a,b,c] [options]

Sender anonymity of one continuous-time mix (Danezis, PET 2004): Poisson arrivals of rate
λ, independent delays of density f. For a message leaving at β the observer assigns
p_i ∝ f(β − X_i) to the arrivals X_i; the anonymity is H(p) in bits. Monte Carlo (one
kernel thread per sampled output message) beside the closed form h(f) + log2 λ
(exponential rate μ: log2(λe/μ), the best for its mean; invalid when μ > λe).

Mix:
  --rate λ             arrival rate (required without --sweep)
  --delay LAW          exp:μ | uniform:a,b | erlang:k,μ | lognormal:m,s | pareto:α,xm
                       | hist:FILE ("value count" lines, or one sample per line) [exp:1];
                       with --sweep, repeat it to compare exactly these laws (of one mean)
  --trials N           Monte-Carlo trials (sampled output messages) [${DEFAULT_MIX_TRIALS}; 400 per cell in a sweep]
  --seed S             PCG32 seed [1]
  --tail-mass E        leave out arrivals older than the delay's 1 − E quantile [1e-6]

Sweep:
  --sweep              simulated vs theory over loads λ·E[D] (λ/μ for the exponential),
                       for LAW and the laws of the same mean (exp, uniform, Erlang-3,
                       log-normal s = 1, Pareto α = 3), or the laws of a repeated --delay
  --loads a,b,c        the loads [${DEFAULT_LOADS.join(',')}]
  --no-compare         only LAW, not the other laws

${MIX_KERNEL_HELP}
Output:
  --format F           table | json | csv: what goes to stdout [table]
  --out DIR            also write results.json and mix.csv + mix-entropy-cdf.svg
                       (sweep: sweep.csv + mix-sweep.svg) into DIR
  --quiet              no progress or notes on stderr
  -h, --help           this help

Shards (see the README's "Shards, merge and checkpoints"):
${shardHelp('trials (not with --sweep)')}
`;

const MIX_OPTIONS = {
  rate: { type: 'string' },
  delay: { type: 'string', multiple: true, default: ['exp:1'] as string[] },
  trials: { type: 'string' },
  seed: { type: 'string' },
  'tail-mass': { type: 'string' },
  sweep: { type: 'boolean', default: false },
  loads: { type: 'string' },
  'no-compare': { type: 'boolean', default: false },
  ...OUTPUT_OPTIONS,
  ...MIX_KERNEL_OPTIONS,
  ...SHARD_OPTIONS,
} as const;

const parseMixArgs = (argv: string[]) => parseArgs({ args: argv, allowPositionals: true, options: MIX_OPTIONS });
type MixValues = ReturnType<typeof parseMixArgs>['values'];
type MixSettings = Awaited<ReturnType<typeof mixSettings>>;

export async function mixCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseMixArgs(argv);
  if (values.help) {
    process.stdout.write(MIX_HELP);
    return;
  }
  if (positionals.length > 0) throw new ParameterError(`mix: unexpected argument "${positionals[0]}" (see anonscope mix --help)`);
  const log = (line: string) => values.quiet || process.stderr.write(`${line}\n`);
  const settings = await mixSettings(values);
  if (values.out) await prepareOutputDirectory(values.out);
  await withMixKernels(values, log, (kernels) => (values.sweep ? runSweep(values, settings, kernels, log) : runSingleMix(values, settings, kernels, log)));
}

/** Every parameter checked, in a fixed order, before the kernels start. */
async function mixSettings(values: MixValues) {
  const format = formatOption(values.format);
  const trials = values.trials === undefined ? undefined : integerOption('trials', values.trials, 2, 100_000_000);
  const seed = values.seed === undefined ? 1 : integerOption('seed', values.seed, 0, 2 ** 53 - 1);
  const tailMass = values['tail-mass'] === undefined ? undefined : realOption('tail-mass', values['tail-mass'], { exclusiveMin: 0, max: 0.49 });
  // Every --delay is a law (their own commas, uniform:a,b, need no other separator).
  const laws = [];
  for (const text of values.delay) laws.push(await parseDelay(text));
  if (laws.length > 1 && !values.sweep) throw new ParameterError(`mix: --delay is given ${laws.length} times: several laws need --sweep (one line per law), one mix has one law`);
  if (laws.length > 1 && values['no-compare']) throw new ParameterError('mix: --no-compare runs one law alone, and --delay is given several times: drop one of them');
  const [delay, ...compareWith] = laws;
  if (!values.sweep && values.rate === undefined) throw new ParameterError('mix: --rate is required (or use --sweep; see anonscope mix --help)');
  const rate = values.sweep || values.rate === undefined ? undefined : realOption('rate', values.rate, { exclusiveMin: 0 });
  const loads = values.sweep && values.loads !== undefined ? realListOption('loads', values.loads, { exclusiveMin: 0 }) : undefined;
  const shard = shardSettings(values);
  if (shard && values.sweep) throw new ParameterError('--shard cannot split a --sweep (each cell is its own run): shard one --rate at a time');
  if (values.sweep) checkSingleMixSweepOptions({ delay, compareWith: compareWith.length ? compareWith : undefined, loads });
  return { format, trials, seed, tailMass, delay, compareWith, rate, loads, shard };
}

/** --sweep: simulated vs theory over the loads, for the law and (unless --no-compare) the laws of its mean. */
async function runSweep(values: MixValues, o: MixSettings, kernels: MixKernels, log: (line: string) => void): Promise<void> {
  if (values.rate !== undefined) log('note: --rate is ignored by --sweep (the loads set λ = load / E[D])');
  const { delay, compareWith, loads, trials, seed, tailMass } = o;
  const result = await withProgress('mix', values.quiet, (onProgress) =>
    singleMixSweep({ delay, ...(compareWith.length ? { compareWith } : { compareLaws: !values['no-compare'] }), loads, trials, seed, tailMass, kernels, onProgress }),
  );
  printResult(o.format, result, { table: sweepTable, json: mixJson, csv: sweepCsv });
  if (values.out) {
    await writeOutputs(values.out, [['results.json', `${mixJson(result)}\n`], ['sweep.csv', sweepCsv(result)], ['mix-sweep.svg', sweepChart(result)]], log);
  }
}

/** One mix at --rate: the Monte-Carlo anonymity beside the closed form; the trials go to --out only. */
async function runSingleMix(values: MixValues, o: MixSettings, kernels: MixKernels, log: (line: string) => void): Promise<void> {
  if (values.loads !== undefined || values['no-compare']) log('note: --loads and --no-compare only apply with --sweep');
  const { delay, trials, seed, tailMass, shard } = o;
  if (shard) {
    const part = await withProgress('mix', values.quiet, (onProgress) => singleMixShard({ rate: o.rate!, delay, trials, seed, tailMass, kernels, shard: shard.spec, onProgress }));
    await writeShard(shard, singleMixShardFile(part), log);
    return;
  }
  const result = await withProgress('mix', values.quiet, (onProgress) =>
    singleMix({ rate: o.rate!, delay, trials, seed, tailMass, kernels, keepTrials: values.out !== undefined, onProgress }),
  );
  await reportSingleMix(result, o.format, values.out, log);
}

/** What mix and merge both print: the warnings on stderr, the summary on stdout, the --out files (with every trial). */
export async function reportSingleMix(result: SingleMixResult, format: ReturnType<typeof formatOption>, out: string | undefined, log: (line: string) => void): Promise<void> {
  for (const warning of result.warnings) log(`warning: ${warning}`);
  const { perTrial, ...summary } = result;
  printResult(format, summary, { table: singleMixTable, json: mixJson, csv: singleMixCsv });
  if (out) {
    await writeOutputs(
      out,
      [
        ['results.json', `${mixJson({ ...summary, perTrial })}\n`],
        ['mix.csv', singleMixCsv(summary)],
        ['mix-entropy-cdf.svg', singleMixCdfChart(result)],
      ],
      log,
    );
  }
}
