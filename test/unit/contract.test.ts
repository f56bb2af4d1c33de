import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { SubmissionJobSchema } from '../../worker/contract/job.js';
import { RunResultSchema } from '../../worker/contract/result.js';
import { parseJob } from '../../worker/processor.js';
import { makeJob } from '../worker/helpers.js';

describe('SubmissionJob schema', () => {
  it('accepts a valid job, with and without tests', () => {
    expect(Value.Check(SubmissionJobSchema, makeJob())).toBe(true);
    expect(Value.Check(SubmissionJobSchema, makeJob({ tests: [{ id: '1', stdinBase64: '' }], compare: { mode: 'numeric', absTolerance: 0.1 } }))).toBe(true);
  });
  it('rejects another schema version, a missing field and a wrong type', () => {
    expect(Value.Check(SubmissionJobSchema, { ...makeJob(), schemaVersion: 99 })).toBe(false);
    const noRunId: Record<string, unknown> = { ...makeJob() };
    delete noRunId.runId;
    expect(Value.Check(SubmissionJobSchema, noRunId)).toBe(false);
    expect(Value.Check(SubmissionJobSchema, { ...makeJob(), args: 'x' })).toBe(false);
  });
  it('is enforced by the processor with an UnrecoverableError naming the version', () => {
    expect(parseJob(makeJob()).language).toBe('python');
    expect(() => parseJob({ ...makeJob(), schemaVersion: 7 })).toThrow(/SBX_ERR_VALIDATION.*schemaVersion 7/);
    expect(() => parseJob(null)).toThrow(expect.objectContaining({ name: 'UnrecoverableError' }));
  });
});

describe('RunResult schema', () => {
  it('accepts a compile error result and rejects an unknown status', () => {
    const stage = {
      status: 'RUNTIME_ERROR',
      exitCode: 1,
      signal: null,
      stdout: '',
      stderr: 'e',
      stdoutTruncated: false,
      stderrTruncated: false,
      cpuTimeMs: 1,
      wallTimeMs: 1,
      memoryBytes: 1,
    };
    const result = { id: 'r', language: 'c', version: '12', status: 'COMPILE_ERROR', compile: stage };
    expect(Value.Check(RunResultSchema, result)).toBe(true);
    expect(Value.Check(RunResultSchema, { ...result, status: 'TLE' })).toBe(false);
  });
});
