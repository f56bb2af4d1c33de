/**
 * Single-run webhooks (worker/contract/run-webhook.ts): wraps the run processor so that a job
 * marked `webhook: true` enqueues its `run.finished` delivery once it is over, after its result
 * or after its final failure (as INTERNAL_ERROR with the code). The delivery id is stable per
 * run, so a re-run of the same job enqueues no second delivery.
 */
import type { Logger } from 'pino';
import type { SingleRunFinishedEvent } from '../contract/batch.js';
import type { RunResult } from '../contract/result.js';
import { failureCodeOf } from '../contract/failure.js';
import { isFinalFailure, summarizeRun, type WebhookOutbox } from '../judge/batch-ledger.js';
import type { RunProcessor } from '../processor.js';

function singleRunEvent(runId: string, result: RunResult): SingleRunFinishedEvent {
  const { externalId: _externalId, ...summary } = summarizeRun(result, '', new Date().toISOString());
  return { event: 'run.finished', ...summary, runId };
}

export function withRunWebhook(processor: RunProcessor, outbox: WebhookOutbox, log: Logger): RunProcessor {
  return async (job, token, signal) => {
    const data = job.data as { webhook?: unknown; runId?: unknown } | null;
    const runId = typeof data?.runId === 'string' ? data.runId : String(job.id);
    if (data?.webhook !== true) return processor(job, token, signal);
    const enqueue = (event: SingleRunFinishedEvent): Promise<void> => outbox({ runId, event }, `run.finished-${runId}`);
    let result: RunResult;
    try {
      result = await processor(job, token, signal);
    } catch (err) {
      if (isFinalFailure(job, err)) {
        const event: SingleRunFinishedEvent = { event: 'run.finished', runId, status: 'INTERNAL_ERROR', errorCode: failureCodeOf(err), finishedAt: new Date().toISOString() };
        await enqueue(event).catch((outboxErr: unknown) => log.error({ err: outboxErr, runId }, 'could not enqueue the webhook of a failed run'));
      }
      throw err;
    }
    // An outbox failure fails the attempt: the retry runs the program again and enqueues then.
    await enqueue(singleRunEvent(runId, result));
    return result;
  };
}
