import { describe, expect, it } from 'vitest';
import { okOutcome } from '../../worker/sandbox/fake-sandbox.js';
import { nsToMs, signalName, toStageResult } from '../../worker/verdict.js';

describe('toStageResult', () => {
  const cases: [string, Parameters<typeof okOutcome>[0], Record<string, unknown>][] = [
    ['OK for exit 0 within limits', {}, { status: 'OK', exitCode: 0, signal: null }],
    ['RUNTIME_ERROR for a non-zero exit', { exitCode: 3 }, { status: 'RUNTIME_ERROR', exitCode: 3 }],
    ['RUNTIME_ERROR with the signal name for SIGSEGV', { exitCode: null, signal: 11 }, { status: 'RUNTIME_ERROR', signal: 'SIGSEGV' }],
    ['MEMORY_LIMIT when the OOM killer ended it', { exitCode: null, signal: 9, oomKilled: true }, { status: 'MEMORY_LIMIT', signal: 'SIGKILL' }],
    ['TIME_LIMIT cpu when the sandbox killed it for CPU', { exitCode: null, signal: 9, killedBy: 'cpu' }, { status: 'TIME_LIMIT', timeLimit: 'cpu' }],
    [
      'MEMORY_LIMIT when killed for CPU after its memory reached the limit (reclaim thrash)',
      { exitCode: null, signal: 9, killedBy: 'cpu', memoryLimitReached: true },
      { status: 'MEMORY_LIMIT', signal: 'SIGKILL' },
    ],
    [
      'MEMORY_LIMIT when killed for wall time after its memory reached the limit',
      { exitCode: null, signal: 9, killedBy: 'wall', memoryLimitReached: true },
      { status: 'MEMORY_LIMIT' },
    ],
    ['OK when its memory reached the limit and it still exited 0', { memoryLimitReached: true }, { status: 'OK' }],
    ['TIME_LIMIT wall when the sandbox killed it for wall time', { exitCode: null, signal: 9, killedBy: 'wall' }, { status: 'TIME_LIMIT', timeLimit: 'wall' }],
    [
      'OUTPUT_LIMIT when the sandbox killed it for output',
      { exitCode: null, signal: 9, killedBy: 'output', stdoutTruncated: true },
      { status: 'OUTPUT_LIMIT', stdoutTruncated: true },
    ],
    [
      'RUNTIME_ERROR with seccompViolation for a seccomp kill',
      { exitCode: null, signal: 31, seccompViolation: true },
      { status: 'RUNTIME_ERROR', seccompViolation: true, signal: 'SIGSYS' },
    ],
    // Spoofing: exit codes and signals are under the program's control and prove nothing.
    ['RUNTIME_ERROR for a program exiting 137 by itself', { exitCode: 137 }, { status: 'RUNTIME_ERROR', exitCode: 137 }],
    ['RUNTIME_ERROR for a program sending itself SIGKILL', { exitCode: null, signal: 9 }, { status: 'RUNTIME_ERROR', signal: 'SIGKILL' }],
    ['RUNTIME_ERROR for a program raising SIGXCPU itself', { exitCode: null, signal: 24 }, { status: 'RUNTIME_ERROR', signal: 'SIGXCPU' }],
    ['RUNTIME_ERROR without seccompViolation for a program exiting 159 (128+SIGSYS) by itself', { exitCode: 159 }, { status: 'RUNTIME_ERROR' }],
  ];
  it.each(cases)('gives %s', (_name, outcome, expected) => {
    expect(toStageResult(okOutcome(outcome))).toMatchObject(expected);
  });

  it('never sets timeLimit or seccompViolation when they do not apply', () => {
    const result = toStageResult(okOutcome({ exitCode: 1 }));
    expect(result).not.toHaveProperty('timeLimit');
    expect(result).not.toHaveProperty('seccompViolation');
  });

  it('converts nanoseconds to milliseconds for CPU and wall time', () => {
    const result = toStageResult(okOutcome({ cpuTimeNs: 1_234_567, wallTimeNs: 2_000_000_000, memoryPeakBytes: 4096 }));
    expect(result).toMatchObject({ cpuTimeMs: 1.235, wallTimeMs: 2000, memoryBytes: 4096 });
  });

  it('carries valid UTF-8 output as text and invalid bytes as base64 with the encoding set', () => {
    const binary = Buffer.from([0xff, 0x00, 0xfe]);
    const result = toStageResult(okOutcome({ stdout: Buffer.from('héllo'), stderr: binary }));
    expect(result.stdout).toBe('héllo');
    expect(result.stdoutEncoding).toBeUndefined();
    expect(result.stderr).toBe(binary.toString('base64'));
    expect(result.stderrEncoding).toBe('base64');
  });
});

describe('helpers', () => {
  it('names signals and falls back to SIG<n> for unknown numbers', () => {
    expect(signalName(6)).toBe('SIGABRT');
    expect(signalName(15)).toBe('SIGTERM');
    expect(signalName(250)).toBe('SIG250');
  });
  it('keeps microsecond precision in nsToMs', () => {
    expect(nsToMs(1_500)).toBe(0.002);
    expect(nsToMs(0)).toBe(0);
  });
});
