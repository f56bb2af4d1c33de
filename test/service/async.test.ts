/**
 * Synchronous and asynchronous use of the real service (issue 5): the default POST /run waits and
 * answers 200 with the result; `wait: false` answers 202 with a Location to poll; a run longer
 * than the API's wait bound answers 202 with its state and is fetched later; an unknown id is 404.
 * The API here waits at most 1.5 s (SBX_WAIT_TIMEOUT_MS), so a 3 s program outlives the wait.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectHealthy, getRun, postRun, waitForState, waitUntilDone, type RunBody } from '../helpers/service-client.js';
import { serviceUnavailableReason, startService, type TestService } from '../helpers/service.js';

const WAIT_TIMEOUT_MS = 1500;
const MIB = 1024 * 1024;
const SLOW_PROGRAM = 'import time\nprint("started", flush=True)\ntime.sleep(3)\nprint("finished")\n';
let service: TestService;

const skip = serviceUnavailableReason();
describe.skipIf(skip !== undefined)(`sync and async runs${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    service = await startService({ apiEnv: { SBX_WAIT_TIMEOUT_MS: String(WAIT_TIMEOUT_MS), SBX_BODY_LIMIT_BYTES: String(16 * MIB) } });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('answers 200 with the result in one call when wait is left unset', async () => {
    const answer = await postRun(service.url, { language: 'python', source: 'print(6 * 7)' });
    expect(answer.httpStatus).toBe(200);
    expect(answer.headers.get('location')).toBeNull();
    expect(answer.body).toMatchObject({ state: 'done', status: 'OK', language: 'python', run: { stdout: '42\n', exitCode: 0 } });
  });

  it('answers 202 at once with a Location for wait:false, and the Location serves the result when done', async () => {
    const startedMs = Date.now();
    const answer = await postRun(service.url, { language: 'python', source: 'import sys\nprint(sys.stdin.read().upper())', stdin: 'abc', wait: false });
    expect(answer.httpStatus).toBe(202);
    // Answered without waiting for the run: well under the API's wait bound.
    expect(Date.now() - startedMs).toBeLessThan(WAIT_TIMEOUT_MS);
    const id = String(answer.body.id);
    expect(answer.body.state).not.toBe('done');
    expect(answer.headers.get('location')).toBe(`/runs/${id}`);

    const body = await waitUntilDone(service.url, id);
    expect(body).toMatchObject({ id, state: 'done', status: 'OK', run: { stdout: 'ABC\n' } });
    const again = await fetch(`${service.url}${answer.headers.get('location') ?? ''}`);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(body);
  });

  it('shows a wait:false run as running while it runs, then done with its whole output', async () => {
    const answer = await postRun(service.url, { language: 'python', source: SLOW_PROGRAM, wait: false });
    const id = String(answer.body.id);
    await waitForState(service.url, id, 'running');
    const running = await getRun(service.url, id);
    expect(running.httpStatus).toBe(200);
    expect(running.body).toEqual({ id, state: 'running' });
    const body = await waitUntilDone(service.url, id);
    expect(body.run?.stdout).toBe('started\nfinished\n');
  });

  it('answers 202 with the state and a Location when the run outlives the wait bound, and the run still finishes', async () => {
    const startedMs = Date.now();
    const answer = await postRun(service.url, { language: 'python', source: SLOW_PROGRAM, wait: true });
    const waitedMs = Date.now() - startedMs;
    expect(answer.httpStatus).toBe(202);
    expect(['queued', 'running']).toContain(answer.body.state);
    expect(waitedMs).toBeGreaterThanOrEqual(WAIT_TIMEOUT_MS - 100);
    expect(waitedMs).toBeLessThan(WAIT_TIMEOUT_MS + 2000);
    const id = String(answer.body.id);
    expect(answer.headers.get('location')).toBe(`/runs/${id}`);
    const body: RunBody = await waitUntilDone(service.url, id);
    expect(body).toMatchObject({ status: 'OK', run: { stdout: 'started\nfinished\n' } });
  });

  it('answers a fast run with a large stdin with its OK result, never a spurious INTERNAL_ERROR', async () => {
    // A large job makes reading it slow, so the run can finish between the API's read of the job
    // and its read of the job's state; the answer must still be the run's result.
    const stdin = 'a'.repeat(8 * MIB);
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await postRun(service.url, { language: 'bash', source: 'head -c1', stdin, wait: true });
      statuses.push(`${answer.httpStatus} ${String(answer.body.status)} ${String(answer.body.errorCode ?? '')}`.trim());
      const stored = await waitUntilDone(service.url, String(answer.body.id));
      expect(stored).toMatchObject({ status: 'OK', run: { stdout: 'a' } });
    }
    expect(statuses).toEqual(Array.from({ length: 5 }, () => '200 OK'));
  });

  it('answers 404 SBX_ERR_RUN_UNKNOWN for an id that never existed', async () => {
    const answer = await getRun(service.url, randomUUID());
    expect(answer.httpStatus).toBe(404);
    expect(answer.body).toMatchObject({ error: { code: 'SBX_ERR_RUN_UNKNOWN' } });
  });

  it('is healthy after the sync and async runs', async () => {
    await expectHealthy(service.url);
  });
});
