import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { upgradeHeartbeat, WorkerHeartbeatSchema } from '../../worker/contract/heartbeat.js';
import { SubmissionJobSchema } from '../../worker/contract/job.js';
import { LIMITS } from '../../worker/contract/limits.js';
import { RunResultSchema } from '../../worker/contract/result.js';
import { parseJob } from '../../worker/processor.js';
import { heartbeat, runtime } from '../helpers/api-fixtures.js';
import { makeJob } from '../worker/helpers.js';

/** `limits` as an older peer wrote them: without the stack, which became a limit later. */
function withoutStack<T extends object>(limits: T): Omit<T, 'stackBytes'> {
  const { stackBytes: _dropped, ...rest } = limits as T & { stackBytes?: number };
  return rest;
}

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
  it('runs a job an older API queued with the stack every run had then, and refuses one missing an older limit', () => {
    const job = makeJob({ tests: [{ id: '1', stdinBase64: '', limits: makeJob().limits }] });
    const older = { ...job, limits: withoutStack(job.limits), tests: [{ id: '1', stdinBase64: '', limits: withoutStack(job.limits) }] };
    expect(Value.Check(SubmissionJobSchema, older)).toBe(false);
    const read = parseJob(older);
    expect(read.limits.stackBytes).toBe(64 * 1024 * 1024);
    expect(read.tests?.[0]?.limits?.stackBytes).toBe(LIMITS.stackBytes.manifestFallback.default);
    const { cpuTimeMs: _cpu, ...noCpu } = job.limits;
    expect(() => parseJob({ ...job, limits: noCpu })).toThrow(/SBX_ERR_VALIDATION.*limits/);
  });
});

describe('heartbeats of older workers', () => {
  it('offer no more stack than those workers give every run', () => {
    const beat = heartbeat([runtime()]);
    const [info] = beat.runtimes;
    const older = { ...beat, runtimes: [{ ...info, limits: { default: withoutStack(info!.limits.default), max: withoutStack(info!.limits.max) } }] };
    expect(Value.Check(WorkerHeartbeatSchema, older)).toBe(false);
    const read = upgradeHeartbeat(older);
    expect(Value.Check(WorkerHeartbeatSchema, read)).toBe(true);
    const limits = (read as typeof beat).runtimes[0]?.limits;
    expect([limits?.default.stackBytes, limits?.max.stackBytes]).toEqual([64 * 1024 * 1024, 64 * 1024 * 1024]);
    expect(upgradeHeartbeat(beat)).toEqual(beat);
    expect(upgradeHeartbeat('x')).toBe('x');
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
