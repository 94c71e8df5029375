import { ParameterError } from '../errors.js';
import { sampleWithoutReplacement } from '../random.js';
import { nodeIndex, type Csr } from './csr.js';

/** Which nodes an analysis starts from (terminals, sources), and how they were chosen. */
export interface NodeSelection {
  kind: 'sample' | 'all' | 'ids';
  nodes: Uint32Array;
  /** The seed of a sample. */
  seed?: number;
}

export interface NodeChoice {
  /** These node ids, in this order, when given. */
  ids?: readonly string[];
  /** A uniform sample of this many nodes without replacement, or all of them. */
  count?: number | 'all';
  /** When neither is given: all nodes up to this many, else a sample of this many. */
  defaultCount: number;
  seed: number;
  /** What the nodes are, for the errors ("terminal", "source"). */
  what: string;
  /** Where the errors come from ("anonscope/initiatorEntropy"). */
  where: string;
}

/** The nodes of `ids`, a seeded sample of `count`, or all, checked against the graph. */
export function chooseNodes(csr: Csr, { ids, count, defaultCount, seed, what, where }: NodeChoice): NodeSelection {
  if (ids) {
    if (ids.length === 0) throw new ParameterError(`${where}: the list of ${what} ids is empty`);
    const index = nodeIndex(csr);
    const nodes = Uint32Array.from(ids, (id) => {
      const i = index.get(String(id));
      if (i === undefined) throw new ParameterError(`${where}: unknown ${what} id "${id}" (not a node of the graph)`);
      return i;
    });
    return { kind: 'ids', nodes };
  }
  const requested = count ?? (csr.n <= defaultCount ? 'all' : defaultCount);
  if (requested === 'all') return { kind: 'all', nodes: Uint32Array.from({ length: csr.n }, (_, i) => i) };
  if (!Number.isInteger(requested) || requested < 1 || requested > csr.n) {
    throw new ParameterError(`${where}: ${what}s must be 'all' or an integer in 1..${csr.n} (the node count), got ${requested}`);
  }
  return { kind: 'sample', nodes: sampleWithoutReplacement(csr.n, requested, seed), seed };
}
