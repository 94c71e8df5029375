import { FormatError } from '../errors.js';
import { CsrBuilder } from './csr-builder.js';
import { assertNotEmpty } from './csr.js';
import type { GraphReadOptions, LoadedGraph } from './loaded-graph.js';
import { weightTextProblem } from './weights.js';
import { quoted, shortened } from '../text.js';

/** Deeper lists than this are refused: no real GML nests past a few levels (graphics, attributes). */
export const MAX_GML_NESTING = 64;

const LF = 10, QUOTE = 34, HASH = 35, OPEN = 91, CLOSE = 93, SPACE = 32;

type TokenKind = 'open' | 'close' | 'string' | 'atom' | 'end';

/**
 * Walks GML text once, one token per next(): `[`, `]`, a "quoted string" (GML has no escapes;
 * entities such as `&quot;` stay as written) or an atom (a key, a number, a bare word). `#`
 * starts a comment to the end of the line. No regular expressions, so no input can make it
 * backtrack.
 */
class GmlTokenizer {
  private position = 0;
  /** Line the scan has reached (1-based). */
  private scanLine = 1;
  /** Line of the current token; for a string, the line where it opens. */
  line = 1;
  text = '';

  constructor(
    private readonly source: string,
    private readonly fail: (line: number, problem: string) => never,
  ) {}

  next(): TokenKind {
    const source = this.source;
    const length = source.length;
    let i = this.position;
    for (;;) {
      while (i < length && source.charCodeAt(i) <= SPACE) {
        if (source.charCodeAt(i) === LF) this.scanLine++;
        i++;
      }
      if (i < length && source.charCodeAt(i) === HASH) {
        const lf = source.indexOf('\n', i);
        i = lf < 0 ? length : lf;
        continue;
      }
      break;
    }
    if (i >= length) {
      this.position = i;
      return 'end'; // its line stays the last token's: where the file really ends
    }
    this.line = this.scanLine;
    const c = source.charCodeAt(i);
    if (c === OPEN || c === CLOSE) {
      this.position = i + 1;
      this.text = source[i];
      return c === OPEN ? 'open' : 'close';
    }
    if (c === QUOTE) return this.string(i);
    let end = i;
    while (end < length) {
      const d = source.charCodeAt(end);
      if (d <= SPACE || d === OPEN || d === CLOSE || d === QUOTE || d === HASH) break;
      end++;
    }
    this.text = source.slice(i, end);
    this.position = end;
    return 'atom';
  }

  /** The string whose opening quote is at `open`; it may span lines. */
  private string(open: number): TokenKind {
    const close = this.source.indexOf('"', open + 1);
    if (close < 0) this.fail(this.line, 'a string opened here is never closed (missing \'"\')');
    // Count only up to the closing quote: a search for the next LF could run to the end of a long line.
    for (let i = open + 1; i < close; i++) if (this.source.charCodeAt(i) === LF) this.scanLine++;
    this.text = this.source.slice(open + 1, close);
    this.position = close + 1;
    return 'string';
  }
}

type ListKind = 'top' | 'graph' | 'node' | 'edge' | 'other';

interface OpenList {
  kind: ListKind;
  key: string;
  line: number;
}

/** A node or edge field as the file gave it, with its line for messages. */
interface Field {
  text: string;
  line: number;
}

interface EdgeFields {
  source?: Field;
  target?: Field;
  weight?: Field;
  value?: Field;
}

/** What a GML file declares, before any node id is resolved. */
interface GmlGraph {
  directed: boolean;
  /** Canonical node id → dense index, in declaration order. */
  nodes: Map<string, number>;
  edges: ParsedEdge[];
  weighted: boolean;
}

interface ParsedEdge {
  source: Field;
  target: Field;
  weight: number;
}

/**
 * GML as Newman's network data, Gephi, igraph and networkx write it: one top-level
 * `graph [ directed 0|1 node [ id N … ] edge [ source N target M weight|value W … ] ]`.
 * Node keys are the `id` values (labels are not kept); other keys and nested lists are
 * skipped. Weights come from `weight`, else `value`, else 1. `directed` overrides the
 * file's flag; `ignoreWeights` reads every edge with weight 1 without reading its weight.
 */
