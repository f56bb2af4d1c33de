/**
 * SandboxError: our own failure around a run (setup, cgroup, profile, spawn, exec), never a
 * verdict about the program. Carries the stable `code`, the `phase` it happened in and `errno`.
 */
import { BulkheadError } from '../contract/errors.js';
import { isSandboxPhase, PHASE_CODES, type SandboxPhase } from '../contract/failure.js';

/** A failure of the sandbox itself. Branch on `code`; `phase` and `errno` are for the log. */
export class SandboxError extends BulkheadError {
  override name = 'SandboxError';
  /** The phase that failed. */
  readonly phase: SandboxPhase;
  /** Positive errno of the failing call, 0 when none (e.g. a malformed argument). */
  readonly errno: number;
  constructor(phase: SandboxPhase, errno: number, message: string, options?: { cause?: unknown }) {
    super(PHASE_CODES[phase], message, options);
    this.phase = phase;
    this.errno = errno;
  }
}

/**
 * Converts whatever the addon threw or rejected with into a SandboxError. The phase decides the
 * code (the contract's phase table); an error without a known phase becomes an internal failure.
 */
export function fromNative(err: unknown): SandboxError {
  if (err instanceof SandboxError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as { phase?: unknown; errno?: unknown; message?: unknown };
  const phase: SandboxPhase = isSandboxPhase(e.phase) ? e.phase : 'internal';
  const errno = typeof e.errno === 'number' ? e.errno : 0;
  const message = typeof e.message === 'string' ? e.message : String(err);
  return new SandboxError(phase, errno, message, { cause: err });
}
