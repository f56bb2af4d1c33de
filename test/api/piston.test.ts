/**
 * The Piston v2 adapter through app.inject over the fake queue: runtimes under Piston's names,
 * version selection, files and encodings, limits in Piston's units (-1 = maximum), the result
 * shape, and Piston's `{ message }` errors, with bodies sent as text/plain as piston-client does.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { SubmissionJob } from '../../worker/contract/job.js';
import type { RuntimeInfo } from '../../worker/contract/heartbeat.js';
import type { RunResult } from '../../worker/contract/result.js';
import { FakeSubmissionQueue } from '../helpers/api-fake-queue.js';
import { C_RUNTIME, heartbeat, makeApp, okResult, runtime, stage } from '../helpers/api-fixtures.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const MIB = 1024 * 1024;
const CPP = runtime({ language: 'cpp', version: '12.2.0', aliases: ['c++'], compiled: true, sourceFile: 'main.cpp' });
const NEW_CPP = runtime({ ...CPP, version: '14.2.0' });
const OLD_PYTHON = runtime({ version: '3.11.2' });

async function setup(complete?: ((job: SubmissionJob) => Omit<RunResult, 'id'>) | RuntimeInfo[]) {
  const queue = new FakeSubmissionQueue();
  const runtimes = Array.isArray(complete) ? complete : [runtime(), OLD_PYTHON, C_RUNTIME, CPP];
  queue.workers = [heartbeat(runtimes)];
  queue.autoComplete = (job) => ({
    state: 'done',
    result: { id: job.runId, ...((typeof complete === 'function' ? complete(job) : undefined) ?? okResult({ version: job.version ?? '' })) },
  });
  const made = await makeApp({}, queue);
  app = made.app;
  return queue;
}

/** As piston-client sends it: JSON text under text/plain. */
function execute(body: Record<string, unknown>) {
  return app!.inject({ method: 'POST', url: '/api/v2/execute', headers: { 'content-type': 'text/plain;charset=UTF-8' }, payload: JSON.stringify(body) });
}

