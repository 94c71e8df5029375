import Graph from 'graphology';
import { describe, expect, it } from 'vitest';
import { mergeMixnetShards, mixnetAnonymity, mixnetShard, mixnetSweep, type MixnetResult } from '../../src/analyses/mixnet.js';
import { nodeKey, type Csr } from '../../src/graph/csr.js';
import { CsrBuilder } from '../../src/graph/csr-builder.js';
import { POOL_EVENT } from '../../src/engines/mix-kernels.js';
import { expDelay } from '../../src/mix/delays.js';
import { simulateMixnet, type MixnetTraffic } from '../../src/mix/mixnet-simulator.js';
import { mixnetTopology } from '../../src/mix/mixnet-topology.js';
import { csrFromEdges, randomGraph } from '../helpers/graphs.js';
import { mixnetShardsThroughFiles } from '../helpers/mixnet-shards.js';

/**
 * Free routes over a given graph: the mixes are the graph's nodes, a route is L hops of a
 * walk (entry by the weights, each next hop uniform over the out-neighbours), pools shared by
 * every hop that passes a mix, the exit after the L-th hop.
 */

/** A graph over the nodes "0".."n−1" in that order (the Csr's index i is node "i"). */
function orderedGraph(n: number, arcs: [number, number][], directed: boolean): Csr {
  const builder = new CsrBuilder(directed);
  for (let i = 0; i < n; i++) builder.node(String(i));
  for (const [u, v] of arcs) builder.addEdge(u, v, 1);
  return builder.build().csr;
}

/** The directed cycle 0 → 1 → … → n−1 → 0: a route is fixed once it has entered. */
const ring = (n: number) => orderedGraph(n, Array.from({ length: n }, (_, i) => [i, (i + 1) % n]), true);

/** Everything of a result but its description of the topology (which names the graph). */
function outcome(r: MixnetResult) {
  const { topology, ...rest } = r;
  return rest;
}

function traffic(over: Partial<MixnetTraffic>): MixnetTraffic {
  return { clients: 4, rate: 20, loopRate: 0, dropRate: 0, mixLoopRate: 0, delay: expDelay(1), targets: 4, burnIn: 2, window: 20, coolDown: 10, ...over };
}

/** Each packet's mixes in order, read off an honest network's event log: the routes that reached their exit. */
function routesOf(events: Uint32Array): number[][] {
  const routes: number[][] = [];
  const open = new Map<number, number[]>();
  for (let e = 0; e < events.length / 4; e++) {
    const [code, slot, mix] = events.subarray(4 * e, 4 * e + 3);
    if (code === POOL_EVENT.inject) open.set(slot, []);
    else if (code === POOL_EVENT.arrive) open.get(slot)!.push(mix);
    else if (code === POOL_EVENT.exit) routes.push(open.get(slot)!);
  }
  return routes;
}

