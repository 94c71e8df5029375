/** Types of src/web/serve.mjs (a plain-JS static server, so `npm run serve` needs no build of its own). */
export declare const DEFAULT_ROOT: string;
export declare function startStaticServer(options?: { root?: string; port?: number; host?: string }): Promise<{ url: string; close(): Promise<void> }>;
