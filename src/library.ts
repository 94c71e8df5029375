/**
 * What the Node entry (index.ts) and the browser entry (browser.ts) both export: every
 * analysis in graphology's style (`fn(graph, options)`, `fn.assign` where results are per
 * node), the graph readers that work on text and bytes, the engine interfaces, the report
 * writers, the typed errors. Nothing here loads an engine's package.
 */
export { initiatorEntropy, initiatorEntropyShard, mergeInitiatorEntropyShards, DEFAULT_HOPS, DEFAULT_TERMINALS } from './analyses/initiator-entropy.js';
export type {
  InitiatorEntropyOptions,
  InitiatorEntropyResult,
  InitiatorEntropyShardOptions,
  InitiatorEntropyCheckpoint,
  HopStatistics,
  RoundStatistics,
  AssignOptions,
} from './analyses/initiator-entropy.js';
export { EntropyFileReader, entropyFileJson } from './analyses/initiator-entropy-shards.js';
export type { InitiatorEntropyJob, TerminalRecords, EntropyShard, EntropyBatch, EntropyCheckpoint } from './analyses/initiator-entropy-shards.js';
export { shardRange, checkShardSpec, type ShardSpec } from './analyses/shards.js';
export { csrChecksum } from './graph/checksum.js';
export { adversaryBorders, adversaryEntropy, SYBIL_REGION_SHAPES } from './analyses/adversary.js';
export type { AdversaryBorder, AdversaryOptions, AdversaryResult, AdversaryRow, TwoHopRow, SybilRegionShape } from './analyses/adversary.js';
export { mixingTime, DEFAULT_MIXING_HOPS, DEFAULT_SOURCES } from './analyses/mixing-time.js';
export type { MixingTimeOptions, MixingTimeResult, MixingHop } from './analyses/mixing-time.js';
export { singleMix, singleMixSweep, checkSingleMixSweepOptions, singleMixTheory, singleMixFirstOrder, DEFAULT_MIX_TRIALS, DEFAULT_LOADS } from './analyses/single-mix.js';
export type { SingleMixOptions, SingleMixResult, SingleMixSweepOptions, SingleMixSweepResult, SweepRow } from './analyses/single-mix.js';
export {
  mixnetAnonymity,
  mixnetSweep,
  mixnetLawSweep,
  mixnetShard,
  mergeMixnetShards,
  checkMixnetOptions,
  MIXNET_DEFAULTS,
  MIXNET_SWEEP_PARAMETERS,
} from './analyses/mixnet.js';
export type { MixnetOptions, MixnetResult, MixnetGraph, MixnetSweepOptions, MixnetSweepResult, MixnetLawSweepOptions, MixnetLawSweepResult, MixnetSweepParameter, MixnetShardOptions, MixnetShard, MixnetJob, MixnetOutcomes } from './analyses/mixnet.js';
export { mixnetShardFile, mixnetShardOfFile, MIXNET_SHARD_KIND } from './analyses/mixnet-shards.js';
export { MIXNET_TOPOLOGIES, type MixnetTopologyKind } from './mix/mixnet-topology.js';
export { traceLinks, traceSimulation, llrMoments, chebyshevBound, DEFAULT_TRACE_PACKETS } from './analyses/stream-trace.js';
export type { TraceInput, TraceLinksOptions, TraceLinksResult, TraceLinkScore, TraceSimulationOptions, TraceSimulationResult, DetectionCurve, DetectionPoint } from './analyses/stream-trace.js';
export { traceRoc, checkTraceRocOptions, TRACE_ROC_DEFAULTS } from './analyses/trace-roc.js';
export type { TraceRocOptions, TraceRocResult, TraceRocPoint, RocStreams } from './analyses/trace-roc.js';
export { rocCurve, type RocCurve, type RocPoint, type OperatingPoint, type AreaUnderCurve } from './stats/roc.js';
export { simulateMixNetwork, traceMixNetwork, randomMixTopology, parseTorConsensus, torTopology, NETWORK_DEFAULTS } from './analyses/mix-network.js';
export type { MixNetworkSimulationOptions, MixNetworkSimulation, MixNetworkAttackOptions, MixNetworkResult, MixTopology, TorConsensus, TorRelay, StreamRow } from './analyses/mix-network.js';
export { parseDelay, parseDelaySync, expDelay, uniformDelay, erlangDelay, lognormalDelay, paretoDelay, histogramDelay, DELAY_KINDS } from './mix/delays.js';
export type { DelayLaw, DelayKind } from './mix/delays.js';

export type { Backend, BackendInfo, EntropyJob, EntropyTable, MixingJob, MixingTable } from './engines/backend.js';
export type { MixKernels, MixKernelsInfo, ConvolveJob, ScoreJob, MixEntropyJob } from './engines/mix-kernels.js';
export { referenceBackend, referenceMixKernels } from './engines/reference.js';
export { GpuDevice, describeAdapter, isSoftwareAdapter } from './engines/webgpu/device.js';
// WGSL over a device you hold (no package behind them: the shaders are text in the bundle).
export { WebGpuBackend } from './engines/webgpu/webgpu-backend.js';
export { WebGpuMixKernels } from './engines/webgpu/mix-kernels.js';
export type { AdapterDescription } from './engines/webgpu/device.js';

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
export { readGraph, type GraphByteSource, type ReadGraphOptions } from './graph/read-graph.js';
export { INPUT_FORMATS, type InputFormat } from './graph/formats.js';
export { decodeCsr, encodeCsr, type DecodeCsrOptions } from './graph/binary-csr.js';
export { weakComponents, largestComponent } from './graph/components.js';
export { transitionMatrix, WALK_MODELS } from './walks/index.js';
export type { TransitionMatrix, WalkModel } from './walks/index.js';

export * from './errors.js';
export { entropyJson, hopsCsv, perTerminalCsv, entropyVsHopsChart, entropyCdfChart } from './report/entropy-report.js';
export type { Band, ChartSpec, Rule, Series } from './report/chart.js';
export { chartSvg } from './report/svg-file.js';
export { mixingJson, mixingHopsCsv, mixingSourcesCsv, mixingTable, tvVsHopsChart } from './report/mixing-report.js';
export {
  mixnetJson,
  mixnetSweepJson,
  mixnetCsv,
  mixnetSweepCsv,
  mixnetTable,
  mixnetSweepTable,
  mixnetEntropyCdfChart,
  mixnetSweepEntropyChart,
  mixnetSweepLatencyChart,
  mixnetLawSweepJson,
  mixnetLawSweepCsv,
  mixnetLawSweepTable,
  mixnetLawSweepEntropyChart,
  mixnetLawSweepLatencyChart,
} from './report/mixnet-report.js';
