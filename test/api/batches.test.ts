import { describe, expect, it } from 'vitest';
import { BulkheadError } from '../../worker/contract/errors.js';
import { PRIORITY_BATCH } from '../../worker/contract/job.js';
import { appPerTest } from '../helpers/api-per-test.js';
import { FakeSubmissionQueue } from '../helpers/api-fake-queue.js';
import { heartbeat, okResult, runtime } from '../helpers/api-fixtures.js';

const api = appPerTest();
const { setup } = api;

const { inject } = api;

const TESTS = [{ stdin: '1 2\n', expected: '3\n' }];
const subs = (n: number) => Array.from({ length: n }, (_, i) => ({ externalId: `s${i}`, source: `print(${i})` }));
const finished = (runId: string, externalId: string, status: 'OK' | 'WRONG_ANSWER') => ({
  runId,
  externalId,
  status,
  passed: status === 'OK' ? 1 : 0,
  total: 1,
  finishedAt: new Date(0).toISOString(),
});

describe('POST /batches', () => {
  it('enqueues one job per submission at batch priority, with refs, batch id and external id, and answers 202', async () => {
    const { queue } = await setup();
    const res = await inject('POST', '/batches', { language: 'python', tests: TESTS, submissions: subs(3), checker: { language: 'python', source: 'c' } });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ id: expect.any(String), total: 3, generation: 1, testset: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(res.headers.location).toBe(`/batches/${body.id}`);
    expect(queue.submitted).toHaveLength(3);
    for (const [i, { job, opts }] of queue.submitted.entries()) {
      expect(opts?.priority).toBe(PRIORITY_BATCH);
      expect(job).toMatchObject({ batchId: body.id, externalId: `s${i}`, language: 'python' });
      expect(job.tests?.[0]?.stdinRef).toMatch(/^[0-9a-f]{64}$/);
      expect(job.checker?.language).toBe('python');
    }
  });

  it("runs each submission on its own version, else on the batch's when it names no language of its own", async () => {
    const queue = new FakeSubmissionQueue();
    queue.workers = [heartbeat([runtime({ version: '3.11.2' }), runtime({ version: '3.13.1', default: true })])];
    await setup({}, queue);
    const submissions = [
      { externalId: 'own', version: '3.13', source: 'x' },
      { externalId: 'batch', source: 'x' },
      { externalId: 'language', language: 'python', source: 'x' },
    ];
    expect((await inject('POST', '/batches', { language: 'python', version: '3.11', tests: TESTS, submissions })).statusCode).toBe(202);
    expect(queue.submitted.map(({ job }) => [job.externalId, job.version])).toEqual([
      ['own', '3.13.1'],
      ['batch', '3.11.2'],
      ['language', '3.13.1'],
    ]);
  });

  it('leaves waiting batch members out of POST /run backpressure, so a large batch never makes interactive runs answer 503', async () => {
    await setup({ maxQueueDepth: 2 });
    expect((await inject('POST', '/batches', { language: 'python', tests: TESTS, submissions: subs(5) })).statusCode).toBe(202);
    expect((await inject('POST', '/run', { language: 'python', source: 'x', wait: false })).statusCode).toBe(202);
    expect((await inject('POST', '/run', { language: 'python', source: 'x', wait: false })).statusCode).toBe(202);
    const full = await inject('POST', '/run', { language: 'python', source: 'x', wait: false });
    expect(full.statusCode).toBe(503);
    expect(full.json().error.code).toBe('SBX_ERR_QUEUE_FULL');
  });

  it('bounds waiting batch members on their own: past SBX_MAX_BATCH_BACKLOG a batch or rejudge is 503 with Retry-After', async () => {
    const { queue } = await setup({ maxBatchBacklog: 3, queueFullRetryAfterS: 7 });
    const created = await inject('POST', '/batches', { language: 'python', tests: TESTS, submissions: subs(3) });
    expect(created.statusCode).toBe(202);
    const refusals = [await inject('POST', '/batches', { language: 'python', tests: TESTS, submissions: subs(1) }), await inject('POST', `/batches/${created.json().id}/rejudge`)];
    for (const full of refusals) {
      expect([full.statusCode, full.json().error.code, full.headers['retry-after']]).toEqual([503, 'SBX_ERR_QUEUE_FULL', '7']);
    }
    expect(queue.submitted).toHaveLength(3);
    // Interactive runs are not held back by the batch backlog.
    expect((await inject('POST', '/run', { language: 'python', source: 'x', wait: false })).statusCode).toBe(202);
  });

  it('drops the batch when its submission fails part way, so members already queued report into no batch', async () => {
    class FailingQueue extends FakeSubmissionQueue {
      override async submitMany(...[jobs, opts]: Parameters<FakeSubmissionQueue['submitMany']>): Promise<void> {
        // The first chunk went in; the second timed out (Redis answers again by the time of the cleanup).
        await this.submit(jobs[0]!, opts);
        throw new BulkheadError('SBX_ERR_QUEUE_UNAVAILABLE', 'submitMany timed out');
      }
    }
    const queue = new FailingQueue();
    queue.workers = [heartbeat()];
    const { store } = await setup({}, queue);
    const res = await inject('POST', '/batches', { language: 'python', tests: TESTS, submissions: subs(2) });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('SBX_ERR_QUEUE_UNAVAILABLE');
    expect(queue.submitted).toHaveLength(1);
    expect(store.batches.size).toBe(0);
  });

  it('rejects a batch over SBX_MAX_BATCH_SUBMISSIONS with 413 SBX_ERR_BATCH_TOO_LARGE and enqueues nothing', async () => {
    const { queue } = await setup({ maxBatchSubmissions: 2 });
    const res = await inject('POST', '/batches', { language: 'python', tests: TESTS, submissions: subs(3) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('SBX_ERR_BATCH_TOO_LARGE');
    expect(queue.submitted).toHaveLength(0);
  });

  it('names the submission at fault, and rejects repeated external ids, a missing language, tests and testset together', async () => {
    const { queue } = await setup();
    const bad = await inject('POST', '/batches', {
      tests: TESTS,
      submissions: [
        { externalId: 'ok', language: 'python', source: 'x' },
        { externalId: 'bad', language: 'cobol', source: 'x' },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'SBX_ERR_RUNTIME_UNKNOWN', details: { submission: 1, externalId: 'bad' } });
    const code = async (payload: unknown) => (await inject('POST', '/batches', payload)).json().error.code;
    expect(
      await code({
        language: 'python',
        tests: TESTS,
        submissions: [
          { externalId: 'a', source: 'x' },
          { externalId: 'a', source: 'y' },
        ],
      }),
    ).toBe('SBX_ERR_VALIDATION');
    expect(await code({ tests: TESTS, submissions: [{ externalId: 'a', source: 'x' }] })).toBe('SBX_ERR_VALIDATION');
    expect(await code({ language: 'python', submissions: [{ externalId: 'a', source: 'x' }] })).toBe('SBX_ERR_VALIDATION');
    expect(await code({ language: 'python', tests: TESTS, testset: 'a'.repeat(64), submissions: [{ externalId: 'a', source: 'x' }] })).toBe('SBX_ERR_VALIDATION');
    expect(await code({ language: 'python', testset: 'a'.repeat(64), submissions: [{ externalId: 'a', source: 'x' }] })).toBe('SBX_ERR_TESTSET_UNKNOWN');
    expect(await code({ language: 'python', tests: TESTS, submissions: [{ externalId: 'bell\u0007', source: 'x' }] })).toBe('SBX_ERR_VALIDATION');
    expect(queue.submitted).toHaveLength(0);
  });

  it('refuses webhook URLs that are not http(s), carry credentials or leave the allow-list', async () => {
    await setup({ webhookAllowHosts: ['hooks.example.org'] });
    const code = async (url: string) => (await inject('POST', '/batches', { language: 'python', tests: TESTS, submissions: subs(1), webhook: { url } })).json().error?.code;
    expect(await code('file:///etc/passwd')).toBe('SBX_ERR_WEBHOOK_URL');
    expect(await code('https://u:p@hooks.example.org/')).toBe('SBX_ERR_WEBHOOK_URL');
    expect(await code('http://169.254.169.254/')).toBe('SBX_ERR_WEBHOOK_URL');
    expect(await code('https://hooks.example.org/in')).toBeUndefined();
  });

  it('with no allowed hosts, refuses private and loopback webhook targets unless SBX_WEBHOOK_ALLOW_PRIVATE', async () => {
    const code = async (url: string) => (await inject('POST', '/batches', { language: 'python', tests: TESTS, submissions: subs(1), webhook: { url } })).json().error?.code;
    await setup();
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://127.0.0.1:6379/', 'http://localhost/', 'http://[::1]/']) {
      expect(await code(url), url).toBe('SBX_ERR_WEBHOOK_URL');
    }
    expect(await code('https://hooks.example.org/in')).toBeUndefined();
    await setup({ webhookAllowPrivate: true });
    expect(await code('http://127.0.0.1:8080/hook')).toBeUndefined();
  });
});

describe('GET /batches/:id, downloads and rejudge', () => {
  it('shows progress and counts, pages results, and never answers the webhook secret', async () => {
    const { queue, store } = await setup();
    const created = (
      await inject('POST', '/batches', { language: 'python', tests: TESTS, submissions: subs(3), webhook: { url: 'https://h.example/x', secret: 'top-secret' } })
    ).json();
    const runIds = queue.submitted.map((s) => s.job.runId);
    store.record(created.id, finished(runIds[0]!, 's0', 'OK'));
    const running = await inject('GET', `/batches/${created.id}?offset=0&limit=2`);
    expect(running.json()).toMatchObject({ state: 'running', total: 3, done: 1, counts: { OK: 1 }, offset: 0, limit: 2 });
    expect(running.json().results).toEqual([
      { externalId: 's0', runId: runIds[0], state: 'done', status: 'OK', passed: 1, total: 1, finishedAt: expect.any(String) },
      { externalId: 's1', runId: runIds[1], state: 'pending' },
    ]);
    expect(running.body).not.toContain('top-secret');
    store.record(created.id, finished(runIds[1]!, 's1', 'WRONG_ANSWER'));
    store.record(created.id, finished(runIds[2]!, 's2', 'OK'));
    expect((await inject('GET', `/batches/${created.id}`)).json()).toMatchObject({ state: 'done', done: 3, counts: { OK: 2, WRONG_ANSWER: 1 }, finishedAt: expect.any(String) });
    expect((await inject('GET', `/batches/${created.id}?limit=0`)).statusCode).toBe(400);
    expect((await inject('GET', `/batches/${created.id}?limit=abc`)).statusCode).toBe(400);

    const csv = await inject('GET', `/batches/${created.id}/results.csv`);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain('attachment');
    expect(csv.body.trimEnd().split('\r\n')).toHaveLength(4);
    const json = await inject('GET', `/batches/${created.id}/results.json`);
    expect(json.json().results.map((r: { status: string }) => r.status)).toEqual(['OK', 'WRONG_ANSWER', 'OK']);
  });

  it('rejudges with new run ids and reset counters under the same id; unknown ids are 404 SBX_ERR_BATCH_UNKNOWN', async () => {
    const { queue, store } = await setup();
    const created = (await inject('POST', '/batches', { language: 'python', tests: TESTS, submissions: subs(2) })).json();
    const firstIds = queue.submitted.map((s) => s.job.runId);
    store.record(created.id, finished(firstIds[0]!, 's0', 'OK'));
    queue.complete(firstIds[0]!, okResult());
    const again = await inject('POST', `/batches/${created.id}/rejudge`);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ id: created.id, total: 2, generation: 2 });
    const second = queue.submitted.slice(2).map((s) => s.job);
    expect(second.map((j) => j.externalId)).toEqual(['s0', 's1']);
    expect(second.every((j) => !firstIds.includes(j.runId) && j.batchId === created.id)).toBe(true);
    // The first generation's run that had not started is gone from the queue; the finished one stays readable.
    expect(await queue.get(firstIds[1]!)).toBeUndefined();
    expect(await queue.get(firstIds[0]!)).toMatchObject({ state: 'done' });
    store.record(created.id, finished(firstIds[1]!, 's1', 'OK'));
    expect((await inject('GET', `/batches/${created.id}`)).json()).toMatchObject({ state: 'running', done: 0, generation: 2, counts: {} });
    for (const url of ['/batches/nope', '/batches/nope/results.csv', '/batches/nope/results.json']) {
      const res = await inject('GET', url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('SBX_ERR_BATCH_UNKNOWN');
    }
    expect((await inject('POST', '/batches/nope/rejudge')).statusCode).toBe(404);
  });

  it('answers two rejudges at once with the two generations they started, never the same one twice', async () => {
    await setup();
    const { id } = (await inject('POST', '/batches', { language: 'python', tests: TESTS, submissions: subs(1) })).json();
    const answers = await Promise.all([inject('POST', `/batches/${id}/rejudge`), inject('POST', `/batches/${id}/rejudge`)]);
    expect(answers.map((a) => a.json().generation).sort()).toEqual([2, 3]);
    expect((await inject('GET', `/batches/${id}`)).json().generation).toBe(3);
  });
});
