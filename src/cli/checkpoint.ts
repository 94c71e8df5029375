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
