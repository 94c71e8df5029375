/** The benchmarks' printed tables: the first column (what ran) left-aligned, the numbers right-aligned, two spaces between. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [header, ...rows].map(line).join('\n');
}
