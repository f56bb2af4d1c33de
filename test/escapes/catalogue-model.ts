/**
 * The attack catalogue's vocabulary: entry types, the placeholders the suite fills in, and the
 * small builders the data in ./catalogue.ts is written with.
 */
import type { Limits } from '../../worker/contract/limits.js';
import type { Status } from '../../worker/contract/result.js';

/** THREATS.md row id, `T01`..`T64`. */
export type ThreatId = `T${number}`;

/** Languages the corpus uses (all served by the service). */
export type AttackLanguage = 'c' | 'cpp' | 'python' | 'bash' | 'javascript';

/**
 * Host-side checks the suite performs around a run (they need the host, not the program's output):
 * - no-leftover-processes: after the response, no process of the run's uid/cgroup exists on the host.
 * - markers-unchanged: host marker files planted before the run keep content, owner and mode.
 * - benign-run-unaffected: a benign run submitted concurrently ends OK within its usual time.
 * - service-healthy: GET /health is OK after the run and the worker process did not restart.
 * - response-valid-json: the raw HTTP response parses as JSON and has no header taken from output.
 * - concurrent-pair: two copies run at the same time (stdin "a" and "b"); both must meet `expect`.
 * - kernel-memory-bounded: while the run is in flight the host's unreclaimable slab and socket
 *   memory grow by no more than the run's memory limit (T65).
 * - page-cache-kept: an image file the host cached stays resident through the run (T68).
 */
export type HostCheck =
  | 'no-leftover-processes'
  | 'markers-unchanged'
  | 'benign-run-unaffected'
  | 'service-healthy'
  | 'response-valid-json'
  | 'concurrent-pair'
  | 'kernel-memory-bounded'
  | 'page-cache-kept';

/** One JSON-line fact the program must (or, with `optional`, may) print. */
export interface FactExpectation {
  name: string;
  /** Expected `ok`: false for a blocked attack step, true for its control. */
  okExpected: boolean;
  /** When `ok` is false, its errno must be one of these names (absent: any errno). */
  errnoIn?: string[];
  /** The fact may be missing (e.g. the run was OOM-killed first); when present it must match. */
  optional?: boolean;
}

/** The safe outcome of one run, as seen in the POST /run response. */
export interface AttackExpectation {
  /** Allowed top-level `status` values. */
  statusIn: Status[];
  /** Allowed `compile.status` values (compiled languages and compile-time attacks). */
  compileStatusIn?: Status[];
  /** `run.timeLimit` when the status is TIME_LIMIT. */
  timeLimit?: 'cpu' | 'wall';
  /** `run.signal` name, e.g. 'SIGSEGV'. */
  signal?: string;
  /** `run.exitCode`. */
  exitCode?: number;
  /** `run.seccompViolation`. */
  seccompViolation?: boolean;
  stdoutTruncated?: boolean;
  stderrTruncated?: boolean;
  /** `run.memoryBytes` must be at least this fraction of the memory limit (peak near the limit). */
  memoryAtLeastFractionOfLimit?: number;
  /** Substrings of the decoded stdout (base64 decoded when `stdoutEncoding` is base64). */
  stdoutIncludes?: string[];
  /** Substrings that must not occur in stdout or stderr; may hold placeholders (see PLACEHOLDERS). */
  stdoutExcludes?: string[];
  /** Substrings that must not occur in the compile stage's stdout or stderr. */
  compileOutputExcludes?: string[];
  checks?: FactExpectation[];
  host?: HostCheck[];
}

interface EntryBase {
  id: ThreatId;
  title: string;
  /** What the suite must additionally do or check on the host, in words. */
  hostCheck?: string;
}

/** An attack submitted as a program. */
export interface ProgramEntry extends EntryBase {
  kind: 'program';
  language: AttackLanguage;
  /** Path relative to test/escapes/programs/. */
  file: string;
  /** Stdin text; may hold placeholders. */
  stdin?: string;
  /** Send this many filler bytes ('x') as stdin instead of `stdin`. */
  stdinFillBytes?: number;
  limits?: Limits;
  expect: AttackExpectation;
  /** A second run of the same program (cross-run persistence) and what it must show. */
  followUp?: { stdin: string; expect: AttackExpectation };
  /**
   * The attack targets a rootless worker (T66): the suite's privileged workers cannot show it, so
   * it is a visible skip there naming the test that runs it rootless.
   */
  rootlessOnly?: string;
  /** For page-cache-kept: the image file (path inside the image of `language`) the host watches. */
  imageFile?: string;
}

