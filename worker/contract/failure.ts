/**
 * The failure protocol across Redis: what a run that ended without a RunResult carries, and how
 * each process reads it back. One encoder, one decoder, one phase table.
 *
 * - Encoded form (BullMQ's `failedReason`, i.e. the message of the error that failed the job):
 *   `SBX_ERR_<CODE>` alone, or `SBX_ERR_<CODE>: <detail for the log>`. The code is a catalogue
 *   code (errors.ts); the detail is never shown to clients.
 * - Decoding never throws: a reason that is not an encoded catalogue code (BullMQ's own text, an
 *   older worker's, garbage) reads as a defined code, never as free text.
 * - A sandbox failure's code follows from its phase, in {@link PHASE_CODES} only.
 */
import { isErrorCode, type ErrorCode } from './errors.js';

/**
 * Where a sandbox failure happened (the phase names the native addon puts on its errors) and the
 * code it is reported as. The addon's side of the table is in native/src/core/error.c and exported
 * as `phases`; test/unit/failure.test.ts fails when the two name different phases.
 */
export const PHASE_CODES = Object.freeze({
  internal: 'SBX_ERR_INTERNAL',
  setup: 'SBX_ERR_SANDBOX_SETUP',
  cgroup: 'SBX_ERR_CGROUP_SETUP',
  seccomp: 'SBX_ERR_SECCOMP_LOAD',
  spawn: 'SBX_ERR_SPAWN',
  exec: 'SBX_ERR_EXEC',
  profile: 'SBX_ERR_PROFILE_INVALID',
  host: 'SBX_ERR_HOST_SETUP',
} as const satisfies Record<string, ErrorCode>);

export type SandboxPhase = keyof typeof PHASE_CODES;

/** True for a phase name of {@link PHASE_CODES}. */
export function isSandboxPhase(value: unknown): value is SandboxPhase {
  return typeof value === 'string' && Object.hasOwn(PHASE_CODES, value);
}

/** The encoded failure: the code, then `: detail` when there is one. */
export function encodeFailure(code: ErrorCode, detail?: string): string {
  return detail === undefined || detail === '' ? code : `${code}: ${detail}`;
}

const ENCODED = /^(SBX_ERR_[A-Z0-9_]+)(?::|$)/;

/**
 * Reasons BullMQ writes itself, which cannot be wrapped where they are made, named here. A run
 * that stalled more than `maxStalledCount` times (its workers kept dying) is failed by the worker
 * that next takes it, before any processor runs: a run lost with its workers.
 */
const BULLMQ_REASON_CODES: Readonly<Record<string, ErrorCode>> = Object.freeze({
  'job stalled more than allowable limit': 'SBX_ERR_RUN_LOST',
});

/** The catalogue code `reason` encodes, or undefined when it encodes none. */
function encodedCode(reason: unknown): ErrorCode | undefined {
  if (typeof reason !== 'string') return undefined;
  const code = ENCODED.exec(reason)?.[1];
  return isErrorCode(code) ? code : undefined;
}

/** The code of one of BullMQ's own reasons, or undefined. */
function bullmqCode(reason: unknown): ErrorCode | undefined {
  return typeof reason === 'string' && Object.hasOwn(BULLMQ_REASON_CODES, reason) ? BULLMQ_REASON_CODES[reason] : undefined;
}

/**
 * The code of a failure read back from Redis (a failed job's `failedReason`). A reason that
 * encodes no catalogue code is SBX_ERR_RUN_LOST: the run was lost for a cause that is not ours to
 * name (and its text is never passed on).
 */
export function decodeFailure(reason: unknown): ErrorCode {
  return encodedCode(reason) ?? bullmqCode(reason) ?? 'SBX_ERR_RUN_LOST';
}

/**
 * The code of an error that fails (or is about to fail) a job, in the worker: its `code` when that
 * is a catalogue code, else the code its message encodes or BullMQ's reason maps to; an error
 * that carries no code at all is our own failure, SBX_ERR_INTERNAL.
 */
export function failureCodeOf(err: unknown): ErrorCode {
  const { code, message } = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; message?: unknown };
  if (isErrorCode(code)) return code;
  return encodedCode(message) ?? bullmqCode(message) ?? 'SBX_ERR_INTERNAL';
}
