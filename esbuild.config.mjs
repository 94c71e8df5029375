// Builds the bundles: the CLI and the library for Node, and the page the headless-Chrome
// harness serves. WGSL files are embedded as strings (loader "text"), so no bundle needs a
// file system to find its shaders.
import { cpSync, mkdirSync } from 'node:fs';
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
  build({
    ...common,
    // The web page (src/web): its UI and its module worker. Modules the page never calls
    // still import node:* (file loading, worker threads): those become empty modules.
    // graphology-gexf keeps its xmldom build, and GraphML is parsed with xmldom too
    // (src/graph/graphml.ts), because workers have no DOMParser. Not minified: gpu.js compiles its kernels
    // from their JavaScript source, which a minifier rewrites into forms it cannot parse.
    entryPoints: ['src/web/main.ts', 'src/web/worker.ts'],
    outdir: 'dist/web',
    platform: 'browser',
    plugins: [
      {
        name: 'anonscope-web-shims',
        setup(b) {
          b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-stub' }));
          b.onLoad({ filter: /.*/, namespace: 'node-stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
        },
      },
    ],
  }).then(() => {
    mkdirSync('dist/web/examples', { recursive: true });
    cpSync('src/web/index.html', 'dist/web/index.html');
    cpSync('graphs/karate.txt', 'dist/web/examples/karate.txt');
  }),
]);
