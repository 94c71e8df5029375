/** Running the CLI in tests: its commands in-process, with what they print captured instead of shown, or the built CLI as a process. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { vi } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');

/** What a command printed on stdout and stderr, and how it ended: what it returned, or the error it threw. */
export interface CommandRun<T> {
  stdout: string;
  stderr: string;
  value?: T;
  error?: unknown;
}

/**
 * Run `command(argv)` (a CLI command, or main) as the CLI would, capturing stdout and stderr;
 * an error it throws is returned with what it printed before it.
 */
export async function runCommandSettled<T>(command: (argv: string[]) => Promise<T>, ...argv: string[]): Promise<CommandRun<T>> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const value = await command(argv); // before reading stdout and stderr: they fill while it runs
    return { stdout, stderr, value };
  } catch (error) {
    return { stdout, stderr, error };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** As runCommandSettled, but an error the command throws is thrown on (once stdout and stderr are restored). */
export async function runCommand<T>(command: (argv: string[]) => Promise<T>, ...argv: string[]): Promise<{ stdout: string; stderr: string; value: T }> {
  const run = await runCommandSettled(command, ...argv);
  if ('error' in run) throw run.error;
  return { stdout: run.stdout, stderr: run.stderr, value: run.value as T };
}

/** The built CLI (dist/cli.js, from `npm run build`), run as its own process and waited for (killed after `timeout` ms, if given). */
export function spawnCli(args: string[], options: { timeout?: number } = {}): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', ...options });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
