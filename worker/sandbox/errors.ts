/**
 * SandboxError: our own failure around a run (setup, cgroup, profile, spawn, exec), never a
 * verdict about the program. Carries the stable `code`, the `phase` it happened in and `errno`.
 */
import { BulkheadError, type ErrorCode } from '../contract/errors.js';

/** Where a sandbox failure happened (the native phase names). */
export type SandboxPhase = 'setup' | 'cgroup' | 'seccomp' | 'spawn' | 'exec' | 'profile' | 'host' | 'internal';

const CODE_BY_PHASE: Readonly<Record<SandboxPhase, ErrorCode>> = Object.freeze({
  setup: 'SBX_ERR_SANDBOX_SETUP',
  cgroup: 'SBX_ERR_CGROUP_SETUP',
  seccomp: 'SBX_ERR_SECCOMP_LOAD',
  spawn: 'SBX_ERR_SPAWN',
  exec: 'SBX_ERR_EXEC',
  profile: 'SBX_ERR_PROFILE_INVALID',
  host: 'SBX_ERR_HOST_SETUP',
  internal: 'SBX_ERR_INTERNAL',
});

/** A failure of the sandbox itself. Branch on `code`; `phase` and `errno` are for the log. */
export class SandboxError extends BulkheadError {
  override name = 'SandboxError';
  /** The phase that failed. */
  readonly phase: SandboxPhase;
  /** Positive errno of the failing call, 0 when none (e.g. a malformed argument). */
  readonly errno: number;
  constructor(phase: SandboxPhase, errno: number, message: string, options?: { cause?: unknown }) {
    super(CODE_BY_PHASE[phase], message, options);
    this.phase = phase;
    this.errno = errno;
  }
}

function isPhase(value: unknown): value is SandboxPhase {
  return typeof value === 'string' && Object.hasOwn(CODE_BY_PHASE, value);
}

/**
 * Converts whatever the addon threw or rejected with into a SandboxError. The phase decides the
 * code (one table, here); an error without a known phase becomes an internal failure.
 */
export function fromNative(err: unknown): SandboxError {
  if (err instanceof SandboxError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as { phase?: unknown; errno?: unknown; message?: unknown };
  const phase: SandboxPhase = isPhase(e.phase) ? e.phase : 'internal';
  const errno = typeof e.errno === 'number' ? e.errno : 0;
  const message = typeof e.message === 'string' ? e.message : String(err);
  return new SandboxError(phase, errno, message, { cause: err });
}
