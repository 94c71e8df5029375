import { ParameterError } from '../errors.js';

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

/** The options every analysis command shares: what goes to stdout, --out, --quiet, --help. */
export const OUTPUT_OPTIONS = {
  format: { type: 'string', default: 'table' },
  out: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;
