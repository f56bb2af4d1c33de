import { Type, type Static } from 'typebox';
import { ResolvedLimitsSchema, withLimitsOlderPeersLack } from './limits.js';

/** The one BullMQ queue every API and worker shares. */
export const QUEUE_NAME = 'bulkhead-runs';

/** Bumped on any incompatible payload change; a worker refuses (Unrecoverable) other versions. */
export const JOB_SCHEMA_VERSION = 1;

/**
 * The version of jobs with an `interactor`: a worker without interactive problems would ignore the
 * field and judge the tests as plain ones (wrong verdicts), so such jobs carry a version it
 * refuses. Every other job stays at JOB_SCHEMA_VERSION, so older workers keep taking them.
 */
export const INTERACTIVE_JOB_SCHEMA_VERSION = 2;

/** A file placed in the work directory. Content is always base64 on the queue. */
export const JobFileSchema = Type.Object({
  name: Type.String(),
  contentBase64: Type.String(),
});
export type JobFile = Static<typeof JobFileSchema>;

/** Output comparison for tests with an expected output. */
export const CompareSchema = Type.Object({
  /** exact | lines (trailing whitespace per line and at end ignored; default) | tokens | numeric */
  mode: Type.Union([Type.Literal('exact'), Type.Literal('lines'), Type.Literal('tokens'), Type.Literal('numeric')]),
  caseInsensitive: Type.Optional(Type.Boolean()),
  /** numeric mode: absolute tolerance. */
  absTolerance: Type.Optional(Type.Number({ minimum: 0 })),
  /** numeric mode: relative tolerance. */
  relTolerance: Type.Optional(Type.Number({ minimum: 0 })),
});
export type Compare = Static<typeof CompareSchema>;

/** One test case on the queue. Inputs either inline (base64) or by reference into a stored test set. */
export const JobTestSchema = Type.Object({
  id: Type.String(),
  stdinBase64: Type.Optional(Type.String()),
  expectedBase64: Type.Optional(Type.String()),
  /** Content address (sha256 hex) of a stored blob, used instead of the inline field. */
  stdinRef: Type.Optional(Type.String()),
  expectedRef: Type.Optional(Type.String()),
  limits: Type.Optional(ResolvedLimitsSchema),
});
export type JobTest = Static<typeof JobTestSchema>;

/** A checker program judging each test's output. */
export const JobCheckerSchema = Type.Object({
  /** Canonical language name of the checker (resolved by the API). */
  language: Type.String(),
  /** The checker's main file is first (named after its runtime's source file). */
  files: Type.Array(JobFileSchema),
  /** Exact version of the checker's language (resolved by the API); the default when unset. */
  version: Type.Optional(Type.String()),
});
export type JobChecker = Static<typeof JobCheckerSchema>;

/** The queue payload. Written by the API (already validated and resolved), read by workers. */
export const SubmissionJobSchema = Type.Object({
  schemaVersion: Type.Union([Type.Literal(JOB_SCHEMA_VERSION), Type.Literal(INTERACTIVE_JOB_SCHEMA_VERSION)]),
  /** Equals the BullMQ job id. */
  runId: Type.String(),
  /** Canonical language name (aliases already resolved by the API). */
  language: Type.String(),
  version: Type.Optional(Type.String()),
  /** Extra compiler flags, already checked by the API against the runtime's allow-list. */
  compileFlags: Type.Optional(Type.Array(Type.String())),
  /** The main file is first. */
  files: Type.Array(JobFileSchema),
  stdinBase64: Type.String(),
  args: Type.Array(Type.String()),
  limits: ResolvedLimitsSchema,
  tests: Type.Optional(Type.Array(JobTestSchema)),
  compare: Type.Optional(CompareSchema),
  checker: Type.Optional(JobCheckerSchema),
  /** Interactive problems: talks with the program over its stdin/stdout per test (worker/judge/interactive.ts). */
  interactor: Type.Optional(JobCheckerSchema),
  stopOnFirstFailure: Type.Optional(Type.Boolean()),
  /**
   * Run stages (not the compile stage) write stderr into the stdout stream, interleaved in the
   * order the program wrote; `stderr` is then empty. @defaultValue false
   */
  mergeStderr: Type.Optional(Type.Boolean()),
  /** Set for batch members. */
  batchId: Type.Optional(Type.String()),
  externalId: Type.Optional(Type.String()),
  /** ISO time the API accepted it. */
  submittedAt: Type.String(),
  /**
   * Opaque tags the API keeps with the run for its compatibility adapters (a Judge0 submission's
   * own fields, so that GET can echo them). The worker never reads them.
   */
  meta: Type.Optional(Type.Record(Type.String(), Type.String())),
  /**
   * Stream the run stage's output to the live channel (worker/contract/live.ts). Optional, so
   * older workers still accept the payload (they just do not stream): no schemaVersion bump.
   */
  live: Type.Optional(Type.Boolean()),
  /** A single run's webhook is stored under runWebhookKey(runId) (worker/contract/run-webhook.ts). */
  webhook: Type.Optional(Type.Boolean()),
  /** With `live`: keep stdin open for the control stream's `stdin`/`eof` (WebSocket sessions). */
  liveStdin: Type.Optional(Type.Boolean()),
});
export type SubmissionJob = Static<typeof SubmissionJobSchema>;

/**
 * A queued payload as this version reads it: the limits of the job and of each test completed
 * with those an older API did not know (withLimitsOlderPeersLack). Not validated here (pure).
 */
export function upgradeJobPayload(data: unknown): unknown {
  if (typeof data !== 'object' || data === null) return data;
  const job = data as { limits?: unknown; tests?: unknown };
  const tests = Array.isArray(job.tests)
    ? job.tests.map((t: unknown) => (typeof t === 'object' && t !== null && 'limits' in t ? { ...t, limits: withLimitsOlderPeersLack(t.limits) } : t))
    : job.tests;
  return { ...job, limits: withLimitsOlderPeersLack(job.limits), ...(tests === undefined ? {} : { tests }) };
}

/** Default BullMQ job options: retries are for our failures only (verdicts complete the job). */
export const DEFAULT_JOB_OPTIONS = Object.freeze({
  attempts: 3,
  backoff: Object.freeze({ type: 'exponential' as const, delay: 500 }),
});

/** Priorities (lower runs first): interactive runs before batch members. */
export const PRIORITY_INTERACTIVE = 1;
export const PRIORITY_BATCH = 10;
