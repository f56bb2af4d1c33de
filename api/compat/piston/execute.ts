/**
 * Piston v2's `POST /execute` as pure functions: a request → Bulkhead's queue payload, and a
 * Bulkhead result → Piston 3's result. Kept free of HTTP so that Piston's WebSocket
 * (`/api/v2/connect`) can be a thin layer over the live-runs pipeline with the same mapping.
 * Validation messages are Piston's own wording (clients show them).
 */
import { BulkheadError } from '../../../worker/contract/errors.js';
import type { SubmissionJob } from '../../../worker/contract/job.js';
import type { Limits, ResolvedLimits } from '../../../worker/contract/limits.js';
import type { RuntimeInfo } from '../../../worker/contract/heartbeat.js';
import { emptyStageResult, type RunResult, type StageResult } from '../../../worker/contract/result.js';
import { buildSubmissionJob, utf8ToBase64, type RunJobBounds } from '../../runs/run-job.js';
import type { RunFile } from '../../schemas/run.js';
import { mergedOutput, signalNumber, stageBytes } from '../stage-output.js';
import { pistonNamed, pistonRuntime, resolvePistonRuntime } from './runtimes.js';

/** Piston's error: a 400 `{ message }`. */
export function pistonError(message: string): BulkheadError {
  return new BulkheadError('SBX_ERR_VALIDATION', message);
}

interface PistonFile {
  name?: unknown;
  content?: unknown;
  encoding?: unknown;
}

/** A file's content as base64, from Piston's `utf8` (the default, also for unknown values), `base64` or `hex`. */
function fileBase64(file: PistonFile, index: number): string {
  const content = String(file.content);
  if (file.encoding === 'base64') {
    if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(content)) throw pistonError(`files[${index}].content is not valid base64`);
    return Buffer.from(content, 'base64').toString('base64');
  }
  if (file.encoding === 'hex') {
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(content)) throw pistonError(`files[${index}].content is not valid hex`);
    return Buffer.from(content, 'hex').toString('base64');
  }
  return utf8ToBase64(content);
}

const isUtf8File = (file: PistonFile) => file.encoding !== 'base64' && file.encoding !== 'hex';

/**
 * Bulkhead files: the first UTF-8 file is the main one (Piston runs its first code file) and gets
 * the language's file name; the others keep theirs (Piston's `file<i>.code` when unnamed).
 */
function toRunFiles(files: readonly PistonFile[], runtime: RuntimeInfo): RunFile[] {
  const mainIndex = files.findIndex(isUtf8File);
  if (mainIndex < 0) throw pistonError('files must include at least one utf8 encoded file');
  return files.map((file, i) => ({
    name: i === mainIndex ? runtime.sourceFile : typeof file.name === 'string' && file.name !== '' ? file.name : `file${i}.code`,
    content: fileBase64(file, i),
    encoding: 'base64' as const,
  }));
}

const RUN_LIMITS = [
  ['run_timeout', 'wallTimeMs'],
  ['run_cpu_time', 'cpuTimeMs'],
  ['run_memory_limit', 'memoryBytes'],
] as const;
const COMPILE_LIMITS = ['compile_timeout', 'compile_cpu_time', 'compile_memory_limit'] as const;

/**
 * The run stage's limits in Piston's units (milliseconds, bytes, as Bulkhead's): unset or 0 →
 * the language default, -1 → the language maximum, above the maximum → Piston's 400. The compile
 * stage runs under the language's own compile limits: `compile_*` are checked as numbers only.
 */
