import { FormatError } from '../errors.js';

/**
 * The rows of a CSV of packet times whose first column is `time` (`columns` names them all,
 * e.g. "time,link"): blank lines and # comments skipped, a first row starting `time` taken
 * as the header, cells trimmed and unquoted, the column count and the time checked. Calls
 * `onRow` with the time, the cells and the 1-based line number.
 */
export function forEachPacketRow(text: string, file: string, columns: string, onRow: (time: number, cells: string[], line: number) => void): void {
  const width = columns.split(',').length;
  let first = true;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cells = line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (first) {
      first = false;
      if (cells[0].toLowerCase() === 'time') return; // header
    }
    if (cells.length !== width) throw new FormatError(file, index + 1, `expected "${columns}", got ${cells.length} columns`);
    const time = Number(cells[0]);
    if (cells[0] === '' || !Number.isFinite(time)) throw new FormatError(file, index + 1, `time is not a finite number: "${cells[0]}"`);
    onRow(time, cells, index + 1);
  });
}
