/**
 * Messages between the page (main.ts) and its worker (worker.ts). Everything heavy (parsing,
 * the analyses, the report writers, GEXF export) runs in the worker; the page only draws.
 */
import type { MixnetSweepParameter } from '../analyses/mixnet.js';
import type { BackendInfo } from '../engines/backend.js';
import { BROWSER_ENGINES, type BrowserEngineName } from '../engines/create-in-browser.js';
import type { MixnetTopologyKind } from '../mix/mixnet-topology.js';
import type { ChartSpec } from '../report/chart.js';

export const ANALYSES = ['entropy', 'adversary', 'mixing', 'mix', 'trace', 'roc', 'network', 'mixnet'] as const;
export type AnalysisName = (typeof ANALYSES)[number];
/** The engines the page offers: the browser's own chooser's. */
export const WEB_BACKENDS = BROWSER_ENGINES;
export type WebBackendName = BrowserEngineName;

export interface EntropyParams {
  walk: 'simple' | 'mh';
  lazy: boolean;
  hops: number;
  /** A count, or 'all'; absent: the library's default (100, or all when n ≤ 100). */
  terminals?: number | 'all';
  seed: number;
  /** Also the entropy after 1..rounds independent rounds (the CLI's --rounds). */
  rounds?: number;
  /** Also the guessing entropy (the float64 cpu engine only, as on the CLI). */
  guessing: boolean;
  /** A prior file ("node weight" lines); absent: uniform. */
  prior?: File;
}

export interface AdversaryParams {
  walk: 'simple' | 'mh';
  hops: number;
  attackEdges: number[];
  sybilsPerEdge: number;
  walkers: number;
  posteriorSamples: number;
  seed: number;
  /** The two-hop optimisation for these k (the CLI's --two-hop). */
  twoHop?: number[];
}

/** The mixing time of a walk (the CLI's `mixing`). */
export interface MixingParams {
  walk: 'simple' | 'mh';
  lazy: boolean;
  hops: number;
  /** A count, or 'all'; absent: the library's default (100, or all when n ≤ 100). Ignored with sourceIds. */
  sources?: number | 'all';
  /** These node ids as sources instead of a sample. */
  sourceIds?: string[];
  seed: number;
  epsilon: number;
  /** The Lanczos eigenvalues of a reversible walk (the CLI's --no-spectrum turns them off). */
  spectrum: boolean;
}

/** How the graph file is read: the CLI's --directed / --undirected and --component. */
export interface GraphReading {
  /** true: every edge an arc; false: every arc an edge; absent: as the file says. */
  directed?: boolean;
  component: 'all' | 'largest';
}

export interface MixParams {
  rate: number;
  delay: string;
  trials: number;
  seed: number;
}

/** Stream tracing through one mix (Danezis §3.3): detection vs target packets. Empty delay: the library's default. */
export interface TraceParams {
  signalRate: number;
  coverRate: number;
  paddingRate: number;
  delay: string;
  packets: number[];
  trials: number;
  seed: number;
}

/** ROC of stream tracing, simulated (the CLI's `trace --roc`). Empty delay: the library's default. */
export interface RocParams {
  signalRate: number;
  coverRate: number;
  delay: string;
  targets: number;
  /** One count, or several: one ROC per count (the CLI's --sweep-packets). */
  packets: number[];
  /** The FPRs at which the TPR is reported. */
  fprs: number[];
  seed: number;
}

/** Tracing streams through a random mix network (Danezis §3.4). Empty delay: the library's default. */
export interface NetworkParams {
  mixes: number;
  links: number;
  streams: number;
  pathLength: number;
  packets: number;
  delay: string;
  /** Streams traced: a count or 'all'. */
  targets: number | 'all';
  seed: number;
}

/**
 * A Loopix-style mixnet (the CLI's `mixnet`). Absent numbers: the library's defaults; the
 * delay an empty string: exp:1. With a sweep, the swept parameter's own control is not read.
 */
export interface MixnetParams {
  topology: MixnetTopologyKind;
  /** Mixes on a route (free: hops). */
  layers?: number;
  /** Not for free routes, whose mixes are the graph's nodes. */
  width?: number;
  /** Not for free routes: bandwidth weights of the layers · width mixes, layer by layer; absent: uniform. */
  weights?: number[];
  /** Free routes only: a file of "node weight" lines, each node's entry weight by its key (the CLI's --weights-file); absent: uniform. */
  entryWeights?: File;
  corrupt?: number;
  clients?: number;
  rate?: number;
  /** A delay law, or several separated by ";" with a sweep (one line per law; the CLI's --delay repeated). */
  delay: string;
  /** Scales the delay law (each law) to the mean 1/μ (the CLI's --mu). */
  mu?: number;
  loopRate?: number;
  dropRate?: number;
  mixLoopRate?: number;
  burnIn?: number;
  window?: number;
  coolDown?: number;
  targets?: number;
  replications?: number;
  seed?: number;
  /** One run per value of one parameter (the CLI's --sweep PARAM=v1,v2,…). */
  sweep?: { parameter: MixnetSweepParameter; values: number[] };
}

/** The graph to load: a File the user chose, or a URL (a bundled example). */
export type GraphSource = { kind: 'file'; file: File } | { kind: 'url'; url: string; name: string };

