import { Type, type Static } from 'typebox';
import { TestsetIdSchema } from './run.js';

/**
 * Wire schemas of POST/GET/DELETE /testsets. Content is UTF-8 text (`stdin`, `expected`) or base64
 * (`stdinBase64`, `expectedBase64`) for binary data; the total is bounded by the route's body limit
 * (`SBX_MAX_TESTSET_BYTES`) and the count by `SBX_MAX_TESTSET_TESTS`.
 */
export const TestsetTestSchema = Type.Object(
  {
    /** Test id, unique within the set. @defaultValue the 1-based position */
    id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' })),
    stdin: Type.Optional(Type.String()),
    stdinBase64: Type.Optional(Type.String()),
    expected: Type.Optional(Type.String()),
    expectedBase64: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type TestsetTest = Static<typeof TestsetTestSchema>;

export const TestsetRequestSchema = Type.Object({ tests: Type.Array(TestsetTestSchema, { minItems: 1 }) }, { additionalProperties: false });
export type TestsetRequest = Static<typeof TestsetRequestSchema>;

/** What a client sees of a stored test set: ids and sizes, never the content. */
export const TestsetInfoSchema = Type.Object({
  id: TestsetIdSchema,
  count: Type.Integer(),
  /** Sum of every input and expected output, bytes. */
  totalBytes: Type.Integer(),
  createdAt: Type.String(),
  tests: Type.Array(Type.Object({ id: Type.String(), stdinBytes: Type.Integer(), expectedBytes: Type.Optional(Type.Integer()) })),
});
export type TestsetInfo = Static<typeof TestsetInfoSchema>;

/** Any id shape is accepted here: an id that is not stored (or not even well-formed) is a 404. */
export const TestsetParamsSchema = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
