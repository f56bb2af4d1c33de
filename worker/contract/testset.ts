import { Type, type Static } from 'typebox';

/**
 * Test sets stored once in Redis and referenced by many runs (POST /testsets, `testset` on
 * POST /run and POST /batches). Written by the API, read by the API (manifest) and the workers
 * (blobs). Redis layout:
 *
 * - `bulkhead:blob:<sha256 hex>` = the raw bytes of one input or expected output. Written with
 *   SET NX (identical content is stored once, whoever uploads it) and given the test-set TTL.
 * - `bulkhead:testset:<id>` = JSON `TestsetManifest`. `id` is the sha256 of the canonical
 *   manifest entries, prefixed by the uploading key's name when keys are on, so the same key
 *   uploading the same tests twice gets the same id (idempotent), and two keys never share one
 *   manifest: one tenant deleting its set cannot take away another's.
 *
 * Every upload and every run that references a test set refreshes the TTL of the manifest and of
 * all its blobs, so a blob lives at least as long as any manifest that names it. DELETE removes
 * the manifest only: blobs are content-addressed and may be shared by other test sets, so they
 * are never deleted directly and simply expire when nothing refreshes them.
 */
export const BLOB_KEY_PREFIX = 'bulkhead:blob:';
export const TESTSET_KEY_PREFIX = 'bulkhead:testset:';

/** A content address: lower-case hex sha256. */
export const CONTENT_REF_PATTERN = '^[0-9a-f]{64}$';

/** Redis key of one blob. */
export function blobKey(ref: string): string {
  return `${BLOB_KEY_PREFIX}${ref}`;
}

/** Redis key of one test set's manifest. */
export function testsetKey(id: string): string {
  return `${TESTSET_KEY_PREFIX}${id}`;
}

/** One test of a stored test set: references and sizes, never the content. */
export const TestsetEntrySchema = Type.Object({
  id: Type.String(),
  stdinRef: Type.String({ pattern: CONTENT_REF_PATTERN }),
  /** Size of the input, bytes. */
  stdinBytes: Type.Integer({ minimum: 0 }),
  expectedRef: Type.Optional(Type.String({ pattern: CONTENT_REF_PATTERN })),
  /** Size of the expected output, bytes (when there is one). */
  expectedBytes: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type TestsetEntry = Static<typeof TestsetEntrySchema>;

/** The stored manifest (`bulkhead:testset:<id>`). */
export const TestsetManifestSchema = Type.Object({
  id: Type.String({ pattern: CONTENT_REF_PATTERN }),
  tests: Type.Array(TestsetEntrySchema),
  /** ISO time of the first upload. */
  createdAt: Type.String(),
  /**
   * Name of the API key that uploaded it, the only key that may delete it. Absent when API keys
   * are off, and in manifests stored before owners were recorded (those any key may delete).
   */
  owner: Type.Optional(Type.String()),
});
export type TestsetManifest = Static<typeof TestsetManifestSchema>;
