import { FormatError } from '../errors.js';
import { lineAt } from './text-lines.js';
import { quoted } from '../text.js';

/**
 * A strict XML 1.0 well-formedness check, run before GEXF and GraphML reach xmldom, which
 * accepts a truncated file, an unescaped `&`, unquoted attributes and content after the root
 * (printing "[xmldom error]" lines and returning what it read), and takes quadratic time on
 * unclosed tags. One pass, linear time, no recursion: every search for a character goes
 * forward from where the last one for it stopped. The first problem is a FormatError with
 * its line.
 *
 * No entity is ever expanded: a DOCTYPE with an internal subset (where entities are
 * declared) is refused, an external DTD is never fetched, and the only references allowed
 * are the five predefined ones and numeric character references.
 */

/** What the document holds, for the readers' own checks. */
export interface XmlOutline {
  /** The root element's local name (without its prefix). */
  root: string;
  /** The local names of every element. */
  names: ReadonlySet<string>;
}

/** Deeper than any graph format needs, shallow enough for xmldom's recursive tree walks. */
export const MAX_XML_DEPTH = 256;

const PREDEFINED_ENTITIES = new Set(['lt', 'gt', 'amp', 'quot', 'apos']);
/** The longest reference looked for: "&#x10FFFF;" and "&quot;" fit. */
const MAX_REFERENCE = 12;
/** Characters XML 1.0 forbids anywhere (NUL and the other C0 controls but tab, LF, CR; U+FFFE, U+FFFF). */
const FORBIDDEN_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

const GT = 62, SEMICOLON = 59, SLASH = 47, EQUALS = 61, QUOTE = 34, APOSTROPHE = 39;

function isWhitespace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c >= 0x80;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46;
}

/** Check `text` is well-formed XML; its outline, or a FormatError naming `file` and the line. */
export function checkXml(text: string, file: string): XmlOutline {
  return new XmlChecker(text, file).run();
}

