/**
 * A Judge0 CE 1.13.1 submission (`POST /submissions` body) → Bulkhead's queue payload. Pure apart
 * from the id and time passed in. Every refusal is Judge0's 422 `{ field: [messages] }`, worded as
 * Judge0 words its own validations, so clients that show those messages keep working.
 */
import { webhookUrlProblem } from '../../../worker/contract/batch.js';
import { BulkheadError } from '../../../worker/contract/errors.js';
import type { JobFile, SubmissionJob } from '../../../worker/contract/job.js';
import type { RuntimeInfo } from '../../../worker/contract/heartbeat.js';
import { LIMITS, mapLimits, type LimitUnit } from '../../../worker/contract/limits.js';
import { buildSubmissionJob } from '../../runs/run-job.js';
import { filesFromZip } from '../zip-files.js';
import { FieldErrorList, decodeLenientBase64, isUnset, readBoolean, readNumber, readText, splitCommandLine } from './fields.js';
import { judge0Language, type Judge0Language } from './languages.js';
import { fromJudge0Limits, toJudge0Limits, type Judge0Limits } from './limits.js';

/** Judge0's own bounds that are not limits of a language. */
export const JUDGE0_MAX_NUMBER_OF_RUNS = 20;
export const JUDGE0_MAX_OPTION_LENGTH = 512;
/** Judge0's MAX_EXTRACT_SIZE: the archive's files together, KB. */
export const JUDGE0_MAX_EXTRACT_KB = 10_240;

/** What the adapter needs from configuration. */
export interface Judge0RequestContext {
  runtimes: readonly RuntimeInfo[];
  maxFiles: number;
  maxTests: number;
  callbackAllowHosts: readonly string[];
  callbackAllowPrivate: boolean;
}

/** The submission's own fields, kept with the run (job.meta.judge0) so GET can echo them. */
export interface Judge0Echo {
  language_id: number;
  number_of_runs: number;
  cpu_time_limit: number;
  cpu_extra_time: number;
  wall_time_limit: number;
  memory_limit: number;
  stack_limit: number;
  max_processes_and_or_threads: number;
  max_file_size: number;
  redirect_stderr_to_stdout: boolean;
  compiler_options: string | null;
  command_line_arguments: string | null;
  callback_url: string | null;
  /** Base64 of the archive as sent (Judge0 echoes it). */
  additional_files: string | null;
}

/** A field's bytes: base64 when the client said so, else UTF-8 text. */
function readBytes(body: Record<string, unknown>, field: string, base64: boolean, errors: FieldErrorList): Buffer | undefined {
  const text = readText(body, field, errors);
  if (text === undefined) return undefined;
  if (!base64) return Buffer.from(text, 'utf8');
  const bytes = decodeLenientBase64(text);
  if (bytes === undefined) errors.add(field, 'is not valid base64');
  return bytes;
}

function readLanguage(body: Record<string, unknown>, ctx: Judge0RequestContext, errors: FieldErrorList): Judge0Language | undefined {
  if (isUnset(body.language_id)) {
    errors.add('language_id', "can't be blank");
    return undefined;
  }
  const id = readNumber(body, 'language_id', { min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY }, Number.NaN, errors);
  if (Number.isNaN(id)) return undefined;
  const language = Number.isInteger(id) ? judge0Language(ctx.runtimes, id) : undefined;
  if (language === undefined) errors.add('language_id', `language with id ${String(body.language_id)} doesn't exist`);
  return language;
}

/** Bounds of a language no worker reports (its request is refused anyway), per unit. */
const UNBOUNDED_BY_UNIT: Readonly<Record<LimitUnit, number>> = { ms: 1e12, bytes: 1e15, count: 1e9 };

