/**
 * The Judge0 CE adapter through app.inject over the fake queue: request shapes as Judge0 clients
 * send them (judge0/ide sends every field, numbers as strings, nulls), the conversion to the job,
 * the mapping of results back, fields=, base64, batches, errors and keys.
 */
import { zipSync } from 'fflate';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../api/plugins/auth.js';
import type { SubmissionJob } from '../../worker/contract/job.js';
import type { RunResult } from '../../worker/contract/result.js';
import { FakeSubmissionQueue } from '../helpers/api-fake-queue.js';
import { C_RUNTIME, heartbeat, makeApp, okResult, runtime, stage } from '../helpers/api-fixtures.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const MIB = 1024 * 1024;
const b64 = (s: string) => Buffer.from(s).toString('base64');
/** Output that is not UTF-8 (as the worker carries it: base64). */
const BINARY = Buffer.from([0xff, 0xfe, 0x41]).toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

async function setup(complete?: (job: SubmissionJob) => Omit<RunResult, 'id'>, overrides = {}) {
  const queue = new FakeSubmissionQueue();
  queue.workers = [heartbeat([runtime(), C_RUNTIME])];
  if (complete !== undefined) queue.autoComplete = (job) => ({ state: 'done', result: { id: job.runId, ...complete(job) } });
  const made = await makeApp(overrides, queue);
  app = made.app;
  return queue;
}

function submit(body: Record<string, unknown>, query = '') {
  return app!.inject({ method: 'POST', url: `/judge0/submissions${query}`, payload: body });
}

/** What judge0/ide sends: every field, numbers as strings, unset ones as null. */
function ideBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    source_code: b64('print(input())'),
    language_id: '71',
    stdin: b64('hi'),
    compiler_options: '',
    command_line_arguments: '',
    redirect_stderr_to_stdout: true,
    expected_output: null,
    cpu_time_limit: '2',
    cpu_extra_time: null,
    wall_time_limit: '5',
    memory_limit: '128000',
    stack_limit: null,
    max_processes_and_or_threads: null,
    enable_per_process_and_thread_time_limit: null,
    enable_per_process_and_thread_memory_limit: null,
    max_file_size: null,
    enable_network: null,
    number_of_runs: null,
    callback_url: null,
    ...overrides,
  };
}

