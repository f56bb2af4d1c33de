import { describe, expect, it } from 'vitest';
import { CHECKER_MESSAGE_MAX_BYTES, boundMessage, decideFromChecker, parseCheckerOutput, type CheckerRun } from '../../worker/judge/checker-output.js';

function run(overrides: Partial<CheckerRun> = {}): CheckerRun {
  return { status: 'OK', exitCode: 0, signal: null, stdout: Buffer.from(''), stderr: Buffer.from(''), ...overrides };
}

describe('checker output parsing', () => {
  it('reads a score on the first stdout line and the rest as the message', () => {
    expect(parseCheckerOutput(Buffer.from('score=0.25\npartial answer\n'), Buffer.from('ignored'))).toEqual({ score: 0.25, message: 'partial answer' });
  });
  it('takes the message from stderr when stdout has none (testlib writes there)', () => {
    expect(parseCheckerOutput(Buffer.from('score=1\n'), Buffer.from('ok 3 numbers\n'))).toEqual({ score: 1, message: 'ok 3 numbers' });
    expect(parseCheckerOutput(Buffer.from(''), Buffer.from('wrong answer 1st numbers differ'))).toEqual({ message: 'wrong answer 1st numbers differ' });
  });
  it('treats a first line without score= as part of the message', () => {
    expect(parseCheckerOutput(Buffer.from('fine\nreally'), Buffer.alloc(0))).toEqual({ message: 'fine\nreally' });
  });
  it('flags a score that is not a number in [0, 1]', () => {
    for (const bad of ['score=1.5', 'score=-0.1', 'score=abc', 'score=', 'score=NaN', 'score=1e400']) {
      expect(parseCheckerOutput(Buffer.from(bad), Buffer.alloc(0)).badScore, bad).toBeDefined();
    }
    expect(parseCheckerOutput(Buffer.from('score=1e-1'), Buffer.alloc(0)).score).toBe(0.1);
  });
});

describe('checker decision', () => {
  it('accepts on exit 0 and rejects on other exit codes, keeping score and message', () => {
    expect(decideFromChecker(run({ stdout: Buffer.from('score=1\nok') }))).toEqual({ status: 'OK', score: 1, checkerMessage: 'ok' });
    expect(decideFromChecker(run({ exitCode: 1, stdout: Buffer.from('score=0.5\nhalf') }))).toEqual({ status: 'WRONG_ANSWER', score: 0.5, checkerMessage: 'half' });
    expect(decideFromChecker(run({ exitCode: 2 }))).toEqual({ status: 'WRONG_ANSWER' });
  });
  it('reports the checker as failed (never OK) on exit 3, limits, signals and malformed scores', () => {
    const failed = (r: CheckerRun) => decideFromChecker(r);
    expect(failed(run({ exitCode: 3, stderr: Buffer.from('FAIL bad input') }))).toEqual({
      status: 'WRONG_ANSWER',
      checkerFailed: true,
      checkerMessage: 'checker failed: exit code 3: FAIL bad input',
    });
    expect(failed(run({ status: 'TIME_LIMIT', timeLimit: 'wall', exitCode: null, signal: 'SIGKILL' })).checkerMessage).toBe('checker failed: TIME_LIMIT (wall)');
    expect(failed(run({ status: 'MEMORY_LIMIT', exitCode: null, signal: 'SIGKILL' })).checkerMessage).toBe('checker failed: MEMORY_LIMIT');
    expect(failed(run({ status: 'OUTPUT_LIMIT', exitCode: null, signal: 'SIGKILL' })).checkerFailed).toBe(true);
    expect(failed(run({ status: 'RUNTIME_ERROR', exitCode: null, signal: 'SIGSEGV' })).checkerMessage).toBe('checker failed: RUNTIME_ERROR: killed by SIGSEGV');
    expect(failed(run({ stdout: Buffer.from('score=7') }))).toMatchObject({ status: 'WRONG_ANSWER', checkerFailed: true });
  });
});

describe('checker message bounds', () => {
  it('cuts long messages at the byte bound on a character boundary', () => {
    const long = 'é'.repeat(CHECKER_MESSAGE_MAX_BYTES);
    const bounded = boundMessage(long);
    expect(Buffer.byteLength(bounded)).toBeLessThanOrEqual(CHECKER_MESSAGE_MAX_BYTES);
    expect(bounded.endsWith('…')).toBe(true);
    expect(bounded).not.toContain('\uFFFD');
  });
  it('replaces control characters other than newline and tab', () => {
    expect(boundMessage('a\u0000b\u001b[31mc\td\ne')).toBe('a\uFFFDb\uFFFD[31mc\td\ne');
  });
});