describe('free routes: the simulator walks the graph', () => {
  // An undirected graph with degrees 1..4, entry weights 1..6.
  const graph = orderedGraph(6, [[0, 1], [1, 2], [1, 3], [2, 3], [3, 4], [4, 5], [2, 4], [0, 3]], false);
  const weights = [1, 2, 3, 4, 5, 6];
  const L = 4;
  const topology = mixnetTopology({ kind: 'free', layers: L, weights, routes: { rowPtr: graph.rowPtr, colIdx: graph.colIdx } });
  const log = simulateMixnet(topology, traffic({ rate: 400, window: 40, mixLoopRate: 3 }), 7, 0);
  const routes = routesOf(log.events);

  it('every packet that leaves has made exactly L hops, each along an edge (mix-loops too, from their mix)', () => {
    expect(routes.length).toBeGreaterThan(10_000);
    const edges = new Set<string>();
    for (let i = 0; i < graph.n; i++) for (let k = graph.rowPtr[i]; k < graph.rowPtr[i + 1]; k++) edges.add(`${i}-${graph.colIdx[k]}`);
    for (const route of routes) {
      expect(route).toHaveLength(L);
      for (let h = 1; h < L; h++) expect(edges.has(`${route[h - 1]}-${route[h]}`)).toBe(true);
    }
  });

  it('each next hop is uniform over the out-neighbours; the first mix follows the weights (within 5 standard errors)', () => {
    const counts = new Map<string, number>();
    const leaving = new Array<number>(graph.n).fill(0);
    for (const route of routes) {
      for (let h = 1; h < L; h++) {
        counts.set(`${route[h - 1]}-${route[h]}`, (counts.get(`${route[h - 1]}-${route[h]}`) ?? 0) + 1);
        leaving[route[h - 1]]++;
      }
    }
    for (let i = 0; i < graph.n; i++) {
      const degree = graph.rowPtr[i + 1] - graph.rowPtr[i];
      for (let k = graph.rowPtr[i]; k < graph.rowPtr[i + 1]; k++) {
        const p = 1 / degree;
        const seen = counts.get(`${i}-${graph.colIdx[k]}`) ?? 0;
        expect(Math.abs(seen - leaving[i] * p)).toBeLessThan(5 * Math.sqrt(leaving[i] * p * (1 - p)) + 1);
      }
    }
    // Client packets only: a simulation without mix-loops, whose first mixes are all entries.
    const entries = routesOf(simulateMixnet(topology, traffic({ rate: 400, window: 40 }), 8, 0).events).map((r) => r[0]);
    const total = weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < graph.n; i++) {
      const p = weights[i] / total;
      const seen = entries.filter((m) => m === i).length;
      expect(Math.abs(seen - entries.length * p)).toBeLessThan(5 * Math.sqrt(entries.length * p * (1 - p)));
    }
  });
});

