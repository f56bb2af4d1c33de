/**
 * Issue 6, end to end: a tolerance comparison and custom checkers (a Python script and a C++
 * program, each in its own sandbox) on the real service. A problem with many right answers is
 * judged by what the answer means, with the checker's score and message in the result; a checker
 * that fails is reported as such (WRONG_ANSWER + checkerFailed), never as the contestant passing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceUnavailableReason, startService, type TestService } from '../helpers/service.js';
import { judge, uploadTestset, verdicts } from './judge-client.js';
import { SPLIT, SPLIT_CHECKER_CPP, SPLIT_CHECKER_PY, SPLIT_TESTS } from './problems.js';

const skip = serviceUnavailableReason(['cpp', 'python', 'bash']);
let service: TestService;
let split: string;

describe.skipIf(skip !== undefined)(`tolerances and checkers${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    // A short checker CPU limit so that the runaway-checker case costs one second, not five.
    service = await startService({ apiEnv: { SBX_WAIT_TIMEOUT_MS: '60000' }, workerEnv: { SBX_CHECKER_CPU_TIME_MS: '1000' } });
    split = await uploadTestset(service.url, SPLIT_TESTS);
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('numeric mode accepts 0.3333333 for 1/3 within 1e-6 and rejects 0.3333 beyond it', async () => {
    const third = { tests: [{ stdin: '', expected: String(1 / 3) }], compare: { mode: 'numeric', absTolerance: 1e-6 } };
    const [close, far] = await Promise.all([
      judge(service.url, { language: 'python', source: 'print("0.3333333")', ...third }),
      judge(service.url, { language: 'python', source: 'print("0.3333")', ...third }),
    ]);
    expect(verdicts(close)).toEqual(['OK']);
    expect(verdicts(far)).toEqual(['WRONG_ANSWER']);
  }, 60_000);

  it('a Python checker accepts any valid split (score 1) and rejects an invalid one with its message', async () => {
    const checker = { language: 'python', source: SPLIT_CHECKER_PY };
    const [one, halves, zero] = await Promise.all([
      judge(service.url, { language: 'python', source: SPLIT.pythonOneAndRest, testset: split, checker }),
      judge(service.url, { language: 'cpp', source: SPLIT.cppHalves, testset: split, checker }),
      judge(service.url, { language: 'bash', source: SPLIT.bashZero, testset: split, checker }),
    ]);
    for (const valid of [one, halves]) {
      expect(verdicts(valid), JSON.stringify(valid.tests)).toEqual(['OK', 'OK', 'OK']);
      expect(valid.tests?.map((t) => t.score)).toEqual([1, 1, 1]);
    }
    expect(one.tests?.[2]?.checkerMessage).toBe('ok 1+999999=1000000');
    expect(halves.tests?.[1]?.checkerMessage).toBe('ok 5+5=10');
    expect(verdicts(zero)).toEqual(['WRONG_ANSWER', 'WRONG_ANSWER', 'WRONG_ANSWER']);
    expect(zero.tests?.[1]).toMatchObject({ score: 0, checkerMessage: '10+0 is not a split of 10 into positive parts' });
    expect(zero.tests?.[1]?.checkerFailed).toBeUndefined();
  }, 120_000);

  it('a C++ checker, compiled once per job, gives partial scores and messages', async () => {
    const checker = { language: 'cpp', source: SPLIT_CHECKER_CPP };
    const [valid, zero] = await Promise.all([
      judge(service.url, { language: 'python', source: SPLIT.pythonOneAndRest, testset: split, checker }),
      judge(service.url, { language: 'bash', source: SPLIT.bashZero, testset: split, checker }),
    ]);
    expect(verdicts(valid)).toEqual(['OK', 'OK', 'OK']);
    expect(valid.tests?.[0]).toMatchObject({ score: 1, checkerMessage: 'ok 1+1' });
    expect(verdicts(zero)).toEqual(['WRONG_ANSWER', 'WRONG_ANSWER', 'WRONG_ANSWER']);
    expect(zero.tests?.[0]).toMatchObject({ score: 0.5, checkerMessage: 'parts must be positive' });
  }, 120_000);

  it('a checker that does not compile, runs away or crashes fails the test as checkerFailed, never OK', async () => {
    const one = [{ stdin: '4\n' }];
    const run = (checker: Record<string, unknown>) => judge(service.url, { language: 'python', source: SPLIT.pythonOneAndRest, tests: one, checker });
    const [broken, runaway, crash] = await Promise.all([
      run({ language: 'cpp', source: 'int main() { return undefined_name; }\n' }),
      run({ language: 'python', source: 'while True:\n    pass\n' }),
      run({ language: 'python', source: 'import os\nos.abort()\n' }),
    ]);
    expect(broken.tests?.[0]).toMatchObject({ status: 'WRONG_ANSWER', checkerFailed: true });
    expect(broken.tests?.[0]?.checkerMessage).toMatch(/^checker failed: COMPILE_ERROR.*undefined_name/s);
    expect(runaway.tests?.[0]).toMatchObject({ status: 'WRONG_ANSWER', checkerFailed: true, checkerMessage: 'checker failed: TIME_LIMIT (cpu)' });
    expect(crash.tests?.[0]).toMatchObject({ status: 'WRONG_ANSWER', checkerFailed: true });
    expect(crash.tests?.[0]?.checkerMessage).toMatch(/^checker failed: RUNTIME_ERROR: killed by SIGABRT/);
    for (const run of [broken, runaway, crash]) expect(run).toMatchObject({ status: 'WRONG_ANSWER', passed: 0, total: 1 });
  }, 120_000);
});