/** Limits in Judge0 units, checked against the language's maxima converted to those units. */
function readLimits(body: Record<string, unknown>, runtime: RuntimeInfo | undefined, errors: FieldErrorList): Judge0Limits {
  const unbounded = mapLimits((name) => UNBOUNDED_BY_UNIT[LIMITS[name].unit]);
  const max = toJudge0Limits(runtime?.limits.max ?? unbounded);
  const def = toJudge0Limits(runtime?.limits.default ?? unbounded);
  const cpu = readNumber(body, 'cpu_time_limit', { min: 0, max: max.cpuTimeLimitS }, def.cpuTimeLimitS, errors);
  // 0 is isolate's "no stack limit of its own": the language's largest stack.
  const stack = readNumber(body, 'stack_limit', { min: 0, max: max.stackLimitKb }, def.stackLimitKb, errors);
  const limits: Judge0Limits = {
    // 0 means "no limit" to isolate; here that is the language's maximum.
    cpuTimeLimitS: cpu === 0 ? max.cpuTimeLimitS : cpu,
    cpuExtraTimeS: readNumber(body, 'cpu_extra_time', { min: 0, max: Math.max(0, max.cpuTimeLimitS - (cpu === 0 ? max.cpuTimeLimitS : cpu)) }, 0, errors),
    wallTimeLimitS: readNumber(body, 'wall_time_limit', { min: 1, max: max.wallTimeLimitS }, def.wallTimeLimitS, errors),
    memoryLimitKb: readNumber(body, 'memory_limit', { min: 2048, max: max.memoryLimitKb }, def.memoryLimitKb, errors),
    stackLimitKb: stack === 0 ? max.stackLimitKb : stack,
    maxProcessesAndOrThreads: readNumber(
      body,
      'max_processes_and_or_threads',
      { min: 0, minExclusive: true, max: max.maxProcessesAndOrThreads },
      def.maxProcessesAndOrThreads,
      errors,
    ),
    maxFileSizeKb: readNumber(body, 'max_file_size', { min: 0, max: max.maxFileSizeKb }, def.maxFileSizeKb, errors),
  };
  if (limits.maxFileSizeKb === 0) limits.maxFileSizeKb = max.maxFileSizeKb;
  return limits;
}

/**
 * Features Bulkhead refuses, with Judge0's own messages for a server that does not allow them:
 * the network (every run is isolated from it, by design) and per-process limits (Bulkhead limits
 * the whole process tree, so a program cannot escape a limit by forking).
 */
function readRefusedFeatures(body: Record<string, unknown>, errors: FieldErrorList): void {
  if (readBoolean(body, 'enable_network', false)) errors.add('enable_network', 'enabling network is not allowed');
  for (const field of ['enable_per_process_and_thread_time_limit', 'enable_per_process_and_thread_memory_limit']) {
    if (readBoolean(body, field, false)) errors.add(field, 'this option cannot be enabled');
  }
}

/**
 * `compiler_options` as compile flags. The flags reach the compiler's argv, so each one must be in
 * the language version's allow-list exactly (`-fplugin=`, `@file`, `-B` could load or run code
 * outside the submission); anything else is refused before the run is queued.
 */
function readCompilerOptions(body: Record<string, unknown>, runtime: RuntimeInfo | undefined, errors: FieldErrorList): string[] {
  const options = readText(body, 'compiler_options', errors, JUDGE0_MAX_OPTION_LENGTH);
  if (options === undefined || options.trim() === '' || runtime === undefined) return [];
  if (!runtime.compiled) {
    errors.add('compiler_options', 'setting compiler options is only allowed for compiled languages');
    return [];
  }
  const flags = splitCommandLine(options);
  const allowed = runtime.compileFlags ?? [];
  const bad = flags.find((flag) => !allowed.includes(flag));
  if (bad === undefined) return flags;
  errors.add(
    'compiler_options',
    allowed.length === 0
      ? `setting compiler options is not allowed for ${runtime.language} ${runtime.version}`
      : `compiler option "${bad}" is not allowed; allowed: ${allowed.join(' ')}`,
  );
  return [];
}

function readCallback(body: Record<string, unknown>, ctx: Judge0RequestContext, errors: FieldErrorList): string | null {
  const url = readText(body, 'callback_url', errors);
  if (url === undefined || url.trim() === '') return null;
  // The same SSRF rules as batch webhooks: public addresses only unless the operator allowed more.
  const problem = webhookUrlProblem(url, ctx.callbackAllowHosts, ctx.callbackAllowPrivate);
  if (problem !== undefined) errors.add('callback_url', `is not allowed: ${problem}`);
  return url;
}

function readArchive(body: Record<string, unknown>, ctx: Judge0RequestContext, errors: FieldErrorList): { files: JobFile[]; base64: string | null } {
  const text = readText(body, 'additional_files', errors);
  if (text === undefined) return { files: [], base64: null };
  const bytes = decodeLenientBase64(text);
  if (bytes === undefined) {
    errors.add('additional_files', 'is not valid base64');
    return { files: [], base64: null };
  }
  try {
    return { files: filesFromZip(bytes, { maxFiles: ctx.maxFiles - 1, maxTotalBytes: JUDGE0_MAX_EXTRACT_KB * 1024 }), base64: text };
  } catch (err) {
    errors.add('additional_files', err instanceof Error ? err.message : 'is not a valid zip archive');
    return { files: [], base64: null };
  }
}