describe('Judge0: languages and information', () => {
  it('lists only installed languages, under Judge0 ids, with the installed versions in the names', async () => {
    await setup();
    const res = await app!.inject({ url: '/judge0/languages' });
    expect(res.statusCode).toBe(200);
    const list = res.json() as Array<{ id: number; name: string }>;
    expect(list.map((l) => l.id)).toEqual([48, 49, 50, 71, 92, 100, 103, 109]);
    expect(list.find((l) => l.id === 50)?.name).toBe('C (GCC 12.2.0)');
    expect(list.find((l) => l.id === 71)?.name).toBe('Python (3.12.1)');
    expect(list.some((l) => l.id === 62)).toBe(false);
    const one = await app!.inject({ url: '/judge0/languages/54' });
    expect(one.statusCode).toBe(404);
    expect((await app!.inject({ url: '/judge0/languages/50' })).json()).toMatchObject({ id: 50, source_file: 'main.c', is_archived: false });
  });

  it('answers the 14 statuses, the version, and config_info with Bulkhead limits in Judge0 units', async () => {
    await setup();
    const statuses = (await app!.inject({ url: '/judge0/statuses' })).json() as Array<{ id: number }>;
    expect(statuses.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect((await app!.inject({ url: '/judge0/about' })).json()).toMatchObject({ version: '1.13.1' });
    const info = (await app!.inject({ url: '/judge0/config_info' })).json() as Record<string, unknown>;
    expect(info).toMatchObject({ max_cpu_time_limit: 10, max_memory_limit: 512 * 1024, memory_limit: 256 * 1024, allow_enable_network: false, max_submission_batch_size: 20 });
    expect(Object.keys(info)).toHaveLength(39);
    const workers = (await app!.inject({ url: '/judge0/workers' })).json() as Array<Record<string, unknown>>;
    expect(workers[0]).toMatchObject({ available: 4, working: 1, idle: 3 });
  });
});

describe('Judge0: creating submissions', () => {
  it('answers 201 {token} without wait, and queues the converted job (limits, stdin, args)', async () => {
    const queue = await setup();
    const res = await submit(ideBody({ command_line_arguments: 'a "b c" d;rm', cpu_extra_time: '0.5' }), '?base64_encoded=true');
    expect(res.statusCode).toBe(201);
    const { token } = res.json() as { token: string };
    expect(res.json()).toEqual({ token: expect.any(String) });
    const job = queue.submitted[0]?.job;
    expect(job?.runId).toBe(token);
    expect(job?.files[0]).toEqual({ name: 'main.py', contentBase64: b64('print(input())') });
    expect(job?.stdinBase64).toBe(b64('hi'));
    expect(job?.args).toEqual(['a', 'b c', 'drm']);
    expect(job?.limits).toMatchObject({ cpuTimeMs: 2500, wallTimeMs: 5000, memoryBytes: 128000 * 1024, pids: 32 });
    expect(job?.mergeStderr).toBe(true);
    const polled = await app!.inject({ url: `/judge0/submissions/${token}?fields=status,language_id,cpu_time_limit,cpu_extra_time,memory_limit` });
    expect(polled.json()).toEqual({ status: { id: 1, description: 'In Queue' }, language_id: 71, cpu_time_limit: '2.0', cpu_extra_time: '0.5', memory_limit: 128000 });
  });

  it("applies stack_limit as the run's stack limit: 0 is the language maximum, above it a 422", async () => {
    const queue = await setup();
    // The fixture's Python allows a stack of up to 64 MiB (65536 KB).
    expect((await submit(ideBody({ stack_limit: '8192' }))).statusCode).toBe(201);
    expect((await submit(ideBody({ stack_limit: 0 }))).statusCode).toBe(201);
    expect(queue.submitted.map((s) => s.job.limits?.stackBytes)).toEqual([8 * 1024 * 1024, 64 * 1024 * 1024]);
    const over = await submit(ideBody({ stack_limit: 65537 }));
    expect(over.statusCode).toBe(422);
    expect(over.json()).toEqual({ stack_limit: ['must be less than or equal to 65536'] });
    const info = (await app!.inject({ url: '/judge0/config_info' })).json() as Record<string, unknown>;
    expect(info).toMatchObject({ stack_limit: 65536, max_stack_limit: 65536 });
  });

  it('waits with wait=true and maps the result: Accepted, times in seconds as strings, memory in KB, nulls for empty streams', async () => {
    await setup(() => okResult({ run: stage({ stdout: 'hi\n', cpuTimeMs: 12, wallTimeMs: 30, memoryBytes: 8 * MIB }) }));
    const res = await submit(ideBody({ source_code: 'print(input())', stdin: 'hi' }), '?wait=true');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      token: expect.any(String),
      time: '0.012',
      memory: 8192,
      stdout: 'hi\n',
      stderr: null,
      compile_output: null,
      message: null,
      status: { id: 3, description: 'Accepted' },
    });
  });

  it('answers base64 fields (message included) with base64_encoded=true, and 400 for non-UTF-8 output without it', async () => {
    const result = () => okResult({ status: 'RUNTIME_ERROR', run: stage({ status: 'RUNTIME_ERROR', exitCode: 3, stdout: BINARY, stdoutEncoding: 'base64' }) });
    await setup(result);
    const encoded = await submit(ideBody(), '?base64_encoded=true&wait=true&fields=stdout,message,status,exit_code,exit_signal');
    expect(encoded.json()).toEqual({
      stdout: `${BINARY}\n`,
      message: `${b64('Exited with error status 3')}\n`,
      status: { id: 11, description: 'Runtime Error (NZEC)' },
      exit_code: 3,
      exit_signal: null,
    });
    const plain = await submit(ideBody({ source_code: 'x' }), '?wait=true');
    expect(plain.statusCode).toBe(201);
    expect(plain.json()).toMatchObject({ error: expect.stringContaining('base64_encoded=true'), token: expect.any(String) });
    const get = await app!.inject({ url: `/judge0/submissions/${(plain.json() as { token: string }).token}` });
    expect(get.statusCode).toBe(400);
    expect(get.json()).toEqual({ error: expect.stringContaining('cannot be converted to UTF-8') });
  });

  it('judges an empty expected_output (the program must print nothing) instead of ignoring it', async () => {
    const queue = await setup(() => okResult({ status: 'WRONG_ANSWER', run: undefined, tests: [{ id: '1', ...stage({ status: 'WRONG_ANSWER', stdout: 'x\n' }) }] }));
    const res = await submit(ideBody({ source_code: 'x', stdin: '', expected_output: '' }), '?wait=true&fields=status');
    expect(res.json()).toEqual({ status: { id: 4, description: 'Wrong Answer' } });
    const job = queue.submitted[0]?.job;
    expect(job?.tests?.map((t) => [t.id, t.expectedBase64])).toEqual([['1', '']]);
    expect(job?.compare).toEqual({ mode: 'lines' });
    // null still means no judging: one plain run.
    await submit(ideBody({ source_code: 'x' }), '?wait=true');
    expect(queue.submitted[1]?.job.tests).toBeUndefined();
  });

  it('turns expected_output and number_of_runs into tests, and reports the last run with averaged time', async () => {
    const queue = await setup(() =>
      okResult({
        status: 'WRONG_ANSWER',
        run: undefined,
        tests: [
          { id: '1', ...stage({ cpuTimeMs: 10 }) },
          { id: '2', ...stage({ status: 'WRONG_ANSWER', cpuTimeMs: 30, stdout: 'nope\n' }) },
        ],
      }),
    );
    const res = await submit(
      ideBody({ source_code: 'x', stdin: '1', expected_output: 'yes', number_of_runs: '3' }),
      '?wait=true&fields=status,time,stdout,expected_output,number_of_runs',
    );
    expect(res.json()).toEqual({ status: { id: 4, description: 'Wrong Answer' }, time: '0.02', stdout: 'nope\n', expected_output: 'yes', number_of_runs: 3 });
    const job = queue.submitted[0]?.job;
    expect(job?.tests?.map((t) => [t.id, unb64(t.stdinBase64 ?? ''), unb64(t.expectedBase64 ?? '')])).toEqual([
      ['1', '1', 'yes'],
      ['2', '1', 'yes'],
      ['3', '1', 'yes'],
    ]);
    expect(job?.compare).toEqual({ mode: 'lines' });
    expect(job?.stopOnFirstFailure).toBe(true);
  });

  it.each([
    [stage({ status: 'TIME_LIMIT', timeLimit: 'wall', exitCode: null, signal: 'SIGKILL' }), 5, 'Time limit exceeded (wall clock)'],
    [stage({ status: 'OK', cpuTimeMs: 2300 }), 5, 'Time limit exceeded'],
    [stage({ status: 'RUNTIME_ERROR', exitCode: null, signal: 'SIGSEGV' }), 7, 'Caught fatal signal 11'],
    [stage({ status: 'OUTPUT_LIMIT', stdoutTruncated: true }), 8, 'Output limit exceeded (max_file_size)'],
    [stage({ status: 'RUNTIME_ERROR', exitCode: null, signal: 'SIGFPE' }), 9, 'Caught fatal signal 8'],
    [stage({ status: 'RUNTIME_ERROR', exitCode: null, signal: 'SIGABRT' }), 10, 'Caught fatal signal 6'],
    [stage({ status: 'MEMORY_LIMIT', exitCode: null, signal: 'SIGKILL' }), 12, 'Memory limit exceeded (memory_limit)'],
    [stage({ status: 'RUNTIME_ERROR', exitCode: null, signal: 'SIGSYS', seccompViolation: true }), 12, 'Forbidden system call (killed by the seccomp filter)'],
  ])('maps a %j stage to status %i with its message', async (run, id, message) => {
    await setup(() => okResult({ status: run.status, run }));
    const res = await submit(ideBody({ source_code: 'x', stdin: '' }), '?wait=true&fields=status,message');
    expect(res.json()).toMatchObject({ status: { id }, message });
  });

  it('maps a compile error to 6 with compile_output and an internal error to 13', async () => {
    await setup((job) =>
      job.language === 'c'
        ? okResult({ status: 'COMPILE_ERROR', run: undefined, compile: stage({ status: 'COMPILE_ERROR', exitCode: 1, stdout: '', stderr: 'main.c:1: error\n' }) })
        : { language: 'python', version: '3.12.1', status: 'INTERNAL_ERROR', errorCode: 'SBX_ERR_SANDBOX_SETUP' },
    );
    const c = await submit(ideBody({ source_code: 'int main(', language_id: 50, stdin: '' }), '?wait=true&fields=status,compile_output,time');
    expect(c.json()).toEqual({ status: { id: 6, description: 'Compilation Error' }, compile_output: 'main.c:1: error\n', time: null });
    const py = await submit(ideBody({ source_code: 'x', stdin: '' }), '?wait=true&fields=status');
    expect(py.json()).toEqual({ status: { id: 13, description: 'Internal Error' } });
  });

  it('unzips additional_files next to the main file, and refuses a path outside the work directory', async () => {
    const queue = await setup();
    const zip = Buffer.from(zipSync({ 'data.txt': Buffer.from('42'), 'helper.py': Buffer.from('X=1') })).toString('base64');
    expect((await submit(ideBody({ additional_files: zip }), '?base64_encoded=true')).statusCode).toBe(201);
    expect(queue.submitted[0]?.job.files.map((f) => f.name)).toEqual(['main.py', 'data.txt', 'helper.py']);
    const evil = Buffer.from(zipSync({ '../escape.sh': Buffer.from('x') })).toString('base64');
    const refused = await submit(ideBody({ additional_files: evil }), '?base64_encoded=true');
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toEqual({ additional_files: ['"../escape.sh" points outside the work directory'] });
  });
});

