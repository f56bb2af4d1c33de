import { UnrecoverableError } from 'bullmq';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { findBuildDir, loadNative, type NativePhase } from '../../native/index.js';
import { BulkheadError, ErrorCodes, type ErrorCode } from '../../worker/contract/errors.js';
import { decodeFailure, encodeFailure, failureCodeOf, isSandboxPhase, PHASE_CODES, type SandboxPhase } from '../../worker/contract/failure.js';
import { fromNative, SandboxError } from '../../worker/sandbox/errors.js';

const codes = Object.keys(ErrorCodes) as ErrorCode[];
const phases = Object.keys(PHASE_CODES) as SandboxPhase[];

/** What a reader may find in a failedReason that no Bulkhead encoder wrote. */
const GARBAGE: unknown[] = [
  undefined,
  null,
  42,
  {},
  [],
  '',
  'oops',
  'TypeError: boom',
  'Error: ENOENT /var/lib/secret/path',
  'SBX_ERR_NOT_A_CODE: x',
  'SBX_ERR_VALIDATIONX',
  'SBX_ERR_VALIDATION job rejected',
  ' SBX_ERR_VALIDATION',
  'sbx_err_validation',
  'SBX_ERR_',
  'x'.repeat(100_000),
  '\u0000SBX_ERR_INTERNAL',
];

describe('failure encoding across Redis', () => {
  it('round-trips every catalogue code, with and without a detail, as a reason and as an error', () => {
    for (const code of codes) {
      expect(encodeFailure(code)).toBe(code);
      expect(decodeFailure(encodeFailure(code)), code).toBe(code);
      expect(decodeFailure(encodeFailure(code, 'cgroup mkdir failed: EACCES')), code).toBe(code);
      expect(failureCodeOf(new UnrecoverableError(encodeFailure(code, 'detail'))), code).toBe(code);
      expect(failureCodeOf(new Error(encodeFailure(code))), code).toBe(code);
    }
    expect(encodeFailure('SBX_ERR_VALIDATION', 'at /files')).toBe('SBX_ERR_VALIDATION: at /files');
    expect(encodeFailure('SBX_ERR_VALIDATION', '')).toBe('SBX_ERR_VALIDATION');
  });

  it('decodes anything else to a defined code, never to its text and never by throwing', () => {
    for (const reason of GARBAGE) {
      expect(decodeFailure(reason), String(reason).slice(0, 40)).toBe('SBX_ERR_RUN_LOST');
      expect(failureCodeOf(new Error(typeof reason === 'string' ? reason : 'x')), String(reason).slice(0, 40)).toBe('SBX_ERR_INTERNAL');
      expect(failureCodeOf(reason), String(reason).slice(0, 40)).toBe('SBX_ERR_INTERNAL');
    }
  });

  it("reads BullMQ's own stalled failure as a run lost with its workers (in the worker too)", () => {
    const reason = 'job stalled more than allowable limit';
    expect(decodeFailure(reason)).toBe('SBX_ERR_RUN_LOST');
    expect(failureCodeOf(new UnrecoverableError(reason))).toBe('SBX_ERR_RUN_LOST');
    // Control: another BullMQ text is not mistaken for it.
    expect(failureCodeOf(new UnrecoverableError('job started more than allowable limit'))).toBe('SBX_ERR_INTERNAL');
  });

  it("takes an error's catalogue `code` before its message, and ignores a code that is not ours", () => {
    expect(failureCodeOf(new BulkheadError('SBX_ERR_CGROUP_SETUP', 'mkdir failed'))).toBe('SBX_ERR_CGROUP_SETUP');
    expect(failureCodeOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe('SBX_ERR_INTERNAL');
    expect(failureCodeOf(Object.assign(new Error('SBX_ERR_EXEC: x'), { code: 'ENOENT' }))).toBe('SBX_ERR_EXEC');
  });
});

describe('the phase table', () => {
  it('reports every phase as a service fault of the catalogue', () => {
    for (const phase of phases) {
      const code = PHASE_CODES[phase];
      expect(ErrorCodes[code].fault, phase).toBe('service');
      expect(new SandboxError(phase, 0, 'm').code, phase).toBe(code);
    }
    expect(new Set(Object.values(PHASE_CODES)).size).toBe(phases.length);
  });

  it('turns what the addon throws into a SandboxError by its phase; an unknown phase is internal', () => {
    expect(fromNative(Object.assign(new Error('mkdir: EACCES'), { phase: 'cgroup', errno: 13 }))).toMatchObject({
      name: 'SandboxError',
      code: 'SBX_ERR_CGROUP_SETUP',
      phase: 'cgroup',
      errno: 13,
      message: 'mkdir: EACCES',
    });
    expect(fromNative(Object.assign(new Error('x'), { phase: 'bogus', errno: 'x' }))).toMatchObject({ code: 'SBX_ERR_INTERNAL', phase: 'internal', errno: 0 });
    expect(fromNative('thrown text')).toMatchObject({ code: 'SBX_ERR_INTERNAL', message: 'thrown text' });
    expect(isSandboxPhase('toString')).toBe(false);
  });

  it("names the same phases as the native addon's types", () => {
    expectTypeOf<NativePhase>().toEqualTypeOf<SandboxPhase>();
  });

  const built = findBuildDir() !== undefined;
  it.skipIf(!built)(`names the same phases as the native addon's table, numbered 0..n-1 with internal 0${built ? '' : ' (skipped: native addon not built)'}`, () => {
    const native = loadNative().phases;
    expect(Object.keys(native).sort()).toEqual([...phases].sort());
    expect(native.internal).toBe(0);
    expect(Object.values(native).sort((a, b) => a - b)).toEqual(phases.map((_, i) => i));
  });

  it.skipIf(!built)(`gets a phase name from the addon's errors, and no code${built ? '' : ' (skipped: native addon not built)'}`, () => {
    let caught: unknown;
    try {
      loadNative().detectCgroups('/nonexistent-bulkhead-root', 'bulkhead');
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ phase: 'host', errno: 2 });
    expect(caught).not.toHaveProperty('code');
    expect(fromNative(caught).code).toBe('SBX_ERR_HOST_SETUP');
  });
});
