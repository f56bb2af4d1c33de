/**
 * What a BullMQ job means to a caller of the API: its RunState and, once done, its RunResult or
 * the stable code of the failure (decoded by worker/contract/failure.ts). Pure reading of a job already fetched; no Redis here.
 */
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { Compile } from 'typebox/compile';
import { decodeFailure } from '../../worker/contract/failure.js';
import type { SubmissionJob } from '../../worker/contract/job.js';
import { RunResultSchema, type RunResult } from '../../worker/contract/result.js';
import type { RunSnapshot, RunState } from '../plugins/submission-queue.js';

const STATE_OF: Readonly<Record<string, RunState>> = {
  waiting: 'queued',
  prioritized: 'queued',
  delayed: 'queued',
  'waiting-children': 'queued',
  active: 'running',
  completed: 'done',
  failed: 'done',
};

/** The RunState of a BullMQ job state; undefined for `unknown` (no such job) or anything else. */
export function runStateOf(bullmqState: string): RunState | undefined {
  return STATE_OF[bullmqState];
}

let runResultValidator: { Check(value: unknown): boolean } | undefined;

/** True when `value` is a RunResult (the validator is compiled once, on first use). */
export function isRunResult(value: unknown): value is RunResult {
  runResultValidator ??= Compile(RunResultSchema);
  return runResultValidator.Check(value);
}

/**
 * The snapshot of a job in `state`. A done job carries its RunResult, or the code it failed
 * with; a completed job without a valid RunResult is logged and reads as SBX_ERR_INTERNAL (never
 * a silent wrong answer).
 */
export function snapshotOf(job: Job<SubmissionJob>, state: RunState, log: Pick<Logger, 'error'>): RunSnapshot {
  const snapshot: RunSnapshot = { state, language: job.data.language, job: job.data };
  if (job.data.version !== undefined) snapshot.version = job.data.version;
  if (state !== 'done') return snapshot;
  // The result first: BullMQ keeps the failedReason of an attempt that was retried when a later
  // attempt completes, so a job with both finished well (a failed job never has a returnvalue).
  if (isRunResult(job.returnvalue)) {
    snapshot.result = job.returnvalue;
  } else if (job.finishedOn !== undefined && job.failedReason !== undefined && job.failedReason !== '') {
    snapshot.failedCode = decodeFailure(job.failedReason);
  } else {
    log.error({ runId: job.id }, 'completed job has no valid RunResult');
    snapshot.failedCode = 'SBX_ERR_INTERNAL';
  }
  return snapshot;
}
