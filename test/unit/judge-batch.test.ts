import { describe, expect, it } from 'vitest';
import { csvCell, renderBatchCsv } from '../../api/judging/batch-csv.js';
import { buildTestset, testsetInfo } from '../../api/judging/judge-job.js';
import { webhookUrlProblem } from '../../worker/contract/batch.js';
import { isPublicAddress } from '../../worker/contract/public-address.js';
import { countsOf, createBatchCall, recordReplyOf, rejudgeBatchCall } from '../../worker/contract/batch-state.js';
import { summarizeRun } from '../../worker/judge/batch-ledger.js';
import { signWebhook, verifyWebhook } from '../../worker/webhooks/sign.js';
import { createHmac } from 'node:crypto';

describe('batch CSV', () => {
  it('renders a header and one CRLF line per row, empty cells for missing fields', () => {
    const csv = renderBatchCsv([
      { externalId: 's1', runId: 'r1', state: 'done', status: 'OK', passed: 3, total: 3, finishedAt: 't' },
      { externalId: 's2', runId: 'r2', state: 'pending' },
    ]);
    expect(csv).toBe('externalId,runId,state,status,passed,total,score,errorCode,finishedAt\r\ns1,r1,done,OK,3,3,,,t\r\ns2,r2,pending,,,,,,\r\n');
  });
  it('quotes commas, quotes and line breaks, and defuses spreadsheet formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@sum')).toBe("'@sum");
    expect(csvCell(-3)).toBe('-3');
  });
});

describe('webhook signatures', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256 and verifies in constant time', () => {
    const body = '{"event":"run.finished"}';
    const signature = signWebhook('s3cret', '1700000000', body);
    expect(signature).toBe(`sha256=${createHmac('sha256', 's3cret').update(`1700000000.${body}`).digest('hex')}`);
    expect(verifyWebhook('s3cret', '1700000000', body, signature)).toBe(true);
    expect(verifyWebhook('s3cret', '1700000001', body, signature)).toBe(false);
    expect(verifyWebhook('other', '1700000000', body, signature)).toBe(false);
    expect(verifyWebhook('s3cret', '1700000000', `${body} `, signature)).toBe(false);
  });
});

describe('webhook URL policy', () => {
  it('allows only http(s) without credentials', () => {
    expect(webhookUrlProblem('https://hooks.example.org/x', [])).toBeUndefined();
    expect(webhookUrlProblem('ftp://example.org/', [])).toMatch(/http/);
    expect(webhookUrlProblem('file:///etc/passwd', [])).toMatch(/http/);
    expect(webhookUrlProblem('http://user:pw@example.org/', [])).toMatch(/credentials/);
    expect(webhookUrlProblem('not a url', [])).toBe('not a URL');
  });
  it('restricts hosts to the allow-list when one is set (exact or *.suffix)', () => {
    const allow = ['hooks.example.org', '*.grader.test'];
    expect(webhookUrlProblem('https://hooks.example.org/', allow)).toBeUndefined();
    expect(webhookUrlProblem('https://a.b.grader.test/', allow)).toBeUndefined();
    expect(webhookUrlProblem('https://grader.test.evil/', allow)).toMatch(/not in the allowed/);
    expect(webhookUrlProblem('http://169.254.169.254/latest', allow)).toMatch(/not in the allowed/);
    expect(webhookUrlProblem('http://[::1]:80/', ['::1'])).toBeUndefined();
  });
  it('with no allow-list, refuses non-public IP literals and localhost unless private targets are allowed', () => {
    for (const url of [
      'http://127.0.0.1:8080/',
      'http://10.0.0.5/',
      'http://169.254.169.254/latest',
      'http://[::1]/',
      'http://[fd00::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://0.0.0.0/',
      'http://localhost:3000/',
      'http://api.localhost/',
      'http://2130706433/',
    ]) {
      expect(webhookUrlProblem(url, []), url).toMatch(/not a public address/);
      expect(webhookUrlProblem(url, [], true), url).toBeUndefined();
    }
    expect(webhookUrlProblem('http://93.184.215.14/', [])).toBeUndefined();
    expect(webhookUrlProblem('https://[2606:4700::1111]/', [])).toBeUndefined();
  });
});

describe('public addresses', () => {
  it('tells globally reachable unicast addresses from special-purpose ones', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '93.184.215.14', '2606:4700::1111', '::ffff:8.8.8.8']) expect(isPublicAddress(a), a).toBe(true);
    for (const a of [
      '127.0.0.1',
      '127.255.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '192.0.2.1',
      '::',
      '::1',
      'fe80::1',
      'fc00::1',
      'fd12::1',
      'ff02::1',
      '::ffff:10.0.0.1',
      '64:ff9b::7f00:1',
      '2001:db8::1',
      'example.org',
      '',
    ])
      expect(isPublicAddress(a), a).toBe(false);
    expect(isPublicAddress('172.32.0.1')).toBe(true);
  });
});

