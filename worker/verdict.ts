/**
 * The only place that decides a program's status from the sandbox's raw facts (pure).
 *
 * A limit status is given only when the sandbox itself says a limit ended the run (`oomKilled`,
 * `killedBy`). A program that exits 137, kills itself with SIGKILL or raises SIGXCPU on its own
 * gets RUNTIME_ERROR: exit codes and signals are under the program's control and prove nothing.
 *
 * A run killed for time after its memory reached the limit (`memoryLimitReached`, the kernel's
 * own peak) is MEMORY_LIMIT: at the limit the kernel reclaims the run's file pages (its own
 * executable's among them) and the program faults them back in, which counts as progress, so the
 * OOM killer may never fire and the time goes to that reclaim (a Node.js Buffer bomb at 192 MiB
 * spent its 2 s of CPU so on the dev VM). The first limit the run hit was memory.
 */
import { constants as osConstants } from 'node:os';
import type { StageResult, Status } from './contract/result.js';
import type { RawOutcome } from './sandbox/spec.js';
import { encodeOutput } from './output.js';

const NS_PER_MS = 1_000_000;

/** Nanoseconds → milliseconds, kept to microsecond precision. The one ns→ms conversion of the worker. */
export function nsToMs(ns: number): number {
  return Math.round(ns / 1000) / (NS_PER_MS / 1000);
}

let signalNamesByNumber: ReadonlyMap<number, string> | undefined;

/** `11` → `"SIGSEGV"`; an unknown number → `"SIG<n>"`. */
export function signalName(signalNumber: number): string {
  signalNamesByNumber ??= new Map(
    Object.entries(osConstants.signals)
      .map(([name, value]) => [value, name] as const)
      .reverse(),
  );
  return signalNamesByNumber.get(signalNumber) ?? `SIG${signalNumber}`;
}

/** Status and, for TIME_LIMIT, which clock ran out. */
export function classifyOutcome(outcome: RawOutcome): { status: Status; timeLimit?: 'cpu' | 'wall' } {
  if (outcome.oomKilled) return { status: 'MEMORY_LIMIT' };
  if ((outcome.killedBy === 'cpu' || outcome.killedBy === 'wall') && outcome.memoryLimitReached) return { status: 'MEMORY_LIMIT' };
  if (outcome.killedBy === 'cpu' || outcome.killedBy === 'wall') return { status: 'TIME_LIMIT', timeLimit: outcome.killedBy };
  if (outcome.killedBy === 'output') return { status: 'OUTPUT_LIMIT' };
  if (outcome.exitCode === 0 && outcome.signal === null && !outcome.seccompViolation) return { status: 'OK' };
  return { status: 'RUNTIME_ERROR' };
}

/** Turns one sandbox outcome into the stage fields of the result. */
export function toStageResult(outcome: RawOutcome): StageResult {
  const { status, timeLimit } = classifyOutcome(outcome);
  const stdout = encodeOutput(outcome.stdout);
  const stderr = encodeOutput(outcome.stderr);
  return {
    status,
    ...(timeLimit === undefined ? {} : { timeLimit }),
    exitCode: outcome.exitCode,
    signal: outcome.signal === null ? null : signalName(outcome.signal),
    ...(outcome.seccompViolation ? { seccompViolation: true } : {}),
    stdout: stdout.text,
    stderr: stderr.text,
    ...(stdout.encoding === 'base64' ? { stdoutEncoding: 'base64' as const } : {}),
    ...(stderr.encoding === 'base64' ? { stderrEncoding: 'base64' as const } : {}),
    stdoutTruncated: outcome.stdoutTruncated,
    stderrTruncated: outcome.stderrTruncated,
    cpuTimeMs: nsToMs(outcome.cpuTimeNs),
    wallTimeMs: nsToMs(outcome.wallTimeNs),
    memoryBytes: outcome.memoryPeakBytes,
  };
}
