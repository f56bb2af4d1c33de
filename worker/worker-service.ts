/**
 * One running worker: the BullMQ Worker around the processor (with the checker judge, the test-set
 * blob reader and batch accounting), the webhook deliveries, its heartbeat, its metrics writer,
 * and graceful shutdown. main.ts builds the concrete dependencies and calls this; the integration
 * tests call it with a FakeSandbox, so what runs in production is what is tested.
 *
 * Shutdown order (each step runs even if an earlier one failed):
 * 1. stop taking jobs and let in-flight runs finish, up to `shutdownGraceMs`;
 * 2. past the grace period, abort the runs still in flight: the processor hands each back to the
 *    queue (another worker runs it); a run we cannot hand back is recovered by BullMQ's stalled
 *    check once its lock expires;
 * 3. stop the webhook deliveries (in-flight ones finish), delete the heartbeat key and the id in
 *    the worker registry, flush metrics, close Redis and the sandbox.
 * Past the grace period the steps together have `SHUTDOWN_STEPS_BOUND_MS` (each at least
 * `SHUTDOWN_STEP_FLOOR_MS`): a step that waits on a Redis that is gone (BullMQ's close, QUIT, the
 * heartbeat's DEL) would otherwise never return, and a worker told to stop must stop. Its runs are
 * safe either way: handed back, or recovered by the stalled check.
 */
import { hostname } from 'node:os';
import { Worker, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WorkerHeartbeat } from './contract/heartbeat.js';
import type { WorkerConfig } from './config.js';
import { startHeartbeat, runtimeInfo, type Heartbeat } from './heartbeat.js';
import { RedisMetrics } from './metrics.js';
import { createJudging } from './judge/judging.js';
import { LivePublisher } from './live/live-publisher.js';
import { createProcessor, type ProcessorDeps } from './processor.js';
import { redisOptionsFromUrl } from './redis-options.js';
import { enqueueFailedRunWebhook, keepRunWebhookFor, withRunWebhook } from './webhooks/run-webhook.js';
import { startWebhookService, type WebhookService } from './webhooks/webhook-service.js';

export interface WorkerServiceDeps extends Omit<ProcessorDeps, 'config' | 'metrics' | 'log'> {
  config: Readonly<WorkerConfig>;
  log: Logger;
}

export interface WorkerService {
  readonly worker: Worker;
  readonly heartbeat: Heartbeat;
  /** Runs in flight on this worker now. */
  busySlots(): number;
  /** Graceful shutdown (see the module comment). Idempotent. */
  shutdown(): Promise<void>;
}

/** Starts consuming the queue. Resolves once the first heartbeat was attempted and the worker is connected. */
export async function startWorkerService(deps: WorkerServiceDeps): Promise<WorkerService> {
  const { config, log } = deps;
  const redisOptions = redisOptionsFromUrl(config.redisUrl);
  const redis = new Redis(redisOptions);
  redis.on('error', (err) => log.warn({ err }, 'redis connection error'));
  const metrics = new RedisMetrics(redis, log);
  const webhooks = await startWebhookService({ config: config.webhook, retentionS: config.resultTtlS, redisOptions, redis, log });
  const plan = { ceilings: config.ceilings, sandbox: config.sandbox, profiles: deps.profiles };
  const given = { judgeOutput: deps.judgeOutput, interact: deps.interact, resolveBlob: deps.resolveBlob };
  const judging = createJudging({ sandbox: deps.sandbox, runtimes: deps.runtimes, plan, limits: config.checker, redis, outbox: webhooks.outbox, log, given });
  const processor = withRunWebhook(
    judging.withAccounting(createProcessor({ ...deps, metrics, live: new LivePublisher(redis, config.resultTtlS, log), ...judging.ports })),
    webhooks.outbox,
    keepRunWebhookFor(redis, config.resultTtlS),
    log,
  );
  let busy = 0;
  const worker = new Worker(
    config.queueName,
    async (job, token, signal) => {
      busy++;
      try {
        return await processor(job, token, signal);
      } finally {
        busy--;
      }
    },
    {
      connection: { ...redisOptions } as ConnectionOptions,
      concurrency: config.slots,
      lockDuration: config.lockDurationMs,
      stalledInterval: config.stalledIntervalMs,
      maxStalledCount: config.maxStalledCount,
      removeOnComplete: { age: config.resultTtlS },
      removeOnFail: { age: config.resultTtlS },
    },
  );
  worker.on('error', (err) => log.warn({ err }, 'queue worker error'));
  worker.on('stalled', (jobId) => log.warn({ runId: jobId }, 'run recovered from a stalled worker'));
  const failedRunWebhook = enqueueFailedRunWebhook(webhooks.outbox, log);
  worker.on('failed', (job, err) => {
    judging.onFailed(job, err);
    failedRunWebhook(job, err);
  });
  await worker.waitUntilReady();
  const startedAt = new Date().toISOString();
  const runtimes = deps.runtimes.list().map((runtime) => runtimeInfo(runtime, config.ceilings));
  const snapshot = (): WorkerHeartbeat => ({
    workerId: config.workerId,
    hostname: hostname(),
    pid: process.pid,
    slots: config.slots,
    busySlots: busy,
    cgroupVersion: deps.sandbox.features.cgroupVersion,
    startedAt,
    ttlMs: config.heartbeatTtlMs,
    runtimes,
  });
  const heartbeat = await startHeartbeat({ redis, workerId: config.workerId, ttlMs: config.heartbeatTtlMs, snapshot, log });
  log.info({ workerId: config.workerId, queue: config.queueName, slots: config.slots }, 'worker started');

  let closing: Promise<void> | undefined;
  const shutdown = () => (closing ??= closeAll({ worker, webhooks, heartbeat, metrics, redis, deps, busy: () => busy }));
  return { worker, heartbeat, busySlots: () => busy, shutdown };
}

