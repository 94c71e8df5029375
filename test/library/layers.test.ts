/**
 * The layers, read off the imports: io/graph → walks → engines → analyses → report / cli / web,
 * none reaching back up; analyses see the engines only through their interfaces; nothing in
 * src/ imports harness/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : /\.(ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Each source file (relative to src/) with the files it imports (relative to src/, or ../… outside). */
const IMPORTS = new Map(
  sources(SRC).map((file) => {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => relative(SRC, resolve(dirname(file), m[1])));
    return [relative(SRC, file), targets] as const;
  }),
);

const LAYER = ['errors', 'text', 'random', 'graph', 'stats', 'walks', 'engines', 'mix', 'analyses', 'report', 'cli', 'web'];
/** Which top-level folders each may import (besides itself). */
const ALLOWED: Record<string, string[]> = {
  errors: [],
  text: [],
  random: ['errors'],
  graph: ['errors', 'text', 'random'],
  stats: ['errors', 'text'],
  walks: ['errors', 'text', 'random', 'graph', 'stats'],
  engines: ['errors', 'text', 'random', 'graph', 'stats', 'walks'],
  mix: ['errors', 'text', 'random', 'stats', 'engines'],
  analyses: ['errors', 'text', 'random', 'graph', 'stats', 'walks', 'engines', 'mix'],
  report: ['errors', 'text', 'graph', 'stats', 'walks', 'mix', 'analyses', 'engines'],
  cli: LAYER.filter((l) => l !== 'cli' && l !== 'web'),
  web: LAYER.filter((l) => l !== 'web' && l !== 'cli'),
};
const layerOf = (path: string) => path.split('/')[0].replace(/\.(ts|js|mjs)$/, '');

describe('the layers of src/', () => {
  it('nothing in src/ imports harness/ or test/ (only the shaders and package.json from outside)', () => {
    const outside = [...IMPORTS].flatMap(([file, targets]) =>
      targets.filter((t) => t.startsWith('..') && !t.startsWith('../shaders/') && t !== '../package.json').map((t) => `${file} -> ${t}`),
    );
    expect(outside).toEqual([]);
  });

  it('no layer imports one above it', () => {
    const upward: string[] = [];
    let checked = 0;
    for (const [file, targets] of IMPORTS) {
      const from = layerOf(file);
      if (!(from in ALLOWED)) continue; // the entry points (index, library, browser) see everything
      for (const target of targets) {
        const to = layerOf(target);
        if (target.startsWith('..') || to === from) continue;
        checked++;
        if (!ALLOWED[from].includes(to)) upward.push(`${file} -> ${target}`);
      }
    }
    expect(upward).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  it('analyses reach the engines only through their interfaces and the float64 reference seam', () => {
    const seams = ['engines/backend.js', 'engines/mix-kernels.js', 'engines/reference.js'];
    const concrete = [...IMPORTS]
      .filter(([file]) => file.startsWith('analyses/') || file.startsWith('mix/'))
      .flatMap(([file, targets]) => targets.filter((t) => t.startsWith('engines/') && !seams.includes(t)).map((t) => `${file} -> ${t}`));
    expect(concrete).toEqual([]);
  });

  it('one analysis does not reach into another (the shard machinery, and an analysis and the parts named after it, are shared)', () => {
    const shared = ['analyses/shards.js', 'analyses/shard-file.js'];
    const stem = (path: string) => path.replace(/\.(ts|js)$/, '');
    // adversary.ts and adversary-shards.ts are one analysis, whichever imports the other.
    const sameAnalysis = (file: string, target: string) => stem(target).startsWith(`${stem(file)}-`) || stem(file).startsWith(`${stem(target)}-`);
    const across = [...IMPORTS]
      .filter(([file]) => file.startsWith('analyses/'))
      .flatMap(([file, targets]) =>
        targets.filter((t) => t.startsWith('analyses/') && !shared.includes(t) && !sameAnalysis(file, t)).map((t) => `${file} -> ${t}`),
      );
    expect(across).toEqual([]);
  });
});
