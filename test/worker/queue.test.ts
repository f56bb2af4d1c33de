import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { WORKER_KEY_PREFIX, WORKER_REGISTRY_KEY, WorkerHeartbeatSchema } from '../../worker/contract/heartbeat.js';
import type { RunResult } from '../../worker/contract/result.js';
import { FakeSandbox } from '../../worker/sandbox/fake-sandbox.js';
import { startWorkerService, type WorkerService } from '../../worker/worker-service.js';
import type { TestRedis } from '../helpers/redis.js';
import { redisAndQueuePerTest } from './per-test-queue.js';
import { addRun, b64, makeJob, silentLog, testConfig, testProfiles, testRuntimes, waitForJob } from './helpers.js';

/** This test's Redis and queue (see redisAndQueuePerTest). */
let redis: TestRedis, queue: Queue, queueName: string;
const services: WorkerService[] = [];

redisAndQueuePerTest(
  (made) => ({ redis, queue, queueName } = made),
  () => Promise.all(services.splice(0).map((s) => s.shutdown())),
);

async function startService(sandbox: FakeSandbox, env: Record<string, string> = {}): Promise<WorkerService> {
  const service = await startWorkerService({
    config: testConfig(redis.url, queueName, env),
    sandbox,
    runtimes: testRuntimes(),
    profiles: testProfiles(),
    log: silentLog,
  });
  services.push(service);
  return service;
}

describe('queue behaviour', () => {
  it('completes 100 concurrent runs across two workers, each with its own output', async () => {
    await startService(new FakeSandbox({ delayMs: 20 }), { SBX_WORKER_SLOTS: '8', SBX_WORKER_ID: 'w1' });
    await startService(new FakeSandbox({ delayMs: 20 }), { SBX_WORKER_SLOTS: '8', SBX_WORKER_ID: 'w2' });
    const jobs = Array.from({ length: 100 }, (_, i) => makeJob({ stdinBase64: b64(`run ${i}\n`) }));
    await queue.addBulk(jobs.map((data) => ({ name: 'run', data, opts: { jobId: data.runId } })));
    const results = await Promise.all(jobs.map((j) => waitForJob(queue, j.runId, 30_000)));
    results.forEach(({ job, state }, i) => {
      expect(state).toBe('completed');
      expect((job.returnvalue as RunResult).run?.stdout).toBe(`run ${i}\n`);
    });
  });

  it('keeps queued runs across a Redis restart and runs them afterwards', async () => {
    const runIds = await Promise.all(Array.from({ length: 5 }, () => addRun(queue, makeJob())));
    await redis.restart();
    await startService(new FakeSandbox());
    for (const runId of runIds) {
      expect((await waitForJob(queue, runId)).state).toBe('completed');
    }
  });

  it('keeps working after Redis restarts under a running worker', async () => {
    await startService(new FakeSandbox());
    const first = await addRun(queue, makeJob());
    expect((await waitForJob(queue, first)).state).toBe('completed');
    await redis.restart();
    const second = await addRun(queue, makeJob());
    expect((await waitForJob(queue, second)).state).toBe('completed');
  });
});

describe('graceful shutdown', () => {
  it('lets an in-flight run finish before closing', async () => {
    const sandbox = new FakeSandbox({ delayMs: 800 });
    const service = await startService(sandbox);
    const runId = await addRun(queue, makeJob());
    while ((await queue.getJobState(runId)) !== 'active') await new Promise((r) => setTimeout(r, 20));
    await service.shutdown();
    expect(await queue.getJobState(runId)).toBe('completed');
  });

  it('hands a run still in flight after the grace period back to the queue for another worker', async () => {
    const slow = await startService(new FakeSandbox({ delayMs: 30_000 }), { SBX_SHUTDOWN_GRACE_MS: '200' });
    const runId = await addRun(queue, makeJob());
    while ((await queue.getJobState(runId)) !== 'active') await new Promise((r) => setTimeout(r, 20));
    const startedMs = Date.now();
    await slow.shutdown();
    expect(Date.now() - startedMs).toBeLessThan(5000);
    expect(await queue.getJobState(runId)).toBe('waiting');
    await startService(new FakeSandbox());
    const { job, state } = await waitForJob(queue, runId);
    expect(state).toBe('completed');
    expect(job.attemptsMade).toBe(1);
  });
});

describe('heartbeat', () => {
  it('publishes a schema-valid heartbeat with a TTL and its id in the registry, and deletes both on shutdown', async () => {
    const service = await startService(new FakeSandbox(), { SBX_WORKER_ID: 'hb-worker', SBX_HEARTBEAT_MS: '3000', SBX_MAX_CPU_TIME_MS: '800' });
    const client = new Redis(redis.url);
    const key = WORKER_KEY_PREFIX + 'hb-worker';
    const beat: unknown = JSON.parse((await client.get(key)) ?? 'null');
    expect(Value.Check(WorkerHeartbeatSchema, beat)).toBe(true);
    expect(beat).toMatchObject({ workerId: 'hb-worker', slots: 4, busySlots: 0, ttlMs: 3000 });
    const runtimes = (beat as { runtimes: { language: string; limits: { default: { cpuTimeMs: number }; max: { cpuTimeMs: number } } }[] }).runtimes;
    expect(runtimes.map((r) => r.language)).toEqual(['python', 'c']);
    // The ceiling lowers what is advertised, so the API refuses more up front (never a silent cut).
    for (const r of runtimes) expect([r.limits.max.cpuTimeMs, r.limits.default.cpuTimeMs]).toEqual([800, 800]);
    const ttlMs = await client.pttl(key);
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(3000);
    expect(await client.sismember(WORKER_REGISTRY_KEY, 'hb-worker')).toBe(1);
    await service.shutdown();
    expect(await client.exists(key)).toBe(0);
    expect(await client.sismember(WORKER_REGISTRY_KEY, 'hb-worker')).toBe(0);
    client.disconnect();
  });
});
