import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../api/plugins/auth.js';
import { appPerTest } from '../helpers/api-per-test.js';

const api = appPerTest({ maxTests: 3 });
const { setup } = api;

const { inject } = api;

const TESTS = [
  { stdin: '1 2\n', expected: '3\n' },
  { id: 'big', stdinBase64: Buffer.from('5 5\n').toString('base64'), expected: '10\n' },
];

describe('POST /testsets', () => {
  it('stores each blob once and answers 201 with the id, count and sizes (never the content)', async () => {
    const { store } = await setup();
    const res = await inject('POST', '/testsets', { tests: TESTS });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{64}$/), count: 2, totalBytes: 4 + 2 + 4 + 3 });
    expect(body.tests).toEqual([
      { id: '1', stdinBytes: 4, expectedBytes: 2 },
      { id: 'big', stdinBytes: 4, expectedBytes: 3 },
    ]);
    expect(res.headers.location).toBe(`/testsets/${body.id}`);
    expect(res.body).not.toContain('1 2');
    expect(store.blobs.size).toBe(4);
  });

  it('answers the same id for the same tests (idempotent upload)', async () => {
    await setup();
    const a = (await inject('POST', '/testsets', { tests: TESTS })).json();
    const b = (await inject('POST', '/testsets', { tests: TESTS })).json();
    expect(b.id).toBe(a.id);
    expect(b.createdAt).toBe(a.createdAt);
  });

  it('accepts a body above the global limit up to SBX_MAX_TESTSET_BYTES, and answers 413 SBX_ERR_TESTSET_TOO_LARGE above it', async () => {
    await setup({ bodyLimitBytes: 4096, maxTestsetBytes: 64 * 1024 });
    const big = [{ stdin: 'x'.repeat(20_000) }];
    expect((await inject('POST', '/testsets', { tests: big })).statusCode).toBe(201);
    expect((await inject('POST', '/run', { language: 'python', source: 'x'.repeat(20_000) })).statusCode).toBe(413);
    const tooBig = await inject('POST', '/testsets', { tests: [{ stdin: 'x'.repeat(70_000) }] });
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().error.code).toBe('SBX_ERR_TESTSET_TOO_LARGE');
  });

  it('rejects too many tests, repeated ids, both encodings, bad base64 and unknown members with codes', async () => {
    await setup({ maxTestsetTests: 2 });
    const code = async (payload: unknown) => (await inject('POST', '/testsets', payload)).json().error.code;
    expect(await code({ tests: [{ stdin: '' }, { stdin: '' }, { stdin: '' }] })).toBe('SBX_ERR_TOO_MANY_TESTS');
    expect(
      await code({
        tests: [
          { id: 'a', stdin: '' },
          { id: 'a', stdin: '' },
        ],
      }),
    ).toBe('SBX_ERR_VALIDATION');
    expect(await code({ tests: [{ stdin: 'a', stdinBase64: 'YQ==' }] })).toBe('SBX_ERR_VALIDATION');
    expect(await code({ tests: [{ stdinBase64: 'not base64!' }] })).toBe('SBX_ERR_FILE_ENCODING');
    expect(await code({ tests: [{ stdin: '', limits: {} }] })).toBe('SBX_ERR_VALIDATION');
    expect(await code({ tests: [] })).toBe('SBX_ERR_VALIDATION');
  });

  it('answers 503 SBX_ERR_QUEUE_UNAVAILABLE when Redis is down', async () => {
    const { queue } = await setup();
    queue.redisDown = true;
    const res = await inject('POST', '/testsets', { tests: TESTS });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('SBX_ERR_QUEUE_UNAVAILABLE');
  });
});

