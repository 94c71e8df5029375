/** Numbers and tokens as the readers parse and quote them, shared by every layer. */

/**
 * Plain decimal notation: "3", "0.25", "1e-3", ".5". Not "0x10", "Infinity", "1_000". One way
 * to match each string (no `\d+\.?\d*`, which backtracks quadratically on a long bad token).
 */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The number written in plain decimal notation, or NaN ("0x10", "Infinity", "" and the like). */
export function decimalNumber(text: string): number {
  return DECIMAL.test(text) ? Number(text) : NaN;
}

/** A library's message about a file, cut short: it may quote the file's text whole. */
export function shortened(message: string, limit = 200): string {
  return message.length > limit ? `${message.slice(0, limit)}…` : message;
}

/** A token as it appears in a message: quoted, and cut short when a file holds a huge one. */
export function quoted(text: string, limit = 40): string {
  return JSON.stringify(text.length > limit ? `${text.slice(0, limit)}…` : text);
}
