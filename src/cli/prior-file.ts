import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { parsePrior } from '../graph/prior.js';

/** A prior file (see parsePrior) read from disk. */
export async function readPriorFile(path: string): Promise<Map<string, number>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read prior file (${(error as Error).message})`, { cause: error });
  }
  return parsePrior(text, path);
}
