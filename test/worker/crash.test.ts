/**
 * A worker process killed with SIGKILL mid-run loses nothing: BullMQ's stalled-job check (lock
 * 1 s, check every 0.5 s here) hands the run to another worker process, which completes it; a
 * batch member that stalls more often than allowed is failed and still counted in its batch, and
 * a single run so failed still sends its webhook.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { batchKeys, type BatchRunSummary } from '../../worker/contract/batch.js';
import { createBatchCall } from '../../worker/contract/batch-state.js';
import { runWebhookKey } from '../../worker/contract/run-webhook.js';
import { expect, it } from 'vitest';
import type { RunResult } from '../../worker/contract/result.js';
import type { TestRedis } from '../helpers/redis.js';
import { redisAndQueuePerTest } from './per-test-queue.js';
import { addRun, makeJob, waitForJob } from './helpers.js';
import { startWebhookReceiver } from '../judge/webhook-receiver.js';

const FIXTURE_PATH = fileURLToPath(new URL('./fixtures/fake-worker.ts', import.meta.url));
/** This test's Redis and queue (see redisAndQueuePerTest). */
let redis: TestRedis, queue: Queue, queueName: string;
const children: ChildProcess[] = [];

redisAndQueuePerTest(
  (made) => ({ redis, queue, queueName } = made),
  () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  },
);

/** Spawns a worker process and resolves once it prints `ready`. */
async function spawnWorker(fakeDelayMs: number, workerId: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE_PATH], {
    env: {
      PATH: process.env.PATH,
      SBX_REDIS_URL: redis.url,
      SBX_QUEUE_NAME: queueName,
      SBX_WORKER_ID: workerId,
      SBX_WORKER_SLOTS: '2',
      SBX_LOCK_DURATION_MS: '1000',
      SBX_STALLED_INTERVAL_MS: '500',
      FAKE_DELAY_MS: String(fakeDelayMs),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${stderr}`)));
  });
  return child;
}

async function waitForState(jobId: string, wanted: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await queue.getJobState(jobId)) !== wanted) {
    if (Date.now() > deadline) throw new Error(`job ${jobId} never reached ${wanted}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

it('completes a run on a second worker process after the first is SIGKILLed mid-run', async () => {
  const doomed = await spawnWorker(60_000, 'doomed');
  const runId = await addRun(queue, makeJob());
  await waitForState(runId, 'active');
  const survivor = await spawnWorker(10, 'survivor');
  const killedAtMs = Date.now();
  doomed.kill('SIGKILL');
  const { job, state } = await waitForJob(queue, runId, 20_000);
  expect(state).toBe('completed');
  expect((job.returnvalue as RunResult).status).toBe('OK');
  expect(Date.now() - killedAtMs).toBeLessThan(10_000);
  expect(survivor.exitCode).toBeNull();
});

it('exits cleanly on SIGTERM after finishing its in-flight run', async () => {
  const worker = await spawnWorker(1500, 'graceful');
  const runId = await addRun(queue, makeJob());
  await waitForState(runId, 'active');
  const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
  worker.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(await queue.getJobState(runId)).toBe('completed');
});

it('counts a batch member that stalled more often than allowed as INTERNAL_ERROR (SBX_ERR_RUN_LOST), so its batch finishes', async () => {
  // No second chance: the first stall fails the run. BullMQ fails it when a worker next takes
  // it, without running the processor, so only the worker's `failed` event can count it.
  const noRetry = { SBX_MAX_STALLED_COUNT: '0' };
  const redisClient = new Redis(redis.url);
  try {
    const batchId = 'stalled-batch';
    const job = makeJob({ batchId, externalId: 'student-7' });
    const keys = batchKeys(batchId);
    const create = createBatchCall(
      { id: batchId, createdAt: new Date().toISOString(), testsetId: 't', members: [{ runId: job.runId, externalId: 'student-7' }], templates: [] },
      600,
    );
    await redisClient.eval(create.script, create.keys.length, ...create.keys, ...create.args);
    const doomed = await spawnWorker(60_000, 'doomed-batch', noRetry);
    await addRun(queue, job);
    await waitForState(job.runId, 'active');
    await spawnWorker(10, 'survivor-batch', noRetry);
    doomed.kill('SIGKILL');
    const { state } = await waitForJob(queue, job.runId, 20_000);
    expect(state).toBe('failed');
    const deadline = Date.now() + 10_000;
    while (Number(await redisClient.hget(keys.meta, 'done')) < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await redisClient.hmget(keys.meta, 'done', 'count:INTERNAL_ERROR')).toEqual(['1', '1']);
    const summary = JSON.parse((await redisClient.hget(keys.results, job.runId)) ?? '{}') as BatchRunSummary;
    expect(summary).toMatchObject({ externalId: 'student-7', runId: job.runId, status: 'INTERNAL_ERROR', errorCode: 'SBX_ERR_RUN_LOST' });
  } finally {
    redisClient.disconnect();
  }
});

it('sends the run.finished webhook of a single run that stalled more often than allowed (SBX_ERR_RUN_LOST)', async () => {
  // As above, BullMQ fails the run without a processor: only the `failed` event can report it.
  const receiver = await startWebhookReceiver();
  const env = { SBX_MAX_STALLED_COUNT: '0', SBX_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' };
  const redisClient = new Redis(redis.url);
  try {
    const job = makeJob({ webhook: true });
    await redisClient.hset(runWebhookKey(job.runId), 'url', receiver.url);
    const doomed = await spawnWorker(60_000, 'doomed-webhook', env);
    await addRun(queue, job);
    await waitForState(job.runId, 'active');
    await spawnWorker(10, 'survivor-webhook', env);
    doomed.kill('SIGKILL');
    expect((await waitForJob(queue, job.runId, 20_000)).state).toBe('failed');
    const deadline = Date.now() + 10_000;
    while (receiver.accepted().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver.accepted().map((d) => JSON.parse(d.body) as unknown)).toEqual([
      { event: 'run.finished', runId: job.runId, status: 'INTERNAL_ERROR', errorCode: 'SBX_ERR_RUN_LOST', finishedAt: expect.any(String) },
    ]);
  } finally {
    redisClient.disconnect();
    await receiver.close();
  }
});
