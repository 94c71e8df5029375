/**
 * The strict XML pre-pass (src/graph/xml.ts) in front of GEXF and GraphML: each class of
 * malformed XML that xmldom accepted (or flooded stderr over) is refused once, with its line.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { refusal } from '../helpers/refusal.js';
import { parseGexf } from '../../src/graph/gexf.js';
import { parseGraphml } from '../../src/graph/graphml.js';
import { checkXml, MAX_XML_DEPTH } from '../../src/graph/xml.js';

const GEXF = `<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3">
  <graph defaultedgetype="undirected">
    <nodes><node id="a" label="A &amp; B"/><node id="b"/><node id="c"/></nodes>
    <edges><edge source="a" target="b"/><edge source="b" target="c"/></edges>
  </graph>
</gexf>
`;
const GRAPHML = `<?xml version="1.0"?>
<!DOCTYPE graphml SYSTEM "http://www.graphdrawing.org/dtds/graphml.dtd">
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <graph edgedefault="undirected">
    <node id="a"/><node id="b"/><edge source="a" target="b"/>
  </graph>
</graphml>
`;


let consoleOutput: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  consoleOutput = [];
});
function watchConsole(): void {
  for (const method of ['log', 'warn', 'error', 'info'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void consoleOutput.push(args.join(' ')));
  }
}

// [what, the file's text, its line, the problem]
const MALFORMED: [string, string, number, RegExp][] = [
  ['a missing </gexf> (a truncated file)', GEXF.replace('</gexf>\n', ''), 7, /the file ends inside <gexf> \(opened on line 2\): a truncated file\?/],
  ['a file cut inside a tag', GEXF.slice(0, GEXF.indexOf('target="b"')), 5, /the tag <edge is never closed \(no ">"\)/],
  ['a file cut inside an attribute value', GEXF.slice(0, GEXF.indexOf('target="b"') + 9), 5, /<edge>: the value of the attribute target is never closed/],
  ['an unescaped &', GEXF.replace('A &amp; B', 'A & B'), 4, /an unescaped "&" \(write &amp;\)/],
  ['an unquoted attribute', GEXF.replace('id="b"', 'id=b'), 4, /the value of the attribute id is not quoted/],
  ['content after the root', GEXF + '<extra/>\n', 8, /content after the root element <\/gexf>/],
  ['text after the root', GEXF + 'trailing words\n', 8, /content after the root element/],
  ['a mismatched end tag', GEXF.replace('</nodes>', '</node>'), 4, /the end tag <\/node> does not match <nodes> \(opened on line 4\)/],
  ['an attribute given twice', GEXF.replace('id="c"', 'id="c" id="d"'), 4, /<node> has the attribute id twice/],
  ['a < in an attribute value', GEXF.replace('A &amp; B', 'A < B'), 4, /a "<" in the value of the attribute label/],
  ['an undeclared entity', GEXF.replace('&amp;', '&nbsp;'), 4, /the entity reference &nbsp;.*never expanded/],
  ['an internal DTD subset (entity expansion)', GEXF.replace('<gexf', '<!DOCTYPE gexf [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>\n<gexf'), 2, /a DOCTYPE with an internal subset/],
  ['an external entity', GEXF.replace('<gexf', '<!DOCTYPE gexf [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<gexf').replace('label="A &amp; B"', 'label="&x;"'), 2, /a DOCTYPE with an internal subset/],
  ['a character reference to NUL', GEXF.replace('&amp;', '&#0;'), 4, /the character reference &#0; is not an XML character/],
  ['a NUL byte', GEXF.replace('label=', '\u0000label='), 4, /the character U\+0000 is not allowed in XML/],
  ['a second XML declaration', GEXF.replace('<gexf', '<?xml version="1.0"?>\n<gexf'), 2, /the XML declaration .* only at the very start/],
  ['an unclosed comment', GEXF.replace('<graph', '<!-- a comment\n<graph'), 3, /a comment that is never closed/],
  ['a stray <', GEXF.replace('<nodes>', '<nodes>< '), 4, /a "<" that starts no tag/],
];

describe('malformed XML is refused once, with its line, in GEXF and GraphML alike', () => {
  it.each(MALFORMED)('%s', (_what, text, line, problem) => {
    watchConsole();
    const error = refusal(() => parseGexf(text, 'g.gexf'));
    expect(error.file).toBe('g.gexf');
    expect(error.line).toBe(line);
    expect(error.problem).toMatch(/^not well-formed XML: /);
    expect(error.problem).toMatch(problem);
    // The same document as GraphML fails in the same place (its root aside).
    const graphml = text.replaceAll('gexf', 'graphml');
    expect(refusal(() => parseGraphml(graphml, 'g.graphml')).line).toBe(line);
    expect(consoleOutput).toEqual([]); // no [xmldom error] lines
  });

  it('the valid files load, an external DTD (not fetched) included', () => {
    watchConsole();
    expect(parseGexf(GEXF, 'g.gexf').csr.n).toBe(3);
    expect(parseGraphml(GRAPHML, 'g.graphml').csr.n).toBe(2);
    expect(consoleOutput).toEqual([]);
  });

  it('GEXF without a <graph> says so (it was a TypeError from graphology-gexf)', () => {
    const error = refusal(() => parseGexf('<?xml version="1.0"?>\n<gexf version="1.3"><meta/></gexf>\n', 'g.gexf'));
    expect(error.message).toBe('g.gexf: no <graph> element');
    expect(refusal(() => parseGexf(GRAPHML, 'g.gexf')).message).toMatch(/not a GEXF file \(the root element is <graphml>, not <gexf>\)/);
  });
});

// No clocks in these assertions (timing belongs to benchmarks, and a loaded machine would
// flake them): a quadratic scan or a recursive descent of these inputs runs past the test
// timeout or overflows the stack, which is what they guard against.
describe('linear time, no recursion', () => {
  it('60 KB of unclosed <x> (30 s in xmldom) is refused at once for its depth', () => {
    const error = refusal(() => parseGexf(`<?xml version="1.0"?>\n<gexf version="1.3">\n${'<x>'.repeat(20_000)}`, 'deep.gexf'));
    expect(error.line).toBe(3);
    expect(error.problem).toMatch(new RegExp(`elements nested more than ${MAX_XML_DEPTH} deep`));
  });

  it('nesting up to the limit is well-formed; one more is refused', () => {
    const nest = (depth: number) => '<a>'.repeat(depth) + '</a>'.repeat(depth);
    expect(checkXml(nest(MAX_XML_DEPTH), 'x.xml')).toEqual({ root: 'a', names: new Set(['a']) });
    expect(refusal(() => checkXml(nest(MAX_XML_DEPTH + 1), 'x.xml')).problem).toMatch(/nested more than/);
  });

  it('4 MB of siblings, long attribute runs and text with & are well-formed', () => {
    const attributes = Array.from({ length: 2000 }, (_, k) => `a${k}="v &amp; ${k}"`).join(' ');
    const body = `<e ${attributes}/>` + '<t>x &lt; y</t>'.repeat(200_000);
    expect(checkXml(`<root>${body}</root>`, 'big.xml').names).toEqual(new Set(['root', 'e', 't']));
  });

  it('names the prefix-free root and every element', () => {
    expect(checkXml('<g:root xmlns:g="u"><g:graph/><![CDATA[ & < ]]><!-- & --><?pi x?></g:root>', 'x.xml')).toEqual({ root: 'root', names: new Set(['root', 'graph']) });
  });
});
