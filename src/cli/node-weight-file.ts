import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { parsePrior } from '../graph/prior.js';

/** A file of "node weight" lines (see parsePrior: entropy's --prior, mixnet's --weights-file) read from disk; `what` names it in errors. */
export async function readNodeWeightFile(path: string, what: string): Promise<Map<string, number>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read ${what} (${(error as Error).message})`, { cause: error });
  }
  return parsePrior(text, path);
}
