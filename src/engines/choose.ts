/** How `auto` picks an engine, in Node and in the browser alike. */

/** An engine `auto` may pick, best first. */
export interface EngineCandidate<T> {
  name: string;
  make: () => Promise<T>;
  /** Why auto passes over an engine that works (gpu.js that would run on the CPU), or undefined. */
  passOver?: (engine: T) => string | undefined;
  /** Release an engine passed over. */
  release?: (engine: T) => void | Promise<void>;
}

/** The first candidate that works, else the fallback; says why each one before it was skipped. */
export async function firstWorkingEngine<T>(
  kind: string,
  candidates: EngineCandidate<T>[],
  fallback: () => T,
  log: (message: string) => void,
): Promise<T> {
  const skipped: string[] = [];
  for (const candidate of candidates) {
    try {
      const engine = await candidate.make();
      const reason = candidate.passOver?.(engine);
      if (reason === undefined) {
        if (skipped.length > 0) log(`${kind} auto: skipped ${skipped.join('; ')}`);
        return engine;
      }
      await candidate.release?.(engine);
      skipped.push(`${candidate.name} (${reason})`);
    } catch (error) {
      skipped.push(`${candidate.name} (${(error as Error).message.replace(/^anonscope\/[\w-]+: /, '')})`);
    }
  }
  log(`${kind} auto: skipped ${skipped.join('; ')}`);
  return fallback();
}
