/** Errors that wrap another keep it as `cause`: reading a missing prior, histogram or trace file. */
import { describe, expect, it } from 'vitest';
import { readNodeWeightFile } from '../../src/cli/node-weight-file.js';
import { readTraceInput, traceFromJson } from '../../src/cli/trace.js';
import { InputError, FormatError } from '../../src/errors.js';
import { parseDelay } from '../../src/mix/delays.js';
import { parseGexf } from '../../src/graph/gexf.js';

async function failure(run: () => Promise<unknown> | unknown): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('wrapped errors keep their cause', () => {
  it.each([
    ['a prior file', () => readNodeWeightFile('/nonexistent/prior.txt', 'prior file')],
    ['a delay histogram', () => parseDelay('hist:/nonexistent/h.txt')],
    ['a trace', () => readTraceInput('/nonexistent/trace.csv')],
  ])('%s that cannot be read: an InputError whose cause is the ENOENT', async (_what, run) => {
    const error = await failure(run);
    expect(error).toBeInstanceOf(InputError);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('a trace that is not JSON: a FormatError whose cause is the SyntaxError', async () => {
    const error = await failure(() => traceFromJson('{"target": [1,', 't.json'));
    expect(error).toBeInstanceOf(FormatError);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('GEXF that graphology-gexf refuses after the XML checks: the library error is the cause', async () => {
    const gexf = '<?xml version="1.0"?>\n<gexf version="1.3"><graph><nodes><node id="a"/><node id="a"/></nodes></graph></gexf>\n';
    const error = await failure(() => parseGexf(gexf, 'g.gexf'));
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toMatch(/^g\.gexf: not a valid GEXF file: /);
    expect(error.cause).toBeInstanceOf(Error);
  });
});