/** An attack on the service itself (API requests, host paths): no program, only a host check. */
export interface HostEntry extends EntryBase {
  kind: 'host';
  hostCheck: string;
  expect: { host: HostCheck[] };
}

/** A documented residual risk: not pass/fail, listed so coverage stays complete. */
export interface ResidualEntry extends EntryBase {
  kind: 'residual';
  residual: true;
  reason: string;
}

export type AttackEntry = ProgramEntry | HostEntry | ResidualEntry;

/**
 * Helpers the attack programs share (programs/facts.h, programs/facts.py: the JSON-line fact
 * printers), each sent as an extra file of the run beside every program that includes it.
 */
export const SHARED_PROGRAM_FILES: readonly { file: string; includedBy: RegExp }[] = [
  { file: 'facts.h', includedBy: /^#include "facts\.h"$/m },
  { file: 'facts.py', includedBy: /^from facts import /m },
];

/**
 * Placeholders the suite substitutes before a run (in `stdin`) and before asserting (in
 * `stdoutExcludes`): the host marker it planted, and a secret it put in the worker's environment.
 */
export const PLACEHOLDERS = {
  hostMarkerPath: '{{HOST_MARKER_PATH}}',
  hostMarkerContent: '{{HOST_MARKER_CONTENT}}',
  workerSecret: '{{WORKER_SECRET}}',
} as const;

export const MiB = 1024 * 1024;
export const EPERMISH = ['EPERM', 'ENOSYS', 'EACCES'];
export const ROFS = ['EROFS', 'EACCES', 'EPERM'];
export const UNREACHABLE = ['ENETUNREACH', 'EHOSTUNREACH', 'ECONNREFUSED', 'ETIMEDOUT', 'EADDRNOTAVAIL'];
export const CONTAINED: HostCheck[] = ['no-leftover-processes', 'benign-run-unaffected'];

export const ok = (name: string): FactExpectation => ({ name, okExpected: true });
export const no = (name: string, errnoIn?: string[]): FactExpectation => (errnoIn === undefined ? { name, okExpected: false } : { name, okExpected: false, errnoIn });
export const maybeNo = (name: string, errnoIn?: string[]): FactExpectation => ({ ...no(name, errnoIn), optional: true });
/** The blocked checks of a program whose facts all fail with errno in `errnoIn`, plus its controls. */
export const blockedAll = (names: string[], errnoIn: string[], ...controls: string[]): FactExpectation[] => [...names.map((n) => no(n, errnoIn)), ...controls.map(ok)];

export function program(
  id: ThreatId,
  title: string,
  language: AttackLanguage,
  file: string,
  expect: AttackExpectation,
  extra: Partial<Omit<ProgramEntry, 'kind' | 'id' | 'title' | 'language' | 'file' | 'expect'>> = {},
): ProgramEntry {
  return { kind: 'program', id, title, language, file, expect, ...extra };
}

const languageOf = (file: string): AttackLanguage => (({ c: 'c', cpp: 'cpp', py: 'python', sh: 'bash', js: 'javascript' }) as const)[file.split('.').pop() as 'c'];

/** Shorthand for a program whose every check is listed and whose run ends OK. */
export const probe = (id: ThreatId, title: string, file: string, checks: FactExpectation[], extra: Partial<AttackExpectation> = {}): ProgramEntry =>
  program(id, title, languageOf(file), file, { statusIn: ['OK'], checks, ...extra });

export const BOMB_LIMITS: Limits = { pids: 32, cpuTimeMs: 2000, wallTimeMs: 3000 };
export const MEM_LIMITS: Limits = { memoryBytes: 64 * MiB, wallTimeMs: 10_000 };
export const COMPILE_BOMB: Status[] = ['COMPILE_ERROR', 'TIME_LIMIT', 'MEMORY_LIMIT', 'OUTPUT_LIMIT'];
/** The compile stage's own status: a compiler that fails exits non-zero (RUNTIME_ERROR); the run's top level says COMPILE_ERROR. */
export const COMPILE_STAGE_BOMB: Status[] = ['RUNTIME_ERROR', 'TIME_LIMIT', 'MEMORY_LIMIT', 'OUTPUT_LIMIT'];
export const NO_HOST_DATA = [PLACEHOLDERS.hostMarkerContent, PLACEHOLDERS.workerSecret];
