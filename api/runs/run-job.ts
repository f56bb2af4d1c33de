import { BulkheadError } from '../../worker/contract/errors.js';
import { JOB_SCHEMA_VERSION, type JobFile, type JobTest, type SubmissionJob } from '../../worker/contract/job.js';
import { resolveLimits, type Limits, type ResolvedLimits } from '../../worker/contract/limits.js';
import type { RuntimeInfo } from '../../worker/contract/heartbeat.js';
import { checkCompileFlags } from './runtime-catalogue.js';
import type { RunFile, RunRequest, RunTest } from '../schemas/run.js';

/** Bounds that come from configuration. */
export interface RunJobBounds {
  maxFiles: number;
  maxTests: number;
}

/**
 * A file name we accept: starts with a letter, digit or `_` (so never `.`, `..` or a dot-file, and
 * never `-`, which a compiler would read as an option; `__init__.py` is fine), then letters,
 * digits, `.`, `_`, `-`; no separator of any kind, at most 100 characters. The worker writes files
 * by this name into the run's directory, so this is the path-escape guard at the edge.
 */
export const FILE_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** UTF-8 text → base64 (the queue carries every content as base64). */
export function utf8ToBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Strict canonical base64 (padding required, no whitespace); throws SBX_ERR_FILE_ENCODING. */
export function checkBase64(value: string, what: string): string {
  if (!BASE64_PATTERN.test(value)) {
    throw new BulkheadError('SBX_ERR_FILE_ENCODING', `${what} is not valid base64`);
  }
  return value;
}

function toJobFile(file: RunFile): JobFile {
  if (!FILE_NAME_PATTERN.test(file.name)) {
    throw new BulkheadError(
      'SBX_ERR_FILE_NAME',
      `File name "${file.name}" is not allowed: use letters, digits, ".", "_", "-", start with a letter, digit or "_", at most 100 characters`,
      { details: { name: file.name } },
    );
  }
  const contentBase64 = file.encoding === 'base64' ? checkBase64(file.content, `Content of "${file.name}"`) : utf8ToBase64(file.content);
  return { name: file.name, contentBase64 };
}

/** The job's files, main file first; enforces the count, names, uniqueness and encodings. */
export function buildJobFiles(request: RunRequest, runtime: RuntimeInfo, maxFiles: number): JobFile[] {
  const files: JobFile[] = [];
  if (request.source !== undefined) files.push({ name: runtime.sourceFile, contentBase64: utf8ToBase64(request.source) });
  const extra = request.files ?? [];
  if (files.length + extra.length === 0) {
    throw new BulkheadError('SBX_ERR_SOURCE_MISSING', 'Give the program as "source" or as "files"');
  }
  if (files.length + extra.length > maxFiles) {
    throw new BulkheadError('SBX_ERR_FILE_COUNT', `At most ${maxFiles} files are allowed, the main file included`, {
      details: { maximum: maxFiles },
    });
  }
  const seen = new Set(files.map((f) => f.name));
  for (const file of extra) {
    const jobFile = toJobFile(file);
    if (seen.has(jobFile.name)) {
      const why = jobFile.name === runtime.sourceFile && request.source !== undefined ? " (it is the main file's name)" : '';
      throw new BulkheadError('SBX_ERR_FILE_NAME', `File name "${jobFile.name}" is used twice${why}`, {
        details: { name: jobFile.name },
      });
    }
    seen.add(jobFile.name);
    files.push(jobFile);
  }
  return files;
}

/** Resolves limits or throws SBX_ERR_LIMIT_TOO_HIGH naming the limit and its maximum. */
export function resolveOrReject(requested: Limits | undefined, defaults: ResolvedLimits, maximum: ResolvedLimits, where: string): ResolvedLimits {
  const resolved = resolveLimits(requested, defaults, maximum);
  if (resolved.ok) return resolved.limits;
  throw new BulkheadError('SBX_ERR_LIMIT_TOO_HIGH', `${where}limits.${resolved.limit} = ${resolved.requested} is above the maximum ${resolved.maximum}`, {
    details: { limit: resolved.limit, requested: resolved.requested, maximum: resolved.maximum },
  });
}