describe('batch counters', () => {
  it('summarises a run without output: status, passed/total, summed checker scores, error code', () => {
    const test = {
      status: 'OK' as const,
      exitCode: 0,
      signal: null,
      stdout: 'secret output',
      stderr: '',
      stdoutTruncated: false,
      stderrTruncated: false,
      cpuTimeMs: 1,
      wallTimeMs: 1,
      memoryBytes: 1,
    };
    const result = {
      id: 'r1',
      language: 'python',
      version: '3',
      status: 'OK' as const,
      passed: 2,
      total: 2,
      tests: [
        { ...test, id: '1', score: 1 },
        { ...test, id: '2', score: 0.5 },
      ],
    };
    const summary = summarizeRun(result, 'student-7', 't');
    expect(summary).toEqual({ externalId: 'student-7', runId: 'r1', status: 'OK', passed: 2, total: 2, score: 1.5, finishedAt: 't' });
    expect(JSON.stringify(summary)).not.toContain('secret');
  });
  it("reads the record script's reply: a non-member is nothing, a member carries the counters and the first summary counted", () => {
    expect(recordReplyOf([-1])).toEqual({ member: false });
    const counted = { externalId: 'x', runId: 'r1', status: 'OK', finishedAt: 't' };
    expect(recordReplyOf([0, 2, 3, 1, '4', JSON.stringify(counted)])).toEqual({ member: true, done: 2, total: 3, hasWebhook: true, generation: '4', counted });
    expect(recordReplyOf([1, 1, 1, 0, '1', JSON.stringify(counted)])).toMatchObject({ member: true, hasWebhook: false });
  });
  it("passes every batch write as keys and arguments of the contract's scripts (member ids, then external ids, then templates)", () => {
    const call = createBatchCall(
      {
        id: 'b',
        createdAt: 'c',
        testsetId: 't',
        members: [
          { runId: 'r1', externalId: 'e1' },
          { runId: 'r2', externalId: 'e2' },
        ],
        templates: ['{}', '{"a":1}'],
      },
      60,
    );
    expect(call.keys).toEqual(['bulkhead:batch:b', 'bulkhead:batch:b:runs', 'bulkhead:batch:b:members', 'bulkhead:batch:b:submissions']);
    expect(call.args.slice(0, 3)).toEqual(['60', '10', '2']);
    expect(call.args.slice(13)).toEqual(['r1', 'r2', 'e1', 'e2', '{}', '{"a":1}']);
    expect(rejudgeBatchCall('b', [{ runId: 'r3', externalId: 'e3' }], 60).args).toEqual(['60', '1', 'r3', 'e3']);
  });
  it('reads counts by status from the batch hash, zeros left out', () => {
    expect(countsOf({ total: '5', done: '4', 'count:OK': '3', 'count:WRONG_ANSWER': '1', 'count:TIME_LIMIT': '0' })).toEqual({ OK: 3, WRONG_ANSWER: 1 });
  });
});

describe('test set manifests', () => {
  it('content-addresses blobs once and gives the same id for the same tests', () => {
    const tests = [
      { stdin: '1 2\n', expected: '3\n' },
      { id: 'b', stdinBase64: Buffer.from('1 2\n').toString('base64') },
    ];
    const first = buildTestset(tests, 10, new Date(0), undefined);
    const again = buildTestset(tests, 10, new Date(1000), undefined);
    expect(first.manifest.id).toBe(again.manifest.id);
    expect(first.blobs.size).toBe(2);
    expect(first.manifest.tests.map((t) => t.id)).toEqual(['1', 'b']);
    expect(first.manifest.tests[0]?.stdinRef).toBe(first.manifest.tests[1]?.stdinRef);
    expect(testsetInfo(first.manifest)).toMatchObject({ count: 2, totalBytes: 4 + 2 + 4 });
    expect(buildTestset([{ stdin: 'x' }], 10, new Date(0), undefined).manifest.id).not.toBe(first.manifest.id);
  });
  it('records the uploading key as the owner and scopes the id to it, so two keys never share a manifest', () => {
    const tests = [{ stdin: '1 2\n', expected: '3\n' }];
    const anonymous = buildTestset(tests, 10, new Date(0), undefined).manifest;
    const alice = buildTestset(tests, 10, new Date(0), 'alice').manifest;
    expect(anonymous.owner).toBeUndefined();
    expect(alice.owner).toBe('alice');
    expect(buildTestset(tests, 10, new Date(9), 'alice').manifest.id).toBe(alice.id);
    expect(new Set([anonymous.id, alice.id, buildTestset(tests, 10, new Date(0), 'bob').manifest.id]).size).toBe(3);
  });
  it('rejects too many tests, repeated ids, both encodings and bad base64 with their codes', () => {
    expect(() => buildTestset([{ stdin: '' }, { stdin: '' }], 1, new Date(), undefined)).toThrow(expect.objectContaining({ code: 'SBX_ERR_TOO_MANY_TESTS' }));
    expect(() =>
      buildTestset(
        [
          { id: 'a', stdin: '' },
          { id: 'a', stdin: '' },
        ],
        5,
        new Date(),
        undefined,
      ),
    ).toThrow(expect.objectContaining({ code: 'SBX_ERR_VALIDATION' }));
    expect(() => buildTestset([{ stdin: '', stdinBase64: '' }], 5, new Date(), undefined)).toThrow(expect.objectContaining({ code: 'SBX_ERR_VALIDATION' }));
    expect(() => buildTestset([{ expectedBase64: '!!' }], 5, new Date(), undefined)).toThrow(expect.objectContaining({ code: 'SBX_ERR_FILE_ENCODING' }));
  });
});
