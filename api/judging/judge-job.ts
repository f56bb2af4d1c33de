/**
 * The judging parts of a job that the run and batch routes share: stored test sets (built,
 * stored, resolved into test references) and checker programs (runtime resolved, files checked).
 */
import { createHash } from 'node:crypto';
import { BulkheadError } from '../../worker/contract/errors.js';
import { INTERACTIVE_JOB_SCHEMA_VERSION, type JobChecker, type JobTest, type SubmissionJob } from '../../worker/contract/job.js';
import type { TestsetEntry, TestsetManifest } from '../../worker/contract/testset.js';
import type { ApiConfig } from '../config.js';
import type { JudgeStore } from './judge-store.js';
import { buildJobFiles, checkBase64 } from '../runs/run-job.js';
import type { RuntimeCatalogue } from '../runs/runtime-catalogue.js';
import type { CheckerRequest } from '../schemas/run.js';
import type { TestsetInfo, TestsetTest } from '../schemas/testset.js';

/** File names the worker gives the checker's inputs; a checker's own files may not use them. */
export const CHECKER_RESERVED_NAMES: readonly string[] = ['input', 'output', 'expected'];

/** A test set ready to store: its manifest and the blobs by content address. */
export interface BuiltTestset {
  manifest: TestsetManifest;
  blobs: Map<string, Buffer>;
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function contentOf(text: string | undefined, base64: string | undefined, what: string): Buffer | undefined {
  if (text !== undefined && base64 !== undefined) throw new BulkheadError('SBX_ERR_VALIDATION', `Give ${what} or ${what}Base64, not both`);
  if (base64 !== undefined) return Buffer.from(checkBase64(base64, `${what}Base64`), 'base64');
  return text === undefined ? undefined : Buffer.from(text, 'utf8');
}

/**
 * Content-addresses every input and expected output and builds the manifest (pure apart from
 * `now`). The id is the sha256 of the entries (ids, refs and sizes), after the uploading key's
 * name when there is one: the same key always gets the same id for the same tests, and another
 * key gets another manifest, which it alone may delete (a key name cannot start with `[`, the
 * entries' first byte, so the two forms never collide). Throws SBX_ERR_TOO_MANY_TESTS or
 * SBX_ERR_VALIDATION (duplicate id, both encodings).
 */
export function buildTestset(tests: readonly TestsetTest[], maxTests: number, now: Date, owner: string | undefined): BuiltTestset {
  if (tests.length > maxTests) {
    throw new BulkheadError('SBX_ERR_TOO_MANY_TESTS', `At most ${maxTests} tests are allowed in a test set, got ${tests.length}`, { details: { maximum: maxTests } });
  }
  const blobs = new Map<string, Buffer>();
  const ids = new Set<string>();
  const entries = tests.map((test, index): TestsetEntry => {
    const id = test.id ?? String(index + 1);
    if (ids.has(id)) throw new BulkheadError('SBX_ERR_VALIDATION', `Test id "${id}" is used twice`);
    ids.add(id);
    const stdin = contentOf(test.stdin, test.stdinBase64, 'stdin') ?? Buffer.alloc(0);
    const expected = contentOf(test.expected, test.expectedBase64, 'expected');
    const entry: TestsetEntry = { id, stdinRef: sha256Hex(stdin), stdinBytes: stdin.length };
    blobs.set(entry.stdinRef, stdin);
    if (expected !== undefined) {
      entry.expectedRef = sha256Hex(expected);
      entry.expectedBytes = expected.length;
      blobs.set(entry.expectedRef, expected);
    }
    return entry;
  });
  const canonical = JSON.stringify(entries);
  const id = sha256Hex(owner === undefined ? canonical : `${owner}\n${canonical}`);
  const manifest: TestsetManifest = { id, tests: entries, createdAt: now.toISOString() };
  if (owner !== undefined) manifest.owner = owner;
  return { manifest, blobs };
}

/** What GET /testsets/:id answers. */
export function testsetInfo(manifest: TestsetManifest): TestsetInfo {
  const totalBytes = manifest.tests.reduce((sum, t) => sum + t.stdinBytes + (t.expectedBytes ?? 0), 0);
  return {
    id: manifest.id,
    count: manifest.tests.length,
    totalBytes,
    createdAt: manifest.createdAt,
    tests: manifest.tests.map((t) => ({ id: t.id, stdinBytes: t.stdinBytes, ...(t.expectedBytes === undefined ? {} : { expectedBytes: t.expectedBytes }) })),
  };
}

/** The manifest (its TTL refreshed: this is a use), or SBX_ERR_TESTSET_UNKNOWN. */
export async function resolveTestset(store: JudgeStore, id: string, ttlS: number): Promise<TestsetManifest> {
  const manifest = await store.getTestset(id, ttlS);
  if (manifest === undefined) throw new BulkheadError('SBX_ERR_TESTSET_UNKNOWN', `No test set has the id ${id} (never uploaded, deleted or expired)`);
  return manifest;
}

/** The job's tests as references into the blob store: the queue carries no copy of the content. */
export function jobTestsOf(manifest: TestsetManifest): JobTest[] {
  return manifest.tests.map((t) => ({ id: t.id, stdinRef: t.stdinRef, ...(t.expectedRef === undefined ? {} : { expectedRef: t.expectedRef }) }));
}

/** Resolves the checker's runtime and files (same file rules as a program; reserved names refused). */
export async function buildJobChecker(checker: CheckerRequest, catalogue: RuntimeCatalogue, maxFiles: number): Promise<JobChecker> {
  const runtime = await catalogue.resolve(checker.language, checker.version);
  const files = buildJobFiles({ language: checker.language, source: checker.source, files: checker.files }, runtime, maxFiles);
  const reserved = files.find((f) => CHECKER_RESERVED_NAMES.includes(f.name));
  if (reserved !== undefined) {
    throw new BulkheadError('SBX_ERR_FILE_NAME', `Checker file name "${reserved.name}" is reserved (the checker's inputs are input, output, expected)`, {
      details: { name: reserved.name },
    });
  }
  return { language: runtime.language, version: runtime.version, files };
}

/** What adding the judging parts to a job needs. */
export interface JudgingContext {
  store: JudgeStore;
  catalogue: RuntimeCatalogue;
  config: Readonly<Pick<ApiConfig, 'testsetTtlS' | 'maxFiles'>>;
}

/** Sets the job's tests from a stored test set and its checker, when the request names them. */
export async function addJudging(job: SubmissionJob, request: { testset?: string; checker?: CheckerRequest; interactor?: CheckerRequest }, ctx: JudgingContext): Promise<void> {
  if (request.testset !== undefined) job.tests = jobTestsOf(await resolveTestset(ctx.store, request.testset, ctx.config.testsetTtlS));
  if (request.checker !== undefined) job.checker = await buildJobChecker(request.checker, ctx.catalogue, ctx.config.maxFiles);
  if (request.interactor !== undefined) {
    if (job.tests === undefined) throw new BulkheadError('SBX_ERR_VALIDATION', '"interactor" needs "tests" or "testset"');
    if (job.checker !== undefined) throw new BulkheadError('SBX_ERR_VALIDATION', 'Give "interactor" or "checker", not both: the interactor decides each test');
    job.interactor = await buildJobChecker(request.interactor, ctx.catalogue, ctx.config.maxFiles);
    job.schemaVersion = INTERACTIVE_JOB_SCHEMA_VERSION;
  }
}
