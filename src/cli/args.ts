import { constants } from 'node:fs';
import { access, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { checkShardSpec, type ShardSpec } from '../analyses/shards.js';
import { InputError, ParameterError } from '../errors.js';
import type { ChartSpec } from '../report/chart.js';
import { chartSvg } from '../report/svg-file.js';

/** Strict integer option: the whole text must be an integer within [min, max]. */
export function integerOption(name: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^[+-]?\d+$/.test(text.trim())) throw new ParameterError(`--${name} must be an integer, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) {
    throw new ParameterError(`--${name} must be ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`}, got ${value}`);
  }
  return value;
}

/** One of a fixed set of words. */
export function choiceOption<T extends string>(name: string, text: string, choices: readonly T[]): T {
  if (!choices.includes(text as T)) throw new ParameterError(`--${name} must be one of ${choices.join(', ')}, got "${text}"`);
  return text as T;
}

/** A comma-separated list, empty items dropped. */
export function listOption(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** A real-valued option: the whole text must be a finite number within the bounds. */
export function realOption(name: string, text: string, bounds: { min?: number; exclusiveMin?: number; max?: number } = {}): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(value)) throw new ParameterError(`--${name} must be a number, got "${text}"`);
  if (bounds.exclusiveMin !== undefined && !(value > bounds.exclusiveMin)) throw new ParameterError(`--${name} must be > ${bounds.exclusiveMin}, got ${value}`);
  if (bounds.min !== undefined && value < bounds.min) throw new ParameterError(`--${name} must be >= ${bounds.min}, got ${value}`);
  if (bounds.max !== undefined && value > bounds.max) throw new ParameterError(`--${name} must be <= ${bounds.max}, got ${value}`);
  return value;
}

/** A comma-separated list of reals (at least one). */
export function realListOption(name: string, text: string, bounds: { min?: number; exclusiveMin?: number; max?: number } = {}): number[] {
  const items = listOption(text);
  if (items.length === 0) throw new ParameterError(`--${name} needs at least one number`);
  return items.map((item) => realOption(name, item, bounds));
}

/** --shard K/N: shard K (0-based, as Slurm array IDs are) of N. */
export function shardOption(text: string): ShardSpec {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new ParameterError(`--shard must be K/N (shard K of N, K counted from 0), got "${text}"`);
  const spec = { index: Number(match[1]), count: Number(match[2]) };
  checkShardSpec(spec, `--shard ${text}`);
  return spec;
}

/** The options every analysis command shares: what goes to stdout, --out, --quiet, --help. */
export const OUTPUT_OPTIONS = {
  format: { type: 'string', default: 'table' },
  out: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** --format, checked. */
export function formatOption(text: string): OutputFormat {
  return choiceOption('format', text, OUTPUT_FORMATS);
}

/** The result on stdout in the --format asked for; JSON ends with a newline, as a pipe expects. */
export function printResult<R>(format: OutputFormat, result: R, views: Record<OutputFormat, (result: R) => string>): void {
  const text = views[format](result);
  process.stdout.write(format === 'json' ? `${text}\n` : text);
}

/** "ENOENT: no such file or directory" from a Node file-system error, without the call and path it repeats. */
export function fileErrorReason(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).replace(/, \w+ '.*'$/s, '');
}

/**
 * mkdir -p, one level at a time: Node 20's mkdir({ recursive: true }) never returns where a
 * parent exists but takes no new entries (/proc/x).
 */
async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw error;
    await makeDirectory(dirname(dir));
    await mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
    });
  }
}

/** Create --out DIR if missing and check that it is a writable directory, before any work starts. */
export async function prepareOutputDirectory(dir: string): Promise<void> {
  try {
    await makeDirectory(dir);
    if (!(await stat(dir)).isDirectory()) throw new ParameterError(`--out ${dir}: not a directory (a file of that name exists)`);
    await access(dir, constants.W_OK);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`--out ${dir}: cannot create or write this directory (${fileErrorReason(error)})`, { cause: error });
  }
}

/** A file of --out DIR: its text, or a chart written as SVG. */
export type OutputFile = [name: string, content: string | ChartSpec];

/** Write files into --out DIR and say so on stderr. */
export async function writeOutputs(dir: string, files: OutputFile[], log: (line: string) => void): Promise<void> {
  await prepareOutputDirectory(dir);
  for (const [name, content] of files) {
    const text = typeof content === 'string' ? content : await chartSvg(content);
    await writingOutput(join(dir, name), () => writeFile(join(dir, name), text));
  }
  log(`wrote ${files.map(([name]) => name).join(', ')} to ${dir}`);
}

/** Check, before any work starts, that an output file can be written: its directory exists and is writable, and it is not a directory. */
export async function checkOutputFile(file: string): Promise<void> {
  const dir = dirname(file);
  const refuse = (problem: string, cause?: unknown) => new InputError(`${file}: cannot write this file: ${problem}`, { cause });
  let info;
  try {
    info = await stat(dir);
  } catch (error) {
    throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? refuse(`the directory ${dir} does not exist`, error) : refuse(fileErrorReason(error), error);
  }
  if (!info.isDirectory()) throw refuse(`${dir} is not a directory`);
  await access(dir, constants.W_OK).catch((error) => {
    throw refuse(`the directory ${dir} is not writable (${fileErrorReason(error)})`, error);
  });
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw refuse('it is a directory');
}

/** Run a write, turning a file-system failure into a one-line InputError naming the file. */
export async function writingOutput<T>(file: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${file}: cannot write this file (${fileErrorReason(error)})`, { cause: error });
  }
}

/** Write a file under a temporary name, then rename it into place: a crash never leaves half a file. */
export async function writeFileAtomically(file: string, content: string | Uint8Array): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writingOutput(file, async () => {
    await writeFile(temporary, content);
    await rename(temporary, file);
  });
}
