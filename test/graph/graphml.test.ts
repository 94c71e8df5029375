/** GraphML (graphml.ts): direction, weights, and what it refuses rather than misreads. */
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { parseGraphml } from '../../src/graph/graphml.js';
import { arcs, bothWays } from '../helpers/graphs.js';

const KEY = '<key id="d0" for="edge" attr.name="weight" attr.type="double"/>';

/** A GraphML document around `body` (nodes and edges) in a <graph> with these attributes. */
function graphml(body: string, graphAttributes = 'edgedefault="undirected"', keys = KEY): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  ${keys}
  <graph id="G" ${graphAttributes}>
${body}
  </graph>
</graphml>
`;
}

const NODES = '<node id="a"/><node id="b"/><node id="c"/>';

function failure(text: string): FormatError {
  try {
    parseGraphml(text, 'bad.graphml');
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return error as FormatError;
  }
  throw new Error('expected a FormatError');
}

describe('GraphML', () => {
  it('as networkx writes it: weights from the key named "weight", undirected by edgedefault', () => {
    const { csr, report } = parseGraphml(
      graphml(`${NODES}<edge source="a" target="b"><data key="d0">0.5</data></edge><edge source="b" target="c"><data key="d0">2</data></edge>`),
      'g.graphml',
    );
    expect(report.format).toBe('graphml');
    expect(csr.directed).toBe(false);
    expect(arcs(csr)).toEqual(bothWays('a-b:0.5', 'b-c:2'));
  });

  it('edgedefault="directed": arcs one way; a key default is the weight of edges without data', () => {
    const keys = '<key id="w" for="edge" attr.name="weight" attr.type="double"><default>3</default></key>';
    const { csr } = parseGraphml(graphml(`${NODES}<edge source="a" target="b"/><edge source="b" target="c"><data key="w">1</data></edge>`, 'edgedefault="directed"', keys), 'g.graphml');
    expect(csr.directed).toBe(true);
    expect(arcs(csr)).toEqual(['a>b:3', 'b>c:1']);
  });

  it('per-edge directed: "false" in a directed graph is an edge both ways, "true" in an undirected one an arc', () => {
    const mixed = parseGraphml(graphml(`${NODES}<edge source="a" target="b"/><edge source="b" target="c" directed="false"/>`, 'edgedefault="directed"', ''), 'g.graphml');
    expect(arcs(mixed.csr)).toEqual(['a>b', 'b>c', 'c>b']);
    const other = parseGraphml(graphml(`${NODES}<edge source="a" target="b" directed="true"/><edge source="b" target="c"/>`, 'edgedefault="undirected"', ''), 'g.graphml');
    expect(arcs(other.csr)).toEqual(['a>b', 'b>c', 'c>b']);
  });

  it('no edgedefault is undirected (the GraphML default); parallel edges merge with weights added', () => {
    const { csr, report } = parseGraphml(
      graphml(`${NODES}<edge source="a" target="b"><data key="d0">1</data></edge><edge source="b" target="a"><data key="d0">2</data></edge>`, ''),
      'g.graphml',
    );
    expect(arcs(csr)).toEqual(bothWays('a-b:3'));
    expect(report.duplicates).toBe(1);
  });

  it('a key for="all" (which graphology-graphml throws on) gives edge weights', () => {
    const keys = '<key id="w" for="all" attr.name="weight" attr.type="double"/>';
    expect(arcs(parseGraphml(graphml(`${NODES}<edge source="a" target="b"><data key="w">5</data></edge>`, '', keys), 'g.graphml').csr)).toEqual(bothWays('a-b:5'));
  });

  it('directed, undirected and ignoreWeights override the file', () => {
    const text = graphml(`${NODES}<edge source="a" target="b"><data key="d0">4</data></edge>`, 'edgedefault="directed"');
    expect(arcs(parseGraphml(text, 'g.graphml', { directed: false }).csr)).toEqual(bothWays('a-b:4'));
    expect(arcs(parseGraphml(text, 'g.graphml', { ignoreWeights: true }).csr)).toEqual(['a>b']);
  });

  describe('refuses, naming the file', () => {
    const cases: [string, string, RegExp][] = [
      ['a truncated file', graphml(`${NODES}<edge source="a" target="b"/>`).slice(0, -40), /^bad\.graphml:\d+: not well-formed XML: /],
      ['a weight that is no number', graphml(`${NODES}\n<edge id="e1" source="a" target="b"><data key="d0">heavy</data></edge>`), /^bad\.graphml:6: edge "e1" \(a -> b\): weight "heavy" is not a decimal number/],
      ['a negative weight', graphml(`${NODES}<edge source="a" target="b"><data key="d0">-1</data></edge>`), /^bad\.graphml:5: edge \(a -> b\): weight -1 is negative/],
      ['a bad default weight', graphml(NODES, '', '<key id="w" for="edge" attr.name="weight"><default>Infinity</default></key>'), /^bad\.graphml:3: the default of key "w": weight "Infinity" is not a decimal number/],
      ['nested graphs', graphml(`<node id="a"><graph id="inner" edgedefault="undirected"><node id="x"/></graph></node><node id="b"/><edge source="a" target="b"/>`), /2 <graph> elements/],
      ['hyperedges', graphml(`${NODES}<edge source="a" target="b"/><hyperedge><endpoint node="a"/><endpoint node="c"/></hyperedge>`), /hyperedges are not read/],
      ['no <graph>', '<?xml version="1.0"?><graphml></graphml>', /^bad\.graphml: no <graph> element/],
      ['another root', '<?xml version="1.0"?><gexf></gexf>', /^bad\.graphml: not a GraphML file \(the root element is <gexf>\)/],
      ['a bad edgedefault', graphml(NODES, 'edgedefault="sideways"'), /edgedefault="sideways" is neither "directed" nor "undirected"/],
      ['a bad per-edge directed', graphml(`${NODES}<edge id="e1" source="a" target="b" directed="yes"/>`), /^bad\.graphml:5: edge "e1" \(a -> b\): directed="yes" is neither "true" nor "false"/],
      ['a duplicate node id', graphml(`<node id="a"/><node id="a"/><node id="b"/><edge source="a" target="b"/>`), /^bad\.graphml: not a valid GraphML file: .*already exist/],
      ['no edges', graphml(NODES), /^bad\.graphml: empty graph/],
    ];
    for (const [what, text, message] of cases) {
      it(what, () => expect(failure(text).message).toMatch(message));
    }
  });
});
