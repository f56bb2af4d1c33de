/**
 * Single-run webhooks (worker/contract/run-webhook.ts): wraps the run processor so that a job
 * marked `webhook: true` enqueues its `run.finished` delivery once it is over, after its result
 * or after its final failure (as INTERNAL_ERROR with the code); `enqueueFailedRunWebhook` covers a
 * run failed where no processor runs. The delivery id is stable per run, so a re-run of the same
 * job, or both paths for one failure, enqueue no second delivery.
 */
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SingleRunFinishedEvent } from '../contract/batch.js';
import type { RunResult } from '../contract/result.js';
import { runWebhookKey } from '../contract/run-webhook.js';
import { failureCodeOf } from '../contract/failure.js';
import { failedForGood, isFinalFailure, summarizeRun, type WebhookOutbox } from '../judge/batch-ledger.js';
import type { RunProcessor } from '../processor.js';

function singleRunEvent(runId: string, result: RunResult): SingleRunFinishedEvent {
  const { externalId: _externalId, ...summary } = summarizeRun(result, '', new Date().toISOString());
  return { event: 'run.finished', ...summary, runId };
}

/** The run's id and whether it asked for a webhook, read defensively (the payload may be malformed). */
function webhookRun(job: Job): { runId: string; webhook: boolean } {
  const data = job.data as { webhook?: unknown; runId?: unknown } | null;
  return { runId: typeof data?.runId === 'string' ? data.runId : String(job.id), webhook: data?.webhook === true };
}

/** Enqueues the `run.finished` of a run that failed for good; logs, never throws (the failure stands either way). */
async function enqueueFailure(outbox: WebhookOutbox, runId: string, err: unknown, log: Logger): Promise<void> {
  const event: SingleRunFinishedEvent = { event: 'run.finished', runId, status: 'INTERNAL_ERROR', errorCode: failureCodeOf(err), finishedAt: new Date().toISOString() };
  await outbox({ runId, event }, deliveryIdOf(runId)).catch((outboxErr: unknown) => log.error({ err: outboxErr, runId }, 'could not enqueue the webhook of a failed run'));
}

const deliveryIdOf = (runId: string): string => `run.finished-${runId}`;

/** Sets the TTL of a run's webhook target; false when the target is gone. */
export type KeepRunWebhook = (runId: string) => Promise<boolean>;

/** Over Redis: the target lasts `ttlS` from now (the run and the delivery's retries). */
export function keepRunWebhookFor(redis: Redis, ttlS: number): KeepRunWebhook {
  return async (runId) => (await redis.expire(runWebhookKey(runId), ttlS)) === 1;
}

export function withRunWebhook(processor: RunProcessor, outbox: WebhookOutbox, keep: KeepRunWebhook, log: Logger): RunProcessor {
  return async (job, token, signal) => {
    const { runId, webhook } = webhookRun(job);
    if (!webhook) return processor(job, token, signal);
    // A failed refresh only shortens the target's life to the API's own TTL: the run goes on.
    const kept = await keep(runId).catch((err: unknown) => {
      log.warn({ err, runId }, 'could not refresh the webhook target of a run');
      return true;
    });
    if (!kept) log.warn({ runId }, 'the webhook target of a run expired before it started: no run.finished will be delivered');
    let result: RunResult;
    try {
      result = await processor(job, token, signal);
    } catch (err) {
      if (isFinalFailure(job, err)) await enqueueFailure(outbox, runId, err, log);
      throw err;
    }
    // An outbox failure fails the attempt: the retry runs the program again and enqueues then.
    await outbox({ runId, event: singleRunEvent(runId, result) }, deliveryIdOf(runId));
    return result;
  };
}

/**
 * For the Worker's `failed` event: a webhook run that stalled more than SBX_MAX_STALLED_COUNT
 * times is failed by BullMQ when a worker next takes it, before any processor runs; without this
 * its client would never hear of it. Runs the processor already reported are not sent twice.
 */
export function enqueueFailedRunWebhook(outbox: WebhookOutbox, log: Logger): (job: Job | undefined, err: Error) => void {
  return (job, err) => {
    if (job === undefined || !failedForGood(job, err)) return;
    const { runId, webhook } = webhookRun(job);
    if (webhook) void enqueueFailure(outbox, runId, err, log);
  };
}
