import { Type, type Static } from 'typebox';
import { CompareSchema } from '../../worker/contract/job.js';
import { LimitsSchema } from '../../worker/contract/limits.js';
import { RunResultSchema } from '../../worker/contract/result.js';
import { CONTENT_REF_PATTERN } from '../../worker/contract/testset.js';

/**
 * Wire schemas of POST /run and GET /runs/:id, built from the contract's types. Every request
 * object sets `additionalProperties: false`, so a typo or an unexpected (possibly deeply nested)
 * member is a 400 rather than silently ignored. Counts that depend on configuration (files, tests)
 * and file-name rules are checked in api/runs/run-job.ts so that they answer with their own codes.
 */

/** Hard caps that do not depend on configuration; the body size limit bounds everything else. */
export const MAX_ARGS = 128;
export const MAX_ARG_LENGTH = 4096;

export const RunFileSchema = Type.Object(
  {
    /** File name inside the work directory: no separators, not `.` or `..`. */
    name: Type.String({ minLength: 1, maxLength: 255 }),
    content: Type.String(),
    /** How `content` is written. @defaultValue "utf8" */
    encoding: Type.Optional(Type.Union([Type.Literal('utf8'), Type.Literal('base64')])),
  },
  { additionalProperties: false },
);
export type RunFile = Static<typeof RunFileSchema>;

export const RunTestSchema = Type.Object(
  {
    /** Test id, unique within the run. @defaultValue the 1-based position: "1", "2", … */
    id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' })),
    stdin: Type.String(),
    /** Expected stdout; the test's status is WRONG_ANSWER when the output differs (see `compare`). */
    expected: Type.Optional(Type.String()),
    /** Limits for this test; unset fields take the run's resolved limits. */
    limits: Type.Optional(LimitsSchema),
  },
  { additionalProperties: false },
);
export type RunTest = Static<typeof RunTestSchema>;

/** A checker program: its own language and source; it judges each test's output instead of `compare`. */
export const CheckerRequestSchema = Type.Object(
  {
    /** Language name or alias of the checker. */
    language: Type.String({ minLength: 1, maxLength: 64 }),
    /** As the run's `version`: exact, a prefix or `*`; unset: the language's default. */
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** The checker's main file (UTF-8). */
    source: Type.Optional(Type.String()),
    /** More files; without `source` the first is the main file. `input`, `output` and `expected` are reserved. */
    files: Type.Optional(Type.Array(RunFileSchema)),
  },
  { additionalProperties: false },
);
export type CheckerRequest = Static<typeof CheckerRequestSchema>;

/** A stored test set's id (POST /testsets). */
export const TestsetIdSchema = Type.String({ pattern: CONTENT_REF_PATTERN });

/** Where a webhook goes: the same rules (addresses, signature, retries) for single runs and batches. */
export const WebhookRequestSchema = Type.Object(
  {
    /** http(s) URL receiving `run.finished` (and for batches `batch.finished`) events (POST, JSON). */
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    /** HMAC-SHA256 key for `x-bulkhead-signature`; unsigned deliveries without it. Never answered back. */
    secret: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  { additionalProperties: false },
);

export const RunRequestSchema = Type.Object(
  {
    /** Language name or alias, case-insensitive (GET /languages lists them). */
    language: Type.String({ minLength: 1, maxLength: 64 }),
    /**
     * Exact version, a prefix (`3.13`, `3`) picking the newest it matches, or `*` for the newest;
     * unset: the language's default (GET /languages marks it). Unknown: 400 SBX_ERR_VERSION_UNKNOWN.
     */
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /**
     * Compiler flags placed after the language's own (for GCC the last `-std=`/`-O` wins), each one
     * from the runtime's allow-list (GET /languages `compileFlags`); others: 400 SBX_ERR_COMPILE_FLAGS.
     */
    compileFlags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 16 })),
    /** The main file's content (UTF-8); it gets the language's file name. */
    source: Type.Optional(Type.String()),
    /** More files; without `source` the first one is the main file. */
    files: Type.Optional(Type.Array(RunFileSchema)),
    /** Standard input as UTF-8 text. @defaultValue "" */
    stdin: Type.Optional(Type.String()),
    /** Standard input as base64, for binary input (exclusive with `stdin`). */
    stdinBase64: Type.Optional(Type.String()),
    /** Program arguments. @defaultValue [] */
    args: Type.Optional(Type.Array(Type.String({ maxLength: MAX_ARG_LENGTH }), { maxItems: MAX_ARGS })),
    /** Limits for the run (compilation uses the language's own). Unset fields take the language default. */
    limits: Type.Optional(LimitsSchema),
    /** Wait for the result (up to the configured bound) instead of answering 202 at once. @defaultValue true */
    wait: Type.Optional(Type.Boolean()),
    /** Stream the program's output as it is written to GET /runs/{id}/events (`stdout`/`stderr` events). @defaultValue false */
    live: Type.Optional(Type.Boolean()),
    /** Test cases: the program runs once per test instead of once. At least one: an empty list would judge nothing and answer OK. */
    tests: Type.Optional(Type.Array(RunTestSchema, { minItems: 1 })),
    /** How outputs are compared with `expected`. @defaultValue { mode: "lines" } (by the worker) */
    compare: Type.Optional(Type.Object(CompareSchema.properties, { additionalProperties: false })),
    /** Skip the remaining tests after the first that is not OK. @defaultValue false */
    stopOnFirstFailure: Type.Optional(Type.Boolean()),
    /** A stored test set's id instead of inline `tests` (exclusive with `tests`). */
    testset: Type.Optional(TestsetIdSchema),
    /** A checker program judging each test that ran OK (needs `tests` or `testset`). */
    checker: Type.Optional(CheckerRequestSchema),
    /** A signed `run.finished` webhook when the run is done (its summary; the output is at GET /runs/{id}). */
    webhook: Type.Optional(WebhookRequestSchema),
    /**
     * Interactive problems (needs `tests` or `testset`; not with `checker`): per test this program
     * talks with yours over stdin/stdout; it gets the files `input expected` in its argv and
     * decides by its exit code like a checker (score line and message on its stderr).
     */
    interactor: Type.Optional(CheckerRequestSchema),
  },
  { additionalProperties: false },
);
export type RunRequest = Static<typeof RunRequestSchema>;

export const RunStateSchema = Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done')]);

/**
 * A run as answered by POST /run and GET /runs/:id. While queued or running only `id` and `state`
 * are set; once done the worker's RunResult is spread in (status, compile?, run?, tests?, …).
 */
export const RunResponseSchema = Type.Object({
  id: Type.String(),
  state: RunStateSchema,
  ...Type.Partial(Type.Omit(RunResultSchema, ['id'])).properties,
});
export type RunResponse = Static<typeof RunResponseSchema>;

export const RunIdParamsSchema = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
