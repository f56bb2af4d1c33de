import { Type, type Static } from 'typebox';

/**
 * The closed set of statuses. Details (cpu or wall, signal name, seccomp kill) sit in fields beside
 * the status, never in new status names.
 * - OK: exited 0 within every limit (and, with an expected output, the output matched).
 * - RUNTIME_ERROR: non-zero exit or killed by a signal we did not send (incl. seccomp SIGSYS).
 * - TIME_LIMIT: killed for CPU time or wall time (`timeLimit` says which).
 * - MEMORY_LIMIT: the cgroup's OOM killer ended it, or it was killed for time after its memory
 *   had reached the limit (the kernel then reclaims and re-reads pages instead of killing).
 * - OUTPUT_LIMIT: stdout or stderr passed `outputBytes`.
 * - COMPILE_ERROR: the compile stage did not end OK.
 * - WRONG_ANSWER: the program ended OK but its output did not match / the checker rejected it.
 * - INTERNAL_ERROR: we failed (after retries); never the program's fault.
 */
export const StatusSchema = Type.Union([
  Type.Literal('OK'),
  Type.Literal('RUNTIME_ERROR'),
  Type.Literal('TIME_LIMIT'),
  Type.Literal('MEMORY_LIMIT'),
  Type.Literal('OUTPUT_LIMIT'),
  Type.Literal('COMPILE_ERROR'),
  Type.Literal('WRONG_ANSWER'),
  Type.Literal('INTERNAL_ERROR'),
]);
export type Status = Static<typeof StatusSchema>;
export const STATUSES: readonly Status[] = ['OK', 'RUNTIME_ERROR', 'TIME_LIMIT', 'MEMORY_LIMIT', 'OUTPUT_LIMIT', 'COMPILE_ERROR', 'WRONG_ANSWER', 'INTERNAL_ERROR'];

/** How a stream's bytes are carried in JSON: UTF-8 text when valid, base64 otherwise. */
export const EncodingSchema = Type.Union([Type.Literal('utf8'), Type.Literal('base64')]);
export type Encoding = Static<typeof EncodingSchema>;

/** One sandboxed execution (the compile stage, the run stage, or one test). */
export const StageResultSchema = Type.Object({
  status: StatusSchema,
  /** Set with TIME_LIMIT: which clock ran out. */
  timeLimit: Type.Optional(Type.Union([Type.Literal('cpu'), Type.Literal('wall')])),
  /** Exit code when the program exited, else null. */
  exitCode: Type.Union([Type.Integer(), Type.Null()]),
  /** Name of the terminating signal ("SIGSEGV") when killed by one, else null. */
  signal: Type.Union([Type.String(), Type.Null()]),
  /** True when the seccomp filter killed the program (a forbidden syscall). */
  seccompViolation: Type.Optional(Type.Boolean()),
  stdout: Type.String(),
  stderr: Type.String(),
  stdoutEncoding: Type.Optional(EncodingSchema),
  stderrEncoding: Type.Optional(EncodingSchema),
  stdoutTruncated: Type.Boolean(),
  stderrTruncated: Type.Boolean(),
  /** CPU time (user+sys) of the whole process tree, milliseconds. */
  cpuTimeMs: Type.Number(),
  /** Wall-clock time from exec to the last process gone, milliseconds. */
  wallTimeMs: Type.Number(),
  /**
   * The PEAK memory of the run's cgroup, bytes (the sandbox's `memoryPeakBytes`): what the run
   * used, not its limit, though `limits.memoryBytes` has the same name. The wire name stays.
   * A run killed for memory can read a page or so over its limit: the kernel lets a task it is
   * killing charge what it needs to exit.
   */
  memoryBytes: Type.Number(),
});
export type StageResult = Static<typeof StageResultSchema>;

/** A stage that never ran: `status`, no exit, no output, nothing used. */
export function emptyStageResult(status: Status): StageResult {
  return { status, exitCode: null, signal: null, stdout: '', stderr: '', stdoutTruncated: false, stderrTruncated: false, cpuTimeMs: 0, wallTimeMs: 0, memoryBytes: 0 };
}

/** One test case's result: the stage fields plus the test's id and, for checkers, score/message. */
export const TestResultSchema = Type.Intersect([
  Type.Object({
    id: Type.String(),
    /** Checker score in [0, 1] when a checker reported one. */
    score: Type.Optional(Type.Number()),
    /** Checker message (bounded), when one was reported. */
    checkerMessage: Type.Optional(Type.String()),
    /**
     * True when the checker program itself failed (did not compile, crashed, ran out of a limit,
     * printed a malformed score): the problem setter's fault. The test is then WRONG_ANSWER (never
     * counted as passed) and `checkerMessage` says how the checker failed.
     */
    checkerFailed: Type.Optional(Type.Boolean()),
    /** Interactive problems: the interactor's own run (its limits, usage and output). */
    interactor: Type.Optional(StageResultSchema),
  }),
  StageResultSchema,
]);
export type TestResult = Static<typeof TestResultSchema>;

/**
 * Where a run's time went, milliseconds. `queueMs`: accepted → a worker took it (the last
 * attempt's). `workerMs`: the worker's whole handling. `sandboxMs`: the part of it inside the
 * submission's containers (setup + program + teardown of compile, run and tests; checkers not
 * included). The client's latency minus `sandboxMs` is the service's own overhead.
 */
export const RunTimingsSchema = Type.Object({
  queueMs: Type.Optional(Type.Number()),
  workerMs: Type.Number(),
  sandboxMs: Type.Number(),
  /**
   * When the worker finished (epoch ms, sub-ms precision), just before handing the result to the
   * queue: a client on the same clock sees result delivery as its receive time minus this.
   */
  finishedAtMs: Type.Optional(Type.Number()),
});
export type RunTimings = Static<typeof RunTimingsSchema>;

/** What a finished run returns (the BullMQ job's return value and the API's `done` body). */
export const RunResultSchema = Type.Object({
  id: Type.String(),
  language: Type.String(),
  version: Type.String(),
  /** Compile stage's status when compilation failed; else the run's (or the first failing test's). */
  status: StatusSchema,
  timeLimit: Type.Optional(Type.Union([Type.Literal('cpu'), Type.Literal('wall')])),
  compile: Type.Optional(StageResultSchema),
  run: Type.Optional(StageResultSchema),
  tests: Type.Optional(Type.Array(TestResultSchema)),
  passed: Type.Optional(Type.Integer()),
  total: Type.Optional(Type.Integer()),
  /** Set only with INTERNAL_ERROR: the stable code of our failure (details are in the logs). */
  errorCode: Type.Optional(Type.String()),
  /** Where the time went, milliseconds (set by the worker on every result it produces). */
  timings: Type.Optional(RunTimingsSchema),
});
export type RunResult = Static<typeof RunResultSchema>;
