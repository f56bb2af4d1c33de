/**
 * The API restarted (SIGTERM, then a new process) while callers wait on POST /run (issue 8 part 3).
 * What a user must see: an HTTP answer that carries the run (its result, or 202 with the id and a
 * Location), never a silently cut connection that leaves them without the id; the run finishes
 * anyway and the restarted API serves it. api/main.ts gives in-flight requests a fixed 10 s grace
 * (SHUTDOWN_GRACE_MS) and then exits; the long run below outlives that grace on purpose.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmissionJob } from '../../worker/contract/job.js';
import { eventually, expectHealthy, getRun, postRun, RunLedger, waitForState, waitUntilDone, type HttpAnswer } from '../helpers/service-client.js';
import { serviceUnavailableReason, startService, type ServiceProcess, type TestService } from '../helpers/service.js';

/** api/main.ts SHUTDOWN_GRACE_MS: in-flight requests get this long after SIGTERM. */
const API_SHUTDOWN_GRACE_MS = 10_000;

const skip = serviceUnavailableReason();
describe.skipIf(skip !== undefined)(`API restarted while callers wait${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let service: TestService;
  let queue: Queue;
  beforeAll(async () => {
    // The API waits longer than its own shutdown grace, so a long run is still waited on at SIGTERM.
    service = await startService({ apiEnv: { SBX_WAIT_TIMEOUT_MS: '30000' } });
    queue = new Queue(service.queueName, { connection: new Redis(service.redis.url, { maxRetriesPerRequest: null }) });
  });
  afterAll(async () => {
    await queue?.close();
    await service?.stop();
  });

  /** Resolves with the time the process exited. */
  function exitTime(p: ServiceProcess): Promise<number> {
    return new Promise((resolve) => p.child.once('exit', () => resolve(Date.now())));
  }

  /** Starts a waiting POST /run and resolves once its run is running (found by its marker in the queue). */
  async function waitingCaller(sleepS: number, marker: string): Promise<{ answer: Promise<HttpAnswer | Error>; runId: string }> {
    const source = `import time\ntime.sleep(${sleepS})\nprint(${JSON.stringify(marker)})`;
    const answer = postRun(service.url, { language: 'python', source, limits: { wallTimeMs: (sleepS + 10) * 1000 }, wait: true }).catch((err: unknown) =>
      err instanceof Error ? err : new Error(String(err)),
    );
    let runId = '';
    await eventually(`the run "${marker}" is in the queue`, async () => {
      const jobs = await queue.getJobs(['prioritized', 'waiting', 'active']);
      const job = jobs.find((j) => (j.data as SubmissionJob).files.some((f) => Buffer.from(f.contentBase64, 'base64').toString('utf8').includes(marker)));
      runId = job?.id ?? '';
      return runId !== '';
    });
    await waitForState(service.url, runId, 'running');
    return { answer, runId };
  }

  it('answers a caller whose run ends within the grace with its result, then the old API exits cleanly and promptly', async () => {
    const { answer, runId } = await waitingCaller(2, 'short-run');
    const old = service.api;
    const exited = exitTime(old);
    const restarted = service.restartApi();
    const got = await answer;
    const answeredMs = Date.now();
    expect(got).not.toBeInstanceOf(Error);
    expect((got as HttpAnswer).httpStatus).toBe(200);
    expect((got as HttpAnswer).body).toMatchObject({ id: runId, status: 'OK', run: { stdout: 'short-run\n' } });
    await restarted;
    const exitedMs = await exited;
    // A clean stop (exit 0) soon after the last answer, not the grace timer's exit(1) 10 s later.
    expect.soft(old.child.exitCode, `old API output:\n${old.output().slice(-1500)}`).toBe(0);
    expect.soft(exitedMs - answeredMs, "ms from the last answer to the old API's exit").toBeLessThan(3_000);
    await expectHealthy(service.url);
  }, 60_000);

  it('gives a caller whose run outlives the grace an answer with the run id, and the run finishes and is served by the new API', async () => {
    const ledger = new RunLedger(service.url);
    const { answer, runId } = await waitingCaller(12, 'long-run');
    const stopMs = Date.now();
    const restarted = service.restartApi();
    const got = await answer;
    const answeredAfterMs = Date.now() - stopMs;

    // The user-visible contract: an HTTP answer naming the run (202 + Location), not a cut socket.
    const described = got instanceof Error ? `${String(got)} (cause: ${String(got.cause)})` : `${got.httpStatus} ${JSON.stringify(got.body)}`;
    expect.soft(got instanceof Error, `the waiting caller got ${described} after ${answeredAfterMs} ms`).toBe(false);
    if (!(got instanceof Error)) {
      expect.soft(got.httpStatus).toBe(202);
      expect.soft(got.body).toMatchObject({ id: runId });
      expect.soft(got.headers.get('location')).toBe(`/runs/${runId}`);
      // Answered when the API began to stop, not at the end of the grace.
      expect.soft(answeredAfterMs).toBeLessThan(API_SHUTDOWN_GRACE_MS);
    }

    await restarted;
    ledger.submitted({ httpStatus: 202, headers: new Headers(), body: { id: runId, state: 'running' } });
    const body = await waitUntilDone(service.url, runId, 30_000);
    expect(body).toMatchObject({ status: 'OK', run: { stdout: 'long-run\n' } });
    expect((await getRun(service.url, runId)).httpStatus).toBe(200);
    const { lost } = await ledger.settle();
    expect(lost).toEqual([]);
    await expectHealthy(service.url);
  }, 90_000);
});
