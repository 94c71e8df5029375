/** Components of graphs with very many of them (a spread of their sizes once overflowed the call stack). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGraphForCommand } from '../../src/cli/load-graph.js';
import { largestComponent, weakComponents } from '../../src/graph/components.js';
import { parseEdgeList } from '../../src/graph/edge-list.js';

/** 150,000 disjoint edges, then one path of 3 nodes: the largest component comes last. */
function manyComponents(): string {
  const lines: string[] = [];
  for (let i = 0; i < 150_000; i++) lines.push(`${2 * i} ${2 * i + 1}`);
  lines.push('a b', 'b c');
  return lines.join('\n') + '\n';
}

describe('weakComponents with 150,001 components', () => {
  it('finds the largest (the last, of 3 nodes) and keeps it', () => {
    const { csr } = parseEdgeList(manyComponents(), 'many.txt');
    const components = weakComponents(csr);
    expect(components.sizes).toHaveLength(150_001);
    expect(components.largest).toBe(150_000);
    expect(components.sizes[components.largest]).toBe(3);
    const kept = largestComponent(csr, components);
    expect(kept.nodeKeys).toEqual(['a', 'b', 'c']);
    expect(Array.from(kept.colIdx)).toEqual([1, 0, 2, 1]);
  });

  it('the CLI load summary counts them and --component largest keeps 3 nodes', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'anonscope-components-')), 'many.txt');
    writeFileSync(file, manyComponents());
    const log: string[] = [];
    const kept = await loadGraphForCommand(file, { component: 'largest' }, (line) => log.push(line));
    expect(log[0]).toMatch(/150001 weakly connected components \(largest 3\)/);
    expect(kept.n).toBe(3);
  });
});
