/**
 * Redis faults on the real service (issue 5, issue 8 part 3): Redis restarted while runs are
 * queued and no worker holds them, and the data disk filled under Redis. In each, every accepted
 * run is counted and must be answered (runs lost = 0), earlier results stay readable and intact,
 * and the service is healthy afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, expectHealthy, getRun, postRun, RunLedger, waitForState, type HttpAnswer } from '../helpers/service-client.js';
import { fillDisk, mountTmpfs, startRedisIn, tmpfsUnavailableReason, type SmallDisk } from '../helpers/service-disk.js';
import { serviceUnavailableReason, startService, type TestService } from '../helpers/service.js';

const ECHO = 'import sys\nprint("echo:" + sys.stdin.read())';

/** Submits `count` echo runs with wait:false; stdin `${tag}-${i}`. */
async function submitEchoes(service: TestService, ledger: RunLedger, tag: string, count: number): Promise<Map<string, string>> {
  const expected = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const id = ledger.submitted(await postRun(service.url, { language: 'python', source: ECHO, stdin: `${tag}-${i}`, wait: false }));
    expected.set(id, `echo:${tag}-${i}\n`);
  }
  return expected;
}

/** Runs `count` echo runs to completion and returns id → the full 200 body of GET /runs/:id. */
async function finishedRuns(service: TestService, count: number): Promise<Map<string, unknown>> {
  const bodies = new Map<string, unknown>();
  for (let i = 0; i < count; i++) {
    const answer = await postRun(service.url, { language: 'python', source: ECHO, stdin: `before-${i}`, wait: true });
    expect(answer.body).toMatchObject({ status: 'OK', run: { stdout: `echo:before-${i}\n` } });
    bodies.set(String(answer.body.id), (await getRun(service.url, String(answer.body.id))).body);
  }
  return bodies;
}

async function expectSameResults(service: TestService, before: Map<string, unknown>): Promise<void> {
  for (const [id, body] of before) {
    const now = await getRun(service.url, id);
    expect(now.httpStatus, `GET /runs/${id}`).toBe(200);
    expect(now.body).toEqual(body);
  }
}

function expectOutputs(results: Map<string, { run?: { stdout: string } }>, expected: Map<string, string>): void {
  const wrong = [...expected].filter(([id, stdout]) => results.get(id)?.run?.stdout !== stdout).map(([id]) => id);
  expect(wrong).toEqual([]);
}

