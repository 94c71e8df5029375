/**
 * Edge weights as every reader accepts them. The float32 engines store weights as float32,
 * so a finite weight past float32's range would become Infinity there and silently drain
 * its row: it is refused here, in every format, with the reader's file and line.
 */
import { decimalNumber, quoted } from '../text.js';

/** The largest finite float32. */
export const MAX_WEIGHT = 3.4028234663852886e38;

/** Why `text` is not an edge weight, or undefined when it is one. */
export function weightTextProblem(text: string): string | undefined {
  const value = decimalNumber(text);
  if (Number.isNaN(value)) return `weight ${quoted(text)} is not a decimal number`;
  return weightValueProblem(value, text);
}

/** Why the number `value` (written `written` in the file) is not an edge weight, or undefined. */
export function weightValueProblem(value: number, written: string = String(value)): string | undefined {
  if (!Number.isFinite(value)) return `weight ${quoted(written)} is not finite`;
  if (value < 0) return `weight ${written} is negative`;
  if (value > MAX_WEIGHT) return `weight ${written} is larger than float32 can hold (${MAX_WEIGHT.toPrecision(8)})`;
  return undefined;
}
