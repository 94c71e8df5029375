// Builds the bundles: the CLI and the library for Node, and the page the headless-Chrome
// harness serves. WGSL files are embedded as strings (loader "text"), so no bundle needs a
// file system to find its shaders.
import { build } from 'esbuild';

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  loader: { '.wgsl': 'text' },
  logLevel: 'warning',
};
const node = { ...common, platform: 'node', packages: 'external' };

await Promise.all([
  build({ ...node, entryPoints: ['src/cli/bin.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...node, entryPoints: ['src/index.ts'], outfile: 'dist/index.js' }),
  build({ ...node, entryPoints: ['harness/bench/main.ts'], outfile: 'dist/bench.js' }),
  build({ ...node, entryPoints: ['harness/bench/ingest.ts'], outfile: 'dist/bench-ingest.js' }),
  build({
    ...common,
    entryPoints: ['harness/page.ts'],
    outfile: 'dist/harness-page.js',
    platform: 'browser',
    // graphology-gexf's browser build uses the page's DOMParser instead of xmldom.
    alias: { 'graphology-gexf': 'graphology-gexf/browser' },
  }),
]);
