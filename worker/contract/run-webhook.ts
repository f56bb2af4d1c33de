/**
 * Webhooks of single runs (POST /run or a WebSocket `start` with `webhook`). The API keeps the URL
 * and secret in `runWebhookKey(runId)` (a hash: `url`, `secret`), never in the job, and marks the
 * job `webhook: true`. The key outlives any queue wait (the API gives it the batch TTL, at least
 * the result TTL), and the worker sets it to the result TTL when it starts the run, so it lasts
 * through the run and the delivery's retries and no longer. The worker that finishes the run (its result, or its
 * final failure) enqueues one `run.finished` delivery, signed, retried and address-checked as
 * batch deliveries are (worker/webhooks/webhook-service.ts).
 */
export const RUN_WEBHOOK_KEY_PREFIX = 'bulkhead:run-webhook:';

export function runWebhookKey(runId: string): string {
  return `${RUN_WEBHOOK_KEY_PREFIX}${runId}`;
}
