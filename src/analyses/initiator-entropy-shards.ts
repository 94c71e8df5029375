import type { BackendInfo, EntropyTable } from '../engines/backend.js';
import { createEntropyTable } from '../engines/backend.js';
import { FormatError } from '../errors.js';
import type { WalkModel } from '../walks/index.js';
import { decodeNumber, encodeNumber } from './shard-file.js';
import { checkShardSpec, type ShardSpec } from './shards.js';

/**
 * The per-terminal table of initiatorEntropy as a first-class, serialisable thing: the job
 * that defines it, each terminal's records, and the files that carry them (a shard, a
 * checkpoint's job and batches). JSON numbers of float64 round-trip exactly; NaN, ±Infinity
 * and -0 are written as null, "Infinity", "-Infinity" and "-0" so that they do too.
 */

/** Everything that defines an initiator-entropy job: equal jobs give equal tables, so their shards merge. */
export interface InitiatorEntropyJob {
  graph: { nodes: number; edges: number; directed: boolean; danglingNodes: number };
  walk: WalkModel;
  lazy: boolean;
  hops: number;
  terminals: { selection: 'sample' | 'all' | 'ids'; count: number; seed?: number };
  prior: 'uniform' | 'given';
  /** Entropy before any observation: log2 n under the uniform prior, H(q) otherwise. */
  optimal: number;
  cdfHop: number;
  perTerminal: boolean;
  guessing: boolean;
  backend: BackendInfo;
  /** With rounds: how many, over how many sampled initiators, and the seed of their walkers. */
  rounds?: { count: number; samples: number; seed: number };
  /** Of the graph (csrChecksum), of the terminal list in order, of the prior's float bits. */
  checksums: { graph: string; terminals: string; prior: string };
}

/** The job as the result reports it (without what ties it to its inputs). */
export type EntropyJobSummary = Omit<InitiatorEntropyJob, 'checksums'>;

/** One terminal's column statistics, hop 1..L at index 0..L-1 (EntropyTable's fields, by terminal). */
export interface TerminalRecords {
  id: string;
  shannon: number[];
  minEntropy: number[];
  log2Mass: number[];
  /** 1 where some walk of that length ends at the terminal. */
  reached: number[];
  guessing?: number[];
}

export const SHARD_FORMAT = 'anonscope-entropy-shard';
export const BATCH_FORMAT = 'anonscope-entropy-batch';
export const CHECKPOINT_FORMAT = 'anonscope-entropy-checkpoint';
export const FILE_VERSION = 1;

/** One sampled initiator of the rounds: its entropies after 1..rounds rounds. */
export interface RoundSampleRecords {
  shannon: number[];
  minEntropy: number[];
}

/**
 * Shard `shard` of a job: the terminals first .. first + terminals.length - 1 of its list,
 * and with rounds the same slice of the rounds' sampled initiators.
 */
export interface EntropyShard {
  format: typeof SHARD_FORMAT;
  version: typeof FILE_VERSION;
  job: InitiatorEntropyJob;
  shard: ShardSpec;
  first: number;
  terminals: TerminalRecords[];
  rounds?: { first: number; samples: RoundSampleRecords[] };
}

/** One finished batch of a checkpointed run. */
export interface EntropyBatch {
  format: typeof BATCH_FORMAT;
  version: typeof FILE_VERSION;
  first: number;
  terminals: TerminalRecords[];
}

/** What a checkpoint directory's job.json holds: the job, the shard if any, the batch size. */
export interface EntropyCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof FILE_VERSION;
  job: InitiatorEntropyJob;
  shard?: ShardSpec;
  batchTerminals: number;
}

/** Every terminal of a hops × T table as records; `ids[k]` names terminal k. */
export function tableRecords(table: EntropyTable, ids: readonly string[]): TerminalRecords[] {
  const T = table.terminals;
  const column = (values: ArrayLike<number>, k: number) => Array.from({ length: table.hops }, (_, t) => values[t * T + k]);
  return ids.map((id, k) => {
    const records: TerminalRecords = {
      id,
      shannon: column(table.shannon, k),
      minEntropy: column(table.minEntropy, k),
      log2Mass: column(table.log2Mass, k),
      reached: column(table.reached, k),
    };
    if (table.guessing) records.guessing = column(table.guessing, k);
    return records;
  });
}

