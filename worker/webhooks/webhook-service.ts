/**
 * Webhook deliveries, in the worker process: an outbox (a BullMQ Queue the batch ledger adds to)
 * and a small BullMQ Worker that POSTs each event as JSON.
 *
 * Each delivery reads the URL and secret at send time from the batch hash, or for a single run
 * from its webhook key (the secret is stored once, never in a job), re-checks the URL against `SBX_WEBHOOK_ALLOW_HOSTS`, signs
 * (./sign.ts) and POSTs with a timeout (./post.ts): with no allowed hosts, to public addresses
 * only, checked on the address actually connected to. 2xx = delivered. Any other answer, a
 * timeout or a network error fails the attempt and BullMQ retries with exponential backoff until
 * `attempts` run out; a refused URL or address fails it for good. Redirects are never followed (a
 * 3xx fails the delivery for good): following one would let a permitted host bounce us to an
 * internal address. The response body is never read.
 */
import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import {
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  batchKeys,
  webhookUrlProblem,
  type WebhookJob,
} from '../contract/batch.js';
import { encodeFailure } from '../contract/failure.js';
import { runWebhookKey } from '../contract/run-webhook.js';
import type { WorkerConfig } from '../config.js';
import type { WebhookOutbox } from '../judge/batch-ledger.js';
import { NonPublicAddressError, postWebhook } from './post.js';
import { signWebhook } from './sign.js';

export interface WebhookServiceDeps {
  config: Readonly<WorkerConfig['webhook']>;
  /** How long delivered and failed deliveries stay in Redis, seconds. */
  retentionS: number;
  redisOptions: RedisOptions;
  /** Plain command connection (batch reads). */
  redis: Redis;
  log: Logger;
}

export interface WebhookService {
  readonly outbox: WebhookOutbox;
  /** Stops the delivery worker (in-flight deliveries finish) and closes the outbox. Idempotent. */
  close(): Promise<void>;
}

/** Starts the delivery worker and returns the outbox. */
export async function startWebhookService(deps: WebhookServiceDeps): Promise<WebhookService> {
  const { config, log } = deps;
  const connection = { ...deps.redisOptions } as ConnectionOptions;
  const queue = new Queue<WebhookJob>(config.queueName, { connection });
  queue.on('error', (err) => log.warn({ err }, 'webhook queue error'));
  const worker = new Worker<WebhookJob>(config.queueName, (job) => deliver(job, deps), { connection, concurrency: config.concurrency });
  worker.on('error', (err) => log.warn({ err }, 'webhook worker error'));
  worker.on('failed', (job, err) => log.warn({ deliveryId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'webhook delivery failed'));
  await worker.waitUntilReady();

  const outbox: WebhookOutbox = async (data, deliveryId) => {
    await queue.add(data.event.event, data, {
      jobId: deliveryId,
      attempts: config.attempts,
      backoff: { type: 'exponential', delay: config.backoffMs },
      removeOnComplete: { age: deps.retentionS },
      removeOnFail: { age: deps.retentionS },
    });
  };
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= Promise.allSettled([worker.close(), queue.close()]).then((results) => {
      for (const r of results) if (r.status === 'rejected') log.warn({ err: r.reason as unknown }, 'webhook close step failed');
    }));
  return { outbox, close };
}

/** URL and secret of a delivery, read now (null when gone). */
async function targetOf(data: WebhookJob, redis: Redis): Promise<[string | null, string | null]> {
  if ('batchId' in data) return (await redis.hmget(batchKeys(data.batchId).meta, 'webhookUrl', 'webhookSecret')) as [string | null, string | null];
  return (await redis.hmget(runWebhookKey(data.runId), 'url', 'secret')) as [string | null, string | null];
}

/** One delivery attempt; throws to retry, UnrecoverableError to give up. */
async function deliver(job: Job<WebhookJob>, deps: WebhookServiceDeps): Promise<void> {
  const { event } = job.data;
  const [url, secret] = await targetOf(job.data, deps.redis);
  if (url === null || url === '') {
    deps.log.info(
      { ...('batchId' in job.data ? { batchId: job.data.batchId } : { runId: job.data.runId }), deliveryId: job.id },
      'webhook dropped: its batch or run has no webhook (expired or deleted)',
    );
    return;
  }
  const { allowHosts, allowPrivate } = deps.config;
  const problem = webhookUrlProblem(url, allowHosts, allowPrivate);
  if (problem !== undefined) throw new UnrecoverableError(encodeFailure('SBX_ERR_WEBHOOK_URL', problem));
  const body = JSON.stringify(event);
  const timestampS = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'bulkhead-webhook/1',
    [WEBHOOK_EVENT_HEADER]: event.event,
    [WEBHOOK_DELIVERY_HEADER]: String(job.id),
    [WEBHOOK_TIMESTAMP_HEADER]: timestampS,
  };
  if (secret !== null && secret !== '') headers[WEBHOOK_SIGNATURE_HEADER] = signWebhook(secret, timestampS, body);
  const publicOnly = allowHosts.length === 0 && !allowPrivate;
  let status: number;
  try {
    status = await postWebhook({ url, headers, body, timeoutMs: deps.config.timeoutMs, publicOnly });
  } catch (err) {
    if (err instanceof NonPublicAddressError) throw new UnrecoverableError(encodeFailure('SBX_ERR_WEBHOOK_URL', err.message));
    throw err;
  }
  if (status >= 300 && status < 400) throw new UnrecoverableError(`webhook answered a redirect (${status}); redirects are not followed`);
  if (status < 200 || status >= 300) throw new Error(`webhook answered ${status}`);
}
