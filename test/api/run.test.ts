import { describe, expect, it } from 'vitest';
import { FakeSubmissionQueue } from '../helpers/api-fake-queue.js';
import { appPerTest } from '../helpers/api-per-test.js';
import { heartbeat, okResult, runtime, stage } from '../helpers/api-fixtures.js';

const api = appPerTest();
const { setup } = api;

function post(payload: unknown) {
  return api.app.inject({ method: 'POST', url: '/run', payload: payload as object });
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('POST /run: accepted runs', () => {
  it('answers 202 at once with the id, state and Location when wait is false', async () => {
    const { queue } = await setup();
    const res = await post({ language: 'python', source: 'print(1)', wait: false });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toEqual({ id: expect.any(String), state: 'queued' });
    expect(res.headers.location).toBe(`/runs/${body.id}`);
    expect(queue.submitted[0]?.job.runId).toBe(body.id);
  });

  it("keeps a webhook's target apart from the job, as long as a batch, so a long queue wait does not lose it", async () => {
    const { queue, store } = await setup({ resultTtlS: 60, batchTtlS: 7200 });
    const res = await post({ language: 'python', source: 'print(1)', wait: false, webhook: { url: 'https://grader.example/hook', secret: 's3cret' } });
    expect(res.statusCode).toBe(202);
    const { id } = res.json();
    expect(store.runWebhooks.get(id)).toEqual({ url: 'https://grader.example/hook', secret: 's3cret' });
    expect(store.ttls.get(`run-webhook:${id}`)).toBe(7200);
    const { job } = queue.submitted[0]!;
    expect(job.webhook).toBe(true);
    expect(JSON.stringify(job)).not.toContain('s3cret');
  });

  it('answers 202 with the state so far when the wait bound passes before the run is done', async () => {
    const queue = new FakeSubmissionQueue();
    queue.workers = [heartbeat()];
    queue.autoComplete = (job) => ({ state: 'running', language: job.language });
    await setup({ waitTimeoutMs: 10 }, queue);
    const res = await post({ language: 'python', source: 'x' });
    expect(res.statusCode).toBe(202);
    expect(res.json().state).toBe('running');
    expect(res.headers.location).toMatch(/^\/runs\//);
  });

  it('answers 200 with the result fields when the run finishes within the wait bound', async () => {
    const queue = new FakeSubmissionQueue();
    queue.workers = [heartbeat()];
    queue.autoComplete = (job) => ({
      state: 'done',
      result: { ...okResult({ status: 'TIME_LIMIT', timeLimit: 'cpu', run: stage({ status: 'TIME_LIMIT', timeLimit: 'cpu', exitCode: null, signal: 'SIGKILL' }) }), id: job.runId },
    });
    await setup({}, queue);
    const res = await post({ language: 'py', source: 'while True: pass' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ state: 'done', status: 'TIME_LIMIT', timeLimit: 'cpu', language: 'python', version: '3.12.1' });
    expect(body.run).toMatchObject({ status: 'TIME_LIMIT', exitCode: null, signal: 'SIGKILL', stdoutTruncated: false, cpuTimeMs: 12 });
    expect(body.id).toBe(queue.submitted[0]?.job.runId);
  });

  it('reports a run that failed after all attempts as INTERNAL_ERROR with a code, never the failure text', async () => {
    const queue = new FakeSubmissionQueue();
    queue.workers = [heartbeat()];
    queue.autoComplete = () => ({ state: 'done', failedCode: 'Error: ENOENT /var/lib/secret/path', language: 'python' });
    await setup({}, queue);
    const res = await post({ language: 'python', source: 'x' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'done', status: 'INTERNAL_ERROR', errorCode: 'SBX_ERR_RUN_LOST' });
    expect(res.body).not.toContain('ENOENT');
    expect(res.body).not.toContain('/var/lib');
  });

  it('builds the job: canonical language, source as the main file, base64 files, stdin, args and default limits', async () => {
    const { queue } = await setup();
    const res = await post({
      language: 'PY',
      source: 'print(input())',
      files: [
        { name: 'data.txt', content: 'abc' },
        { name: 'blob.bin', content: b64('\u0000\u0001'), encoding: 'base64' },
      ],
      stdin: 'héllo',
      args: ['-v'],
      limits: { cpuTimeMs: 500 },
      wait: false,
    });
    expect(res.statusCode).toBe(202);
    const { job, opts } = queue.submitted[0]!;
    expect(job).toMatchObject({ schemaVersion: 1, language: 'python', version: '3.12.1', args: ['-v'], stdinBase64: b64('héllo') });
    expect(job.files).toEqual([
      { name: 'main.py', contentBase64: b64('print(input())') },
      { name: 'data.txt', contentBase64: b64('abc') },
      { name: 'blob.bin', contentBase64: b64('\u0000\u0001') },
    ]);
    expect(job.limits).toEqual({ ...runtime().limits.default, cpuTimeMs: 500 });
    expect(opts?.priority).toBe(1);
    expect(Number.isNaN(Date.parse(job.submittedAt))).toBe(false);
  });

  it('takes a surrogate pair escape as the one character it writes (an emoji), in UTF-8 on the queue', async () => {
    const { queue } = await setup();
    const res = await api.app.inject({
      method: 'POST',
      url: '/run',
      headers: { 'content-type': 'application/json' },
      payload: '{"language":"python","source":"print(\\"\\ud83d\\ude00\\")","wait":false}',
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(Buffer.from(queue.submitted[0]!.job.files[0]!.contentBase64, 'base64').toString('utf8')).toBe('print("\u{1F600}")');
  });

  it('accepts file names such as __init__.py and _util-1.py', async () => {
    const { queue } = await setup();
    const names = ['__init__.py', '_util-1.py'];
    const res = await post({ language: 'python', source: 'x', wait: false, files: names.map((name) => ({ name, content: '' })) });
    expect(res.statusCode, res.body).toBe(202);
    expect(queue.submitted[0]?.job.files.map((f) => f.name)).toEqual(['main.py', ...names]);
  });

  it('uses the first file as the main file when no source is given, and accepts stdinBase64', async () => {
    const { queue } = await setup();
    const res = await post({ language: 'c', files: [{ name: 'prog.c', content: 'int main(){}' }], stdinBase64: b64('\u00ff'), wait: false });
    expect(res.statusCode).toBe(202);
    expect(queue.submitted[0]?.job.files[0]?.name).toBe('prog.c');
    expect(queue.submitted[0]?.job.stdinBase64).toBe(b64('\u00ff'));
  });

  it('picks the requested version, and the newest when none is given', async () => {
    const queue = new FakeSubmissionQueue();
    queue.workers = [heartbeat([runtime({ version: '3.9.0' }), runtime({ version: '3.12.1' }), runtime({ version: '3.10.2' })])];
    await setup({}, queue);
    await post({ language: 'python', source: 'x', wait: false });
    await post({ language: 'python', version: '3.9.0', source: 'x', wait: false });
    expect(queue.submitted.map((s) => s.job.version)).toEqual(['3.12.1', '3.9.0']);
  });
});

describe('POST /run: tests (judging)', () => {
  it('maps tests with default ids, base64 inputs, per-test limits, compare and stopOnFirstFailure', async () => {
    const { queue } = await setup();
    const res = await post({
      language: 'python',
      source: 'x',
      limits: { wallTimeMs: 3000 },
      tests: [
        { stdin: '1', expected: '2' },
        { id: 'big', stdin: '3', limits: { cpuTimeMs: 9000 } },
      ],
      compare: { mode: 'numeric', absTolerance: 0.001 },
      stopOnFirstFailure: true,
      wait: false,
    });
    expect(res.statusCode).toBe(202);
    const job = queue.submitted[0]!.job;
    expect(job.tests).toEqual([
      { id: '1', stdinBase64: b64('1'), expectedBase64: b64('2') },
      { id: 'big', stdinBase64: b64('3'), limits: { ...runtime().limits.default, wallTimeMs: 3000, cpuTimeMs: 9000 } },
    ]);
    expect(job.compare).toEqual({ mode: 'numeric', absTolerance: 0.001 });
    expect(job.stopOnFirstFailure).toBe(true);
  });

  it('returns tests, passed and total from the result', async () => {
    const queue = new FakeSubmissionQueue();
    queue.workers = [heartbeat()];
    queue.autoComplete = (job) => ({
      state: 'done',
      result: {
        ...okResult({
          status: 'WRONG_ANSWER',
          run: undefined,
          tests: [
            { id: '1', ...stage() },
            { id: '2', ...stage({ status: 'WRONG_ANSWER' }) },
          ],
          passed: 1,
          total: 2,
        }),
        id: job.runId,
      },
    });
    await setup({}, queue);
    // An empty run-wide stdin says nothing beside tests, and is taken.
    const res = await post({ language: 'python', source: 'x', stdin: '', tests: [{ stdin: '' }, { stdin: '' }] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'WRONG_ANSWER',
      passed: 1,
      total: 2,
      tests: [
        { id: '1', status: 'OK' },
        { id: '2', status: 'WRONG_ANSWER' },
      ],
    });
  });
});

describe('GET /runs/:id', () => {
  it('answers the queued state, then the result once done', async () => {
    const { queue } = await setup();
    const id = (await post({ language: 'python', source: 'x', wait: false })).json().id as string;
    const queued = await api.app.inject({ method: 'GET', url: `/runs/${id}` });
    expect(queued.statusCode).toBe(200);
    expect(queued.json()).toEqual({ id, state: 'queued' });
    queue.complete(id, okResult());
    const done = await api.app.inject({ method: 'GET', url: `/runs/${id}` });
    expect(done.json()).toMatchObject({ id, state: 'done', status: 'OK', run: { stdout: 'hello\n' } });
  });

  it('answers 404 SBX_ERR_RUN_UNKNOWN for an unknown or expired id', async () => {
    await setup();
    const res = await api.app.inject({ method: 'GET', url: '/runs/does-not-exist' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('SBX_ERR_RUN_UNKNOWN');
  });
});
