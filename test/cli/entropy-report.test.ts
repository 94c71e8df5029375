/**
 * The entropy report says what was averaged: the terminals left out per hop (and, with a
 * prior, the zero-prior-only part) in the table, CSV, notes, JSON and plot titles. The
 * writers are pure, so a fabricated result stands in for the engine.
 */
import { describe, expect, it } from 'vitest';
import type { HopStatistics, InitiatorEntropyResult } from '../../src/analyses/initiator-entropy.js';
import { countsByHop, entropyCdfChart, entropyJson, entropyNotes, entropyTable, entropyVsHopsChart, hopsCsv } from '../../src/report/entropy-report.js';

type Hop = HopStatistics & { zeroPriorOnly?: number };

function fabricated(unreachable: number[], options: { zeroPriorOnly?: number[]; walk?: 'simple' | 'mh'; directed?: boolean } = {}): InitiatorEntropyResult {
  const hops: Hop[] = unreachable.map((u, t) => ({
    hop: t + 1, mean: 1 + t, ci95: [1 + t, 1 + t], min: 0, p05: 0.5, median: 1, max: 2 + t, minEntropyMean: 0.5 + t, terminusWeightedMean: 1.5, unreachable: u,
    ...(options.zeroPriorOnly ? { zeroPriorOnly: options.zeroPriorOnly[t] } : {}),
  }));
  return {
    graph: { nodes: 77, edges: 254, directed: options.directed ?? true, danglingNodes: 1 },
    walk: options.walk ?? 'simple', lazy: false, backend: 'cpu', precision: 'float64',
    terminals: 77, terminalSelection: 'all', prior: options.zeroPriorOnly ? 'given' : 'uniform', optimal: Math.log2(77),
    hops, cdf: { hop: unreachable.length, entropy: [1, 2], probability: [0.5, 1] },
  };
}

/** The table's rows as cells, keyed by the header. */
function tableRows(text: string): Record<string, string>[] {
  const lines = text.split('\n');
  const at = lines.findIndex((line) => line.trim().startsWith('hop '));
  const head = lines[at].trim().split(/\s{2,}/);
  return lines.slice(at + 1).filter((l) => /^\s*\d/.test(l)).map((l) => Object.fromEntries(l.trim().split(/\s{2,}/).map((c, i) => [head[i], c])));
}

describe('the terminals left out of the statistics', () => {
  const exact = [28, 34, 37, 40, 43, 45, 46, 47, 48, 49]; // the Les Misérables counts of issue 11

  it('are a table column, a CSV column, and a note naming every hop', () => {
    const result = fabricated(exact);
    const rows = tableRows(entropyTable(result));
    expect(rows.map((r) => Number(r.unreachable))).toEqual(exact);
    const csv = hopsCsv(result).trim().split('\n').map((l) => l.split(','));
    expect(csv[0]).not.toContain('zero_prior_only');
    expect(csv.slice(1).map((r) => Number(r[csv[0].indexOf('unreachable')]))).toEqual(exact);
    const note = entropyNotes(result).find((n) => n.startsWith('terminals reached by no walk'))!;
    expect(note).toMatch(/: hop 1: 28, hop 2: 34, hop 3: 37, .*hop 9: 48, hop 10: 49$/);
    expect(entropyTable(result)).not.toMatch(/note/);
  });

  it('with a prior: "reached by no walk" and "reached only from zero-prior initiators" apart, in the notes, the CSV and the table', () => {
    const zero = [3, 3, 3, 0, 0, 1, 1, 1, 1, 1];
    const result = fabricated(exact, { zeroPriorOnly: zero });
    const notes = entropyNotes(result);
    const noWalk = exact.map((u, t) => u - zero[t]);
    expect(notes).toContain(`terminals reached by no walk of that length are left out of the statistics: ${noWalk.map((c, t) => `hop ${t + 1}: ${c}`).join(', ')}`);
    expect(notes).toContain('terminals reached only from zero-prior initiators are left out of the statistics: hops 1-3: 3, hops 6-10: 1');
    const csv = hopsCsv(result).trim().split('\n').map((l) => l.split(','));
    const column = csv[0].indexOf('zero_prior_only');
    expect(column).toBe(csv[0].indexOf('unreachable') + 1);
    expect(csv.slice(1).map((r) => Number(r[column]))).toEqual(zero);
    expect(tableRows(entropyTable(result)).map((r) => Number(r['zero-prior only']))).toEqual(zero);
  });

  it('a long run is compact: equal counts share an entry, and beyond 12 entries the middle is elided', () => {
    expect(countsByHop([0, 5, 5, 5, 0, 7].map((count, t) => ({ hop: t + 1, count })))).toBe('hops 2-4: 5, hop 6: 7');
    const rising = Array.from({ length: 100 }, (_, t) => ({ hop: t + 1, count: t + 1 }));
    expect(countsByHop(rising)).toBe('hop 1: 1, hop 2: 2, hop 3: 3, hop 4: 4, hop 5: 5, hop 6: 6, hop 7: 7, hop 8: 8, hop 9: 9, …, hop 99: 99, hop 100: 100');
    expect(countsByHop(rising.map(({ hop }) => ({ hop, count: 0 })))).toBe('');
  });

  it('plot titles say how many terminals entered the statistics', () => {
    const graph = { graph: 'g.txt' };
    const result = fabricated(exact);
    expect(entropyVsHopsChart(result, graph).title).toBe('Initiator entropy, simple walk, 28 to 49 of 77 terminals (by hop)');
    expect(entropyCdfChart(result, graph).title).toBe('CDF of initiator entropy at hop 10, 28 of 77 terminals');
    expect(entropyVsHopsChart(fabricated(exact.map(() => 0)), graph).title).toBe('Initiator entropy, simple walk, 77 terminals');
  });

  it('a hop that every terminal misses shows dashes, not NaN', () => {
    const result = fabricated([77]);
    Object.assign(result.hops[0], { mean: NaN, ci95: [NaN, NaN], min: NaN, p05: NaN, median: NaN, max: NaN, minEntropyMean: NaN });
    const row = tableRows(entropyTable(result))[0];
    expect(row.mean).toBe('-');
    expect(row.unreachable).toBe('77');
    expect(entropyTable(result)).not.toMatch(/NaN/);
  });
});

describe('notes in the JSON', () => {
  it('MH on a directed graph says its stationary law is no longer uniform; not on an undirected one', () => {
    const directed = JSON.parse(entropyJson(fabricated([0], { walk: 'mh' })));
    expect(directed.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^mh walk on a directed graph: .*stationary law is no longer uniform/)]));
    expect(directed.notes).toContain('1 node has no out-edges; a walk there stays put (self-loop)');
    const undirected = JSON.parse(entropyJson(fabricated([0], { walk: 'mh', directed: false })));
    expect(undirected.notes.some((n: string) => n.startsWith('mh walk'))).toBe(false);
  });
});
