import { randomUUID } from 'node:crypto';
import { Queue, Worker, UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BullmqSubmissionQueue } from '../../api/queue/bullmq-submission-queue.js';
import { JOB_SCHEMA_VERSION, type SubmissionJob } from '../../worker/contract/job.js';
import { METRICS_KEY } from '../../worker/contract/metrics.js';
import { WORKER_KEY_PREFIX, WORKER_REGISTRY_KEY } from '../../worker/contract/heartbeat.js';
import type { RunResult } from '../../worker/contract/result.js';
import { heartbeat, okResult } from '../helpers/api-fixtures.js';
import { startRedis, uniqueQueueName, type TestRedis } from '../helpers/redis.js';
import { limitsWith } from '../helpers/limits.js';

let redis: TestRedis;
/** A fresh queue per test (each test sets it first). */
let queueName: string;
let adapter: BullmqSubmissionQueue;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function makeAdapter(redisUrl = redis.url, name = queueName): BullmqSubmissionQueue {
  const made = new BullmqSubmissionQueue({ redisUrl, queueName: name, resultTtlS: 60, redisTimeoutMs: 1000, log: pino({ level: 'silent' }) });
  cleanups.push(() => made.close());
  return made;
}

function job(overrides: Partial<SubmissionJob> = {}): SubmissionJob {
  return {
    schemaVersion: JOB_SCHEMA_VERSION,
    runId: randomUUID(),
    language: 'python',
    version: '3.12.1',
    files: [{ name: 'main.py', contentBase64: 'eA==' }],
    stdinBase64: '',
    args: [],
    limits: limitsWith({ cpuTimeMs: 1000, wallTimeMs: 2000, memoryBytes: 1 << 26, pids: 8, outputBytes: 1024 }),
    submittedAt: new Date().toISOString(),
    ...overrides,
  };
}

/** A BullMQ worker on the test queue running `processor` (stands in for the real worker). */
function startWorker(processor: (data: SubmissionJob) => Promise<RunResult>): Worker {
  const worker = new Worker(queueName, async (j) => processor(j.data as SubmissionJob), {
    connection: new Redis(redis.url, { maxRetriesPerRequest: null }),
  });
  cleanups.push(() => worker.close());
  return worker;
}

