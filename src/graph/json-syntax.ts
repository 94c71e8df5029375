import { quoted } from '../text.js';

/**
 * Where and why JSON.parse refused a text. Its messages name a position only some of the
 * time, and quote a bad token whole (a megabyte of it), so the first error is found again
 * here: one pass, linear time, containers on an explicit stack (no recursion).
 */
export function jsonSyntaxError(text: string): { at: number; problem: string } {
  const stack: number[] = [];
  let expect: 'value' | 'value or ]' | 'key' | 'key or }' | ':' | 'next' | 'end' = 'value';
  let i = 0;
  const unexpected = (what: string) => ({ at: i, problem: `${what}, found ${tokenAt(text, i)}` });
  for (;;) {
    while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
    if (i >= text.length) {
      return expect === 'end' ? { at: i, problem: 'not valid JSON' } : { at: i, problem: 'the file ends inside the JSON (a truncated file?)' };
    }
    const c = text[i];
    if (expect === 'value or ]' && c === ']') {
      stack.pop();
      i++;
    } else if (expect === 'key or }' && c === '}') {
      stack.pop();
      i++;
    } else if (expect === 'value' || expect === 'value or ]') {
      if (c === '{' || c === '[') {
        stack.push(c === '{' ? CLOSE_BRACE : CLOSE_BRACKET);
        expect = c === '{' ? 'key or }' : 'value or ]';
        i++;
        continue;
      }
      const end = scalarEnd(text, i);
      if (typeof end !== 'number') return end ?? unexpected('expected a value');
      i = end;
    } else if (expect === 'key' || expect === 'key or }') {
      if (c !== '"') return unexpected('expected a "quoted" key');
      const end = scalarEnd(text, i);
      if (typeof end !== 'number') return end!;
      i = end;
      expect = ':';
      continue;
    } else if (expect === ':') {
      if (c !== ':') return unexpected('expected ":" after the key');
      i++;
      expect = 'value';
      continue;
    } else if (expect === 'next') {
      const close = stack.at(-1)!;
      if (c === ',') {
        i++;
        expect = close === CLOSE_BRACE ? 'key' : 'value';
        continue;
      }
      if (c.charCodeAt(0) !== close) return unexpected(`expected "," or "${String.fromCharCode(close)}"`);
      stack.pop();
      i++;
    } else {
      return unexpected('text after the end of the JSON value');
    }
    expect = stack.length > 0 ? 'next' : 'end';
  }
}

const CLOSE_BRACE = 125, CLOSE_BRACKET = 93;
const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const TOKEN = /[^\s,:{}[\]"]+/y;

function isWhitespace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** The text at `at` as a message shows it: the token there, quoted and cut short. */
function tokenAt(text: string, at: number): string {
  TOKEN.lastIndex = at;
  const token = TOKEN.exec(text);
  return quoted(token ? token[0] : text[at]);
}

/**
 * The end of the string, number or literal at `at`; an error where it is malformed;
 * undefined where no scalar starts there.
 */
function scalarEnd(text: string, at: number): number | { at: number; problem: string } | undefined {
  const c = text[at];
  if (c === '"') return stringEnd(text, at);
  for (const literal of ['true', 'false', 'null']) if (text.startsWith(literal, at) && !continuesToken(text, at + literal.length)) return at + literal.length;
  NUMBER.lastIndex = at;
  const number = NUMBER.exec(text);
  if (number && !continuesToken(text, at + number[0].length)) return at + number[0].length;
  return undefined;
}

/** A number or literal runs on ("0x10", "nulls"): the whole token is what is wrong. */
function continuesToken(text: string, at: number): boolean {
  return at < text.length && /[^\s,:{}[\]"]/.test(text[at]);
}

function stringEnd(text: string, at: number): number | { at: number; problem: string } {
  for (let i = at + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c < 0x20) return { at: i, problem: `a control character (U+${c.toString(16).toUpperCase().padStart(4, '0')}) inside a string; write it escaped` };
    if (c === 92) {
      const escape = text[i + 1];
      if (escape === 'u' ? !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)) : !'"\\/bfnrt'.includes(escape ?? 'x')) {
        return { at: i, problem: `the escape ${quoted(text.slice(i, i + (escape === 'u' ? 6 : 2)))} inside a string is not valid JSON` };
      }
      i += escape === 'u' ? 5 : 1;
    }
  }
  return { at, problem: 'a string that is never closed (a truncated file?)' };
}