describe('Judge0: refusals and errors', () => {
  it('answers 422 with Judge0 messages per field', async () => {
    await setup();
    const res = await submit({
      language_id: 999,
      source_code: '',
      enable_network: true,
      enable_per_process_and_thread_time_limit: 'true',
      memory_limit: 10,
      cpu_time_limit: 'abc',
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({
      language_id: ["language with id 999 doesn't exist"],
      source_code: ["can't be blank"],
      cpu_time_limit: ['is not a number'],
      memory_limit: ['must be greater than or equal to 2048'],
      enable_network: ['enabling network is not allowed'],
      enable_per_process_and_thread_time_limit: ['this option cannot be enabled'],
    });
  });

  it('refuses limits above the language maximum, compiler options, and private callback URLs', async () => {
    await setup();
    const res = await submit(ideBody({ language_id: 50, cpu_time_limit: 11, compiler_options: '-O3', callback_url: 'http://127.0.0.1:9/cb' }));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({
      cpu_time_limit: ['must be less than or equal to 10'],
      compiler_options: ['setting compiler options is not allowed for c 12.2.0'],
      callback_url: ['is not allowed: host 127.0.0.1 is not a public address'],
    });
    const py = await submit(ideBody({ compiler_options: '-O2' }));
    expect(py.json()).toEqual({ compiler_options: ['setting compiler options is only allowed for compiled languages'] });
  });

  it('answers 400 for invalid fields, 404 for an unknown token, and 503 when the queue is full', async () => {
    const queue = await setup(undefined, { maxQueueDepth: 1 });
    expect((await app!.inject({ url: '/judge0/submissions/x?fields=stdout,nope' })).json()).toEqual({ error: 'invalid fields: [nope]' });
    expect((await app!.inject({ url: '/judge0/submissions/unknown-token' })).statusCode).toBe(404);
    queue.extraDepth = { waiting: 5 };
    const full = await submit(ideBody());
    expect(full.statusCode).toBe(503);
    expect(full.json()).toEqual({ error: 'queue is full' });
  });

  it('takes the API key as X-Auth-Token (header or query) and answers 401 without one', async () => {
    await setup(undefined, { apiKeys: [{ name: 'ide', sha256Hex: hashApiKey('k1') }] });
    expect((await app!.inject({ url: '/judge0/statuses' })).statusCode).toBe(401);
    expect((await app!.inject({ url: '/judge0/statuses', headers: { 'x-auth-token': 'nope' } })).statusCode).toBe(401);
    expect((await app!.inject({ url: '/judge0/statuses', headers: { 'x-auth-token': 'k1' } })).statusCode).toBe(200);
    expect((await app!.inject({ url: '/judge0/statuses?X-Auth-Token=k1' })).statusCode).toBe(200);
    // The query form is Judge0's only: native routes do not take keys from URLs.
    expect((await app!.inject({ url: '/languages?X-Auth-Token=k1' })).statusCode).toBe(401);
  });
});

describe('Judge0 and Piston: the native rate limits', () => {
  it("counts compatibility calls in the same per-client budget and answers 429 in each API's shape", async () => {
    await setup(undefined, { rateLimitPerMinute: 2 });
    expect((await app!.inject({ url: '/judge0/statuses' })).statusCode).toBe(200);
    expect((await app!.inject({ url: '/api/v2/runtimes' })).statusCode).toBe(200);
    const judge0 = await app!.inject({ url: '/judge0/statuses' });
    expect(judge0.statusCode).toBe(429);
    expect(judge0.json()).toEqual({ error: expect.stringContaining('Rate limit') });
    const piston = await app!.inject({ url: '/api/v2/runtimes' });
    expect(piston.statusCode).toBe(429);
    expect(piston.json()).toEqual({ message: expect.stringContaining('Rate limit') });
    expect((await app!.inject({ url: '/languages' })).statusCode).toBe(429);
  });
});

describe('Judge0: two versions of a language, and compiler options', () => {
  const flags = ['-O0', '-O3', '-std=c11', '-Wextra'];
  const c12 = runtime({ ...C_RUNTIME, default: true, compileFlags: flags });
  const c14 = runtime({ ...C_RUNTIME, version: '14.2.0', compileFlags: flags });

  async function setupTwo() {
    const queue = new FakeSubmissionQueue();
    queue.workers = [heartbeat([runtime(), c14, c12])];
    app = (await makeApp({}, queue)).app;
    return queue;
  }

  it('gives the older Judge0 ids the Debian 12 build and 103 the Debian 13 one, each named by its installed version', async () => {
    const queue = await setupTwo();
    const list = (await app!.inject({ url: '/judge0/languages' })).json() as Array<{ id: number; name: string }>;
    expect(list.filter((l) => l.name.startsWith('C ('))).toEqual([
      { id: 48, name: 'C (GCC 12.2.0)' },
      { id: 49, name: 'C (GCC 12.2.0)' },
      { id: 50, name: 'C (GCC 12.2.0)' },
      { id: 103, name: 'C (GCC 14.2.0)' },
    ]);
    await submit(ideBody({ language_id: '103', source_code: b64('int main(){}') }), '?base64_encoded=true');
    await submit(ideBody({ language_id: 50, source_code: b64('int main(){}') }), '?base64_encoded=true');
    expect(queue.submitted.map((s) => s.job.version)).toEqual(['14.2.0', '12.2.0']);
    const info = (await app!.inject({ url: '/judge0/config_info' })).json() as Record<string, unknown>;
    expect(info).toMatchObject({ enable_compiler_options: true, allowed_languages_for_compile_options: ['C (GCC 12.2.0)', 'C (GCC 12.2.0)', 'C (GCC 12.2.0)', 'C (GCC 14.2.0)'] });
  });

  it('passes allowed compiler_options as compile flags and refuses any other with a 422 on the field', async () => {
    const queue = await setupTwo();
    const ok = await submit(ideBody({ language_id: 103, source_code: b64('int main(){}'), compiler_options: ' -O3  -std=c11 ' }), '?base64_encoded=true');
    expect(ok.statusCode).toBe(201);
    expect(queue.submitted[0]?.job.compileFlags).toEqual(['-O3', '-std=c11']);
    const token = (ok.json() as { token: string }).token;
    expect((await app!.inject({ url: `/judge0/submissions/${token}?fields=compiler_options` })).json()).toEqual({ compiler_options: '-O3 -std=c11' });
    const bad = await submit(ideBody({ language_id: 50, source_code: b64('int main(){}'), compiler_options: '-O3 -fplugin=/tmp/x.so' }), '?base64_encoded=true');
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toEqual({ compiler_options: [`compiler option "-fplugin=/tmp/x.so" is not allowed; allowed: ${flags.join(' ')}`] });
    expect(queue.submitted).toHaveLength(1);
  });
});

describe('Judge0: batches', () => {
  it('creates a batch (tokens and per-item errors) and reads it back by tokens, null for unknown ones', async () => {
    const queue = await setup();
    const res = await app!.inject({
      method: 'POST',
      url: '/judge0/submissions/batch',
      payload: { submissions: [ideBody({ source_code: 'print(1)', stdin: '' }), { language_id: 71 }] },
    });
    expect(res.statusCode).toBe(201);
    const [first, second] = res.json() as [{ token: string }, Record<string, unknown>];
    expect(second).toEqual({ source_code: ["can't be blank"] });
    expect(queue.submitted).toHaveLength(1);
    const read = await app!.inject({ url: `/judge0/submissions/batch?tokens=${first.token},missing&fields=token,status` });
    expect(read.json()).toEqual({ submissions: [{ token: first.token, status: { id: 1, description: 'In Queue' } }, null] });
    // As Judge0 splits them: an empty slot keeps its place (null), so results stay aligned; trailing ones go.
    const gap = await app!.inject({ url: `/judge0/submissions/batch?tokens=,${first.token},,${first.token},,&fields=token` });
    expect(gap.json()).toEqual({ submissions: [null, { token: first.token }, null, { token: first.token }] });
  });

  it('refuses empty and oversized batches with Judge0 errors', async () => {
    await setup();
    const empty = await app!.inject({ method: 'POST', url: '/judge0/submissions/batch', payload: { submissions: [] } });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toEqual({ error: 'there should be at least one submission in a batch' });
    const big = await app!.inject({ method: 'POST', url: '/judge0/submissions/batch', payload: { submissions: Array.from({ length: 21 }, () => ideBody()) } });
    expect(big.json()).toEqual({ error: 'number of submissions in a batch should be less than or equal to 20' });
  });
});
