/** A huge bad token is never echoed whole: every reader's message stays short (found by the fuzz suite). */
import { describe, expect, it } from 'vitest';
import { initiatorEntropy } from '../../src/analyses/initiator-entropy.js';
import { parseGexf } from '../../src/graph/gexf.js';
import { parseGml } from '../../src/graph/gml.js';
import { parseGraphml } from '../../src/graph/graphml.js';
import { parsePajek } from '../../src/graph/pajek.js';
import { readGraph } from '../../src/graph/read-graph.js';
import { csrFromEdges } from '../helpers/graphs.js';

const huge = '9'.repeat(500_000);
const cut = `${'9'.repeat(40)}…`;

function message(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('long tokens in messages are cut to 40 characters', () => {
  it.each([
    ['Pajek vertex', () => parsePajek(`*Vertices 2\n1 "a"\n2 "b"\n*Edges\n1 ${huge}\n`, 'g.net'), `g.net:5: vertex ${cut} is outside 1..2`],
    ['Pajek section', () => parsePajek(`*Vertices 2\n*X${huge}\n`, 'g.net'), `g.net:2: unknown section *X${'9'.repeat(39)}…`],
    ['GML edge end', () => parseGml(`graph [ node [ id 1 ] node [ id 2 ] edge [ source 1 target ${huge} ] ]`, 'g.gml'), `g.gml:1: edge target ${cut} is not the id of any node`],
    ['XML end tag', () => parseGraphml(`<graphml><graph></graph${huge}></graphml>`, 'g.graphml'), `g.graphml:1: not well-formed XML: the end tag </graph${'9'.repeat(35)}…> does not match <graph> (opened on line 1)`],
    ['GEXF library message', () => parseGexf(`<gexf><graph defaultedgetype="x${huge}"><nodes><node id="a"/></nodes><edges><edge source="a" target="a"/></edges></graph></gexf>`, 'g.gexf'), /^g\.gexf: not a valid GEXF file: .{200}…$/],
  ] as const)('%s', (_what, read, expected) => {
    const text = message(read);
    if (typeof expected === 'string') expect(text.startsWith(expected), text.slice(0, 300)).toBe(true);
    else expect(text).toMatch(expected);
    expect(text.length).toBeLessThan(400);
  });

  it('an XML root neither GEXF nor GraphML, seen by the format chooser', async () => {
    async function* bytes() {
      yield new TextEncoder().encode(`<?xml version="1.0"?>\n<g${huge}/>`);
    }
    await expect(readGraph({ name: 'g.xml', bytes: bytes() })).rejects.toThrow(`g.xml: this is an XML file whose root element is <g${'9'.repeat(39)}…>, neither <gexf> nor <graphml>`);
  });

  it('a prior naming a huge unknown node', async () => {
    await expect(initiatorEntropy(csrFromEdges([['a', 'b']]), { hops: 1, prior: new Map([[huge, 1]]) })).rejects.toThrow(`prior names unknown node "${cut}"`);
  });
});