describe('free routes against networks whose answer is known', () => {
  it('L = 1 on any graph is the stratified 1 × n network with the same entry weights, corrupt nodes and seed (to the bit)', async () => {
    const graph = randomGraph(7, 30, 3);
    const weights = [3, 1, 4, 1, 5, 9, 2];
    const common = { layers: 1, weights, corrupt: 0.3, rate: 15, mixLoopRate: 1, targets: 6, replications: 3, seed: 5 };
    const free = await mixnetAnonymity({ ...common, topology: 'free', graph });
    const stratified = await mixnetAnonymity({ ...common, width: 7 });
    expect(free.targets.sent).toBeGreaterThan(10);
    expect(outcome(free)).toEqual(outcome(stratified));
  });

  it('a layered directed graph entered only at its first layer is the stratified L × W network (to the bit)', async () => {
    // Layer ℓ's W nodes point to every node of layer ℓ + 1 (the last layer back to the first, so
    // no node dangles); entry weights 1 on the first layer and 0 elsewhere (never entered). A
    // walk of L hops is then one mix per layer, uniform.
    const L = 3;
    const W = 3;
    const arcs: [number, number][] = [];
    for (let l = 0; l < L; l++) for (let a = 0; a < W; a++) for (let b = 0; b < W; b++) arcs.push([l * W + a, ((l + 1) % L) * W + b]);
    const graph = orderedGraph(L * W, arcs, true);
    const weights = Array.from({ length: L * W }, (_, i) => (i < W ? 1 : 0));
    const common = { layers: L, rate: 12, loopRate: 0.05, corrupt: 0.25, targets: 8, replications: 3, seed: 2 };
    const free = await mixnetAnonymity({ ...common, topology: 'free', graph, weights });
    const stratified = await mixnetAnonymity({ ...common, width: W });
    expect(free.targets.exited).toBeGreaterThan(15);
    expect(free.entropy.mean).toBeGreaterThan(1);
    expect(outcome(free)).toEqual(outcome(stratified));
  });

  it('edge weights are not used: a weighted graph (directed and undirected) gives its unweighted twin\'s outcomes to the bit, and says it is weighted', async () => {
    const arcs: [string, string, number][] = [['a', 'b', 5], ['b', 'c', 0.1], ['c', 'a', 2], ['c', 'd', 9], ['d', 'a', 1], ['b', 'd', 3]];
    for (const directed of [true, false]) {
      const common = { topology: 'free' as const, layers: 3, rate: 15, corrupt: 0.25, mixLoopRate: 0.5, targets: 5, replications: 2, seed: 6 };
      const weighted = await mixnetAnonymity({ ...common, graph: csrFromEdges(arcs, directed) });
      const plain = await mixnetAnonymity({ ...common, graph: csrFromEdges(arcs.map(([u, v]) => [u, v]), directed) });
      expect(weighted.targets.exited, `directed ${directed}`).toBeGreaterThan(3);
      expect(outcome(weighted)).toEqual(outcome(plain));
      expect(weighted.topology.graph).toMatchObject({ directed, weighted: true });
    }
  });

  it('a directed ring: L hops of exponential delays, so the latency is Erlang(L, μ) (mean L/μ, its median)', async () => {
    const L = 4;
    const mu = 2;
    const r = await mixnetAnonymity({ topology: 'free', graph: ring(5), layers: L, rate: 50, delay: expDelay(mu), targets: 10, replications: 3 });
    const n = r.latency.count;
    expect(n).toBeGreaterThan(3000);
    expect(Math.abs(r.latency.mean - L / mu)).toBeLessThan((4 * Math.sqrt(L)) / mu / Math.sqrt(n));
    // The Erlang(4, 2) CDF 1 − e^{−2x} Σ_{k<4} (2x)^k / k!, its median by bisection.
    const cdf = (x: number) => 1 - Math.exp(-mu * x) * [0, 1, 2, 3].reduce((s, k) => s + (mu * x) ** k / [1, 1, 2, 6][k], 0);
    let lo = 0;
    let hi = 20;
    for (let i = 0; i < 60; i++) if (cdf((lo + hi) / 2) < 0.5) lo = (lo + hi) / 2; else hi = (lo + hi) / 2;
    expect(Math.abs(r.latency.p50 - lo)).toBeLessThan(0.06);
  });

  it('every node corrupt: each target is traced; a share F: round(F · n) nodes, which log nothing', async () => {
    const graph = ring(6);
    const all = await mixnetAnonymity({ topology: 'free', graph, layers: 3, corrupt: 1, rate: 20, targets: 6, replications: 2 });
    expect(all.corrupt.mixes).toEqual([0, 1, 2, 3, 4, 5]);
    expect(all.entropy.max).toBe(0);
    expect(all.unlinkability.delta).toBe(1);
    const topology = mixnetTopology({ kind: 'free', layers: 3, corrupt: 0.4, seed: 4, routes: { rowPtr: graph.rowPtr, colIdx: graph.colIdx } });
    const corrupt = [...topology.corrupt.keys()].filter((m) => topology.corrupt[m]);
    expect(corrupt).toHaveLength(2);
    const { events } = simulateMixnet(topology, traffic({}), 3, 0);
    const touched = new Set<number>();
    for (let e = 0; e < events.length / 4; e++) if (events[4 * e] === POOL_EVENT.arrive || events[4 * e] === POOL_EVENT.depart) touched.add(events[4 * e + 2]);
    expect([...touched].sort()).toEqual([0, 1, 2, 3, 4, 5].filter((m) => !corrupt.includes(m)));
  });

  it('a graphology graph is read as its Csr is: the same run', async () => {
    const edges: [string, string][] = [['a', 'b'], ['b', 'c'], ['c', 'a'], ['c', 'd'], ['d', 'b']];
    const graph = new Graph({ type: 'directed' });
    for (const [u, v] of edges) graph.mergeEdge(u, v);
    const common = { topology: 'free', layers: 3, rate: 10, mixLoopRate: 0.5, targets: 4, replications: 2 } as const;
    const fromGraphology = await mixnetAnonymity({ ...common, graph });
    expect(fromGraphology.topology.graph).toEqual({ nodes: 4, edges: 5, directed: true, weighted: false });
    expect(fromGraphology).toEqual(await mixnetAnonymity({ ...common, graph: csrFromEdges(edges, true) }));
  });

  it('the result names the graph: its name, nodes, edges, direction; width = mixes = its nodes', async () => {
    const graph = csrFromEdges([['a', 'b'], ['b', 'c'], ['c', 'a'], ['c', 'd']]);
    const r = await mixnetAnonymity({ topology: 'free', graph, graphName: 'toy.txt', layers: 2, rate: 10, targets: 2, replications: 1 });
    expect(r.topology).toEqual({ kind: 'free', layers: 2, width: 4, mixes: 4, routing: 'uniform', graph: { name: 'toy.txt', nodes: 4, edges: 4, directed: false, weighted: false } });
  });
});

