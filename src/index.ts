/**
 * anonscope's library API (Node). The browser bundle exports the same minus file loading.
 */
export { initiatorEntropy } from './analyses/initiator-entropy.js';
export type { InitiatorEntropyOptions, InitiatorEntropyResult, HopStatistics } from './analyses/initiator-entropy.js';
export { createBackend, CpuBackend, BACKEND_NAMES, RUNTIMES } from './backends/index.js';
export { WebGpuBackend, describeAdapter, requestDevice } from './backends/webgpu/webgpu-backend.js';
export type { Backend, BackendInfo, EntropyJob, EntropyTable } from './backends/index.js';
export type { Csr } from './graph/csr.js';
export { edgeCount, nodeIndex } from './graph/csr.js';
export { CsrBuilder } from './graph/csr-builder.js';
export { EdgeListParser, parseEdgeList } from './graph/edge-list.js';
export type { EdgeListHeader, GraphFormat, GraphReadOptions, LoadedGraph, LoadReport } from './graph/loaded-graph.js';
export { fromGraphology } from './graph/from-graphology.js';
export { parseGexf, parseGraphologyJson } from './graph/gexf.js';
export { parseGraphml } from './graph/graphml.js';
export { parseGml } from './graph/gml.js';
export { parsePajek } from './graph/pajek.js';
export { loadGraphFile } from './graph/load-file.js';
export { readGraph, type GraphByteSource, type ReadGraphOptions } from './graph/read-graph.js';
export { INPUT_FORMATS, type InputFormat } from './graph/formats.js';
export { weakComponents, largestComponent } from './graph/components.js';
export { transitionMatrix, WALK_MODELS } from './walks/index.js';
export type { TransitionMatrix, WalkModel } from './walks/index.js';
export * from './errors.js';
export { entropyJson, hopsCsv, perTerminalCsv, entropyVsHopsSvg, entropyCdfSvg } from './report/entropy-report.js';
