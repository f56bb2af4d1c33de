/**
 * Batch accounting in the worker: when a batch member's run ends (a RunResult, or a final failure
 * after all attempts), one atomic Redis script (worker/contract/batch-state.ts, the one writer of a
 * batch's state) records its summary and bumps the batch counters;
 * the worker then enqueues the `run.finished` webhook and, once the last member is counted, the
 * `batch.finished` one. Keys and fields are described in worker/contract/batch.ts.
 *
 * Idempotent: the summary is written with HSETNX, and only a fresh write counts, so a job that is
 * run again (retry after a Redis error, stalled recovery) is never counted twice. A run that is no
 * longer a member (its batch was re-judged meanwhile, or expired) is ignored. Webhook jobs use a
 * deterministic id per event, so enqueueing again after a crash sends nothing twice.
 */
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { batchKeys, type BatchFinishedEvent, type BatchRunSummary, type WebhookJob } from '../contract/batch.js';
import { countsOf, recordReplyOf, recordRunCall } from '../contract/batch-state.js';
import type { RunResult } from '../contract/result.js';
import { failureCodeOf } from '../contract/failure.js';
import type { RunProcessor } from '../processor.js';

/** Enqueues one webhook delivery under a stable delivery id (duplicates are dropped). */
export type WebhookOutbox = (job: WebhookJob, deliveryId: string) => Promise<void>;

/** What the batch keeps of a finished run (pure). `score` sums the tests' checker scores. */
export function summarizeRun(result: RunResult, externalId: string, finishedAt: string): BatchRunSummary {
  const summary: BatchRunSummary = { externalId, runId: result.id, status: result.status, finishedAt };
  if (result.passed !== undefined) summary.passed = result.passed;
  if (result.total !== undefined) summary.total = result.total;
  const scores = (result.tests ?? []).flatMap((t) => (t.score === undefined ? [] : [t.score]));
  if (scores.length > 0) summary.score = scores.reduce((sum, s) => sum + s, 0);
  if (result.errorCode !== undefined) summary.errorCode = result.errorCode;
  return summary;
}

export interface BatchLedger {
  /** Records one member's end; a no-op for a run that is not a current member. */
  record(batchId: string, summary: BatchRunSummary): Promise<void>;
}

/** The ledger over `redis`, enqueueing webhooks through `outbox`. */
export function createBatchLedger(redis: Redis, outbox: WebhookOutbox): BatchLedger {
  return {
    async record(batchId, summary) {
      const now = new Date().toISOString();
      const call = recordRunCall(batchId, summary, now);
      const reply = recordReplyOf(await redis.eval(call.script, call.keys.length, ...call.keys, ...call.args));
      if (!reply.member || !reply.hasWebhook) return;
      const { done, total, generation, counted } = reply;
      await outbox({ batchId, event: { event: 'run.finished', batchId, ...counted } }, `run.finished-${summary.runId}`);
      if (done !== total) return;
      const meta = await redis.hgetall(batchKeys(batchId).meta);
      const event: BatchFinishedEvent = { event: 'batch.finished', batchId, total, done, counts: countsOf(meta), finishedAt: meta.finishedAt ?? now };
      await outbox({ batchId, event }, `batch.finished-${batchId}-${generation}`);
    },
  };
}

/** True when this failure ends the job for good (no attempt left, or not retryable). */
export function isFinalFailure(job: Job, err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'WaitingError') return false;
  if (name === 'UnrecoverableError') return true;
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** The batch fields of a job's payload, read defensively (the payload may be malformed). */
function membership(job: Job): { batchId: string | undefined; externalId: string; runId: string } {
  const data = job.data as { batchId?: unknown; externalId?: unknown; runId?: unknown } | null;
  return {
    batchId: typeof data?.batchId === 'string' ? data.batchId : undefined,
    externalId: typeof data?.externalId === 'string' ? data.externalId : '',
    runId: typeof data?.runId === 'string' ? data.runId : String(job.id),
  };
}

/** Records a batch member's final failure as INTERNAL_ERROR with its code; logs, never throws. */
async function recordFailure(ledger: BatchLedger, job: Job, err: unknown, log: Logger): Promise<void> {
  const { batchId, externalId, runId } = membership(job);
  if (batchId === undefined) return;
  const summary: BatchRunSummary = { externalId, runId, status: 'INTERNAL_ERROR', errorCode: failureCodeOf(err), finishedAt: new Date().toISOString() };
  await ledger.record(batchId, summary).catch((recordErr: unknown) => log.error({ err: recordErr, batchId, runId }, 'could not record a failed batch run'));
}

/**
 * Wraps the run processor: batch members are recorded after their result (a recording error
 * fails the attempt, and the retry is idempotent) and after their final failure (as
 * INTERNAL_ERROR with the code, so a batch always reaches done = total).
 */
export function withBatchAccounting(processor: RunProcessor, ledger: BatchLedger, log: Logger): RunProcessor {
  return async (job, token, signal) => {
    const { batchId, externalId } = membership(job);
    let result: RunResult;
    try {
      result = await processor(job, token, signal);
    } catch (err) {
      if (isFinalFailure(job, err)) await recordFailure(ledger, job, err, log);
      throw err;
    }
    if (batchId !== undefined) await ledger.record(batchId, summarizeRun(result, externalId, new Date().toISOString()));
    return result;
  };
}

/**
 * For the Worker's `failed` event: records batch members that failed for good without the
 * processor seeing it. A run that stalled more than SBX_MAX_STALLED_COUNT times (its workers kept
 * dying) is failed by BullMQ when a worker next takes it, before any processor runs; without this
 * its batch would never reach done = total. Recording is idempotent, so a failure the processor
 * wrapper already recorded is not counted twice. BullMQ has already counted the attempt here.
 */
export function recordFailedMember(ledger: BatchLedger, log: Logger): (job: Job | undefined, err: Error) => void {
  return (job, err) => {
    if (job !== undefined && failedForGood(job, err)) void recordFailure(ledger, job, err, log);
  };
}

/** In the Worker's `failed` event (the attempt already counted): will BullMQ try the job again? */
export function failedForGood(job: Job, err: Error): boolean {
  return err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
}