describe('Piston: runtimes and version selection', () => {
  it('lists installed runtimes under Piston names and aliases', async () => {
    await setup();
    const list = (await app!.inject({ url: '/api/v2/runtimes' })).json() as Array<{ language: string; version: string; aliases: string[] }>;
    expect(list.map((r) => `${r.language}@${r.version}`).sort()).toEqual(['c++@12.2.0', 'c@12.2.0', 'python@3.11.2', 'python@3.12.1']);
    expect(list.find((r) => r.language === 'c++')?.aliases).toEqual(['cpp', 'g++']);
    expect(list.find((r) => r.language === 'python')?.aliases).toEqual(expect.arrayContaining(['py', 'py3', 'python3']));
  });

  it.each([
    ['3.11.2', '3.11.2'],
    ['*', '3.12.1'],
    ['3.x', '3.12.1'],
    ['~3.11', '3.11.2'],
    ['<3.12', '3.11.2'],
  ])('version "%s" runs python %s', async (selector, chosen) => {
    const queue = await setup();
    const res = await execute({ language: 'py', version: selector, files: [{ content: 'print(1)' }] });
    expect(res.statusCode).toBe(200);
    expect(queue.submitted[0]?.job.version).toBe(chosen);
    expect(res.json()).toMatchObject({ language: 'python', version: chosen });
  });

  it.each([
    ['c++', '12.2.0', '12.2.0'],
    ['g++', '14', '14.2.0'],
    ['cpp', '*', '14.2.0'],
    ['c++', '^12', '12.2.0'],
    ['c++', '>=13', '14.2.0'],
    ['c++', '12.x', '12.2.0'],
  ])('%s version "%s" runs GCC %s of two installed', async (language, selector, chosen) => {
    const queue = await setup([CPP, NEW_CPP]);
    const res = await execute({ language, version: selector, files: [{ content: 'int main(){}' }] });
    expect(res.statusCode).toBe(200);
    expect(queue.submitted[0]?.job.version).toBe(chosen);
  });

  it("answers a version no installed build matches with Piston's message under SBX_ERR_VERSION_UNKNOWN", async () => {
    const queue = await setup([CPP, NEW_CPP]);
    const res = await execute({ language: 'c++', version: '13', files: [{ content: 'int main(){}' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ message: 'c++-13 runtime is unknown' });
    expect(queue.submitted).toHaveLength(0);
  });

  it('answers 400 with Piston messages for an unknown runtime and missing fields', async () => {
    await setup();
    const unknown = await execute({ language: 'cobol', version: '*', files: [{ content: 'x' }] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toEqual({ message: 'cobol-* runtime is unknown' });
    expect((await execute({ language: 'py', files: [] })).json()).toEqual({ message: 'version is required as a string' });
    expect((await execute({ language: 'py', version: '*' })).json()).toEqual({ message: 'files is required as an array' });
    expect((await execute({ language: 'py', version: '*', files: [{ name: 'a' }] })).json()).toEqual({ message: 'files[0].content is required as a string' });
    expect((await execute({ language: 'py', version: '9.9.9', files: [{ content: 'x' }] })).json()).toEqual({ message: 'py-9.9.9 runtime is unknown' });
    const nul = await execute({ language: 'py', version: '*', files: [{ content: 'x' }], args: ['a\u0000b'] });
    expect([nul.statusCode, nul.json().message]).toEqual([400, 'args[0] contains a NUL character, which no program argument can hold']);
  });
});

describe('Piston: packages (read-only)', () => {
  const packages = (method: 'GET' | 'POST' | 'DELETE', body?: Record<string, unknown>) =>
    app!.inject({ method, url: '/api/v2/packages', ...(body === undefined ? {} : { payload: body }) });

  it('lists each installed package once, by the name Piston gives it (gcc provides c and c++)', async () => {
    await setup([runtime(), OLD_PYTHON, C_RUNTIME, CPP, NEW_CPP]);
    const res = await packages('GET');
    expect(res.statusCode).toBe(200);
    const list = res.json() as Array<{ language: string; language_version: string; installed: boolean }>;
    expect(list.map((p) => `${p.language}@${p.language_version}:${p.installed}`).sort()).toEqual([
      'gcc@12.2.0:true',
      'gcc@14.2.0:true',
      'python@3.11.2:true',
      'python@3.12.1:true',
    ]);
  });

  it('answers an install of an installed package as Piston does, any other with 404, and refuses uninstalls', async () => {
    const queue = await setup([runtime(), OLD_PYTHON, CPP, NEW_CPP]);
    expect((await packages('POST', { language: 'gcc', version: '12.x' })).json()).toEqual({ language: 'gcc', version: '12.2.0' });
    expect((await packages('POST', { language: 'python', version: '*' })).json()).toEqual({ language: 'python', version: '3.12.1' });
    const missing = await packages('POST', { language: 'gcc', version: '13' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toContain('Requested package gcc-13 does not exist');
    expect((await packages('POST', { language: 'gcc' })).json()).toEqual({ message: 'version is required as a string' });
    const uninstall = await packages('DELETE', { language: 'gcc', version: '*' });
    expect(uninstall.statusCode).toBe(405);
    expect(uninstall.json().message).toContain('uninstalls no packages');
    expect(queue.submitted).toHaveLength(0);
  });
});

describe('Piston: execute', () => {
  it('writes the first utf8 file as the main file, decodes base64 and hex files, and adds the newline Piston adds to stdin', async () => {
    const queue = await setup();
    const res = await execute({
      language: 'c++',
      version: '12.2.0',
      stdin: 'abc',
      args: ['1', '2'],
      files: [
        { name: 'data.bin', content: Buffer.from('bin').toString('base64'), encoding: 'base64' },
        { name: 'prog.cpp', content: 'int main(){}' },
        { name: 'x.txt', content: Buffer.from('hexed').toString('hex'), encoding: 'hex' },
      ],
    });
    expect(res.statusCode).toBe(200);
    const job = queue.submitted[0]?.job;
    expect(job?.files.map((f) => [f.name, Buffer.from(f.contentBase64, 'base64').toString()])).toEqual([
      ['data.bin', 'bin'],
      ['main.cpp', 'int main(){}'],
      ['x.txt', 'hexed'],
    ]);
    expect(Buffer.from(job?.stdinBase64 ?? '', 'base64').toString()).toBe('abc\n');
    expect(job?.args).toEqual(['1', '2']);
    expect(job?.mergeStderr).toBeUndefined();
    await execute({ language: 'c', version: '*', files: [{ content: 'x' }], interleave_output: true });
    expect(queue.submitted[1]?.job.mergeStderr).toBe(true);
    expect((await execute({ language: 'c', version: '*', files: [{ content: 'AA==', encoding: 'base64' }] })).json()).toEqual({
      message: 'files must include at least one utf8 encoded file',
    });
  });

  it('takes limits in milliseconds and bytes, -1 as the maximum, and refuses more than the maximum', async () => {
    const queue = await setup();
    await execute({
      language: 'py',
      version: '*',
      files: [{ content: 'x' }],
      run_timeout: 3000,
      run_cpu_time: -1,
      run_memory_limit: 64 * MIB,
      compile_timeout: 10000,
      compile_memory_limit: -1,
    });
    expect(queue.submitted[0]?.job.limits).toMatchObject({ wallTimeMs: 3000, cpuTimeMs: 10_000, memoryBytes: 64 * MIB });
    const over = await execute({ language: 'py', version: '*', files: [{ content: 'x' }], run_timeout: 20_001 });
    expect(over.json()).toEqual({ message: 'run_timeout cannot exceed the configured limit of 20000' });
    expect((await execute({ language: 'py', version: '*', files: [{ content: 'x' }], run_memory_limit: '5' })).json()).toEqual({
      message: 'If specified, run_memory_limit must be a number',
    });
  });

  it("reports Piston 3's stage fields: output, code, signal, status, message, times and memory", async () => {
    await setup(() =>
      okResult({
        status: 'RUNTIME_ERROR',
        version: '3.12.1',
        run: stage({ status: 'RUNTIME_ERROR', exitCode: 2, stdout: 'out\n', stderr: 'err\n', cpuTimeMs: 5, wallTimeMs: 9, memoryBytes: 3 * MIB }),
      }),
    );
    const res = await execute({ language: 'python', version: '3.12.1', files: [{ content: 'x' }] });
    expect(res.json()).toEqual({
      language: 'python',
      version: '3.12.1',
      run: {
        stdout: 'out\n',
        stderr: 'err\n',
        output: 'out\nerr\n',
        code: 2,
        signal: null,
        message: 'Exited with error status 2',
        status: 'RE',
        cpu_time: 5,
        wall_time: 9,
        memory: 3 * MIB,
      },
    });
  });

  it.each([
    [stage({ status: 'TIME_LIMIT', timeLimit: 'cpu', exitCode: null, signal: 'SIGKILL' }), 'TO', 'SIGKILL', null],
    [stage({ status: 'OUTPUT_LIMIT', stdoutTruncated: true }), 'OL', 'SIGKILL', null],
    [stage({ status: 'OUTPUT_LIMIT', stderrTruncated: true }), 'EL', 'SIGKILL', null],
    [stage({ status: 'MEMORY_LIMIT', exitCode: null, signal: 'SIGKILL' }), 'SG', 'SIGKILL', null],
    [stage({ status: 'RUNTIME_ERROR', exitCode: null, signal: 'SIGSEGV' }), 'SG', 'SIGSEGV', null],
    [stage(), null, null, 0],
  ])('maps %j to status %s', async (run, status, signal, code) => {
    await setup(() => okResult({ status: run.status, run }));
    const res = await execute({ language: 'python', version: '*', files: [{ content: 'x' }] });
    expect(res.json()).toMatchObject({ run: { status, signal, code } });
  });

  it('reports a failed compile as compile and as run, as Piston does', async () => {
    await setup(() =>
      okResult({
        language: 'c',
        version: '12.2.0',
        status: 'COMPILE_ERROR',
        run: undefined,
        compile: stage({ status: 'COMPILE_ERROR', exitCode: 1, stdout: '', stderr: 'error\n' }),
      }),
    );
    const res = await execute({ language: 'c', version: '*', files: [{ content: 'int main(' }] });
    const body = res.json() as { compile: Record<string, unknown>; run: Record<string, unknown> };
    expect(body.compile).toMatchObject({ code: 1, stderr: 'error\n', status: 'RE' });
    expect(body.run).toEqual(body.compile);
  });
});