/** How long the shutdown steps after the grace period may take together before the rest are given up, ms. */
export const SHUTDOWN_STEPS_BOUND_MS = 5_000;
/** The least time any one step gets, even past that bound (the sandbox's close is local and quick), ms. */
const SHUTDOWN_STEP_FLOOR_MS = 500;

interface Closeable {
  worker: Worker;
  webhooks: WebhookService;
  heartbeat: Heartbeat;
  metrics: RedisMetrics;
  redis: Redis;
  deps: WorkerServiceDeps;
  busy: () => number;
}

async function closeAll(parts: Closeable): Promise<void> {
  const { worker, deps } = parts;
  const { log, config } = deps;
  log.info({ inFlight: parts.busy(), graceMs: config.shutdownGraceMs }, 'shutting down: no new runs');
  const closed = worker.close();
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace-over'>((resolve) => {
    timer = setTimeout(() => resolve('grace-over'), config.shutdownGraceMs);
  });
  if ((await Promise.race([closed.then(() => 'closed' as const), graceOver])) === 'grace-over') {
    log.warn({ inFlight: parts.busy() }, 'grace period over: handing in-flight runs back to the queue');
    worker.cancelAllJobs('worker shutting down');
  }
  clearTimeout(timer);
  const steps: [string, () => Promise<unknown>, () => void][] = [
    // A worker still waiting on Redis drops its connections instead of closing them in turn.
    ['worker', () => closed, () => void worker.disconnect().catch(() => undefined)],
    ['webhooks', () => parts.webhooks.close(), () => undefined],
    ['heartbeat', () => parts.heartbeat.stop(), () => undefined],
    ['metrics', () => parts.metrics.flush(), () => undefined],
    ['redis', () => parts.redis.quit(), () => parts.redis.disconnect()],
    ['sandbox', () => deps.sandbox.close(), () => undefined],
  ];
  const deadline = Date.now() + SHUTDOWN_STEPS_BOUND_MS;
  for (const [name, step, giveUp] of steps) {
    try {
      const boundMs = Math.max(SHUTDOWN_STEP_FLOOR_MS, deadline - Date.now());
      if ((await withinBound(step(), boundMs)) === 'timed-out') {
        log.warn({ step: name, boundMs }, 'shutdown step timed out (Redis unreachable?): given up');
        giveUp();
      }
    } catch (err) {
      log.warn({ err, step: name }, 'shutdown step failed');
    }
  }
  log.info('worker stopped');
}

/** 'done' when the step settles within `boundMs` (its rejection is thrown), else 'timed-out'; the timer is cleared either way. */
async function withinBound(step: Promise<unknown>, boundMs: number): Promise<'done' | 'timed-out'> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), boundMs);
  });
  const settled = step.then(() => 'done' as const);
  // A step given up may still reject later (QUIT on a dropped connection): handled here, so it
  // cannot end the stopping process as an unhandled rejection.
  settled.catch(() => undefined);
  try {
    return await Promise.race([settled, bound]);
  } finally {
    clearTimeout(timer);
  }
}
