import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InitiatorEntropyCheckpoint } from '../analyses/initiator-entropy.js';
import {
  BATCH_FORMAT,
  CHECKPOINT_FORMAT,
  EntropyFileReader,
  entropyFileJson,
  FILE_VERSION,
  type EntropyCheckpoint,
  type InitiatorEntropyJob,
  type TerminalRecords,
} from '../analyses/initiator-entropy-shards.js';
import { readShardFile, shardFileJson, type ShardFile } from '../analyses/shard-file.js';
import { describeDifferences, shardRange, type ShardSpec } from '../analyses/shards.js';
import { FormatError, InputError, ParameterError } from '../errors.js';
import { fileErrorReason, prepareOutputDirectory, writeFileAtomically } from './args.js';

/**
 * --checkpoint DIR: DIR/job.json says which job the directory belongs to, and each finished
 * batch of terminals is DIR/batch-<first>.json, <first> its first terminal's index in the
 * job's list. Both are written under a temporary name and renamed, so a crash or a
 * pre-emption leaves whole files only; --resume takes the batches found and computes the rest.
 */

export const DEFAULT_CHECKPOINT_BATCH = 64;

const JOB_FILE = 'job.json';
const BATCH_FILE = /^batch-(\d+)\.json$/;

export interface CheckpointSettings {
  dir: string;
  resume: boolean;
  batchTerminals: number;
}

/** Before any work: the directory exists and is writable, and without --resume holds no checkpoint. */
export async function prepareCheckpointDirectory({ dir, resume }: CheckpointSettings): Promise<void> {
  await prepareOutputDirectory(dir).catch((error) => {
    throw new InputError(`--checkpoint ${dir}: ${(error as Error).message.replace(/^--out \S+: /, '')}`, { cause: error });
  });
  if (resume) return;
  const held = (await listDirectory(dir)).filter((name) => name === JOB_FILE || BATCH_FILE.test(name));
  if (held.length > 0) {
    throw new ParameterError(`--checkpoint ${dir} already holds a checkpoint (${held.slice(0, 3).join(', ')}${held.length > 3 ? ', …' : ''}): pass --resume to continue it, or choose an empty directory`);
  }
}

/** The analysis's checkpoint: job.json checked or written when the job is known, a file per finished batch. */
export function checkpointOption(settings: CheckpointSettings, shard: ShardSpec | undefined, log: (line: string) => void): InitiatorEntropyCheckpoint {
  const { dir, batchTerminals } = settings;
  return {
    batchTerminals,
    start: async (job) => {
      const checkpoint: EntropyCheckpoint = { format: CHECKPOINT_FORMAT, version: FILE_VERSION, job, ...(shard ? { shard } : {}), batchTerminals };
      const [from, to] = shard ? shardRange(job.terminals.count, shard) : [0, job.terminals.count];
      const batches = Math.ceil((to - from) / batchTerminals);
      const stored = settings.resume ? await readStoredJob(dir) : undefined;
      if (!stored) {
        await writeFileAtomically(join(dir, JOB_FILE), entropyFileJson(checkpoint));
        if (settings.resume) log(`checkpoint ${dir}: nothing to resume (no ${JOB_FILE}); starting the job (${batches} batches of up to ${batchTerminals} terminals)`);
        return new Map();
      }
      const differences = describeDifferences(stored, checkpoint, ['the checkpoint', 'this run']);
      if (differences) {
        throw new ParameterError(`--resume: ${join(dir, JOB_FILE)} is the checkpoint of another job; it differs in ${differences}`);
      }
      const finished = await readBatches(dir, job);
      log(`checkpoint ${dir}: ${finished.size} of ${batches} batches taken from the checkpoint, ${batches - finished.size} to compute`);
      return finished;
    },
    onBatch: (first, terminals) => writeFileAtomically(join(dir, `batch-${first}.json`), entropyFileJson({ format: BATCH_FORMAT, version: FILE_VERSION, first, terminals })),
  };
}

async function readStoredJob(dir: string): Promise<EntropyCheckpoint | undefined> {
  const file = join(dir, JOB_FILE);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new InputError(`${file}: cannot read this file (${fileErrorReason(error)})`, { cause: error });
  });
  return text === undefined ? undefined : new EntropyFileReader(file).checkpoint(text);
}