class XmlChecker {
  private at = 0;
  /** Open elements: name and where each opened. */
  private readonly open: { name: string; at: number }[] = [];
  private root: string | undefined;
  private rootClosed = false;
  private doctypeSeen = false;
  private readonly names = new Set<string>();
  /** The next position of each character searched for, so that no search rescans text. */
  private readonly next = new Map<string, number>();

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  run(): XmlOutline {
    const forbidden = FORBIDDEN_CHARACTER.exec(this.text);
    if (forbidden) {
      const code = forbidden[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      this.fail(forbidden.index, `the character U+${code} is not allowed in XML${code === '0000' ? ' (a NUL byte: binary data?)' : ''}`);
    }
    const text = this.text;
    while (this.at < text.length) {
      const lt = this.find('<', this.at);
      this.characterData(this.at, lt < 0 ? text.length : lt);
      if (lt < 0) break;
      this.at = lt;
      this.markup();
    }
    const unclosed = this.open.at(-1);
    if (unclosed) this.fail(text.length, `the file ends inside <${cut(unclosed.name)}> (opened on line ${this.lineAt(unclosed.at)}): a truncated file?`);
    if (this.root === undefined) this.fail(text.length, 'no root element');
    return { root: localName(this.root), names: this.names };
  }

  private fail(at: number, problem: string): never {
    throw new FormatError(this.file, this.lineAt(at), `not well-formed XML: ${problem}`);
  }

  private lineAt(at: number): number {
    return lineAt(this.text, at);
  }

  /** text.indexOf(needle, from), searching each stretch of the text once per needle (from only grows). */
  private find(needle: string, from: number): number {
    const known = this.next.get(needle);
    if (known !== undefined && (known === -1 || known >= from)) return known;
    const found = this.text.indexOf(needle, from);
    this.next.set(needle, found);
    return found;
  }

  private startsWith(prefix: string): boolean {
    return this.text.startsWith(prefix, this.at);
  }

  /** Text between markup: whitespace outside the root, valid references inside it. */
  private characterData(from: number, to: number): void {
    if (this.open.length === 0) {
      for (let i = from; i < to; i++) {
        if (isWhitespace(this.text.charCodeAt(i))) continue;
        this.fail(i, this.rootClosed ? `content after the root element </${cut(this.root)}>` : 'text before the root element');
      }
      return;
    }
    this.references(from, to);
  }

  /** Every & in text[from, to) starts a predefined entity or a character reference. */
  private references(from: number, to: number): void {
    for (let amp = this.find('&', from); amp >= 0 && amp < to; amp = this.find('&', amp + 1)) {
      let end = amp + 1;
      while (end < to && end - amp <= MAX_REFERENCE && this.text.charCodeAt(end) !== SEMICOLON) end++;
      if (end >= to || this.text.charCodeAt(end) !== SEMICOLON) this.fail(amp, 'an unescaped "&" (write &amp;)');
      const name = this.text.slice(amp + 1, end);
      if (PREDEFINED_ENTITIES.has(name)) continue;
      const code = /^#[0-9]+$/.test(name) ? Number(name.slice(1)) : /^#x[0-9a-fA-F]+$/.test(name) ? parseInt(name.slice(2), 16) : undefined;
      if (code === undefined) this.fail(amp, `the entity reference &${cut(name)}; (only &lt; &gt; &amp; &quot; &apos; and &#…; are read; entities are never expanded)`);
      if (!isXmlCharacter(code)) this.fail(amp, `the character reference &${cut(name)}; is not an XML character`);
    }
  }

  private markup(): void {
    if (this.startsWith('<!--')) return this.skipPast('-->', this.at + 4, 'a comment');
    if (this.startsWith('<![CDATA[')) {
      if (this.open.length === 0) this.fail(this.at, 'a CDATA section outside the root element');
      return this.skipPast(']]>', this.at + 9, 'a CDATA section');
    }
    if (this.startsWith('<!DOCTYPE')) return this.doctype();
    if (this.startsWith('<?')) return this.processingInstruction();
    if (this.startsWith('</')) return this.endTag();
    if (isNameStart(this.text.charCodeAt(this.at + 1))) return this.startTag();
    this.fail(this.at, 'a "<" that starts no tag (write &lt;)');
  }

  private skipPast(terminator: string, from: number, what: string): void {
    const end = this.find(terminator, from);
    if (end < 0) this.fail(this.at, `${what} that is never closed (no "${terminator}")`);
    this.at = end + terminator.length;
  }

  private processingInstruction(): void {
    const start = this.at;
    const target = this.name(start + 2);
    if (target.toLowerCase() === 'xml' && start !== 0) this.fail(start, 'the XML declaration <?xml …?> is allowed only at the very start of the file');
    this.skipPast('?>', start + 2, 'a processing instruction');
  }

  /** <!DOCTYPE name [SYSTEM "…" | PUBLIC "…" "…"]>: the DTD is not read; an internal subset is refused. */
  private doctype(): void {
    const start = this.at;
    if (this.doctypeSeen || this.root !== undefined) this.fail(start, 'a DOCTYPE declaration must come once, before the root element');
    this.doctypeSeen = true;
    for (let i = start + 9; i < this.text.length; i++) {
      const c = this.text.charCodeAt(i);
      if (c === QUOTE || c === APOSTROPHE) {
        const close = this.text.indexOf(String.fromCharCode(c), i + 1);
        if (close < 0) break;
        i = close;
      } else if (c === 91 /* [ */) {
        this.fail(i, 'a DOCTYPE with an internal subset (entity and DTD declarations are not read: remove it)');
      } else if (c === GT) {
        this.at = i + 1;
        return;
      }
    }
    this.fail(start, 'a DOCTYPE declaration that is never closed');
  }

  /** An XML name starting at `from`; fails when there is none. */
  private name(from: number): string {
    let end = from;
    if (!isNameStart(this.text.charCodeAt(end))) this.fail(from, `a name was expected, found ${quoted(this.text.slice(from, from + 10))}`);
    while (end < this.text.length && isNameChar(this.text.charCodeAt(end))) end++;
    return this.text.slice(from, end);
  }

  private skipWhitespace(from: number): number {
    let i = from;
    while (i < this.text.length && isWhitespace(this.text.charCodeAt(i))) i++;
    return i;
  }

  private startTag(): void {
    const start = this.at;
    if (this.rootClosed) this.fail(start, `content after the root element </${cut(this.root)}>`);
    const name = this.name(start + 1);
    let i = start + 1 + name.length;
    const attributes = new Set<string>();
    for (;;) {
      const afterSpace = this.skipWhitespace(i);
      const c = this.text.charCodeAt(afterSpace);
      if (c === GT || (c === SLASH && this.text.charCodeAt(afterSpace + 1) === GT)) {
        this.at = afterSpace + (c === GT ? 1 : 2);
        this.names.add(localName(name));
        this.root ??= name;
        if (c === GT) {
          this.open.push({ name, at: start });
          if (this.open.length > MAX_XML_DEPTH) this.fail(start, `elements nested more than ${MAX_XML_DEPTH} deep`);
        } else if (this.open.length === 0) this.rootClosed = true;
        return;
      }
      if (afterSpace >= this.text.length) this.fail(start, `the tag <${cut(name)} is never closed (no ">")`);
      if (afterSpace === i) this.fail(afterSpace, `<${cut(name)}>: expected whitespace, ">" or "/>", found ${quoted(this.text.slice(afterSpace, afterSpace + 10))}`);
      i = this.attribute(name, afterSpace, attributes);
    }
  }

  /** name="value" or name='value' at `from`; returns the index past it. */
  private attribute(element: string, from: number, seen: Set<string>): number {
    const name = this.name(from);
    if (seen.has(name)) this.fail(from, `<${cut(element)}> has the attribute ${cut(name)} twice`);
    seen.add(name);
    let i = this.skipWhitespace(from + name.length);
    if (this.text.charCodeAt(i) !== EQUALS) this.fail(i, `<${cut(element)}>: the attribute ${cut(name)} has no value (expected ${cut(name)}="…")`);
    i = this.skipWhitespace(i + 1);
    const quote = this.text.charCodeAt(i);
    if (quote !== QUOTE && quote !== APOSTROPHE) this.fail(i, `<${cut(element)}>: the value of the attribute ${cut(name)} is not quoted`);
    const close = this.find(quote === QUOTE ? '"' : "'", i + 1);
    if (close < 0) this.fail(i, `<${cut(element)}>: the value of the attribute ${cut(name)} is never closed`);
    const lt = this.find('<', i + 1);
    if (lt >= 0 && lt < close) this.fail(lt, `<${cut(element)}>: a "<" in the value of the attribute ${cut(name)} (write &lt;)`);
    this.references(i + 1, close);
    return close + 1;
  }

  private endTag(): void {
    const start = this.at;
    const name = this.name(start + 2);
    const end = this.skipWhitespace(start + 2 + name.length);
    if (this.text.charCodeAt(end) !== GT) this.fail(end, `the end tag </${cut(name)} is not closed by ">"`);
    const open = this.open.pop();
    if (!open) this.fail(start, `the end tag </${cut(name)}> closes no element`);
    if (open.name !== name) this.fail(start, `the end tag </${cut(name)}> does not match <${cut(open.name)}> (opened on line ${this.lineAt(open.at)})`);
    if (this.open.length === 0) this.rootClosed = true;
    this.at = end + 1;
  }
}

/** A name as a message shows it: a file may hold a megabyte-long one. */
function cut(name: string | undefined): string {
  return name !== undefined && name.length > 40 ? `${name.slice(0, 40)}…` : String(name);
}

function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

/** XML 1.0's Char production for a code point. */
function isXmlCharacter(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}