function buildJobTests(tests: readonly RunTest[], runLimits: ResolvedLimits, runtime: RuntimeInfo, maxTests: number): JobTest[] {
  if (tests.length > maxTests) {
    throw new BulkheadError('SBX_ERR_TOO_MANY_TESTS', `At most ${maxTests} tests are allowed, got ${tests.length}`, {
      details: { maximum: maxTests },
    });
  }
  const ids = new Set<string>();
  return tests.map((test, index) => {
    const id = test.id ?? String(index + 1);
    if (ids.has(id)) throw new BulkheadError('SBX_ERR_VALIDATION', `Test id "${id}" is used twice`);
    ids.add(id);
    const jobTest: JobTest = { id, stdinBase64: utf8ToBase64(test.stdin) };
    if (test.expected !== undefined) jobTest.expectedBase64 = utf8ToBase64(test.expected);
    if (test.limits !== undefined) {
      jobTest.limits = resolveOrReject(test.limits, runLimits, runtime.limits.max, `tests[${index}].`);
    }
    return jobTest;
  });
}

function buildStdin(request: RunRequest): string {
  if (request.stdin !== undefined && request.stdinBase64 !== undefined) {
    throw new BulkheadError('SBX_ERR_VALIDATION', 'Give stdin or stdinBase64, not both');
  }
  if (request.stdinBase64 !== undefined) return checkBase64(request.stdinBase64, 'stdinBase64');
  return utf8ToBase64(request.stdin ?? '');
}

/** A checker or an interactor decides each test, so a `compare` beside one would be ignored: refused instead. */
export function refuseCompareWithJudge(request: { compare?: unknown; checker?: unknown; interactor?: unknown }): void {
  if (request.compare === undefined || (request.checker === undefined && request.interactor === undefined)) return;
  const judge = request.checker === undefined ? 'interactor' : 'checker';
  throw new BulkheadError('SBX_ERR_VALIDATION', `Give "compare" or "${judge}", not both: the ${judge} decides each test`);
}

/** The program's arguments, unchanged: a NUL would cut one short at exec (C strings end there), so it is refused. */
function checkArgs(args: readonly string[]): string[] {
  const index = args.findIndex((arg) => arg.includes('\u0000'));
  if (index >= 0) throw new BulkheadError('SBX_ERR_VALIDATION', `args[${index}] contains a NUL character, which no program argument can hold`, { details: { index } });
  return [...args];
}

/**
 * Turns a schema-valid request and its resolved runtime into the queue payload (pure apart from
 * the id and time passed in). Every client mistake it finds throws a coded BulkheadError.
 */
export function buildSubmissionJob(request: RunRequest, runtime: RuntimeInfo, bounds: RunJobBounds, runId: string, now: Date): SubmissionJob {
  const files = buildJobFiles(request, runtime, bounds.maxFiles);
  const limits = resolveOrReject(request.limits, runtime.limits.default, runtime.limits.max, '');
  const job: SubmissionJob = {
    schemaVersion: JOB_SCHEMA_VERSION,
    runId,
    language: runtime.language,
    version: runtime.version,
    files,
    stdinBase64: buildStdin(request),
    args: checkArgs(request.args ?? []),
    limits,
    submittedAt: now.toISOString(),
  };
  if (request.tests !== undefined) job.tests = buildJobTests(request.tests, limits, runtime, bounds.maxTests);
  const hasTests = request.tests !== undefined || request.testset !== undefined;
  if ((request.compare !== undefined || request.stopOnFirstFailure !== undefined || request.checker !== undefined) && !hasTests) {
    throw new BulkheadError('SBX_ERR_VALIDATION', '"compare", "checker" and "stopOnFirstFailure" need "tests" or "testset"');
  }
  if (request.tests !== undefined && request.testset !== undefined) {
    throw new BulkheadError('SBX_ERR_VALIDATION', 'Give "tests" or "testset", not both');
  }
  refuseCompareWithJudge(request);
  if (request.compileFlags !== undefined && request.compileFlags.length > 0) {
    checkCompileFlags(runtime, request.compileFlags);
    job.compileFlags = [...request.compileFlags];
  }
  if (request.compare !== undefined) job.compare = request.compare;
  if (request.stopOnFirstFailure !== undefined) job.stopOnFirstFailure = request.stopOnFirstFailure;
  return job;
}
