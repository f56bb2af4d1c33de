/**
 * A worker process killed with SIGKILL mid-run loses nothing: BullMQ's stalled-job check (lock
 * 1 s, check every 0.5 s here) hands the run to another worker process, which completes it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Queue } from 'bullmq';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { RunResult } from '../../worker/contract/result.js';
import { startRedis, uniqueQueueName, type TestRedis } from '../helpers/redis.js';
import { addRun, makeJob, makeQueue, waitForJob } from './helpers.js';

const FIXTURE_PATH = fileURLToPath(new URL('./fixtures/fake-worker.ts', import.meta.url));
let redis: TestRedis;
let queue: Queue;
let queueName: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  redis = await startRedis();
  queueName = uniqueQueueName();
  queue = makeQueue(redis.url, queueName);
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await queue.close();
  await redis.stop();
});

/** Spawns a worker process and resolves once it prints `ready`. */
async function spawnWorker(fakeDelayMs: number, workerId: string): Promise<ChildProcess> {
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
