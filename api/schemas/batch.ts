import { Type, type Static } from 'typebox';
import { CompareSchema } from '../../worker/contract/job.js';
import { LimitsSchema } from '../../worker/contract/limits.js';
import { StatusSchema } from '../../worker/contract/result.js';
import { CheckerRequestSchema, RunFileSchema, TestsetIdSchema, WebhookRequestSchema } from './run.js';

export { WebhookRequestSchema };
import { TestsetTestSchema } from './testset.js';

/**
 * Wire schemas of /batches. Counts and sizes that depend on configuration
 * (`SBX_MAX_BATCH_SUBMISSIONS`, `SBX_MAX_BATCH_BYTES`) are checked by the route with their own codes.
 */

/** The caller's id for a submission (a student id, a submission id): unique in the batch, no control characters. */
export const ExternalIdSchema = Type.String({ minLength: 1, maxLength: 128, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });

export const BatchSubmissionSchema = Type.Object(
  {
    externalId: ExternalIdSchema,
    /** This submission's language; the batch's `language` when unset. */
    language: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    source: Type.Optional(Type.String()),
    files: Type.Optional(Type.Array(RunFileSchema)),
  },
  { additionalProperties: false },
);
export type BatchSubmission = Static<typeof BatchSubmissionSchema>;

export const BatchRequestSchema = Type.Object(
  {
    /** Default language of the submissions. */
    language: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** Inline tests (stored as a test set once for the whole batch); exclusive with `testset`. */
    tests: Type.Optional(Type.Array(TestsetTestSchema, { minItems: 1 })),
    testset: Type.Optional(TestsetIdSchema),
    compare: Type.Optional(Type.Object(CompareSchema.properties, { additionalProperties: false })),
    checker: Type.Optional(CheckerRequestSchema),
    limits: Type.Optional(LimitsSchema),
    stopOnFirstFailure: Type.Optional(Type.Boolean()),
    submissions: Type.Array(BatchSubmissionSchema, { minItems: 1 }),
    webhook: Type.Optional(WebhookRequestSchema),
  },
  { additionalProperties: false },
);
export type BatchRequest = Static<typeof BatchRequestSchema>;

export const BatchCreatedSchema = Type.Object({
  id: Type.String(),
  total: Type.Integer(),
  generation: Type.Integer(),
  testset: Type.String(),
});

/** One submission's line in the results. */
export const BatchResultRowSchema = Type.Object({
  externalId: Type.String(),
  runId: Type.String(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('done')]),
  status: Type.Optional(StatusSchema),
  passed: Type.Optional(Type.Integer()),
  total: Type.Optional(Type.Integer()),
  score: Type.Optional(Type.Number()),
  errorCode: Type.Optional(Type.String()),
  finishedAt: Type.Optional(Type.String()),
});
export type BatchResultRow = Static<typeof BatchResultRowSchema>;

const BatchSummaryProperties = {
  id: Type.String(),
  state: Type.Union([Type.Literal('running'), Type.Literal('done')]),
  total: Type.Integer(),
  done: Type.Integer(),
  /** 1, then one more per rejudge. */
  generation: Type.Integer(),
  /** Runs by status (zeros left out). */
  counts: Type.Record(Type.String(), Type.Integer()),
  testset: Type.String(),
  createdAt: Type.String(),
  finishedAt: Type.Optional(Type.String()),
};

export const BatchStatusSchema = Type.Object({
  ...BatchSummaryProperties,
  offset: Type.Integer(),
  limit: Type.Integer(),
  results: Type.Array(BatchResultRowSchema),
});
export type BatchStatus = Static<typeof BatchStatusSchema>;

export const BatchResultsSchema = Type.Object({ ...BatchSummaryProperties, results: Type.Array(BatchResultRowSchema) });
export type BatchResults = Static<typeof BatchResultsSchema>;

export const BatchParamsSchema = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

/** Paging of GET /batches/:id (query strings are strings: no coercion in the validator). */
export const BatchQuerySchema = Type.Object(
  {
    offset: Type.Optional(Type.String({ pattern: '^\\d{1,9}$' })),
    /** 1..1000. @defaultValue 100 */
    limit: Type.Optional(Type.String({ pattern: '^\\d{1,4}$' })),
  },
  { additionalProperties: false },
);
