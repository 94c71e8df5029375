/**
 * The package's entry points: what they export, and that loading them loads no engine's
 * package (Dawn, gpu.js, puppeteer-core come in only when such a backend is created).
 * Reads the built bundles (npm test builds first).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The engines' packages, and the plots' (Plot and linkedom load with the first SVG written). */
const HEAVY = ['puppeteer-core', 'gpu.js', 'webgpu', '@observablehq/plot', 'linkedom'];

/**
 * The packages a bundle loads before its first line runs (static imports, followed through
 * chunks), or with `dynamic` every one it may ever load (import("…") too).
 */
function imports(file: string, dynamic = false): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  // esbuild writes static imports as `import ... from "x";` or `import "x";` at the top level.
  const pattern = dynamic
    ? /^(?:import|export)\s[^;]*?from\s*"([^"]+)";|^import\s*"([^"]+)";|import\("([^"]+)"\)/gms
    : /^(?:import|export)\s[^;]*?from\s*"([^"]+)";|^import\s*"([^"]+)";/gms;
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const match of readFileSync(path, 'utf8').matchAll(pattern)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      if (specifier.startsWith('.')) visit(join(dirname(path), specifier));
      else packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
    }
  };
  visit(file);
  return packages;
}

const ANALYSES = [
  'initiatorEntropy',
  'adversaryEntropy',
  'singleMix',
  'singleMixSweep',
  'traceLinks',
  'traceSimulation',
  'traceRoc',
  'simulateMixNetwork',
  'traceMixNetwork',
  'mixnetAnonymity',
  'mixnetSweep',
  'mixnetLawSweep',
  'mixnetShard',
  'mergeMixnetShards',
];

describe('the Node entry (dist/index.js)', () => {
  it('loads no engine package until a backend that needs it is created', () => {
    const entry = join(ROOT, 'dist/index.js');
    const upFront = imports(entry);
    const ever = imports(entry, true);
    for (const heavy of HEAVY) {
      expect(upFront, `${heavy} is imported statically`).not.toContain(heavy);
      expect(ever, `${heavy} is behind a dynamic import`).toContain(heavy);
    }
  });

  it('exports every analysis as fn(graph|options), initiatorEntropy.assign, and the engine choosers', async () => {
    const api = await import(pathToFileURL(join(ROOT, 'dist/index.js')).href);
    for (const name of [...ANALYSES, 'createBackend', 'createMixKernels', 'loadGraphFile', 'referenceBackend']) {
      expect(typeof api[name], name).toBe('function');
    }
    expect(typeof api.initiatorEntropy.assign).toBe('function');
    expect(api.BACKEND_NAMES).toEqual(['auto', 'cpu', 'cpu-parallel', 'webgpu', 'gpujs']);
  });

  it('runs an analysis from the entry: the star K1,3 after one hop is log2(3) bits at a leaf', async () => {
    const api = await import(pathToFileURL(join(ROOT, 'dist/index.js')).href);
    const { csr } = api.parseEdgeList('c a\nc b\nc d\n', 'star.txt');
    const backend = await api.createBackend('cpu');
    const result = await api.initiatorEntropy(csr, { hops: 1, terminalIds: ['a'], backend });
    // One hop back from leaf a: the walk came from the centre c only: 0 bits. Two hops: the three leaves.
    expect(result.hops[0].mean).toBeCloseTo(0, 12);
    const two = await api.initiatorEntropy(csr, { hops: 2, terminalIds: ['a'], backend });
    expect(two.hops[1].mean).toBeCloseTo(Math.log2(3), 12);
    await backend.dispose();
  });

  it('ships type declarations for both entries, named in the exports map', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const entry of ['.', './browser']) {
      const types = pkg.exports[entry].types as string;
      expect(existsSync(join(ROOT, types)), types).toBe(true);
    }
    const declarations = readFileSync(join(ROOT, 'dist/types/library.d.ts'), 'utf8');
    for (const name of ANALYSES) expect(declarations).toContain(name);
  });
});

describe('the browser entry (dist/browser/browser.js)', () => {
  it('has no node:* import, no engine package loaded up front, and the browser chooser', () => {
    const file = join(ROOT, 'dist/browser/browser.js');
    const packages = imports(file);
    for (const heavy of HEAVY) expect(packages).not.toContain(heavy);
    expect([...packages].filter((p) => p.startsWith('node:'))).toEqual([]);
    const text = readFileSync(file, 'utf8');
    for (const name of [...ANALYSES, 'createBrowserBackend', 'createBrowserMixKernels']) expect(text).toMatch(new RegExp(`\\b${name}\\b`));
  });
});