export function parseGml(text: string, file: string, options: GraphReadOptions = {}): LoadedGraph {
  const graph = new GmlReader(text, file, options).read();
  const builder = new CsrBuilder(options.directed ?? graph.directed);
  if (graph.weighted) builder.enableWeights();
  for (const id of graph.nodes.keys()) builder.node(id);
  for (const edge of graph.edges) {
    builder.addEdge(nodeOf(graph, edge.source, 'source', file), nodeOf(graph, edge.target, 'target', file), edge.weight);
  }
  const { csr, report } = builder.build(file);
  assertNotEmpty(csr, file);
  return { csr, report: { ...report, file, format: 'gml' } };
}

/** Edges may come before the nodes they join, so their ends are resolved once all nodes are known. */
function nodeOf(graph: GmlGraph, end: Field, which: 'source' | 'target', file: string): number {
  const index = graph.nodes.get(end.text);
  if (index === undefined) throw new FormatError(file, end.line, `edge ${which} ${shortened(end.text, 40)} is not the id of any node`);
  return index;
}

/** The structure pass: tokens → nodes and edges, with every structural error caught on its line. */
class GmlReader {
  private readonly tokens: GmlTokenizer;
  private readonly stack: OpenList[] = [{ kind: 'top', key: '', line: 1 }];
  private readonly nodeLines = new Map<string, number>();
  private readonly graph: GmlGraph = { directed: false, nodes: new Map(), edges: [], weighted: false };
  private sawGraph = false;
  private nodeId: Field | undefined;
  private edge: EdgeFields | undefined;

  constructor(
    text: string,
    private readonly file: string,
    private readonly options: GraphReadOptions,
  ) {
    this.tokens = new GmlTokenizer(text, (line, problem) => this.fail(line, problem));
  }

  read(): GmlGraph {
    const tokens = this.tokens;
    for (let kind = tokens.next(); kind !== 'end'; kind = tokens.next()) {
      if (kind === 'close') {
        this.closeList();
        continue;
      }
      if (kind !== 'atom' || !isKey(tokens.text)) {
        this.fail(tokens.line, `expected a key, found ${describe(kind, tokens.text)}`);
      }
      const key = tokens.text;
      const keyLine = tokens.line;
      const valueKind = tokens.next();
      if (valueKind === 'end' || valueKind === 'close') this.fail(keyLine, `key ${quoted(key)} has no value`);
      if (valueKind === 'open') this.openList(key, keyLine);
      else this.setValue(key, { text: tokens.text, line: tokens.line }, valueKind);
    }
    if (this.stack.length > 1) {
      const list = this.stack[this.stack.length - 1];
      this.fail(list.line, `list ${quoted(list.key)} opened here is never closed (missing ']')`);
    }
    if (!this.sawGraph) this.fail(tokens.line, "the file ends without a top-level 'graph [ … ]': not a GML graph");
    return this.graph;
  }

  private fail(line: number, problem: string): never {
    throw new FormatError(this.file, line, problem);
  }

  private get parent(): OpenList {
    return this.stack[this.stack.length - 1];
  }

  private openList(key: string, line: number): void {
    const parent = this.parent;
    if (this.stack.length > MAX_GML_NESTING) this.fail(line, `lists nested deeper than ${MAX_GML_NESTING} levels`);
    let kind: ListKind = 'other';
    if (key === 'graph') {
      if (parent.kind !== 'top') {
        this.fail(line, `a graph inside ${quoted(parent.key)} (opened at line ${parent.line}): hierarchical GML is not supported`);
      }
      if (this.sawGraph) this.fail(line, 'a second top-level graph: the file must hold one graph');
      this.sawGraph = true;
      kind = 'graph';
    } else if (parent.kind === 'graph' && key === 'node') {
      kind = 'node';
      this.nodeId = undefined;
    } else if (parent.kind === 'graph' && key === 'edge') {
      kind = 'edge';
      this.edge = {};
    } else if ((parent.kind === 'node' && key === 'id') || (parent.kind === 'edge' && isEdgeField(key))) {
      this.fail(line, `${parent.kind} ${shortened(key, 40)} is a list, not a number`);
    }
    this.stack.push({ kind, key, line });
  }