/** Every DIR/batch-<first>.json, by <first>; the file's own `first` must agree with its name. */
async function readBatches(dir: string, job: InitiatorEntropyJob): Promise<Map<number, TerminalRecords[]>> {
  const batches = new Map<number, TerminalRecords[]>();
  for (const name of await listDirectory(dir)) {
    const named = BATCH_FILE.exec(name);
    if (!named) continue;
    const file = join(dir, name);
    const text = await readFile(file, 'utf8').catch((error) => {
      throw new InputError(`${file}: cannot read this file (${fileErrorReason(error)})`, { cause: error });
    });
    const batch = new EntropyFileReader(file).batch(text, job);
    if (batch.first !== Number(named[1])) throw new FormatError(file, undefined, `holds the batch from terminal ${batch.first}, not ${named[1]} as its name says`);
    batches.set(batch.first, batch.terminals);
  }
  return batches;
}

async function listDirectory(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    throw new InputError(`--checkpoint ${dir}: cannot list this directory (${fileErrorReason(error)})`, { cause: error });
  }
}

// ---------------------------------------------------------------------------------------
// The checkpoints of the other analyses: DIR/job.json holds the job, each finished batch is
// DIR/batch-<index>.json, a shard file (see analyses/shard-file.ts) of kind `<kind>-batch`.

export const ANALYSIS_CHECKPOINT_FORMAT = 'anonscope-checkpoint';

/** What job.json holds: which analysis, its job, the shard if any. */
export interface AnalysisCheckpoint {
  format: typeof ANALYSIS_CHECKPOINT_FORMAT;
  version: typeof FILE_VERSION;
  kind: string;
  job: unknown;
  shard?: ShardSpec;
}

/**
 * Before the first batch: job.json written (a fresh checkpoint) or checked against this run
 * (--resume); the finished batches by index.
 */
export async function startAnalysisCheckpoint(settings: CheckpointSettings, head: Omit<AnalysisCheckpoint, 'format' | 'version'>, batches: number, log: (line: string) => void): Promise<Map<number, ShardFile>> {
  const { dir } = settings;
  const file = join(dir, JOB_FILE);
  const checkpoint: AnalysisCheckpoint = { format: ANALYSIS_CHECKPOINT_FORMAT, version: FILE_VERSION, ...head };
  const text = settings.resume ? await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new InputError(`${file}: cannot read this file (${fileErrorReason(error)})`, { cause: error });
  }) : undefined;
  if (text === undefined) {
    await writeFileAtomically(file, `${JSON.stringify(checkpoint, null, 2)}\n`);
    if (settings.resume) log(`checkpoint ${dir}: nothing to resume (no ${JOB_FILE}); starting the job (${batches} batches)`);
    return new Map();
  }
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch (error) {
    throw new FormatError(file, undefined, `not JSON (${(error as Error).message}); expected an ${ANALYSIS_CHECKPOINT_FORMAT} file`, { cause: error });
  }
  const differences = describeDifferences(stored, checkpoint, ['the checkpoint', 'this run']);
  if (differences) throw new ParameterError(`--resume: ${file} is the checkpoint of another job; it differs in ${differences}`);
  const finished = new Map<number, ShardFile>();
  for (const name of await listDirectory(dir)) {
    const named = BATCH_FILE.exec(name);
    if (!named) continue;
    const batchFile = join(dir, name);
    const bytes = await readFile(batchFile).catch((error) => {
      throw new InputError(`${batchFile}: cannot read this file (${fileErrorReason(error)})`, { cause: error });
    });
    const batch = readShardFile(bytes, batchFile);
    if (batch.kind !== `${head.kind}-batch` || batch.job.batch !== Number(named[1])) {
      throw new FormatError(batchFile, undefined, `is not batch ${named[1]} of a ${head.kind} checkpoint (its kind is ${JSON.stringify(batch.kind)}, its batch ${JSON.stringify(batch.job.batch)})`);
    }
    finished.set(Number(named[1]), batch);
  }
  log(`checkpoint ${dir}: ${finished.size} of ${batches} batches taken from the checkpoint, ${batches - finished.size} to compute`);
  return finished;
}

/** A finished batch, as DIR/batch-<index>.json. */
export function writeAnalysisBatch(dir: string, file: ShardFile): Promise<void> {
  return writeFileAtomically(join(dir, `batch-${file.job.batch}.json`), shardFileJson(file));
}
