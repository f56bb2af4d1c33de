/**
 * The Judge0 CE API through the whole service, driven over raw HTTP as Judge0 clients drive it:
 * a real API (with an API key, sent as X-Auth-Token), Redis, a worker and the kernel sandbox.
 * Every language and version by its Judge0 id, every status the sandbox can produce, base64 both ways,
 * redirect_stderr_to_stdout in true write order, batches, fields=, limits in Judge0's units,
 * additional_files, number_of_runs, a callback PUT to a loopback receiver, the 503 of a full
 * queue, and the same API at the root of SBX_JUDGE0_PORT.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JUDGE0_LANGUAGES } from '../../api/compat/judge0/languages.js';
import { hashApiKey } from '../../api/plugins/auth.js';
import { imageRecordPath, loadManifests } from '../../worker/runtimes/runtime-index.js';
import { IMAGES_DIR } from '../helpers/images-paths.js';
import { freeTcpPort } from '../helpers/redis.js';
import { DATA_DIR, serviceUnavailableReason, startService, type TestService } from '../helpers/service.js';

const KEY = 'judge0-test-key';
const manifests = (await loadManifests(IMAGES_DIR)).sort((a, b) => a.language.localeCompare(b.language));
const skip = serviceUnavailableReason(['python', 'c']);
let service: TestService;
let judge0Port: number;

type Json = Record<string, unknown>;
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const unb64 = (s: unknown) => Buffer.from(String(s), 'base64');

async function call(path: string, init: { method?: string; body?: unknown; key?: string | null; base?: string } = {}): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.key !== null) headers['x-auth-token'] = init.key ?? KEY;
  const response = await fetch(`${init.base ?? `${service.url}/judge0`}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Json) };
}

/** POST with wait=true; the submission as Judge0 answers it. */
async function runWait(submission: Json, query = ''): Promise<Json> {
  const answer = await call(`/submissions?wait=true${query}`, { body: submission });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

async function pollDone(token: string, query = ''): Promise<Json> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const answer = await call(`/submissions/${token}?${query}`);
    const status = answer.body.status as { id: number } | undefined;
    if (status !== undefined && status.id > 2) return answer.body;
    if (Date.now() > deadline) throw new Error(`submission ${token} not done: ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

const C_SIGNALS =
  '#include <signal.h>\n#include <stdlib.h>\n#include <stdio.h>\nint main(int c, char **v){int w=atoi(v[1]);volatile int z=0;' +
  'if(w==1){int *p=0;*p=1;} if(w==2){printf("%d",100/z);} if(w==3)abort(); if(w==4)raise(SIGUSR1); return 0;}';

describe.skipIf(skip !== undefined)(`Judge0 CE API${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    judge0Port = await freeTcpPort();
    service = await startService({
      apiEnv: {
        SBX_WAIT_TIMEOUT_MS: '60000',
        SBX_API_KEYS: `judge0:${hashApiKey(KEY)}`,
        SBX_JUDGE0_PORT: String(judge0Port),
        SBX_WEBHOOK_ALLOW_PRIVATE: 'true',
        SBX_MAX_QUEUE_DEPTH: '12',
      },
    });
  });
  afterAll(async () => {
    await service?.stop();
  });

  describe('every language and version by its Judge0 id', () => {
    let listed: Promise<Array<{ id: number; name: string }>> | undefined;
    for (const manifest of manifests) {
      const { image, language, samples, dir } = manifest;
      const missing = serviceUnavailableReason([image]);
      it.skipIf(missing !== undefined)(
        `${image}${missing ? ` (skipped: ${missing})` : ''}: an id names its installed version; hello is Accepted with the exact stdout; the version sample prints that version`,
        async () => {
          const { version } = JSON.parse(await readFile(imageRecordPath(DATA_DIR, image), 'utf8')) as { version: string };
          listed ??= call('/languages').then((answer) => answer.body as unknown as Array<{ id: number; name: string }>);
          const tableIds = (JUDGE0_LANGUAGES[language]?.ids ?? []).map((entry) => entry.id);
          const ids = (await listed).filter((l) => tableIds.includes(l.id) && l.name.endsWith(`${version})`)).map((l) => l.id);
          expect(ids.length, `no Judge0 id lists ${language} ${version}`).toBeGreaterThan(0);
          const runSample = async (file: string) =>
            runWait({ source_code: b64(await readFile(join(dir, file), 'utf8')), language_id: ids[0], stdin: null }, '&base64_encoded=true');
          const [hello, printed] = await Promise.all([runSample(samples.hello.file), samples.version && runSample(samples.version.file)]);
          expect(hello.status, JSON.stringify(hello)).toEqual({ id: 3, description: 'Accepted' });
          expect(unb64(hello.stdout).toString()).toBe(samples.hello.stdout);
          expect(Number(hello.time)).toBeGreaterThanOrEqual(0);
          expect(hello.memory).toEqual(expect.any(Number));
          if (printed) expect(unb64(printed.stdout).toString(), JSON.stringify(printed)).toContain(version);
        },
        180_000,
      );
    }
  });

  it('lists installed languages with their ids, and answers the same at the root of SBX_JUDGE0_PORT', async () => {
    const list = (await call('/languages')).body as unknown as Array<{ id: number; name: string }>;
    expect(list.map((l) => l.id)).toEqual(expect.arrayContaining([50, 71]));
    const base = `http://127.0.0.1:${judge0Port}`;
    expect((await call('/languages', { base })).body).toEqual(list);
    const statuses = (await call('/statuses', { base })).body as unknown as unknown[];
    expect(statuses).toHaveLength(14);
    const created = await call('/submissions?wait=true', { base, body: { source_code: 'print(6*7)', language_id: 71 } });
    expect(created.body).toMatchObject({ stdout: '42\n', status: { id: 3 } });
  });

  it('requires the key: 401 without it, accepted as X-Auth-Token header or query parameter', async () => {
    expect((await call('/statuses', { key: null })).status).toBe(401);
    expect((await call('/statuses', { key: 'wrong' })).status).toBe(401);
    expect((await call(`/statuses?X-Auth-Token=${KEY}`, { key: null })).status).toBe(200);
  });

  it('gives every status the sandbox can produce (numeric strings as judge0/ide sends them)', async () => {
    const py = (source: string, extra: Json = {}) =>
      runWait({ source_code: source, language_id: '71', stdin: '', ...extra }, '&fields=status,message,exit_code,exit_signal,memory');
    const c = (which: string) => runWait({ source_code: C_SIGNALS, language_id: '50', command_line_arguments: which }, '&fields=status,message,exit_signal');
    const results = await Promise.all([
      py('print("yes")', { expected_output: 'yes\n\n' }),
      py('print("no")', { expected_output: 'yes' }),
      py('while True: pass', { cpu_time_limit: '0.5' }),
      py('import sys; sys.exit(3)'),
      py('print("x" * 100000)', { max_file_size: '4' }),
      py('a = "x" * (200 * 1024 * 1024)', { memory_limit: '65536' }),
      runWait({ source_code: 'int main( {', language_id: 50 }, '&fields=status,compile_output'),
      c('1'),
      c('2'),
      c('3'),
      c('4'),
    ]);
    const ids = results.map((r) => (r.status as { id: number }).id);
    expect(ids, JSON.stringify(results)).toEqual([3, 4, 5, 11, 8, 12, 6, 7, 9, 10, 12]);
    expect(results[2]?.message).toBe('Time limit exceeded');
    expect(results[3]).toMatchObject({ exit_code: 3, message: 'Exited with error status 3' });
    expect(results[5]?.message).toBe('Memory limit exceeded (memory_limit)');
    expect(String(results[6]?.compile_output)).toContain('error');
    expect(results[7]).toMatchObject({ exit_signal: 11, message: 'Caught fatal signal 11' });
  });

  it('runs a request shaped as judge0/ide sends it: every field present, nulls, numeric strings, base64', async () => {
    const body = {
      source_code: b64('import sys\nprint(input().upper())\nprint("warn", file=sys.stderr)'),
      language_id: '71',
      stdin: b64('ide'),
      compiler_options: '',
      command_line_arguments: '',
      redirect_stderr_to_stdout: false,
      expected_output: null,
      cpu_time_limit: '2',
      cpu_extra_time: null,
      wall_time_limit: '5',
      memory_limit: '128000',
      stack_limit: '64000',
      max_processes_and_or_threads: null,
      enable_per_process_and_thread_time_limit: null,
      enable_per_process_and_thread_memory_limit: null,
      max_file_size: '1024',
      enable_network: null,
      number_of_runs: '1',
      callback_url: null,
      additional_files: null,
    };
    const result = await runWait(body, '&base64_encoded=true&fields=*');
    expect(result).toMatchObject({ status: { id: 3 }, memory_limit: 128000, stack_limit: 64000, max_file_size: 1024, number_of_runs: 1 });
    expect(unb64(result.stdout).toString()).toBe('IDE\n');
    expect(unb64(result.stderr).toString()).toBe('warn\n');
  });

  it.skipIf(serviceUnavailableReason(['erlang']) !== undefined)(
    'runs Erlang (58) as Judge0 does, as an escript (main/1, no module), and a module with main/0 too, both given the arguments',
    async () => {
      const [script, module, broken] = await Promise.all([
        runWait({ language_id: 58, source_code: 'main(Args) ->\n    io:fwrite("hello, world! ~p~n", [Args]).\n', command_line_arguments: 'a "b c"' }),
        runWait({
          language_id: 58,
          source_code: '-module(main).\n-export([main/0]).\nmain() -> io:format("~p~n", [init:get_plain_arguments()]).\n',
          command_line_arguments: 'a "b c"',
        }),
        runWait({ language_id: 58, source_code: 'main(_) -> oops(.\n' }),
      ]);
      expect(script, JSON.stringify(script)).toMatchObject({ status: { id: 3 }, stdout: 'hello, world! ["a","b c"]\n' });
      expect(module, JSON.stringify(module)).toMatchObject({ status: { id: 3 }, stdout: '["a","b c"]\n' });
      expect(broken).toMatchObject({ status: { id: 6 }, compile_output: expect.stringContaining('syntax error') });
    },
    120_000,
  );

  it("applies stack_limit (KB) as every process's stack, 0 as the language's largest", async () => {
    const [set, none] = await Promise.all([
      runWait({ source_code: 'ulimit -s; bash -c "ulimit -s"', language_id: 46, stack_limit: 4096 }, '&fields=stdout,status,stack_limit'),
      runWait({ source_code: 'ulimit -s', language_id: 46, stack_limit: 0 }, '&fields=stdout,status'),
    ]);
    expect(set).toEqual({ stdout: '4096\n4096\n', status: { id: 3, description: 'Accepted' }, stack_limit: 4096 });
    const info = (await call('/config_info')).body;
    expect(none.stdout).toBe(`${String(info.max_stack_limit)}\n`);
  });

  it('round-trips binary stdin and output with base64_encoded=true, and answers 400 for them without it', async () => {
    const source = 'import sys; data = sys.stdin.buffer.read(); sys.stdout.buffer.write(data[::-1])';
    const input = Buffer.from([0x00, 0xff, 0x41, 0xfe]);
    const result = await runWait({ source_code: b64(source), language_id: 71, stdin: b64(input) }, '&base64_encoded=true&fields=token,stdout,status');
    expect(unb64(result.stdout)).toEqual(Buffer.from([0xfe, 0x41, 0xff, 0x00]));
    const plain = await call(`/submissions/${String(result.token)}`);
    expect(plain.status).toBe(400);
    expect(plain.body.error).toContain('base64_encoded=true');
  });

  it('interleaves stderr into stdout in write order with redirect_stderr_to_stdout', async () => {
    const source = 'import sys\nfor i in range(3):\n  print("out", i, flush=True)\n  print("err", i, file=sys.stderr, flush=True)';
    const result = await runWait({ source_code: source, language_id: 71, redirect_stderr_to_stdout: true }, '&fields=stdout,stderr');
    expect(result).toEqual({ stdout: 'out 0\nerr 0\nout 1\nerr 1\nout 2\nerr 2\n', stderr: null });
  });

  it('creates without wait, then GET reports it done; fields=* echoes the request in Judge0 units', async () => {
    const created = await call('/submissions', {
      body: { source_code: 'print(input())', language_id: 71, stdin: 'echo', cpu_time_limit: 2, memory_limit: 100000, wall_time_limit: '4' },
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(['token']);
    const done = await pollDone(String(created.body.token), 'fields=*');
    expect(done).toMatchObject({
      source_code: 'print(input())',
      stdin: 'echo',
      stdout: 'echo\n',
      language_id: 71,
      cpu_time_limit: '2.0',
      wall_time_limit: '4.0',
      memory_limit: 100000,
      status: { id: 3 },
      language: { id: 71, name: expect.stringMatching(/^Python \(3\./) },
    });
    expect(Date.parse(String(done.finished_at))).toBeGreaterThanOrEqual(Date.parse(String(done.created_at)));
  });

  it('runs a batch and reads it back by tokens; a full queue answers 503', async () => {
    const created = await call('/submissions/batch', {
      body: { submissions: [{ source_code: 'print(1)', language_id: 71 }, { source_code: 'print(2)', language_id: 71 }, { language_id: 71 }] },
    });
    expect(created.status).toBe(201);
    const [a, b, bad] = created.body as unknown as [{ token: string }, { token: string }, Json];
    expect(bad).toEqual({ source_code: ["can't be blank"] });
    await Promise.all([pollDone(a.token), pollDone(b.token)]);
    const read = await call(`/submissions/batch?tokens=${a.token},${b.token}&fields=stdout,status`);
    expect(read.body).toEqual({
      submissions: [
        { stdout: '1\n', status: { id: 3, description: 'Accepted' } },
        { stdout: '2\n', status: { id: 3, description: 'Accepted' } },
      ],
    });
    const tooMany = await call('/submissions/batch', { body: { submissions: Array.from({ length: 13 }, () => ({ source_code: 'print(1)', language_id: 71 })) } });
    expect(tooMany.status).toBe(503);
    expect(tooMany.body).toEqual({ error: 'queue is full' });
  });

  it.skipIf(serviceUnavailableReason(['sqlite']) !== undefined)(
    'runs SQLite (82) on the db.sqlite sent in additional_files, as Judge0 does',
    async () => {
      // The database is made on the host with Python's sqlite3 (python3 is a build dependency).
      const dir = mkdtempSync(join(tmpdir(), 'bulkhead-sqlite-'));
      try {
        const made = spawnSync('python3', [
          '-c',
          'import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.execute("create table t(n)")\nc.executemany("insert into t values (?)", [(1,), (2,), (39,)])\nc.commit()',
          join(dir, 'db.sqlite'),
        ]);
        expect(made.status, String(made.stderr)).toBe(0);
        const zip = zipSync({ 'db.sqlite': readFileSync(join(dir, 'db.sqlite')) });
        const result = await runWait({ source_code: b64('select sum(n) from t;'), language_id: 82, additional_files: b64(Buffer.from(zip)) }, '&base64_encoded=true');
        expect(result, JSON.stringify(result)).toMatchObject({ status: { id: 3 }, stdout: `${b64('42\n')}\n` });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it('unzips additional_files into the work directory and repeats number_of_runs times', async () => {
    const zip = zipSync({ 'data.txt': Buffer.from('41'), 'helper.py': Buffer.from('def inc(x):\n  return x + 1\n') });
    const source = 'import helper\nprint(helper.inc(int(open("data.txt").read())))';
    const result = await runWait(
      { source_code: b64(source), language_id: 71, additional_files: b64(Buffer.from(zip)), number_of_runs: 3, expected_output: b64('42') },
      '&base64_encoded=true&fields=stdout,status,number_of_runs',
    );
    expect(result).toMatchObject({ stdout: `${b64('42\n')}\n`, status: { id: 3 }, number_of_runs: 3 });
  });

  it('PUTs the finished submission (base64, default fields) to callback_url', async () => {
    let receiver: Server | undefined;
    const received = new Promise<{ method: string; body: Json }>((resolve) => {
      receiver = createServer((req: IncomingMessage, res) => {
        let text = '';
        req.on('data', (chunk: Buffer) => (text += chunk.toString()));
        req.on('end', () => {
          res.end();
          resolve({ method: req.method ?? '', body: JSON.parse(text) as Json });
        });
      });
    });
    await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
    const port = (receiver?.address() as AddressInfo).port;
    try {
      const created = await call('/submissions', { body: { source_code: 'print("called back")', language_id: 71, callback_url: `http://127.0.0.1:${port}/cb` } });
      const { method, body } = await received;
      expect(method).toBe('PUT');
      expect(body.token).toBe(created.body.token);
      expect(body.status).toEqual({ id: 3, description: 'Accepted' });
      expect(unb64(body.stdout).toString()).toBe('called back\n');
    } finally {
      receiver?.close();
    }
  });

  it('passes allowed compiler_options to the compiler and refuses others with a 422 on the field', async () => {
    const source = '#include <stdio.h>\nint main(void){\n#ifdef ONLINE_JUDGE\nputs("judged");\n#else\nputs("plain");\n#endif\nreturn 0;}';
    const flagged = await runWait({ source_code: source, language_id: 103, compiler_options: '-DONLINE_JUDGE -O0' }, '&fields=stdout,status,compiler_options');
    expect(flagged).toEqual({ stdout: 'judged\n', status: { id: 3, description: 'Accepted' }, compiler_options: '-DONLINE_JUDGE -O0' });
    expect((await runWait({ source_code: source, language_id: 50 }, '&fields=stdout')).stdout).toBe('plain\n');
    const refused = await call('/submissions', { body: { source_code: source, language_id: 50, compiler_options: '-fplugin=/tmp/x.so' } });
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual({ compiler_options: [expect.stringMatching(/^compiler option "-fplugin=\/tmp\/x\.so" is not allowed; allowed: .*-DONLINE_JUDGE/)] });
  });

  it('refuses what Bulkhead does not allow with Judge0 422 messages', async () => {
    const refused = await call('/submissions', { body: { source_code: 'print(1)', language_id: 71, enable_network: true, memory_limit: 1e9, cpu_time_limit: '1e4' } });
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual({
      enable_network: ['enabling network is not allowed'],
      memory_limit: [expect.stringMatching(/^must be less than or equal to \d+$/)],
      cpu_time_limit: [expect.stringMatching(/^must be less than or equal to \d+/)],
    });
  });
});