describe('free routes: refusals before any work', () => {
  const graph = ring(4);
  it('free without a graph, a graph without free, a width with free, weights of the wrong count', async () => {
    await expect(mixnetAnonymity({ topology: 'free' })).rejects.toThrow(/free routes need a graph to run over/);
    await expect(mixnetAnonymity({ graph })).rejects.toThrow(/a stratified topology takes no graph \(free routes do/);
    await expect(mixnetAnonymity({ topology: 'free', graph, width: 3 })).rejects.toThrow(/free routes take no width: their mixes are the graph's 4 nodes/);
    await expect(mixnetAnonymity({ topology: 'free', graph, weights: [1, 2] })).rejects.toThrow(/2 weights for the graph's 4 nodes \(give one per node, in the graph's order\)/);
    await expect(mixnetSweep({ topology: 'free', graph, parameter: 'width', values: [2, 3] })).rejects.toThrow(/free routes take no width/);
  });

  it('a node without an out-neighbour, named by its key (one, or the first few of many)', async () => {
    const one = csrFromEdges([['a', 'b'], ['b', 'c'], ['c', 'a'], ['c', 'sink']], true);
    await expect(mixnetAnonymity({ topology: 'free', graph: one })).rejects.toThrow(/node "sink" has no out-neighbour, so a route reaching it could not go on/);
    const many = csrFromEdges([['hub', 'x1'], ['hub', 'x2'], ['hub', 'x3']], true);
    await expect(mixnetAnonymity({ topology: 'free', graph: many })).rejects.toThrow(/3 of the 4 nodes have no out-neighbour.*\(node "x1", node "x2", node "x3"\)/);
  });

  it('a sweep over layers keeps the weights of the nodes (one per node, whatever L)', async () => {
    const s = await mixnetSweep({ topology: 'free', graph, weights: [1, 1, 1, 5], parameter: 'layers', values: [1, 3], rate: 10, targets: 2, replications: 1 });
    expect(s.points.map((p) => [p.topology.layers, p.topology.routing])).toEqual([[1, 'weighted'], [3, 'weighted']]);
  });
});

describe('free routes: entry weights by node, and weights of 0', () => {
  it("weights by node key are the weights in the graph's order (to the bit); a node not listed is never entered", async () => {
    const graph = csrFromEdges([['gw1', 'a'], ['a', 'b'], ['b', 'gw2'], ['gw2', 'gw1'], ['b', 'gw1'], ['a', 'gw2']], false);
    const keys = Array.from({ length: graph.n }, (_, i) => nodeKey(graph, i));
    const common = { topology: 'free' as const, graph, layers: 3, rate: 20, targets: 5, replications: 2, seed: 3 };
    const byNode = await mixnetAnonymity({ ...common, nodeWeights: new Map([['gw1', 3], ['gw2', 1]]) });
    const inOrder = await mixnetAnonymity({ ...common, weights: keys.map((k) => (k === 'gw1' ? 3 : k === 'gw2' ? 1 : 0)) });
    expect(byNode.targets.exited).toBeGreaterThan(5);
    expect(byNode).toEqual(inOrder);
    expect(byNode.topology.routing).toBe('weighted');
  });

  it('the entry law: a mix of weight 0 (first, inside or last) is never picked, the others in proportion (within 5 standard errors)', () => {
    const graph = ring(6);
    const weights = [0, 2, 0, 1, 3, 0];
    const topology = mixnetTopology({ kind: 'free', layers: 2, weights, routes: { rowPtr: graph.rowPtr, colIdx: graph.colIdx } });
    const entries = routesOf(simulateMixnet(topology, traffic({ rate: 300, window: 40 }), 4, 0).events).map((r) => r[0]);
    expect(entries.length).toBeGreaterThan(5_000);
    const total = weights.reduce((a, b) => a + b, 0);
    weights.forEach((w, i) => {
      const seen = entries.filter((m) => m === i).length;
      if (w === 0) expect(seen, `node ${i}`).toBe(0);
      else expect(Math.abs(seen - (entries.length * w) / total), `node ${i}`).toBeLessThan(5 * Math.sqrt(entries.length * (w / total) * (1 - w / total)));
    });
    // Stratified layers too: layer 2's only positive mix takes every hop through it.
    const layered = mixnetTopology({ layers: 2, width: 3, weights: [1, 1, 1, 0, 5, 0] });
    const second = routesOf(simulateMixnet(layered, traffic({ rate: 50 }), 1, 0).events).map((r) => r[1]);
    expect(second.length).toBeGreaterThan(100);
    expect(new Set(second)).toEqual(new Set([4]));
  });

  it('refused: a key the graph lacks (with names it has), weights by node for another topology or beside weights per mix, all weights 0, a negative one', async () => {
    const graph = csrFromEdges([['a', 'b'], ['b', 'c'], ['c', 'a']], false);
    await expect(mixnetAnonymity({ topology: 'free', graph, nodeWeights: new Map([['a', 1], ['zz', 2]]) })).rejects.toThrow(/the weights name node "zz", which the graph does not have \(its nodes are named by their keys: "a", "b", "c", …\)/);
    await expect(mixnetAnonymity({ nodeWeights: new Map([['a', 1]]) })).rejects.toThrow(/weights by node are for free routes over a graph/);
    await expect(mixnetAnonymity({ topology: 'free', graph, weights: [1, 1, 1], nodeWeights: new Map([['a', 1]]) })).rejects.toThrow(/per mix or by node, not both/);
    await expect(mixnetAnonymity({ topology: 'free', graph, nodeWeights: new Map([['a', 0]]) })).rejects.toThrow(/every node has weight 0, so no route could enter/);
    await expect(mixnetAnonymity({ layers: 2, width: 2, weights: [1, 1, 0, 0] })).rejects.toThrow(/every mix of layer 2 has weight 0/);
    await expect(mixnetAnonymity({ layers: 1, width: 2, weights: [1, -1] })).rejects.toThrow(/weight 2 must be a finite number >= 0, got -1/);
  });
});

describe('free-route shards', () => {
  const graph = randomGraph(8, 20, 4, { directed: false });
  const job = { topology: 'free', graph, layers: 3, rate: 12, mixLoopRate: 0.5, corrupt: 0.25, targets: 4, replications: 5, seed: 3 } as const;

  it('3 slices through both encodings merge into exactly the whole run', async () => {
    const whole = await mixnetAnonymity(job);
    const shards = await mixnetShardsThroughFiles(job, 3);
    expect(mergeMixnetShards(shards)).toEqual(whole);
  });

  it('refuses to merge shards of two graphs of the same size (their checksums differ)', async () => {
    const other = randomGraph(8, 20, 5, { directed: false });
    expect(other.n).toBe(graph.n);
    const a = await mixnetShard({ ...job, shard: { index: 0, count: 2 } });
    const b = await mixnetShard({ ...job, graph: other, shard: { index: 1, count: 2 } });
    expect(() => mergeMixnetShards([a, b], ['a.json', 'b.json'])).toThrow(/b\.json is a shard of another job than a\.json; they differ in .*checksums\.graph/);
  });
});
