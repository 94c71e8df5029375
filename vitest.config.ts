import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    {
      // WGSL sources are imported as strings, as esbuild's "text" loader does for the bundles.
      name: 'wgsl-as-text',
      transform(code, id) {
        if (id.endsWith('.wgsl')) return { code: `export default ${JSON.stringify(code)};`, map: null };
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Browser tests share one headless Chromium per file; keep files from fighting over 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