/** Write records into a table's terminals offset .. offset + records.length - 1. */
export function recordsIntoTable(table: EntropyTable, offset: number, records: readonly TerminalRecords[]): void {
  const T = table.terminals;
  records.forEach((r, i) => {
    for (let t = 0; t < table.hops; t++) {
      const at = t * T + offset + i;
      table.shannon[at] = r.shannon[t];
      table.minEntropy[at] = r.minEntropy[t];
      table.log2Mass[at] = r.log2Mass[t];
      table.reached[at] = r.reached[t];
      if (table.guessing) table.guessing[at] = r.guessing![t];
    }
  });
}

/** The table of these records, in order. */
export function recordsTable(records: readonly TerminalRecords[], hops: number, guessing: boolean): EntropyTable {
  const table = createEntropyTable(hops, records.length);
  if (guessing) table.guessing = new Float64Array(hops * records.length);
  recordsIntoTable(table, 0, records);
  return table;
}

/** A shard, a batch or a checkpoint's job as JSON text (one line per terminal). */
export function entropyFileJson(file: EntropyShard | EntropyBatch | EntropyCheckpoint): string {
  if (!('terminals' in file)) return `${JSON.stringify(file, null, 2)}\n`;
  const { terminals, ...rest } = file;
  const { rounds, ...head } = rest as typeof rest & Pick<EntropyShard, 'rounds'>;
  const headText = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  const roundsText = rounds ? `,\n  "rounds": {\n    "first": ${rounds.first},\n    "samples": ${listLines(rounds.samples, '    ')}\n  }` : '';
  return `${headText},\n  "terminals": ${listLines(terminals, '  ')}${roundsText}\n}\n`;
}

/** A JSON array of records, one per line, every float64 written so that it round-trips. */
function listLines(records: readonly object[], indent: string): string {
  const lines = records.map((r) => JSON.stringify(r, (_key, value) => (typeof value === 'number' ? encodeNumber(value) : value)));
  return lines.length === 0 ? '[]' : `[\n${indent}  ${lines.join(`,\n${indent}  `)}\n${indent}]`;
}

/** Reads one of the three files, checking its format, version and fields; errors name `file`. */
export class EntropyFileReader {
  constructor(private readonly file: string) {}

  private fail(problem: string): never {
    throw new FormatError(this.file, undefined, problem);
  }