/**
 * Tighter WebGPU limits than the device's (the page's ?limits={"maxBufferSize":…} URL
 * parameter): to try how a graph tiles, and for tests of the too-large message.
 */
export type WebLimits = Partial<Record<'maxStorageBufferBindingSize' | 'maxBufferSize' | 'maxBatch', number>>;

export type RunRequest =
  | { type: 'run'; analysis: 'entropy'; source: GraphSource; reading: GraphReading; backend: WebBackendName; params: EntropyParams; limits?: WebLimits }
  | { type: 'run'; analysis: 'adversary'; source: GraphSource; reading: GraphReading; backend: WebBackendName; params: AdversaryParams; limits?: WebLimits }
  | { type: 'run'; analysis: 'mixing'; source: GraphSource; reading: GraphReading; backend: WebBackendName; params: MixingParams; limits?: WebLimits }
  | { type: 'run'; analysis: 'mix'; backend: WebBackendName; params: MixParams }
  | { type: 'run'; analysis: 'trace'; backend: WebBackendName; params: TraceParams }
  | { type: 'run'; analysis: 'roc'; backend: WebBackendName; params: RocParams }
  | { type: 'run'; analysis: 'network'; backend: WebBackendName; params: NetworkParams }
  /** Free routes (topology free) walk on the loaded graph: then, and only then, the source and its reading. */
  | { type: 'run'; analysis: 'mixnet'; source?: GraphSource; reading?: GraphReading; backend: WebBackendName; params: MixnetParams };

/** A chart the page draws (renderChart) and offers as an SVG file named `file`. */
export interface ChartMessage {
  title: string;
  file: string;
  spec: ChartSpec;
}

/** The page asks for one terminus's posterior over initiators, on the graph of the last run. */
export interface PosteriorRequest {
  type: 'posterior';
  terminal: string;
  hop: number;
}

export type PageMessage = RunRequest | PosteriorRequest;

/** What the CLI says when it loads a graph, and what the analysis found about it. */
export interface Diagnostics {
  file: string;
  format: string;
  nodes: number;
  edges: number;
  directed: boolean;
  weighted: boolean;
  selfLoopsDropped: number;
  duplicatesMerged: number;
  components: number;
  largestComponent: number;
  /** Only the largest component was analysed (and it is the graph's nodes and edges above). */
  keptLargest: boolean;
  danglingNodes?: number;
  /** Entropy: terminals used, and per hop how many of them no walk reaches. */
  terminals?: number;
  unreachableByHop?: number[];
}

/**
 * The graph as the network view draws it: every node of a small graph, else a connected
 * piece of the largest component (`sampled` says which), with each node's entropies.
 */
export interface NetworkView {
  keys: string[];
  labels: (string | undefined)[];
  /** Where each node is drawn (x, y pairs): the file's own positions (GEXF/GraphML viz) when every drawn node has one, else ForceAtlas2's. */
  positions: Float64Array;
  /** Where the positions come from; ForceAtlas2 runs in the worker, with this many iterations in this many ms. */
  layout: { by: 'file' } | { by: 'forceatlas2'; iterations: number; ms: number };
  /** Degree in the analysed graph (out-degree when directed). */
  degrees: Uint32Array;
  /** Pairs of indices into keys. */
  edges: Uint32Array;
  directed: boolean;
  /** Why only part of the graph is drawn; absent when all of it is. */
  sampled?: string;
  /**
   * Adversary: per row of its table, the drawn honest ends of the attack edges (indices into
   * keys) with the number of attack edges at each, and how many ends are not drawn.
   */
  adversary?: { attackEdges: number | null; ends: Uint32Array; edges: Uint32Array; undrawn: number }[];
  /** Entropy: Shannon and min-entropy, hop-major (index (t-1)·keys.length + i), NaN where no value. */
  entropy?: { hops: number; optimal: number; shannon: Float64Array; minEntropy: Float64Array };
}

/** A file the page offers for download. */
export interface Download {
  name: string;
  mime: string;
  text: string;
}

export type WorkerMessage =
  | { type: 'progress'; phase: string; done: number; total: number }
  | { type: 'log'; message: string }
  | {
      type: 'result';
      analysis: AnalysisName;
      /** The analysis result as the CLI's JSON writer prints it. */
      json: string;
      /** What ran: backend name, precision, runtime, adapter. */
      ran: BackendInfo;
      graph?: { nodes: number; edges: number; directed: boolean; format: string };
      diagnostics?: Diagnostics;
      view?: NetworkView;
      /** The plots, in order. */
      charts: ChartMessage[];
      /** A table: header row then rows. */
      table: string[][];
      downloads: Download[];
      notes: string[];
    }
  | { type: 'posterior'; terminal: string; hop: number; reachable: boolean; /** Over the view's nodes. */ values: Float64Array }
  | { type: 'error'; kind: 'format' | 'parameter' | 'device' | 'memory' | 'other'; message: string };

/** Nodes up to which the page's default is every node a terminal (the network view colours them all); beyond, the library's sample. */
export const ALL_TERMINALS_UP_TO = 2000;

/** Nodes up to which the page offers the graph as GEXF with the computed attributes. */
export const GEXF_EXPORT_MAX_NODES = 200_000;