  private closeList(): void {
    const list = this.parent;
    if (list.kind === 'top') this.fail(this.tokens.line, "']' without a matching '['");
    this.stack.pop();
    if (list.kind === 'node') this.addNode(list);
    else if (list.kind === 'edge') this.addEdge(list);
  }

  private setValue(key: string, value: Field, kind: TokenKind): void {
    const parent = this.parent;
    if (parent.kind === 'top' && key === 'graph') this.fail(value.line, "'graph' must be a list: graph [ … ]");
    if (parent.kind === 'graph' && key === 'directed') {
      if (kind !== 'atom' || (value.text !== '0' && value.text !== '1')) {
        this.fail(value.line, `directed must be 0 or 1, found ${describe(kind, value.text)}`);
      }
      this.graph.directed = value.text === '1';
    } else if (parent.kind === 'node' && key === 'id') {
      if (this.nodeId) this.fail(value.line, `node has a second id (the first is on line ${this.nodeId.line})`);
      this.nodeId = { text: this.integerId(value, kind, 'node id'), line: value.line };
    } else if (parent.kind === 'edge' && isEdgeField(key)) {
      const edge = this.edge!;
      if (edge[key]) this.fail(value.line, `edge has a second ${key} (the first is on line ${edge[key]!.line})`);
      const isEnd = key === 'source' || key === 'target';
      if (isEnd) edge[key] = { text: this.integerId(value, kind, `edge ${key}`), line: value.line };
      else edge[key] = this.weightField(value, kind, key);
    }
  }

  /** A node id or edge end: a GML integer, as its canonical decimal ("+07" and "7" are one node). */
  private integerId(value: Field, kind: TokenKind, what: string): string {
    if (kind !== 'atom' || !isInteger(value.text)) this.fail(value.line, `${what} ${describe(kind, value.text)} is not an integer`);
    return BigInt(value.text).toString();
  }

  /** A weight or value, checked where it is written (not read at all with ignoreWeights). */
  private weightField(value: Field, kind: TokenKind, key: string): Field {
    if (this.options.ignoreWeights) return value;
    const problem = kind === 'atom' ? weightTextProblem(value.text) : `${key} ${describe(kind, value.text)} is not a number`;
    if (problem) this.fail(value.line, problem);
    return value;
  }

  private addNode(list: OpenList): void {
    const id = this.nodeId;
    if (!id) this.fail(list.line, 'node without an id');
    const first = this.nodeLines.get(id.text);
    if (first !== undefined) this.fail(id.line, `duplicate node id ${shortened(id.text, 40)} (first declared on line ${first})`);
    this.nodeLines.set(id.text, id.line);
    this.graph.nodes.set(id.text, this.graph.nodes.size);
  }

  private addEdge(list: OpenList): void {
    const edge = this.edge!;
    if (!edge.source) this.fail(list.line, 'edge without a source');
    if (!edge.target) this.fail(list.line, 'edge without a target');
    const weight = this.options.ignoreWeights ? undefined : (edge.weight ?? edge.value);
    if (weight) this.graph.weighted = true;
    this.graph.edges.push({ source: edge.source, target: edge.target, weight: weight ? Number(weight.text) : 1 });
  }
}

function isEdgeField(key: string): key is 'source' | 'target' | 'weight' | 'value' {
  return key === 'source' || key === 'target' || key === 'weight' || key === 'value';
}

/** GML keys are a letter or '_' followed by letters, digits and '_'. */
function isKey(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    if (!letter && (i === 0 || c < 48 || c > 57)) return false;
  }
  return text.length > 0;
}

/** An optional sign and decimal digits. */
function isInteger(text: string): boolean {
  const start = text[0] === '+' || text[0] === '-' ? 1 : 0;
  if (text.length === start) return false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function describe(kind: TokenKind, text: string): string {
  if (kind === 'open') return "'['";
  if (kind === 'close') return "']'";
  if (kind === 'string') return `${quoted(text)} (a quoted string)`;
  return quoted(text);
}
