/** WGSL sources are imported as strings (esbuild loader "text", a vitest transform). */
declare module '*.wgsl' {
  const source: string;
  export default source;
}