/** A parsed, valid submission. */
export interface Judge0Parsed {
  job: SubmissionJob;
  echo: Judge0Echo;
}

/**
 * Validates and converts one submission. `base64` is the request's `base64_encoded=true`: then
 * `source_code`, `stdin` and `expected_output` are base64. `expected_output` becomes a test with
 * Bulkhead's `lines` comparison, which is Judge0's (trailing whitespace of each line and at the
 * end ignored); `number_of_runs` runs the program that many times from one compile.
 */
export function parseJudge0Submission(body: Record<string, unknown>, base64: boolean, ctx: Judge0RequestContext, runId: string, now: Date): Judge0Parsed {
  const errors = new FieldErrorList();
  const language = readLanguage(body, ctx, errors);
  const source = readBytes(body, 'source_code', base64, errors);
  if (source === undefined || source.length === 0) errors.add('source_code', "can't be blank");
  const stdin = readBytes(body, 'stdin', base64, errors) ?? Buffer.alloc(0);
  // An empty expected_output is judged, as Judge0 compares any expected_output that is not null:
  // the program must print nothing (Judge0 CE says Wrong Answer to any output). Read as unset, it
  // would answer Accepted whatever the program printed.
  const expected = body.expected_output === '' ? Buffer.alloc(0) : readBytes(body, 'expected_output', base64, errors);
  const limits = readLimits(body, language?.runtime, errors);
  const runs = readNumber(body, 'number_of_runs', { min: 0, minExclusive: true, max: Math.min(JUDGE0_MAX_NUMBER_OF_RUNS, ctx.maxTests) }, 1, errors);
  readRefusedFeatures(body, errors);
  const compileFlags = readCompilerOptions(body, language?.runtime, errors);
  const args = readText(body, 'command_line_arguments', errors, JUDGE0_MAX_OPTION_LENGTH);
  const callbackUrl = readCallback(body, ctx, errors);
  const archive = readArchive(body, ctx, errors);
  errors.throwIfAny();
  // Both were reported as field errors above when missing; this narrows the types.
  if (language === undefined || source === undefined) throw new BulkheadError('SBX_ERR_INTERNAL', 'language or source missing after validation');

  const runtime = language.runtime;
  const files = [{ name: runtime.sourceFile, content: source.toString('base64'), encoding: 'base64' as const }];
  for (const file of archive.files) files.push({ name: file.name, content: file.contentBase64, encoding: 'base64' });
  const job = buildSubmissionJob(
    { language: runtime.language, version: runtime.version, files, args: splitCommandLine(args ?? ''), limits: fromJudge0Limits(limits), compileFlags },
    runtime,
    ctx,
    runId,
    now,
  );
  job.stdinBase64 = stdin.toString('base64');
  const redirect = readBoolean(body, 'redirect_stderr_to_stdout', false);
  // Judge0's redirect is one stream in the order the program wrote it: the sandbox gives the
  // program its stdout pipe as stderr (isolate's --stderr-to-stdout does the same).
  if (redirect) job.mergeStderr = true;
  const runCount = Math.floor(runs);
  if (expected !== undefined || runCount > 1) {
    job.tests = Array.from({ length: runCount }, (_, i) => ({
      id: String(i + 1),
      stdinBase64: job.stdinBase64,
      ...(expected === undefined ? {} : { expectedBase64: expected.toString('base64') }),
    }));
    job.compare = { mode: 'lines' };
    // Judge0 stops repeating at the first run that is not Accepted.
    job.stopOnFirstFailure = true;
  }
  const echo: Judge0Echo = {
    language_id: language.id,
    number_of_runs: runCount,
    cpu_time_limit: limits.cpuTimeLimitS,
    cpu_extra_time: limits.cpuExtraTimeS,
    wall_time_limit: limits.wallTimeLimitS,
    memory_limit: Math.floor(limits.memoryLimitKb),
    stack_limit: Math.floor(limits.stackLimitKb),
    max_processes_and_or_threads: Math.floor(limits.maxProcessesAndOrThreads),
    max_file_size: Math.floor(limits.maxFileSizeKb),
    redirect_stderr_to_stdout: redirect,
    compiler_options: compileFlags.length === 0 ? null : compileFlags.join(' '),
    command_line_arguments: args ?? null,
    callback_url: callbackUrl,
    additional_files: archive.base64,
  };
  job.meta = { judge0: JSON.stringify(echo) };
  return { job, echo };
}
