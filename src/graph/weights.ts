/**
 * Edge weights as every reader accepts them. The float32 engines store weights as float32,
 * so a finite weight past float32's range would become Infinity there and silently drain
 * its row: it is refused here, in every format, with the reader's file and line.
 */

/** The largest finite float32. */
export const MAX_WEIGHT = 3.4028234663852886e38;

/**
 * Plain decimal notation: "3", "0.25", "1e-3", ".5". Not "0x10", "Infinity", "1_000". One way
 * to match each string (no `\d+\.?\d*`, which backtracks quadratically on a long bad token).
 */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The number written in plain decimal notation, or NaN ("0x10", "Infinity", "" and the like). */
export function decimalNumber(text: string): number {
  return DECIMAL.test(text) ? Number(text) : NaN;
}

/** Why `text` is not an edge weight, or undefined when it is one. */
export function weightTextProblem(text: string): string | undefined {
  if (!DECIMAL.test(text)) return `weight ${quoted(text)} is not a decimal number`;
  return weightValueProblem(Number(text), text);
}

/** Why the number `value` (written `written` in the file) is not an edge weight, or undefined. */
export function weightValueProblem(value: number, written: string = String(value)): string | undefined {
  if (!Number.isFinite(value)) return `weight ${quoted(written)} is not finite`;
  if (value < 0) return `weight ${written} is negative`;
  if (value > MAX_WEIGHT) return `weight ${written} is larger than float32 can hold (${MAX_WEIGHT.toPrecision(8)})`;
  return undefined;
}

/** A library's message about a file, cut short: it may quote the file's text whole. */
export function shortened(message: string, limit = 200): string {
  return message.length > limit ? `${message.slice(0, limit)}…` : message;
}

/** A token as it appears in a message: quoted, and cut short when a file holds a huge one. */
export function quoted(text: string, limit = 40): string {
  return JSON.stringify(text.length > limit ? `${text.slice(0, limit)}…` : text);
}