  private parse(text: string, format: string): Record<string, unknown> {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new FormatError(this.file, undefined, `not JSON (${(error as Error).message}); expected an ${format} file`, { cause: error });
    }
    const object = value as Record<string, unknown>;
    if (typeof object !== 'object' || object === null || object.format !== format) {
      const found = typeof object === 'object' && object !== null && 'format' in object ? `its format is ${JSON.stringify(object.format)}` : 'it has no "format" field';
      this.fail(`not an ${format} file (${found})`);
    }
    if (object.version !== FILE_VERSION) this.fail(`${format} version ${JSON.stringify(object.version)}; this anonscope reads version ${FILE_VERSION}`);
    return object;
  }

  shard(text: string): EntropyShard {
    const o = this.parse(text, SHARD_FORMAT);
    const job = this.job(o.job);
    const shard = this.shardSpec(o.shard);
    const read: EntropyShard = { format: SHARD_FORMAT, version: FILE_VERSION, job, shard, first: this.count(o.first, 'first'), terminals: this.records(o.terminals, job) };
    if (job.rounds) read.rounds = this.roundSamples(o.rounds, job.rounds.count);
    return read;
  }

  batch(text: string, job: InitiatorEntropyJob): EntropyBatch {
    const o = this.parse(text, BATCH_FORMAT);
    return { format: BATCH_FORMAT, version: FILE_VERSION, first: this.count(o.first, 'first'), terminals: this.records(o.terminals, job) };
  }

  checkpoint(text: string): EntropyCheckpoint {
    const o = this.parse(text, CHECKPOINT_FORMAT);
    const checkpoint: EntropyCheckpoint = { format: CHECKPOINT_FORMAT, version: FILE_VERSION, job: this.job(o.job), batchTerminals: this.count(o.batchTerminals, 'batchTerminals') };
    if (o.shard !== undefined) checkpoint.shard = this.shardSpec(o.shard);
    return checkpoint;
  }

  private count(value: unknown, field: string): number {
    if (!Number.isSafeInteger(value) || (value as number) < 0) this.fail(`"${field}" must be an integer >= 0, got ${JSON.stringify(value)}`);
    return value as number;
  }

  private shardSpec(value: unknown): ShardSpec {
    const spec = value as ShardSpec;
    if (typeof spec !== 'object' || spec === null) this.fail('no "shard" object');
    try {
      checkShardSpec(spec, 'shard');
    } catch (error) {
      throw new FormatError(this.file, undefined, (error as Error).message, { cause: error });
    }
    return { index: spec.index, count: spec.count };
  }

  /** The fields a merge reads; the rest is compared between shards as it stands. */
  private job(value: unknown): InitiatorEntropyJob {
    const job = value as InitiatorEntropyJob;
    if (typeof job !== 'object' || job === null) this.fail('no "job" object');
    if (!Number.isSafeInteger(job.hops) || job.hops < 1) this.fail(`job.hops must be an integer >= 1, got ${JSON.stringify(job.hops)}`);
    if (!Number.isSafeInteger(job.cdfHop) || job.cdfHop < 1 || job.cdfHop > job.hops) this.fail(`job.cdfHop must be an integer in 1..${job.hops}, got ${JSON.stringify(job.cdfHop)}`);
    if (!Number.isSafeInteger(job.graph?.nodes)) this.fail('job.graph.nodes is missing');
    if (!Number.isSafeInteger(job.terminals?.count)) this.fail('job.terminals.count is missing');
    if (typeof job.checksums?.graph !== 'string') this.fail('job.checksums.graph is missing');
    if (typeof job.backend?.name !== 'string') this.fail('job.backend.name is missing');
    if (job.rounds !== undefined) {
      const { count, samples, seed } = job.rounds ?? {};
      if (![count, samples, seed].every((v) => Number.isSafeInteger(v) && v >= 0) || count < 1) {
        this.fail(`job.rounds must be { count >= 1, samples, seed } (integers), got ${JSON.stringify(job.rounds)}`);
      }
    }
    return job;
  }

  /** The rounds of a job with rounds: the shard's first sampled initiator and each sample's entropies after 1..rounds rounds. */
  private roundSamples(value: unknown, rounds: number): NonNullable<EntropyShard['rounds']> {
    const o = value as Record<string, unknown>;
    if (typeof o !== 'object' || o === null) this.fail('no "rounds" object, but the job has rounds');
    if (!Array.isArray(o.samples)) this.fail('no "rounds.samples" array');
    const samples = o.samples.map((r: Record<string, unknown>, g) => {
      const numbers = (field: string): number[] => {
        const list = r?.[field];
        if (!Array.isArray(list) || list.length !== rounds) this.fail(`rounds.samples[${g}].${field} must be an array of ${rounds} values (one per round)`);
        return list.map((v, k) => this.decodeNumber(v, `rounds.samples[${g}].${field}[${k}]`));
      };
      return { shannon: numbers('shannon'), minEntropy: numbers('minEntropy') };
    });
    return { first: this.count(o.first, 'rounds.first'), samples };
  }

  private records(value: unknown, job: InitiatorEntropyJob): TerminalRecords[] {
    if (!Array.isArray(value)) this.fail('no "terminals" array');
    return value.map((r: Record<string, unknown>, k) => {
      const where = `terminals[${k}]`;
      if (typeof r !== 'object' || r === null || typeof r.id !== 'string') this.fail(`${where} has no string "id"`);
      const numbers = (field: string): number[] => {
        const list = r[field];
        if (!Array.isArray(list) || list.length !== job.hops) this.fail(`${where}.${field} must be an array of ${job.hops} values (one per hop)`);
        return list.map((v, t) => this.decodeNumber(v, `${where}.${field}[${t}]`));
      };
      const records: TerminalRecords = { id: r.id, shannon: numbers('shannon'), minEntropy: numbers('minEntropy'), log2Mass: numbers('log2Mass'), reached: numbers('reached') };
      if (job.guessing) records.guessing = numbers('guessing');
      return records;
    });
  }

  private decodeNumber(v: unknown, where: string): number {
    return decodeNumber(v) ?? this.fail(`${where} is ${JSON.stringify(v)}, not a number (or null, "Infinity", "-Infinity", "-0")`);
  }
}
