import type { AbstractGraph } from 'graphology-types';
import type { BuildReport } from './csr-builder.js';
import type { Csr } from './csr.js';

/** Every format a graph file can be read from (the reader is chosen in formats.ts). */
export type GraphFormat = 'edgelist' | 'gexf' | 'graphml' | 'gml' | 'pajek' | 'graphology-json' | 'csr';

/** A graph as loaded from a file, with what the loader did to it. */
export interface LoadedGraph {
  csr: Csr;
  report: LoadReport;
  /**
   * The graphology graph the file was read into (GEXF, GraphML, graphology JSON), with its
   * labels, attributes and viz positions: what an export that keeps them starts from.
   */
  graph?: AbstractGraph;
}

export interface LoadReport extends BuildReport {
  file: string;
  format: GraphFormat | 'graphology';
  /** Node count declared on an edge list's first line, when it had one. */
  declaredNodes?: number;
  /** Lines skipped as malformed (only with `skipBadLines`), and the first of them. */
  skippedLines?: number;
  firstSkippedLine?: number;
  /** The header row an edge list was read by, when it had one. */
  header?: EdgeListHeader;
}

/** An edge list's header row: which of its column names were read as what. */
export interface EdgeListHeader {
  line: number;
  source: string;
  target: string;
  weight?: string;
  /** Gephi's Directed / Undirected column, read when the direction is left to the file. */
  type?: string;
  ignored: string[];
}

/** What every reader honours, whatever the format. */
export interface GraphReadOptions {
  /**
   * true: every edge is an arc u → v; false: every edge is undirected (stored both ways);
   * undefined: as the file says (edge lists, which say nothing, are undirected).
   */
  directed?: boolean;
  /** Read every edge with weight 1, whatever the file gives. */
  ignoreWeights?: boolean;
}
