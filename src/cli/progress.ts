/**
 * Progress on stderr: an animated line on a terminal, and on a pipe or CI log a plain line
 * at most every 10 s (short jobs print nothing there). Data never goes to stderr.
 */
export interface Progress {
  update(done: number, total: number): void;
  finish(): void;
}

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  if (quiet) return { update() {}, finish() {} };
  const started = Date.now();
  let lastDraw = 0;
  let drawn = false;
  const interval = stream.isTTY ? 100 : 10_000;
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let frame = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - lastDraw < interval || (!stream.isTTY && now - started < interval)) return;
      lastDraw = now;
      const percent = total > 0 ? ((100 * done) / total).toFixed(1) : '?';
      const elapsed = ((now - started) / 1000).toFixed(1);
      const eta = done > 0 ? (((now - started) / done) * (total - done)) / 1000 : NaN;
      const text = `${label}: ${percent}% (${done}/${total}), ${elapsed} s${Number.isFinite(eta) ? `, about ${eta.toFixed(0)} s left` : ''}`;
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${frames[frame++ % frames.length]} ${text}`);
        drawn = true;
      } else {
        stream.write(`${text}\n`);
      }
    },
    finish() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}

/** Runs a job with a progress line on stderr, cleared whether the job ends or fails. */
export async function withProgress<T>(label: string, quiet: boolean, run: (onProgress: Progress['update']) => Promise<T>): Promise<T> {
  const progress = createProgress(label, process.stderr, quiet);
  try {
    return await run(progress.update);
  } finally {
    progress.finish();
  }
}
