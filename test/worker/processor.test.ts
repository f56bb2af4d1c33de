import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_KEY, internalFailuresField, runsTotalField } from '../../worker/contract/metrics.js';
import type { RunResult } from '../../worker/contract/result.js';
import { FakeSandbox, FakeSandboxError, type FakeSandboxOptions } from '../../worker/sandbox/fake-sandbox.js';
import { startWorkerService, type WorkerService } from '../../worker/worker-service.js';
import { startRedis, uniqueQueueName, type TestRedis } from '../helpers/redis.js';
import { addRun, b64, makeJob, makeQueue, silentLog, testConfig, testProfiles, testRuntimes, waitForJob } from './helpers.js';
import { limitsWith } from '../helpers/limits.js';

let redis: TestRedis;
let queue: Queue;
let service: WorkerService | undefined;
let sandbox: FakeSandbox;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  await service?.shutdown();
  service = undefined;
  await queue.obliterate({ force: true });
  await queue.close();
});

async function start(options: FakeSandboxOptions = {}): Promise<void> {
  const queueName = uniqueQueueName();
  queue = makeQueue(redis.url, queueName);
  sandbox = new FakeSandbox(options);
  service = await startWorkerService({
    config: testConfig(redis.url, queueName),
    sandbox,
    runtimes: testRuntimes(),
    profiles: testProfiles(),
    log: silentLog,
  });
}

describe('processor on a real queue', () => {
  it('completes a plain run with a RunResult carrying the run stage', async () => {
    await start();
    const runId = await addRun(queue, makeJob({ stdinBase64: b64('hello\n') }));
    const { job, state } = await waitForJob(queue, runId);
    expect(state).toBe('completed');
    const result = job.returnvalue as RunResult;
    expect(result).toMatchObject({ id: runId, language: 'python', version: '1.0.0', status: 'OK' });
    expect(result.run).toMatchObject({ status: 'OK', exitCode: 0, signal: null, stdout: 'hello\n', cpuTimeMs: 1, wallTimeMs: 1 });
    expect(result.compile).toBeUndefined();
    // Where the time went: the worker's handling holds the sandbox call, and the job waited >= 0.
    const timings = result.timings;
    expect(timings?.queueMs).toBeGreaterThanOrEqual(0);
    expect(timings?.sandboxMs).toBeGreaterThanOrEqual(0);
    expect(timings?.workerMs).toBeGreaterThanOrEqual(timings?.sandboxMs ?? Infinity);
    expect(Math.abs((timings?.finishedAtMs ?? 0) - Date.now())).toBeLessThan(10_000);
    expect(sandbox.specs).toHaveLength(1);
    expect(sandbox.specs[0]?.argv).toEqual(['python3', 'main.py']);
  });

  it('completes a program failure as a verdict on the first attempt, never retrying it', async () => {
    await start({ respond: () => ({ exitCode: null, signal: 11 }) });
    const runId = await addRun(queue, makeJob());
    const { job, state } = await waitForJob(queue, runId);
    expect(state).toBe('completed');
    expect((job.returnvalue as RunResult).run).toMatchObject({ status: 'RUNTIME_ERROR', signal: 'SIGSEGV' });
    expect(job.attemptsMade).toBe(1);
    expect(sandbox.specs).toHaveLength(1);
  });

  it('retries a sandbox failure and fails the job with its code once attempts run out', async () => {
    await start({
      respond: () => {
        throw new FakeSandboxError('SBX_ERR_CGROUP_SETUP', 'cgroup mkdir failed');
      },
    });
    const runId = await addRun(queue, makeJob(), { attempts: 3 });
    const { job, state } = await waitForJob(queue, runId);
    expect(state).toBe('failed');
    expect(job.failedReason).toBe('SBX_ERR_CGROUP_SETUP');
    expect(job.attemptsMade).toBe(3);
    expect(sandbox.specs).toHaveLength(3);
    await service?.shutdown();
    const client = new Redis(redis.url);
    expect(await client.hget(METRICS_KEY, internalFailuresField('SBX_ERR_CGROUP_SETUP'))).toBe('3');
    client.disconnect();
  });

  it('fails a job with another schemaVersion at once without retrying or running anything', async () => {
    await start();
    const runId = await addRun(queue, { ...makeJob(), schemaVersion: 99 });
    const { job, state } = await waitForJob(queue, runId);
    expect(state).toBe('failed');
    expect(job.failedReason).toMatch(/^SBX_ERR_VALIDATION/);
    expect(job.attemptsMade).toBe(1);
    expect(sandbox.specs).toHaveLength(0);
  });

  it('fails a job for a language this worker lacks without retrying', async () => {
    await start();
    const runId = await addRun(queue, makeJob({ language: 'cobol' }));
    const { job, state } = await waitForJob(queue, runId);
    expect(state).toBe('failed');
    expect(job.failedReason).toMatch(/^SBX_ERR_RUNTIME_UNKNOWN/);
    expect(job.attemptsMade).toBe(1);
  });

  it('counts finished runs by language and status in the metrics hash', async () => {
    await start();
    const client = new Redis(redis.url);
    const read = async () => Number((await client.hget(METRICS_KEY, runsTotalField('python', 'OK'))) ?? 0);
    const readRuns = async () => Number((await client.hget(METRICS_KEY, 'stage_duration_ms_count|run')) ?? 0);
    const readSetupSum = async () => Number((await client.hget(METRICS_KEY, 'stage_duration_ms_sum|setup')) ?? 0);
    const [before, runsBefore, setupBefore] = [await read(), await readRuns(), await readSetupSum()];
    const runId = await addRun(queue, makeJob());
    await waitForJob(queue, runId);
    await service?.shutdown();
    expect(await read()).toBe(before + 1);
    expect(await readRuns()).toBe(runsBefore + 1);
    // The fake reports 1 ms of container setup per call: split out by the timed sandbox.
    expect(await readSetupSum()).toBeCloseTo(setupBefore + 1, 6);
    client.disconnect();
  });
});

