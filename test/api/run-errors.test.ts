import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { FakeSubmissionQueue } from '../helpers/api-fake-queue.js';
import { makeApp } from '../helpers/api-fixtures.js';

/** One app for the whole file: every case here is rejected before anything is queued. */
let app: FastifyInstance;
let queue: FakeSubmissionQueue;
beforeAll(async () => {
  ({ app, queue } = await makeApp({ maxFiles: 3, maxTests: 2, bodyLimitBytes: 8 * 1024 }));
});
afterAll(async () => {
  await app.close();
});

function post(payload: unknown) {
  return app.inject({ method: 'POST', url: '/run', payload: payload as object });
}

function expectError(res: LightMyRequestResponse, status: number, code: string): { code: string; message: string; details?: Record<string, unknown> } {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.requestId).toBe(res.headers['x-request-id']);
  expect(queue.submitted).toHaveLength(0);
  return body.error;
}

describe('POST /run: the body', () => {
  it('rejects malformed JSON with 400 SBX_ERR_BAD_JSON', async () => {
    const res = await app.inject({ method: 'POST', url: '/run', headers: { 'content-type': 'application/json' }, payload: '{"language": "python",' });
    expectError(res, 400, 'SBX_ERR_BAD_JSON');
  });

  it('rejects an empty JSON body with 400 SBX_ERR_BAD_JSON', async () => {
    const res = await app.inject({ method: 'POST', url: '/run', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(res.statusCode).toBe(400);
    expect(['SBX_ERR_BAD_JSON', 'SBX_ERR_VALIDATION']).toContain(res.json().error.code);
  });

  it('rejects invalid UTF-8 bytes with 400 SBX_ERR_BAD_UTF8', async () => {
    const bytes = Buffer.concat([Buffer.from('{"language":"python","source":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const res = await app.inject({ method: 'POST', url: '/run', headers: { 'content-type': 'application/json' }, payload: bytes });
    expectError(res, 400, 'SBX_ERR_BAD_UTF8');
  });

  it('rejects a lone surrogate escape (no UTF-8 can carry it) with 400 SBX_ERR_BAD_UTF8, and takes a surrogate pair', async () => {
    const raw = (text: string) => app.inject({ method: 'POST', url: '/run', headers: { 'content-type': 'application/json' }, payload: text });
    for (const text of [
      '{"language":"python","source":"print(1) # \\ud800"}',
      '{"language":"python","source":"x","stdin":"\\udc00a"}',
      '{"language":"python","source":"x","args":["\\ud83d"]}',
    ]) {
      expect(expectError(await raw(text), 400, 'SBX_ERR_BAD_UTF8').message).toContain('surrogate');
    }
    // A pair is one character (an emoji); a doubled backslash is no escape at all. Both get past
    // the parser to the next check (here: no file name may hold them), so nothing was refused as UTF-8.
    expect((await raw('{"language":"python","source":"x","files":[{"name":"\\ud83d\\ude00","content":""}]}')).json().error.code).toBe('SBX_ERR_FILE_NAME');
    expect((await raw('{"language":"python","source":"x","files":[{"name":"\\\\ud800","content":""}]}')).json().error.code).toBe('SBX_ERR_FILE_NAME');
  });

  it('rejects a body over the limit with 413 SBX_ERR_BODY_TOO_LARGE', async () => {
    expectError(await post({ language: 'python', source: 'x'.repeat(9 * 1024) }), 413, 'SBX_ERR_BODY_TOO_LARGE');
  });

  it('rejects a non-JSON content type with 415', async () => {
    const res = await app.inject({ method: 'POST', url: '/run', headers: { 'content-type': 'text/plain' }, payload: 'print(1)' });
    expectError(res, 415, 'SBX_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('rejects deeply nested JSON with a 400, not a crash', async () => {
    const depth = 3000;
    const nested = `{"language":"python","source":"x","extra":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const res = await app.inject({ method: 'POST', url: '/run', headers: { 'content-type': 'application/json' }, payload: nested });
    expectError(res, 400, 'SBX_ERR_VALIDATION');
  });

  it('rejects a __proto__ key with 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/run',
      headers: { 'content-type': 'application/json' },
      payload: '{"language":"python","source":"x","__proto__":{"admin":true}}',
    });
    expectError(res, 400, 'SBX_ERR_BAD_JSON');
  });

  it('rejects unknown members and wrong types with 400 SBX_ERR_VALIDATION naming the field', async () => {
    const unknown = expectError(await post({ language: 'python', source: 'x', sourcee: 'y' }), 400, 'SBX_ERR_VALIDATION');
    expect(unknown.message).toContain('sourcee');
    const missing = expectError(await post({ source: 'x' }), 400, 'SBX_ERR_VALIDATION');
    expect(missing.message).toContain('language');
  });
});

describe('POST /run: language and limits', () => {
  it('rejects an unknown language with 400 listing the valid names', async () => {
    const error = expectError(await post({ language: 'cobol', source: 'x' }), 400, 'SBX_ERR_RUNTIME_UNKNOWN');
    expect(error.message).toContain('python');
    expect(error.message).toContain('c');
    expect(error.details?.languages).toEqual(['c', 'python']);
  });

  it('rejects an unknown version with 400 listing the versions', async () => {
    const error = expectError(await post({ language: 'python', version: '2.7', source: 'x' }), 400, 'SBX_ERR_VERSION_UNKNOWN');
    expect(error.message).toContain('3.12.1');
  });

  it('rejects compile flags a language does not allow with 400 SBX_ERR_COMPILE_FLAGS', async () => {
    const error = expectError(await post({ language: 'python', source: 'x', compileFlags: ['-O2'] }), 400, 'SBX_ERR_COMPILE_FLAGS');
    expect(error.message).toContain('-O2');
  });

  it('rejects a limit above the maximum with 400 naming the limit and the maximum', async () => {
    const error = expectError(await post({ language: 'python', source: 'x', limits: { memoryBytes: 2 ** 40 } }), 400, 'SBX_ERR_LIMIT_TOO_HIGH');
    expect(error.message).toContain('memoryBytes');
    expect(error.message).toContain(String(512 * 1024 * 1024));
    expect(error.details).toMatchObject({ limit: 'memoryBytes', maximum: 512 * 1024 * 1024 });
  });

  it.each([
    ['zero', { cpuTimeMs: 0 }],
    ['negative', { wallTimeMs: -5 }],
    ['non-integer', { pids: 1.5 }],
    ['a string', { outputBytes: '100' }],
    ['an unknown limit', { diskBytes: 1 }],
  ])('rejects %s as a limit with 400 SBX_ERR_VALIDATION', async (_what, limits) => {
    expectError(await post({ language: 'python', source: 'x', limits }), 400, 'SBX_ERR_VALIDATION');
  });

  it('rejects a per-test limit above the maximum, naming the test', async () => {
    const error = expectError(await post({ language: 'python', source: 'x', tests: [{ stdin: '', limits: { cpuTimeMs: 10_001 } }] }), 400, 'SBX_ERR_LIMIT_TOO_HIGH');
    expect(error.message).toContain('tests[0].limits.cpuTimeMs');
  });
});

describe('POST /run: files, source and tests', () => {
  it.each(['../x', 'a/b', 'a\\b', '.', '..', '.hidden', '-o', '', 'x'.repeat(101), 'a b', 'é.py'])('rejects the file name %j with 400', async (name) => {
    const res = await post({ language: 'python', source: 'x', files: [{ name, content: '' }] });
    expect(res.statusCode).toBe(400);
    expect(['SBX_ERR_FILE_NAME', 'SBX_ERR_VALIDATION']).toContain(res.json().error.code);
    expect(queue.submitted).toHaveLength(0);
  });

  it('refuses a run-wide stdin or live beside tests (each test has its own stdin; they would be ignored)', async () => {
    const tests = [{ stdin: '1' }];
    expect(expectError(await post({ language: 'python', source: 'x', tests, stdin: 'top' }), 400, 'SBX_ERR_VALIDATION').message).toContain('its own stdin');
    expectError(await post({ language: 'python', source: 'x', tests, stdinBase64: 'eA==' }), 400, 'SBX_ERR_VALIDATION');
    expect(expectError(await post({ language: 'python', source: 'x', testset: 'a'.repeat(64), live: true }), 400, 'SBX_ERR_VALIDATION').message).toContain('"live"');
  });

  it('refuses an argument holding a NUL (exec would cut it short) with SBX_ERR_VALIDATION naming it', async () => {
    const error = expectError(await post({ language: 'python', source: 'x', args: ['ok', 'a\u0000b'] }), 400, 'SBX_ERR_VALIDATION');
    expect(error.message).toContain('args[1]');
  });

  it('answers SBX_ERR_FILE_NAME (not a generic code) for a path escape', async () => {
    expectError(await post({ language: 'python', source: 'x', files: [{ name: '../etc', content: '' }] }), 400, 'SBX_ERR_FILE_NAME');
  });

  it('rejects duplicate names, including a file named like the main file', async () => {
    const twice = [
      { name: 'a.txt', content: '' },
      { name: 'a.txt', content: '' },
    ];
    expectError(await post({ language: 'python', source: 'x', files: twice }), 400, 'SBX_ERR_FILE_NAME');
    expectError(await post({ language: 'python', source: 'x', files: [{ name: 'main.py', content: '' }] }), 400, 'SBX_ERR_FILE_NAME');
  });

  it('rejects more files than allowed, the main file counted, with SBX_ERR_FILE_COUNT', async () => {
    const files = ['a', 'b', 'c'].map((name) => ({ name, content: '' }));
    expectError(await post({ language: 'python', source: 'x', files }), 400, 'SBX_ERR_FILE_COUNT');
  });

  it.each(['not base64!', 'abc', 'YQ', 'YQ==\n'])('rejects the base64 content %j with SBX_ERR_FILE_ENCODING', async (content) => {
    expectError(await post({ language: 'python', files: [{ name: 'a', content, encoding: 'base64' }] }), 400, 'SBX_ERR_FILE_ENCODING');
  });

  it('rejects an unknown encoding with SBX_ERR_VALIDATION', async () => {
    expectError(await post({ language: 'python', files: [{ name: 'a', content: '', encoding: 'hex' }] }), 400, 'SBX_ERR_VALIDATION');
  });

  it('rejects a request with neither source nor files with SBX_ERR_SOURCE_MISSING', async () => {
    expectError(await post({ language: 'python' }), 400, 'SBX_ERR_SOURCE_MISSING');
    expectError(await post({ language: 'python', files: [] }), 400, 'SBX_ERR_SOURCE_MISSING');
  });

  it('rejects both stdin and stdinBase64, and bad stdinBase64', async () => {
    expectError(await post({ language: 'python', source: 'x', stdin: 'a', stdinBase64: 'YQ==' }), 400, 'SBX_ERR_VALIDATION');
    expectError(await post({ language: 'python', source: 'x', stdinBase64: '***' }), 400, 'SBX_ERR_FILE_ENCODING');
  });

  it('rejects more tests than allowed with SBX_ERR_TOO_MANY_TESTS', async () => {
    const tests = [{ stdin: '' }, { stdin: '' }, { stdin: '' }];
    expectError(await post({ language: 'python', source: 'x', tests }), 400, 'SBX_ERR_TOO_MANY_TESTS');
  });

  it('rejects an empty tests list (it would run nothing and answer OK) with SBX_ERR_VALIDATION', async () => {
    expectError(await post({ language: 'python', source: 'raise SystemExit(1)', tests: [] }), 400, 'SBX_ERR_VALIDATION');
  });

  it('rejects duplicate test ids, bad test ids and compare without tests', async () => {
    expectError(
      await post({
        language: 'python',
        source: 'x',
        tests: [
          { id: 'a', stdin: '' },
          { id: 'a', stdin: '' },
        ],
      }),
      400,
      'SBX_ERR_VALIDATION',
    );
    expectError(await post({ language: 'python', source: 'x', tests: [{ id: '../a', stdin: '' }] }), 400, 'SBX_ERR_VALIDATION');
    expectError(await post({ language: 'python', source: 'x', compare: { mode: 'exact' } }), 400, 'SBX_ERR_VALIDATION');
    expectError(await post({ language: 'python', source: 'x', tests: [{ stdin: '' }], compare: { mode: 'fuzzy' } }), 400, 'SBX_ERR_VALIDATION');
  });
});
