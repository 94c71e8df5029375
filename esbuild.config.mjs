// Builds the bundles: the CLI and the library for Node, the library for browsers, the page
// the browser engine drives in headless Chromium, the benchmarks, and the web page. WGSL
// files are embedded as strings (loader "text"), so no bundle needs a file system to find
// its shaders. Type declarations come from tsc (tsconfig.build.json), after this.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
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
/** node:* imports become empty modules in browser bundles. */
const nodeStubs = {
  name: 'anonscope-node-stubs',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

rmSync('dist/chunks', { recursive: true, force: true });
rmSync('dist/browser', { recursive: true, force: true });
await Promise.all([
  // The CLI and the library share chunks; engines behind a dynamic import (Dawn, gpu.js,
  // puppeteer-core) become chunks of their own, loaded only when such a backend is created.
  build({
    ...node,
    entryPoints: { cli: 'src/cli/bin.ts', index: 'src/index.ts' },
    outdir: 'dist',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  }),
  // The library for browsers: the same API with the browser's engine chooser. Modules it
  // never calls in a browser still import node:* (reading a histogram file): empty there.
  build({
    ...common,
    entryPoints: ['src/browser.ts'],
    outdir: 'dist/browser',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'browser',
    // graphology-gexf's browser build uses the page's DOMParser instead of xmldom.
    alias: { 'graphology-gexf': 'graphology-gexf/browser' },
    plugins: [nodeStubs],
  }),
  build({ ...node, entryPoints: ['harness/bench/main.ts'], outfile: 'dist/bench.js' }),
  build({ ...node, entryPoints: ['harness/bench/spmm-main.ts'], outfile: 'dist/bench-spmm.js' }),
  build({ ...node, entryPoints: ['harness/bench/ingest.ts'], outfile: 'dist/bench-ingest.js' }),
  build({ ...node, entryPoints: ['harness/bench/mixnet.ts'], outfile: 'dist/bench-mixnet.js' }),
  // The real-GPU run travels without node_modules: everything bundled but Dawn (native).
  build({
    ...common,
    platform: 'node',
    entryPoints: ['harness/device/gpu-bench.ts'],
    outfile: 'dist/gpu-bench.js',
    external: ['webgpu'],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  }),
  build({
    ...common,
    entryPoints: ['src/engines/browser/page.ts'],
    outfile: 'dist/browser-page.js',
    platform: 'browser',
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
    plugins: [nodeStubs],
  }).then(() => {
    mkdirSync('dist/web/examples', { recursive: true });
    cpSync('src/web/index.html', 'dist/web/index.html');
    cpSync('graphs/karate.txt', 'dist/web/examples/karate.txt');
  }),
]);
