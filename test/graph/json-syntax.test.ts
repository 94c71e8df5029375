/**
 * graphology JSON that does not parse: every syntax error carries its line and a short
 * quote of what is wrong (JSON.parse names a position only some of the time and echoes a
 * bad token whole).
 */
import { describe, expect, it } from 'vitest';
import { refusal } from '../helpers/refusal.js';
import { parseGraphologyJson } from '../../src/graph/gexf.js';
import { jsonSyntaxError } from '../../src/graph/json-syntax.js';

/** The error for `text` read as g.json. */
const jsonRefusal = (text: string) => refusal(() => parseGraphologyJson(text, 'g.json'));

const HEAD = '{"options": {"type": "undirected"},\n"nodes": [{"key": "a"},\n{"key": "b"}';

// [what, text, line, problem]
const BROKEN: [string, string, number, string][] = [
  ['a trailing comma', `${HEAD}\n,]}`, 4, 'expected a value, found "]"'],
  ['a truncated file', `${HEAD}\n`, 4, 'the file ends inside the JSON (a truncated file?)'],
  ['an empty file', '', 1, 'the file ends inside the JSON (a truncated file?)'],
  ['a missing comma', `${HEAD}\n{"key": "c"}]}`, 4, 'expected "," or "]", found "{"'],
  ['NaN', `${HEAD}],\n"edges": [{"source": "a", "target": "b", "attributes": {"weight": NaN}}]}`, 4, 'expected a value, found "NaN"'],
  ['a hexadecimal number', `${HEAD}],\n"edges": [{"source": "a", "target": "b", "attributes": {"weight": 0x10}}]}`, 4, 'expected a value, found "0x10"'],
  ['an unquoted key', `${HEAD}],\nedges: []}`, 4, 'expected a "quoted" key, found "edges"'],
  ['a missing colon', `${HEAD}],\n"edges" []}`, 4, 'expected ":" after the key, found "["'],
  ['text after the value', `${HEAD}]}\n\nmore`, 5, 'text after the end of the JSON value, found "more"'],
  ['a string never closed', `${HEAD}],\n"edges": "abc`, 4, 'a string that is never closed (a truncated file?)'],
  ['a raw newline in a string', `{"nodes": "a\nb"}`, 1, 'a control character (U+000A) inside a string; write it escaped'],
  ['a bad escape', `{\n"nodes": "a\\qb"}`, 2, 'the escape "\\\\q" inside a string is not valid JSON'],
  ['a mismatched bracket', `${HEAD}}`, 3, 'expected "," or "]", found "}"'],
];

describe('graphology JSON syntax errors', () => {
  it.each(BROKEN)('%s: its line and what is wrong', (_what, text, line, problem) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError); // the case is one JSON.parse refuses
    const error = jsonRefusal(text);
    expect(error.line).toBe(line);
    expect(error.problem).toBe(`not valid JSON: ${problem}`);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('a 1 MB bad token is quoted in 40 characters', () => {
    const error = jsonRefusal(`{"nodes":\n${'x'.repeat(1_000_000)}}`);
    expect(error.line).toBe(2);
    expect(error.message).toBe(`g.json:2: not valid JSON: expected a value, found "${'x'.repeat(40)}…"`);
  });

  // No clock in the assertion: a scan quadratic in the nesting or the array length would
  // take hours on these inputs and trip the test's timeout; a linear one takes milliseconds.
  it('finds the error in linear time (deep nesting, long arrays)', { timeout: 60_000 }, () => {
    const deep = '['.repeat(500_000);
    const long = `[${'1,'.repeat(500_000)}]`;
    expect(jsonSyntaxError(deep)).toEqual({ at: deep.length, problem: 'the file ends inside the JSON (a truncated file?)' });
    expect(jsonSyntaxError(long)).toEqual({ at: long.length - 1, problem: 'expected a value, found "]"' });
  });

  it('"weight": null (what JSON.stringify writes for NaN) is refused, not read as 1', () => {
    const text = JSON.stringify({ options: { type: 'undirected' }, nodes: [{ key: 'a' }, { key: 'b' }], edges: [{ source: 'a', target: 'b', attributes: { weight: NaN } }] });
    expect(jsonRefusal(text).message).toMatch(/^g\.json: edge ".*" \(a -> b\): weight null is not a number$/);
  });
});
