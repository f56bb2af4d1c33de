/**
 * Issue 6, end to end on the real service (real API, Redis, worker and sandbox): classic problems
 * with known solutions in C++, Python and Java get the exact per-test verdicts, judged against
 * test sets uploaded once (POST /testsets) and referenced by many runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceUnavailableReason, startService, type TestService } from '../helpers/service.js';
import { call, judge, uploadTestset, verdicts, type JudgedRun } from './judge-client.js';
import { A_PLUS_B, A_PLUS_B_TESTS, BROKEN, SUM, SUM_TESTS } from './problems.js';

const skip = serviceUnavailableReason(['cpp', 'python', 'java']);
let service: TestService;
let aPlusB: string;
let sum: string;

/** Limits per language for the sum problem: tight enough that the slow solution is cut at 1 s of CPU. */
const FAST = { cpuTimeMs: 1000 };
const JVM = { cpuTimeMs: 4000 };

describe.skipIf(skip !== undefined)(`classic problems${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    service = await startService({ apiEnv: { SBX_WAIT_TIMEOUT_MS: '60000' } });
    aPlusB = await uploadTestset(service.url, A_PLUS_B_TESTS);
    sum = await uploadTestset(service.url, SUM_TESTS);
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('A+B: correct solutions pass every test; 32-bit ones fail only the overflow test; a wrong formula fails exactly where it is wrong', async () => {
    const run = (language: string, source: string): Promise<JudgedRun> => judge(service.url, { language, source, testset: aPlusB });
    const [cpp, cppInt, py, pyWrong, java, javaInt] = await Promise.all([
      run('cpp', A_PLUS_B.cppCorrect),
      run('cpp', A_PLUS_B.cppInt),
      run('python', A_PLUS_B.pythonCorrect),
      run('python', A_PLUS_B.pythonWrong),
      run('java', A_PLUS_B.javaCorrect),
      run('java', A_PLUS_B.javaInt),
    ]);
    for (const ok of [cpp, py, java]) {
      expect(verdicts(ok), JSON.stringify(ok)).toEqual(['OK', 'OK', 'OK']);
      expect(ok).toMatchObject({ status: 'OK', passed: 3, total: 3 });
    }
    for (const overflow of [cppInt, javaInt]) {
      expect(verdicts(overflow), JSON.stringify(overflow)).toEqual(['OK', 'OK', 'WRONG_ANSWER']);
      expect(overflow).toMatchObject({ status: 'WRONG_ANSWER', passed: 2, total: 3 });
    }
    expect(verdicts(pyWrong)).toEqual(['WRONG_ANSWER', 'WRONG_ANSWER', 'OK']);
    expect(pyWrong.tests?.map((t) => t.id)).toEqual(['small', 'negative', 'overflow']);
  }, 180_000);

  it('sum of an array: too slow is TIME_LIMIT, too much memory is MEMORY_LIMIT, crashes are RUNTIME_ERROR, each on the big test only', async () => {
    const run = (language: string, source: string, limits: Record<string, number>) => judge(service.url, { language, source, testset: sum, limits });
    const [cpp, slow, crash, py, memory, java, javaCrash] = await Promise.all([
      run('cpp', SUM.cppCorrect, FAST),
      run('cpp', SUM.cppSlow, FAST),
      run('cpp', SUM.cppCrash, FAST),
      run('python', SUM.pythonCorrect, FAST),
      run('python', SUM.pythonMemory, FAST),
      run('java', SUM.javaCorrect, JVM),
      run('java', SUM.javaCrash, JVM),
    ]);
    for (const ok of [cpp, py, java]) expect(verdicts(ok), JSON.stringify(ok)).toEqual(['OK', 'OK']);
    expect(verdicts(slow)).toEqual(['OK', 'TIME_LIMIT']);
    expect(slow.tests?.[1]?.timeLimit).toBe('cpu');
    expect(slow).toMatchObject({ status: 'TIME_LIMIT', passed: 1, total: 2 });
    expect(verdicts(memory), JSON.stringify(memory.tests?.[1])).toEqual(['OK', 'MEMORY_LIMIT']);
    expect(memory.status).toBe('MEMORY_LIMIT');
    expect(verdicts(crash)).toEqual(['OK', 'RUNTIME_ERROR']);
    expect(crash.tests?.[1]?.signal).toBe('SIGABRT');
    expect(verdicts(javaCrash)).toEqual(['OK', 'RUNTIME_ERROR']);
    expect(javaCrash.status).toBe('RUNTIME_ERROR');
  }, 180_000);

  it('a program that does not compile is COMPILE_ERROR with the diagnostics and no test run', async () => {
    const [cpp, java] = await Promise.all([
      judge(service.url, { language: 'cpp', source: BROKEN.cpp, testset: aPlusB }),
      judge(service.url, { language: 'java', source: BROKEN.java, testset: aPlusB }),
    ]);
    for (const broken of [cpp, java]) {
      expect(broken).toMatchObject({ status: 'COMPILE_ERROR', passed: 0, total: 3 });
      expect(broken.tests ?? []).toEqual([]);
      expect(broken.compile?.status).not.toBe('OK');
      expect(broken.compile?.stderr.length).toBeGreaterThan(0);
    }
    expect(cpp.compile?.stderr).toContain('undefined_name');
  }, 120_000);

  it('a test set is stored once: metadata without content, the same id on a second upload, 404 once deleted', async () => {
    const info = await call(service.url, 'GET', `/testsets/${aPlusB}`);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ id: aPlusB, count: 3 });
    expect(info.text).not.toContain('2000000000 2000000000');
    expect(await uploadTestset(service.url, A_PLUS_B_TESTS)).toBe(aPlusB);

    const copy = await uploadTestset(service.url, [{ id: 'only', stdin: '2 2\n', expected: '4\n' }]);
    const first = await judge(service.url, { language: 'python', source: A_PLUS_B.pythonCorrect, testset: copy });
    expect(verdicts(first)).toEqual(['OK']);
    expect((await call(service.url, 'DELETE', `/testsets/${copy}`)).status).toBe(204);
    const gone = await call(service.url, 'POST', '/run', { language: 'python', source: A_PLUS_B.pythonCorrect, testset: copy });
    expect(gone.status).toBe(404);
    expect((gone.body.error as { code: string }).code).toBe('SBX_ERR_TESTSET_UNKNOWN');
  }, 60_000);
});
