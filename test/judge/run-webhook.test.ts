/**
 * Webhooks of single runs (issue 15 item 6) through the real service: POST /run and a WebSocket
 * `start` with `webhook` get one signed `run.finished` delivery (retried after a failed attempt),
 * with the run's summary and no output; a URL outside the allowed hosts is refused at submission.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_DELIVERY_HEADER, WEBHOOK_EVENT_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from '../../worker/contract/batch.js';
import { runWebhookKey } from '../../worker/contract/run-webhook.js';
import { verifyWebhook } from '../../worker/webhooks/sign.js';
import { LiveSocket } from '../helpers/live-client.js';
import { eventually, postRun } from '../helpers/service-client.js';
import { serviceUnavailableReason, type TestService } from '../helpers/service.js';
import { serviceWithReceiverPerSuite, type WebhookReceiver } from './webhook-receiver.js';

const SECRET = 'single-run-secret';
let service: TestService;
let receiver: WebhookReceiver;

/** The accepted deliveries for `runId`, parsed. */
function deliveriesOf(runId: string): { body: Record<string, unknown>; headers: Record<string, unknown>; raw: string }[] {
  return receiver
    .accepted()
    .map((d) => ({ body: JSON.parse(d.body) as Record<string, unknown>, headers: d.headers as Record<string, unknown>, raw: d.body }))
    .filter((d) => d.body.runId === runId);
}

const skip = serviceUnavailableReason(['python']);
describe.skipIf(skip !== undefined)(`single-run webhooks${skip ? ` (skipped: ${skip})` : ''}`, () => {
  serviceWithReceiverPerSuite((made) => ({ service, receiver } = made));

  it('delivers a signed run.finished for POST /run, retried after a failed attempt, without output', async () => {
    const answer = await postRun(service.url, { language: 'python', source: 'print("secret output")', webhook: { url: receiver.url, secret: SECRET } });
    expect(answer.httpStatus).toBe(200);
    const runId = String(answer.body.id);
    await eventually('the webhook was delivered', async () => deliveriesOf(runId).length === 1);
    // The first attempt was answered 500: the accepted one is a retry with the same delivery id.
    expect(receiver.deliveries.filter((d) => d.body.includes(runId)).length).toBeGreaterThanOrEqual(2);
    const [d] = deliveriesOf(runId);
    expect(d?.body).toMatchObject({ event: 'run.finished', runId, status: 'OK', finishedAt: expect.any(String) });
    expect(d?.raw).not.toContain('secret output');
    expect(d?.headers[WEBHOOK_EVENT_HEADER]).toBe('run.finished');
    expect(d?.headers[WEBHOOK_DELIVERY_HEADER]).toBe(`run.finished-${runId}`);
    const timestamp = String(d?.headers[WEBHOOK_TIMESTAMP_HEADER]);
    expect(verifyWebhook(SECRET, timestamp, d?.raw ?? '', String(d?.headers[WEBHOOK_SIGNATURE_HEADER]))).toBe(true);
    expect(verifyWebhook('another-secret', timestamp, d?.raw ?? '', String(d?.headers[WEBHOOK_SIGNATURE_HEADER]))).toBe(false);
    // The API kept the target for a batch's TTL (a queued run may wait long); the worker cut it
    // to the result TTL when the run started.
    const redis = new Redis(service.redis.url);
    try {
      const ttl = await redis.ttl(runWebhookKey(runId));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(3600); // SBX_RESULT_TTL_S's default; the batch TTL is a week
    } finally {
      redis.disconnect();
    }
  });

  it('delivers run.finished for a WebSocket session started with a webhook', async () => {
    const socket = new LiveSocket(service.url);
    await socket.open();
    socket.send({ type: 'start', language: 'python', source: 'import sys\nsys.exit(3)', webhook: { url: receiver.url, secret: SECRET } });
    const accepted = await socket.next((m) => m.type === 'accepted');
    await socket.next((m) => m.type === 'result');
    const runId = String(accepted.id);
    await eventually('the webhook was delivered', async () => deliveriesOf(runId).length === 1);
    expect(deliveriesOf(runId)[0]?.body).toMatchObject({ event: 'run.finished', runId, status: 'RUNTIME_ERROR' });
  });

  it('refuses a webhook URL outside the allowed hosts at submission', async () => {
    const answer = await postRun(service.url, { language: 'python', source: 'print(1)', webhook: { url: 'http://10.1.2.3/hook' } });
    expect(answer.httpStatus).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'SBX_ERR_WEBHOOK_URL' } });
  });
});
