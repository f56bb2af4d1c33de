/**
 * Webhook deliveries against a real Redis and loopback receivers: a redirect is never followed (and
 * not retried), a host outside SBX_WEBHOOK_ALLOW_HOSTS is never contacted, a batch without a
 * secret gets unsigned deliveries, and with no allowed hosts nothing but public addresses is
 * contacted (SSRF), even through a name that resolves to loopback.
 */
import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchKeys } from '../../worker/contract/batch.js';
import { redisOptionsFromUrl } from '../../worker/redis-options.js';
import { startWebhookService, type WebhookService } from '../../worker/webhooks/webhook-service.js';
import { eventually } from '../helpers/service-client.js';
import { startRedis, uniqueQueueName, type TestRedis } from '../helpers/redis.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

let redis: TestRedis;
let client: Redis;
let service: WebhookService;
let receiver: WebhookReceiver;
let redirector: Server;
let redirectorHits = 0;
let redirectorUrl = '';

const event = (batchId: string) => ({ batchId, event: { event: 'batch.finished' as const, batchId, total: 1, done: 1, counts: { OK: 1 }, finishedAt: 't' } });

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  receiver = await startWebhookReceiver();
  redirector = createServer((_request, response) => {
    redirectorHits++;
    response.writeHead(302, { location: receiver.url }).end();
  });
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
  const address = redirector.address();
  redirectorUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;
  const config = { queueName: uniqueQueueName(), concurrency: 2, attempts: 3, backoffMs: 50, timeoutMs: 2000, allowHosts: ['127.0.0.1'], allowPrivate: false };
  service = await startWebhookService({ config, retentionS: 60, redisOptions: redisOptionsFromUrl(redis.url), redis: client, log: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await service?.close();
  client?.disconnect();
  await receiver?.close();
  redirector?.close();
  await redis?.stop();
});

describe('webhook delivery', () => {
  it('never follows a redirect and does not retry it', async () => {
    await client.hset(batchKeys('redirect').meta, { webhookUrl: redirectorUrl, webhookSecret: 's' });
    await service.outbox(event('redirect'), 'd-redirect');
    await eventually('the redirector was called', async () => redirectorHits >= 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(redirectorHits).toBe(1);
    expect(receiver.deliveries).toHaveLength(0);
  });

  it('never contacts a host outside the allow-list, even when the batch names one', async () => {
    await client.hset(batchKeys('elsewhere').meta, { webhookUrl: receiver.url.replace('127.0.0.1', 'localhost') });
    await service.outbox(event('elsewhere'), 'd-elsewhere');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.deliveries).toHaveLength(0);
  });

  it('delivers unsigned JSON with event, delivery and timestamp headers when the batch has no secret', async () => {
    await client.hset(batchKeys('plain').meta, { webhookUrl: receiver.url });
    await service.outbox(event('plain'), 'd-plain');
    await service.outbox(event('plain'), 'd-plain');
    await eventually('delivered', async () => receiver.deliveries.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.deliveries).toHaveLength(1);
    const [delivery] = receiver.deliveries;
    expect(delivery?.headers['x-bulkhead-signature']).toBeUndefined();
    expect(delivery?.headers).toMatchObject({ 'content-type': 'application/json', 'x-bulkhead-event': 'batch.finished', 'x-bulkhead-delivery': 'd-plain' });
    expect(Number(delivery?.headers['x-bulkhead-timestamp'])).toBeGreaterThan(1_600_000_000);
    expect(JSON.parse(delivery?.body ?? '')).toMatchObject({ event: 'batch.finished', batchId: 'plain' });
  });
});

/** A name (not `localhost`) this machine resolves to loopback or a private address only, if any. */
async function privateName(): Promise<string | undefined> {
  for (const name of [hostname(), 'ip6-localhost']) {
    const addresses = await lookup(name, { all: true }).catch(() => []);
    const isPrivate = (a: string) => /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$|f[cd])/.test(a);
    if (addresses.length > 0 && addresses.every((a) => isPrivate(a.address))) return name;
  }
  return undefined;
}

const PRIVATE_NAME = await privateName();

describe('webhook delivery with no allowed hosts (public addresses only)', () => {
  let publicOnly: WebhookService;
  let outbox: Queue;
  let outboxClient: Redis;
  beforeAll(async () => {
    const config = { queueName: uniqueQueueName(), concurrency: 2, attempts: 3, backoffMs: 50, timeoutMs: 2000, allowHosts: [], allowPrivate: false };
    publicOnly = await startWebhookService({ config, retentionS: 60, redisOptions: redisOptionsFromUrl(redis.url), redis: client, log: pino({ level: 'silent' }) });
    outboxClient = new Redis(redis.url, { maxRetriesPerRequest: null });
    outbox = new Queue(config.queueName, { connection: outboxClient });
  });
  afterAll(async () => {
    await publicOnly?.close();
    await outbox?.close();
    outboxClient?.disconnect();
  });

  /** Waits until the delivery has failed for good and returns why. */
  async function failedReason(deliveryId: string): Promise<{ reason: string; attempts: number }> {
    await eventually(`${deliveryId} failed`, async () => (await outbox.getJobState(deliveryId)) === 'failed');
    // Read after the state: a job read before it failed would carry no reason yet.
    const job = await outbox.getJob(deliveryId);
    return { reason: job?.failedReason ?? '', attempts: job?.attemptsMade ?? 0 };
  }

  it('refuses a loopback IP literal and localhost without a connection or a retry', async () => {
    const before = receiver.deliveries.length;
    await client.hset(batchKeys('literal').meta, { webhookUrl: receiver.url });
    await client.hset(batchKeys('named').meta, { webhookUrl: receiver.url.replace('127.0.0.1', 'localhost') });
    await publicOnly.outbox(event('literal'), 'p-literal');
    await publicOnly.outbox(event('named'), 'p-named');
    for (const id of ['p-literal', 'p-named']) {
      const failed = await failedReason(id);
      expect(failed.reason).toMatch(/^SBX_ERR_WEBHOOK_URL: host .* is not a public address/);
      expect(failed.attempts).toBe(1);
    }
    expect(receiver.deliveries.length).toBe(before);
  });

  it.skipIf(PRIVATE_NAME === undefined)(
    `refuses a host name that resolves to a private address, checked when connecting${PRIVATE_NAME === undefined ? ' (skipped: no name on this machine resolves to a private address only)' : ''}`,
    async () => {
      const before = receiver.deliveries.length;
      await client.hset(batchKeys('rebound').meta, { webhookUrl: receiver.url.replace('127.0.0.1', PRIVATE_NAME ?? '') });
      await publicOnly.outbox(event('rebound'), 'p-rebound');
      const failed = await failedReason('p-rebound');
      expect(failed.reason).toMatch(/^SBX_ERR_WEBHOOK_URL: .* resolves to .*, not a public address/);
      expect(failed.attempts).toBe(1);
      expect(receiver.deliveries.length).toBe(before);
    },
  );
});
