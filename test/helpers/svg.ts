/** Reading a chart file back in tests, independently of the plotting layer that drew it. */
import { readFileSync } from 'node:fs';
import { DOMParser } from '@xmldom/xmldom';
import { expect } from 'vitest';

/**
 * The chart in an SVG file: its root checked to be <svg>, how many mark groups of `kinds` it
 * has (Plot labels each group by its kind: a series is a line, a reference line a rule), and
 * its text (title, labels, legend).
 */
export function chartFile(path: string, kinds: readonly string[] = ['line', 'rule']): { marks: number; text: string } {
  const doc = new DOMParser().parseFromString(readFileSync(path, 'utf8'), 'image/svg+xml');
  expect(doc.documentElement!.nodeName).toBe('svg');
  const marks = Array.from(doc.getElementsByTagName('g')).filter((g) => kinds.includes(g.getAttribute('aria-label') ?? '')).length;
  return { marks, text: doc.documentElement!.textContent ?? '' };
}
