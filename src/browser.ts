/**
 * anonscope's library API for browsers: everything in library.ts, plus choosing an engine in
 * the page (WGSL on navigator.gpu, gpu.js, the float64 reference).
 */
export * from './library.js';
export { createBrowserBackend, createBrowserMixKernels, BROWSER_ENGINES } from './engines/create-in-browser.js';
export type { BrowserEngineName, BrowserEngineOptions } from './engines/create-in-browser.js';
export { renderChart, svgFileText, type RenderOptions } from './report/plot.js';
export { chartToPng } from './report/png.js';