describe('compiled languages and test cases', () => {
  const tests = [
    { id: 't1', stdinBase64: b64('1\n'), expectedBase64: b64('1\n') },
    { id: 't2', stdinBase64: b64('2\n'), expectedBase64: b64('3\n') },
    { id: 't3', stdinBase64: b64('3  \n\n'), expectedBase64: b64('3') },
  ];

  it('compiles once and runs each test in its own sandbox with the compiled output read-only', async () => {
    await start();
    const runId = await addRun(queue, makeJob({ language: 'c', files: [{ name: 'main.c', contentBase64: b64('int main(){}') }], tests }));
    const { job } = await waitForJob(queue, runId);
    const result = job.returnvalue as RunResult;
    const compileSpecs = sandbox.specs.filter((s) => s.collect !== undefined);
    const runSpecs = sandbox.specs.filter((s) => s.collect === undefined);
    expect(compileSpecs).toHaveLength(1);
    expect(compileSpecs[0]?.argv).toEqual(['cc', 'main.c', '-o', 'a.out']);
    expect(runSpecs).toHaveLength(3);
    for (const spec of runSpecs) {
      expect(spec.files).toEqual([]);
      expect(spec.readOnlyFiles?.map((f) => f.path)).toEqual(['main.c', 'a.out']);
      expect(spec.argv).toEqual(['./a.out']);
    }
    expect(runSpecs.map((s) => s.stdin.toString())).toEqual(['1\n', '2\n', '3  \n\n']);
    expect(result.compile?.status).toBe('OK');
    expect(result.tests?.map((t) => [t.id, t.status])).toEqual([
      ['t1', 'OK'],
      ['t2', 'WRONG_ANSWER'],
      ['t3', 'OK'],
    ]);
    expect(result).toMatchObject({ status: 'WRONG_ANSWER', passed: 2, total: 3 });
  });

  it('times each checker judgement as the checker stage, only for tests that ran OK', async () => {
    await start({ respond: (spec) => (spec.stdin.toString() === '2\n' ? { exitCode: 1 } : {}) });
    const client = new Redis(redis.url);
    const readCheckers = async () => Number((await client.hget(METRICS_KEY, 'stage_duration_ms_count|checker')) ?? 0);
    const before = await readCheckers();
    const checker = { language: 'python', files: [{ name: 'main.py', contentBase64: b64('import sys; sys.exit(0)') }] };
    const runId = await addRun(queue, makeJob({ tests, checker }));
    const result = (await waitForJob(queue, runId)).job.returnvalue as RunResult;
    await service?.shutdown();
    expect(result.tests?.map((t) => t.status)).toEqual(['OK', 'RUNTIME_ERROR', 'OK']);
    expect(await readCheckers()).toBe(before + 2);
    client.disconnect();
  });

  it('stops after the first failing test when asked to', async () => {
    await start();
    const runId = await addRun(queue, makeJob({ tests, stopOnFirstFailure: true }));
    const result = (await waitForJob(queue, runId)).job.returnvalue as RunResult;
    expect(result.tests?.map((t) => t.id)).toEqual(['t1', 't2']);
    expect(result).toMatchObject({ status: 'WRONG_ANSWER', passed: 1, total: 3 });
    expect(sandbox.specs).toHaveLength(2);
  });

  it('takes the overall status from the first non-OK test, limit statuses included', async () => {
    await start({ respond: (spec) => (spec.stdin.toString() === '2\n' ? { killedBy: 'wall', exitCode: null, signal: 9 } : { stdout: spec.stdin }) });
    const runId = await addRun(queue, makeJob({ tests }));
    const result = (await waitForJob(queue, runId)).job.returnvalue as RunResult;
    expect(result.tests?.map((t) => t.status)).toEqual(['OK', 'TIME_LIMIT', 'OK']);
    expect(result).toMatchObject({ status: 'TIME_LIMIT', timeLimit: 'wall', passed: 2, total: 3 });
  });

  it('ends with COMPILE_ERROR and runs no test when compilation fails', async () => {
    await start({ respond: (spec) => (spec.collect !== undefined ? { exitCode: 1, stderr: Buffer.from('main.c:1: error') } : {}) });
    const runId = await addRun(queue, makeJob({ language: 'c', tests }));
    const result = (await waitForJob(queue, runId)).job.returnvalue as RunResult;
    expect(result).toMatchObject({ status: 'COMPILE_ERROR', passed: 0, total: 3 });
    expect(result.compile).toMatchObject({ status: 'RUNTIME_ERROR', exitCode: 1, stderr: 'main.c:1: error' });
    expect(result.tests).toBeUndefined();
    expect(result.run).toBeUndefined();
    expect(sandbox.specs).toHaveLength(1);
  });

  it('never takes a compile stage whose collection was cut as OK, and runs no test on its partial files (T74)', async () => {
    await start({ respond: (spec) => (spec.collect !== undefined ? { collected: [...spec.files], collectCut: true } : { stdout: spec.stdin }) });
    const runId = await addRun(queue, makeJob({ language: 'c', tests }));
    const result = (await waitForJob(queue, runId)).job.returnvalue as RunResult;
    expect(result.compile).toMatchObject({ status: 'OUTPUT_LIMIT' });
    expect(result.status).not.toBe('OK');
    expect(result.tests).toBeUndefined();
    expect(sandbox.specs).toHaveLength(1);
  });

  it('applies per-test limits, lowered to the runtime maximum', async () => {
    await start();
    const limits = limitsWith({ cpuTimeMs: 99_999, wallTimeMs: 300, memoryBytes: 1 << 20, pids: 4, outputBytes: 100 });
    const runId = await addRun(queue, makeJob({ tests: [{ id: 'a', stdinBase64: '', limits }] }));
    await waitForJob(queue, runId);
    expect(sandbox.specs[0]?.limits).toMatchObject({ cpuTimeMs: 5000, wallTimeMs: 300, memoryBytes: 1 << 20, pids: 4, outputBytes: 100 });
  });
});