const skip = serviceUnavailableReason();
describe.skipIf(skip !== undefined)(`Redis restarted with runs queued${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let service: TestService;
  beforeAll(async () => {
    // One slot, so that runs submitted behind a running one stay queued.
    service = await startService({ workerEnv: { SBX_WORKER_SLOTS: '1' } });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('keeps queued and finished runs across a Redis restart with no worker running, and a new worker runs them all', async () => {
    const ledger = new RunLedger(service.url);
    const finished = await finishedRuns(service, 3);
    const blocker = ledger.submitted(await postRun(service.url, { language: 'python', source: 'import time\ntime.sleep(2)\nprint("blocker")', wait: false }));
    await waitForState(service.url, blocker, 'running');
    const queued = await submitEchoes(service, ledger, 'queued', 10);
    for (const id of queued.keys()) expect((await getRun(service.url, id)).body.state).toBe('queued');

    // SIGTERM: the worker finishes its run and leaves; nothing in any process holds the queued runs.
    const [worker] = service.workers;
    await worker?.stop('SIGTERM');
    expect(worker?.child.exitCode).toBe(0);
    await service.redis.restart();

    await eventually('the API answers again after the Redis restart', async () => (await getRun(service.url, blocker)).httpStatus === 200);
    for (const id of queued.keys()) expect((await getRun(service.url, id)).body.state, `run ${id} after the restart`).toBe('queued');
    await expectSameResults(service, finished);

    await service.startWorker();
    const { lost, results } = await ledger.settle(60_000);
    expect(lost).toEqual([]);
    expect(ledger.count).toBe(11);
    expectOutputs(results, queued);
    expect(results.get(blocker)?.run?.stdout).toBe('blocker\n');
    await expectHealthy(service.url);
  }, 120_000);
});

describe.skipIf(skip !== undefined)(`a worker told to stop after its Redis died${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startService({ workerEnv: { SBX_SHUTDOWN_GRACE_MS: '1000' } });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('exits by itself on SIGTERM within its grace period plus the steps bound', async () => {
    const answer = await postRun(service.url, { language: 'python', source: ECHO, stdin: 'alive', wait: true });
    expect(answer.body).toMatchObject({ status: 'OK', run: { stdout: 'echo:alive\n' } });
    await service.redis.stop();
    const [worker] = service.workers;
    const started = Date.now();
    // stop() sends SIGKILL after 15 s: an exit code of 0 means the worker left on its own.
    await worker?.stop('SIGTERM');
    expect(worker?.child.signalCode).toBeNull();
    expect(worker?.child.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 60_000);
});

const diskSkip = skip ?? tmpfsUnavailableReason();
describe.skipIf(diskSkip !== undefined)(`data disk full under Redis${diskSkip ? ` (skipped: ${diskSkip})` : ''}`, () => {
  let disk: SmallDisk | undefined;
  let service: TestService;
  beforeAll(async () => {
    disk = await mountTmpfs(32 * 1024 * 1024);
    service = await startService({
      redis: await startRedisIn(disk.dir),
      // Short locks: a run whose completion could not be written is recovered soon after.
      workerEnv: { SBX_LOCK_DURATION_MS: '3000', SBX_STALLED_INTERVAL_MS: '1000' },
    });
  });
  afterAll(async () => {
    await service?.stop();
    await disk?.unmount();
  });

  it('answers POST /run with a clear 5xx code while the disk is full, keeps earlier results, and recovers with none lost once space is freed', async () => {
    const ledger = new RunLedger(service.url);
    const finished = await finishedRuns(service, 3);
    const filler = await fillDisk(disk?.dir ?? '');
    expect(filler.filledBytes).toBeGreaterThan(0);

    // Accepted submissions before Redis notices are fine (they are counted); then a clear refusal.
    let refusal: HttpAnswer | undefined;
    await eventually(
      'POST /run is refused while the disk is full',
      async () => {
        const answer = await postRun(service.url, { language: 'python', source: ECHO, stdin: 'during', wait: false });
        if (answer.httpStatus < 500) ledger.submitted(answer);
        else refusal = answer;
        return refusal !== undefined;
      },
      20_000,
    );
    expect(refusal?.httpStatus).toBe(503);
    expect(refusal?.body).toMatchObject({ error: { code: 'SBX_ERR_QUEUE_UNAVAILABLE' } });
    expect(JSON.stringify(refusal?.body)).not.toMatch(/MISCONF|ENOSPC|No space/i);
    await expectSameResults(service, finished);
    expect(service.workers[0]?.child.exitCode).toBeNull();
    expect(service.api.child.exitCode).toBeNull();

    await filler.release();
    await eventually(
      'POST /run is accepted again after space is freed',
      async () => {
        const answer = await postRun(service.url, { language: 'python', source: ECHO, stdin: 'after', wait: false });
        if (answer.httpStatus === 202) ledger.submitted(answer);
        return answer.httpStatus === 202;
      },
      30_000,
    );
    const { lost } = await ledger.settle(60_000);
    expect(lost).toEqual([]);

    // No corruption: Redis reloads its files from the once-full disk, and every result reads the same.
    await service.redis.restart();
    await eventually('the API answers after Redis reloads', async () => (await fetch(`${service.url}/ready`)).status === 200);
    await expectSameResults(service, finished);
    await expectHealthy(service.url);
  }, 150_000);
});
