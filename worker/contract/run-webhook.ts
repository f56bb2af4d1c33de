/**
 * Webhooks of single runs (POST /run or a WebSocket `start` with `webhook`). The API keeps the URL
 * and secret in `runWebhookKey(runId)` (a hash: `url`, `secret`; the result TTL), never in the
 * job, and marks the job `webhook: true`; the worker that finishes the run (its result, or its
 * final failure) enqueues one `run.finished` delivery, signed, retried and address-checked as
 * batch deliveries are (worker/webhooks/webhook-service.ts).
 */
export const RUN_WEBHOOK_KEY_PREFIX = 'bulkhead:run-webhook:';

export function runWebhookKey(runId: string): string {
  return `${RUN_WEBHOOK_KEY_PREFIX}${runId}`;
}