describe('BullmqSubmissionQueue (real Redis)', () => {
  it('submits a job whose BullMQ id is the run id, with the payload, retries and TTL options', async () => {
    queueName = uniqueQueueName();
    adapter = makeAdapter();
    const submitted = job();
    await adapter.submit(submitted, { priority: 1 });
    const raw = new Queue(queueName, { connection: new Redis(redis.url, { maxRetriesPerRequest: null }) });
    cleanups.push(() => raw.close());
    const stored = await raw.getJob(submitted.runId);
    expect(stored?.id).toBe(submitted.runId);
    expect(stored?.data).toEqual(submitted);
    expect(stored?.opts).toMatchObject({ attempts: 3, priority: 1, removeOnComplete: { age: 60 }, removeOnFail: { age: 60 } });
    expect(await adapter.get(submitted.runId)).toMatchObject({ state: 'queued', language: 'python' });
    expect(await adapter.depth()).toMatchObject({ prioritized: 1, active: 0 });
  });

  it('discards runs still waiting or prioritized, and leaves a finished one and its result in place', async () => {
    queueName = uniqueQueueName();
    adapter = makeAdapter();
    const done = job();
    await adapter.submit(done);
    const worker = startWorker(async (data) => ({ ...okResult(), id: data.runId }));
    expect(await adapter.waitForResult(done.runId, 10_000)).toMatchObject({ state: 'done' });
    await worker.close();
    const [waiting, prioritized] = [job(), job()];
    await adapter.submit(waiting);
    await adapter.submit(prioritized, { priority: 5 });
    expect(await adapter.discardWaiting([waiting.runId, prioritized.runId, done.runId, 'no-such-run'])).toBe(2);
    expect(await adapter.get(waiting.runId)).toBeUndefined();
    expect(await adapter.get(prioritized.runId)).toBeUndefined();
    expect(await adapter.get(done.runId)).toMatchObject({ state: 'done', result: { status: 'OK' } });
  });

  it('answers undefined for an unknown id', async () => {
    queueName = uniqueQueueName();
    adapter = makeAdapter();
    expect(await adapter.get('no-such-run')).toBeUndefined();
  });

  it('waits for a completed job and returns its RunResult', async () => {
    queueName = uniqueQueueName();
    adapter = makeAdapter();
    const submitted = job();
    await adapter.submit(submitted);
    startWorker(async (data) => {
      await new Promise((r) => setTimeout(r, 200));
      return { ...okResult(), id: data.runId };
    });
    const snapshot = await adapter.waitForResult(submitted.runId, 10_000);
    expect(snapshot).toMatchObject({ state: 'done', result: { id: submitted.runId, status: 'OK' } });
  });

  it('answers submitAndWait from the completed event, without reading the job back', async () => {
    queueName = uniqueQueueName();
    adapter = makeAdapter();
    startWorker(async (data) => ({ ...okResult(), id: data.runId }));
    const submitted = job();
    const reads = vi.spyOn(adapter, 'get');
    const pending = await adapter.submitAndWait(submitted, { priority: 1 }, 10_000);
    const snapshot = await pending.result;
    expect(snapshot).toMatchObject({ state: 'done', language: 'python', version: '3.12.1', result: { id: submitted.runId, status: 'OK' } });
    expect(reads).not.toHaveBeenCalled();
    // The result stays readable for GET /runs/:id.
    expect(await adapter.get(submitted.runId)).toMatchObject({ state: 'done', result: { id: submitted.runId } });
  });

  it('catches a run that finishes while the events loop starts (a fresh API), without waiting out the bound', async () => {
    queueName = uniqueQueueName();
    startWorker(async (data) => ({ ...okResult(), id: data.runId }));
    for (let i = 0; i < 5; i++) {
      const fresh = makeAdapter();
      const startedMs = Date.now();
      const pending = await fresh.submitAndWait(job(), undefined, 10_000);
      expect(await pending.result).toMatchObject({ state: 'done' });
      expect(Date.now() - startedMs).toBeLessThan(5_000);
    }
  });

  it('answers submitAndWait with the catalogue code of a job that failed for good, and queued at the bound', async () => {
    queueName = uniqueQueueName();
    adapter = makeAdapter();
    const slow = await adapter.submitAndWait(job(), undefined, 200);
    expect(await slow.result).toMatchObject({ state: 'queued', language: 'python' });
    startWorker(async () => {
      throw new UnrecoverableError('SBX_ERR_VALIDATION: job payload rejected at /files');
    });
    const failing = await adapter.submitAndWait(job(), undefined, 10_000);
    expect(await failing.result).toMatchObject({ state: 'done', failedCode: 'SBX_ERR_VALIDATION' });
  });

  it('hands a waiting submitAndWait its run as it stands once waits stop (shutdown)', async () => {
    queueName = uniqueQueueName();
    adapter = makeAdapter();
    const pending = await adapter.submitAndWait(job(), undefined, 10_000);
    const startedMs = Date.now();
    adapter.stopWaiting();
    expect(await pending.result).toMatchObject({ state: 'queued' });
    expect(Date.now() - startedMs).toBeLessThan(1000);
  });

  it('gives up waiting after the timeout with the state so far', async () => {
    queueName = uniqueQueueName();
    adapter = makeAdapter();
    const submitted = job();
    await adapter.submit(submitted);
    const startedMs = Date.now();
    const snapshot = await adapter.waitForResult(submitted.runId, 300);
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(250);
    expect(snapshot?.state).toBe('queued');
  });

  it('reports a job that failed for good as done with the catalogue code from its reason, not the text', async () => {
    queueName = uniqueQueueName();
    adapter = makeAdapter();
    const submitted = job();
    await adapter.submit(submitted);
    startWorker(async () => {
      throw new UnrecoverableError('SBX_ERR_VALIDATION: job payload rejected at /files');
    });
    const snapshot = await adapter.waitForResult(submitted.runId, 10_000);
    expect(snapshot).toMatchObject({ state: 'done', failedCode: 'SBX_ERR_VALIDATION' });
    expect(snapshot?.result).toBeUndefined();
  });

  it('reads live workers from the registry and their heartbeat keys, skipping malformed ones, and the metrics hash', async () => {
    queueName = uniqueQueueName();
    adapter = makeAdapter();
    const client = new Redis(redis.url);
    cleanups.push(async () => client.quit());
    const beat = heartbeat();
    await client.set(`${WORKER_KEY_PREFIX}${beat.workerId}`, JSON.stringify(beat), 'PX', 5000);
    await client.set(`${WORKER_KEY_PREFIX}broken`, '{"not":"a heartbeat"}', 'PX', 5000);
    await client.sadd(WORKER_REGISTRY_KEY, beat.workerId, 'broken');
    await client.hset(METRICS_KEY, 'runs_total|python|OK', '3');
    cleanups.push(async () => client.del(`${WORKER_KEY_PREFIX}${beat.workerId}`, `${WORKER_KEY_PREFIX}broken`, WORKER_REGISTRY_KEY, METRICS_KEY));
    expect((await adapter.liveWorkers()).map((w) => w.workerId)).toEqual([beat.workerId]);
    expect(await adapter.metrics()).toMatchObject({ 'runs_total|python|OK': '3' });
  });

  it('drops a registry id whose heartbeat key expired, and sees no key the registry does not name', async () => {
    queueName = uniqueQueueName();
    adapter = makeAdapter();
    const client = new Redis(redis.url);
    cleanups.push(async () => client.quit());
    const live = heartbeat([], { workerId: 'registry-live' });
    const unregistered = heartbeat([], { workerId: 'registry-unnamed' });
    await client.set(`${WORKER_KEY_PREFIX}${live.workerId}`, JSON.stringify(live), 'PX', 5000);
    await client.set(`${WORKER_KEY_PREFIX}${unregistered.workerId}`, JSON.stringify(unregistered), 'PX', 5000);
    await client.set(`${WORKER_KEY_PREFIX}registry-dead`, JSON.stringify(heartbeat([], { workerId: 'registry-dead' })), 'PX', 50);
    await client.sadd(WORKER_REGISTRY_KEY, live.workerId, 'registry-dead');
    cleanups.push(async () => client.del(`${WORKER_KEY_PREFIX}${live.workerId}`, `${WORKER_KEY_PREFIX}${unregistered.workerId}`, WORKER_REGISTRY_KEY));
    expect((await adapter.liveWorkers()).map((w) => w.workerId).sort()).toEqual(['registry-dead', 'registry-live']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await adapter.liveWorkers()).map((w) => w.workerId)).toEqual([live.workerId]);
    expect(await client.smembers(WORKER_REGISTRY_KEY)).toEqual([live.workerId]);
  });

  it('works over the unix socket too', async () => {
    queueName = uniqueQueueName();
    adapter = makeAdapter(`unix://${redis.socketPath}`);
    await adapter.ping();
    const submitted = job();
    await adapter.submit(submitted);
    expect((await adapter.get(submitted.runId))?.state).toBe('queued');
  });

  it('fails fast with SBX_ERR_QUEUE_UNAVAILABLE when Redis cannot be reached, and closes cleanly', async () => {
    const down = makeAdapter('redis://127.0.0.1:1', uniqueQueueName());
    const startedMs = Date.now();
    await expect(down.submit(job())).rejects.toMatchObject({ code: 'SBX_ERR_QUEUE_UNAVAILABLE' });
    await expect(down.ping()).rejects.toMatchObject({ code: 'SBX_ERR_QUEUE_UNAVAILABLE' });
    await expect(down.liveWorkers()).rejects.toMatchObject({ code: 'SBX_ERR_QUEUE_UNAVAILABLE' });
    expect(Date.now() - startedMs).toBeLessThan(5000);
    await down.close();
    await down.close();
  });
});