function runLimits(body: Record<string, unknown>, max: ResolvedLimits): Limits {
  const limits: Limits = {};
  for (const name of COMPILE_LIMITS) {
    const value = body[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number') throw pistonError(`If specified, ${name} must be a number`);
    if (value < -1) throw pistonError(`${name} must be non-negative`);
  }
  for (const [name, limit] of RUN_LIMITS) {
    const value = body[name];
    if (value === undefined || value === null || value === 0) continue;
    if (typeof value !== 'number') throw pistonError(`If specified, ${name} must be a number`);
    if (value > max[limit]) throw pistonError(`${name} cannot exceed the configured limit of ${max[limit]}`);
    if (value === -1) limits[limit] = max[limit];
    else if (value < 0) throw pistonError(`${name} must be non-negative`);
    else limits[limit] = Math.max(1, Math.floor(value));
  }
  return limits;
}

/**
 * The runtime a Piston request names. Both misses carry Piston's own message (clients match on
 * it) under Bulkhead's stable codes: SBX_ERR_VERSION_UNKNOWN when the language is installed but
 * no version matches (listing the installed ones), else SBX_ERR_RUNTIME_UNKNOWN.
 */
export function resolveOrThrow(runtimes: readonly RuntimeInfo[], language: string, version: string): RuntimeInfo {
  const runtime = resolvePistonRuntime(runtimes, language, version);
  if (runtime !== undefined) return runtime;
  const message = `${language}-${version} runtime is unknown`;
  const named = pistonNamed(runtimes, language);
  if (named.length === 0) throw new BulkheadError('SBX_ERR_RUNTIME_UNKNOWN', message);
  throw new BulkheadError('SBX_ERR_VERSION_UNKNOWN', message, { details: { versions: named.map((r) => r.version) } });
}

/** Validates a Piston execute body and builds the job (Piston's checks, in Piston's order). */
export function pistonJob(body: Record<string, unknown>, runtimes: readonly RuntimeInfo[], bounds: RunJobBounds, runId: string, now: Date): SubmissionJob {
  const { language, version, files } = body;
  if (typeof language !== 'string' || language === '') throw pistonError('language is required as a string');
  if (typeof version !== 'string' || version === '') throw pistonError('version is required as a string');
  if (!Array.isArray(files)) throw pistonError('files is required as an array');
  const pistonFiles = files.map((f) => (typeof f === 'object' && f !== null ? (f as PistonFile) : {}));
  pistonFiles.forEach((file, i) => {
    if (typeof file.content !== 'string') throw pistonError(`files[${i}].content is required as a string`);
  });
  const runtime = resolveOrThrow(runtimes, language, version);
  const args = body.args === undefined || body.args === null ? [] : body.args;
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw pistonError('args must be an array of strings');
  const stdin = body.stdin === undefined || body.stdin === null ? '' : String(body.stdin);
  const job = buildSubmissionJob(
    {
      language: runtime.language,
      version: runtime.version,
      files: toRunFiles(pistonFiles, runtime),
      // Piston ends stdin with a newline when it has none.
      stdin: stdin.endsWith('\n') ? stdin : `${stdin}\n`,
      args: args as string[],
      limits: runLimits(body, runtime.limits.max),
    },
    runtime,
    bounds,
    runId,
    now,
  );
  // Bulkhead's extension: `output` in true write order, at the price of stdout holding both streams.
  if (body.interleave_output === true) job.mergeStderr = true;
  return job;
}

/** One stage as Piston 3 reports it. */
export interface PistonStage {
  stdout: string;
  stderr: string;
  output: string;
  code: number | null;
  signal: string | null;
  message: string | null;
  status: string | null;
  cpu_time: number;
  wall_time: number;
  memory: number;
}

const lenientUtf8 = new TextDecoder('utf-8');

/** Piston's status code (isolate's, plus OL/EL for output) and message for a stage. */
function statusOf(stage: StageResult): { status: string | null; message: string | null; killed: boolean } {
  switch (stage.status) {
    case 'OK':
    case 'WRONG_ANSWER':
      return { status: null, message: null, killed: false };
    case 'TIME_LIMIT':
      return { status: 'TO', message: stage.timeLimit === 'wall' ? 'Time limit exceeded (wall clock)' : 'Time limit exceeded', killed: true };
    case 'OUTPUT_LIMIT':
      return stage.stderrTruncated && !stage.stdoutTruncated
        ? { status: 'EL', message: 'stderr length exceeded', killed: true }
        : { status: 'OL', message: 'stdout length exceeded', killed: true };
    case 'MEMORY_LIMIT':
      return { status: 'SG', message: 'Memory limit exceeded', killed: true };
    case 'RUNTIME_ERROR':
    case 'COMPILE_ERROR':
      if (stage.signal !== null) return { status: 'SG', message: `Caught fatal signal ${signalNumber(stage.signal) ?? stage.signal}`, killed: false };
      return stage.exitCode === 0 ? { status: null, message: null, killed: false } : { status: 'RE', message: `Exited with error status ${stage.exitCode ?? 0}`, killed: false };
    case 'INTERNAL_ERROR':
      return { status: 'XX', message: 'Internal error', killed: false };
  }
}

/** A Bulkhead stage → Piston's stage. Text is decoded leniently, as Piston's own is. */
export function pistonStage(stage: StageResult): PistonStage {
  const { status, message, killed } = statusOf(stage);
  return {
    stdout: lenientUtf8.decode(stageBytes(stage, 'stdout')),
    stderr: lenientUtf8.decode(stageBytes(stage, 'stderr')),
    output: lenientUtf8.decode(mergedOutput(stage)),
    code: stage.signal === null && !killed ? stage.exitCode : null,
    signal: killed ? 'SIGKILL' : stage.signal,
    message,
    status,
    cpu_time: stage.cpuTimeMs,
    wall_time: stage.wallTimeMs,
    memory: stage.memoryBytes,
  };
}

/** Piston 3's execute answer. */
export interface PistonResult {
  language: string;
  version: string;
  run: PistonStage;
  compile?: PistonStage;
}

/**
 * A finished run → Piston's result. As Piston does, a failed compile is also reported as `run`
 * (clients read `run` only); a run that failed inside Bulkhead is a stage with status `XX`.
 */
export function pistonResult(result: RunResult, runtime: RuntimeInfo): PistonResult {
  const compile = result.compile === undefined ? undefined : pistonStage(result.compile);
  const internal: StageResult = emptyStageResult('INTERNAL_ERROR');
  const run = result.run === undefined ? (compile ?? pistonStage(internal)) : pistonStage(result.run);
  const named = pistonRuntime(runtime);
  return { language: named.language, version: result.version, run, ...(compile === undefined ? {} : { compile }) };
}