describe('GET and DELETE /testsets/:id', () => {
  it('describes a stored set, deletes it, then answers 404 SBX_ERR_TESTSET_UNKNOWN', async () => {
    await setup();
    const { id } = (await inject('POST', '/testsets', { tests: TESTS })).json();
    expect((await inject('GET', `/testsets/${id}`)).json()).toMatchObject({ id, count: 2 });
    expect((await inject('DELETE', `/testsets/${id}`)).statusCode).toBe(204);
    const gone = await inject('GET', `/testsets/${id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('SBX_ERR_TESTSET_UNKNOWN');
    expect((await inject('DELETE', `/testsets/${id}`)).statusCode).toBe(404);
    expect((await inject('GET', '/testsets/not-an-id')).statusCode).toBe(404);
  });
});

describe('test sets under API keys', () => {
  const KEYS = [
    { name: 'alice', sha256Hex: hashApiKey('alice-secret-key') },
    { name: 'bob', sha256Hex: hashApiKey('bob-secret-key') },
  ];
  const as = (key: string) => ({ authorization: `Bearer ${key}-secret-key` });

  it('lets every key read and use a set, but only the uploading key delete it', async () => {
    const { queue } = await setup({ apiKeys: KEYS });
    const upload = (key: string) => inject('POST', '/testsets', { tests: TESTS }, as(key));
    const { id } = (await upload('alice')).json();
    expect((await inject('GET', `/testsets/${id}`, undefined, as('bob'))).statusCode).toBe(200);
    const used = await inject('POST', '/run', { language: 'python', source: 'x', testset: id, wait: false }, as('bob'));
    expect(used.statusCode).toBe(202);
    expect(queue.submitted[0]!.job.tests).toHaveLength(2);

    const refused = await inject('DELETE', `/testsets/${id}`, undefined, as('bob'));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('SBX_ERR_TESTSET_NOT_OWNER');
    expect((await inject('GET', `/testsets/${id}`, undefined, as('alice'))).statusCode).toBe(200);

    // Bob uploading the same tests gets his own set: deleting it leaves Alice's in place.
    const bobs = (await upload('bob')).json().id;
    expect(bobs).not.toBe(id);
    expect((await inject('DELETE', `/testsets/${bobs}`, undefined, as('bob'))).statusCode).toBe(204);
    expect((await inject('GET', `/testsets/${id}`, undefined, as('bob'))).statusCode).toBe(200);
    expect((await inject('DELETE', `/testsets/${id}`, undefined, as('alice'))).statusCode).toBe(204);
    expect((await inject('GET', `/testsets/${id}`, undefined, as('alice'))).statusCode).toBe(404);
  });

  it('lets any key delete a set stored before owners were recorded', async () => {
    const { store } = await setup({ apiKeys: KEYS });
    const { id } = (await inject('POST', '/testsets', { tests: TESTS }, as('alice'))).json();
    const { owner: _owner, ...legacy } = store.testsets.get(id)!;
    store.testsets.set(id, legacy);
    expect((await inject('DELETE', `/testsets/${id}`, undefined, as('bob'))).statusCode).toBe(204);
  });
});

describe('POST /run with a test set or a checker', () => {
  it("puts references (not content) on the queue and refreshes the set's TTL", async () => {
    const { queue, store } = await setup({ testsetTtlS: 1234 });
    const { id } = (await inject('POST', '/testsets', { tests: TESTS })).json();
    store.ttls.clear();
    const res = await inject('POST', '/run', { language: 'python', source: 'x', testset: id, wait: false });
    expect(res.statusCode).toBe(202);
    const job = queue.submitted[0]!.job;
    expect(job.tests).toHaveLength(2);
    expect(job.tests![0]).toEqual({ id: '1', stdinRef: expect.stringMatching(/^[0-9a-f]{64}$/), expectedRef: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(job.tests![0]!.stdinBase64).toBeUndefined();
    expect(store.ttls.get(`testset:${id}`)).toBe(1234);
  });

  it('answers 404 for an unknown set and 400 for a malformed id or tests together with testset', async () => {
    await setup();
    const unknown = await inject('POST', '/run', { language: 'python', source: 'x', testset: 'a'.repeat(64) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('SBX_ERR_TESTSET_UNKNOWN');
    expect((await inject('POST', '/run', { language: 'python', source: 'x', testset: 'nope' })).statusCode).toBe(400);
    const { id } = (await inject('POST', '/testsets', { tests: TESTS })).json();
    const both = await inject('POST', '/run', { language: 'python', source: 'x', testset: id, tests: [{ stdin: '' }] });
    expect(both.statusCode).toBe(400);
  });

  it("resolves the checker's runtime and file names, and refuses reserved names and a checker without tests", async () => {
    const { queue } = await setup();
    const tests = [{ stdin: '1', expected: '1' }];
    const res = await inject('POST', '/run', { language: 'python', source: 'x', tests, checker: { language: 'py', source: 'import sys' }, wait: false });
    expect(res.statusCode).toBe(202);
    expect(queue.submitted[0]!.job.checker).toEqual({
      language: 'python',
      version: '3.12.1',
      files: [{ name: 'main.py', contentBase64: Buffer.from('import sys').toString('base64') }],
    });
    const reserved = await inject('POST', '/run', { language: 'python', source: 'x', tests, checker: { language: 'c', files: [{ name: 'expected', content: '' }] } });
    expect(reserved.json().error.code).toBe('SBX_ERR_FILE_NAME');
    const lonely = await inject('POST', '/run', { language: 'python', source: 'x', checker: { language: 'python', source: 'x' } });
    expect(lonely.json().error.code).toBe('SBX_ERR_VALIDATION');
    const unknownLanguage = await inject('POST', '/run', { language: 'python', source: 'x', tests, checker: { language: 'cobol', source: 'x' } });
    expect(unknownLanguage.json().error.code).toBe('SBX_ERR_RUNTIME_UNKNOWN');
  });

  it('refuses "compare" beside a checker or an interactor (it would be ignored), for runs and batches', async () => {
    const { queue } = await setup();
    const tests = [{ stdin: '1', expected: '1' }];
    const judge = { language: 'python', source: 'import sys' };
    const compare = { mode: 'tokens' };
    const answers = await Promise.all([
      inject('POST', '/run', { language: 'python', source: 'x', tests, compare, checker: judge }),
      inject('POST', '/run', { language: 'python', source: 'x', tests, compare, interactor: judge }),
      inject('POST', '/batches', { language: 'python', tests, compare, checker: judge, submissions: [{ externalId: 'a', source: 'x' }] }),
    ]);
    expect(answers.map((a) => [a.statusCode, a.json().error.code])).toEqual([
      [400, 'SBX_ERR_VALIDATION'],
      [400, 'SBX_ERR_VALIDATION'],
      [400, 'SBX_ERR_VALIDATION'],
    ]);
    expect(answers[0]!.json().error.message).toBe('Give "compare" or "checker", not both: the checker decides each test');
    expect(answers[1]!.json().error.message).toContain('"interactor"');
    expect(queue.submitted).toHaveLength(0);
  });
});
