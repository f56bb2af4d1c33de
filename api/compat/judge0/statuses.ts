/**
 * Judge0's 14 statuses and how Bulkhead's verdicts map onto them (pure). Judge0 has no memory
 * verdict: a run the memory limit ended is the runtime error Judge0 users see for it (by the
 * signal that ended it, else NZEC for a non-zero exit), and `message` says the limit was hit.
 * Judge0 has no output verdict either: Judge0 writes stdout to a file bounded by `max_file_size`,
 * so its users see SIGXFSZ (8) for an oversized output, and so do ours.
 */
import type { StageResult } from '../../../worker/contract/result.js';
import { signalNumber } from '../stage-output.js';
import { overCpuLimit } from './limits.js';

export const JUDGE0_STATUSES = Object.freeze([
  { id: 1, description: 'In Queue' },
  { id: 2, description: 'Processing' },
  { id: 3, description: 'Accepted' },
  { id: 4, description: 'Wrong Answer' },
  { id: 5, description: 'Time Limit Exceeded' },
  { id: 6, description: 'Compilation Error' },
  { id: 7, description: 'Runtime Error (SIGSEGV)' },
  { id: 8, description: 'Runtime Error (SIGXFSZ)' },
  { id: 9, description: 'Runtime Error (SIGFPE)' },
  { id: 10, description: 'Runtime Error (SIGABRT)' },
  { id: 11, description: 'Runtime Error (NZEC)' },
  { id: 12, description: 'Runtime Error (Other)' },
  { id: 13, description: 'Internal Error' },
  { id: 14, description: 'Exec Format Error' },
] as const);

export type Judge0StatusId = (typeof JUDGE0_STATUSES)[number]['id'];

export const STATUS = Object.freeze({
  queued: 1,
  processing: 2,
  accepted: 3,
  wrongAnswer: 4,
  timeLimit: 5,
  compileError: 6,
  sigsegv: 7,
  sigxfsz: 8,
  sigfpe: 9,
  sigabrt: 10,
  nzec: 11,
  other: 12,
  internal: 13,
} as const);

/** `{ id, description }` of a status id. */
export function statusObject(id: Judge0StatusId): { id: number; description: string } {
  const found = JUDGE0_STATUSES.find((s) => s.id === id) ?? JUDGE0_STATUSES[12];
  return { id: found.id, description: found.description };
}

const BY_SIGNAL: Readonly<Record<string, Judge0StatusId>> = { SIGSEGV: 7, SIGXFSZ: 8, SIGFPE: 9, SIGABRT: 10 };

/** The runtime-error status of a stage that ended by `signal` or a non-zero exit. */
function runtimeErrorStatus(stage: StageResult): Judge0StatusId {
  if (stage.signal !== null) return BY_SIGNAL[stage.signal] ?? STATUS.other;
  return stage.exitCode !== null && stage.exitCode !== 0 ? STATUS.nzec : STATUS.other;
}

/** A run stage's Judge0 status and `message` (isolate's wording, as Judge0 passes it on). */
export function stageStatus(stage: StageResult, cpuTimeLimitS: number): { id: Judge0StatusId; message: string | null } {
  switch (stage.status) {
    case 'OK':
      // Killed only after limit + extra time, but over the limit itself is still a TLE (isolate -x).
      return overCpuLimit(stage.cpuTimeMs, cpuTimeLimitS) ? { id: STATUS.timeLimit, message: 'Time limit exceeded' } : { id: STATUS.accepted, message: null };
    case 'WRONG_ANSWER':
      return { id: STATUS.wrongAnswer, message: null };
    case 'TIME_LIMIT':
      return { id: STATUS.timeLimit, message: stage.timeLimit === 'wall' ? 'Time limit exceeded (wall clock)' : 'Time limit exceeded' };
    case 'OUTPUT_LIMIT':
      return { id: STATUS.sigxfsz, message: 'Output limit exceeded (max_file_size)' };
    case 'MEMORY_LIMIT':
      return { id: runtimeErrorStatus(stage), message: 'Memory limit exceeded (memory_limit)' };
    case 'RUNTIME_ERROR':
      return { id: runtimeErrorStatus(stage), message: runtimeMessage(stage) };
    case 'COMPILE_ERROR':
      return { id: STATUS.compileError, message: null };
    case 'INTERNAL_ERROR':
      return { id: STATUS.internal, message: 'Internal error' };
  }
}

function runtimeMessage(stage: StageResult): string {
  if (stage.seccompViolation === true) return 'Forbidden system call (killed by the seccomp filter)';
  if (stage.signal !== null) return `Caught fatal signal ${signalNumber(stage.signal) ?? stage.signal}`;
  return `Exited with error status ${stage.exitCode ?? 0}`;
}
