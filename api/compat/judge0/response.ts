/**
 * A Bulkhead run → the Judge0 submission object (pure): every field of Judge0 CE 1.13.1's
 * serializer in Judge0's units and shapes, `fields=` selection, and the base64 rules (with
 * `base64_encoded=true` the text fields and `message` are base64 as Ruby's encode64 writes it;
 * without it, a text field that is not UTF-8 is Judge0's 400).
 */
import { BulkheadError } from '../../../worker/contract/errors.js';
import { decodeFailure } from '../../../worker/contract/failure.js';
import type { StageResult } from '../../../worker/contract/result.js';
import type { RunSnapshot } from '../../plugins/submission-queue.js';
import { signalNumber, stageBytes } from '../stage-output.js';
import { decodeLenientBase64, encodeJudge0Base64 } from './fields.js';
import { JUDGE0_LANGUAGES } from './languages.js';
import { bytesToKb, msToSeconds } from './limits.js';
import type { Judge0Echo } from './request.js';
import { STATUS, stageStatus, statusObject, type Judge0StatusId } from './statuses.js';

/** Judge0's columns + `status` and `language`, in its serializer's order. */
export const JUDGE0_FIELDS = [
  'source_code',
  'language_id',
  'stdin',
  'expected_output',
  'stdout',
  'status_id',
  'created_at',
  'finished_at',
  'time',
  'memory',
  'stderr',
  'token',
  'number_of_runs',
  'cpu_time_limit',
  'cpu_extra_time',
  'wall_time_limit',
  'memory_limit',
  'stack_limit',
  'max_processes_and_or_threads',
  'enable_per_process_and_thread_time_limit',
  'enable_per_process_and_thread_memory_limit',
  'max_file_size',
  'compile_output',
  'exit_code',
  'exit_signal',
  'message',
  'wall_time',
  'compiler_options',
  'command_line_arguments',
  'redirect_stderr_to_stdout',
  'callback_url',
  'additional_files',
  'enable_network',
  'status',
  'language',
] as const;
export type Judge0Field = (typeof JUDGE0_FIELDS)[number];

/** Judge0's default `fields`. */
export const JUDGE0_DEFAULT_FIELDS: readonly Judge0Field[] = ['token', 'time', 'memory', 'stdout', 'stderr', 'compile_output', 'message', 'status'];

/** Fields holding program text: base64 or UTF-8 on the wire. */
const BYTE_FIELDS: ReadonlySet<string> = new Set(['source_code', 'stdin', 'expected_output', 'stdout', 'stderr', 'compile_output']);

/** Judge0's message when a text field is not UTF-8 and the client did not ask for base64. */
export const JUDGE0_CONVERSION_ERROR = 'some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter';

/** The requested fields, or Judge0's 400 `invalid fields: [..]`. Empty → the defaults; `*` → all. */
export function parseFields(fields: string | undefined): readonly Judge0Field[] {
  const wanted = (fields ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  const invalid = wanted.filter((f) => f !== '*' && !(JUDGE0_FIELDS as readonly string[]).includes(f));
  if (invalid.length > 0) throw new BulkheadError('SBX_ERR_VALIDATION', `invalid fields: [${invalid.join(', ')}]`);
  if (wanted.includes('*')) return JUDGE0_FIELDS;
  return wanted.length === 0 ? JUDGE0_DEFAULT_FIELDS : (wanted as Judge0Field[]);
}

/** Rails' JSON for a decimal column: a string, with ".0" on whole numbers. */
function decimal(value: number | null): string | null {
  if (value === null) return null;
  const rounded = Number(value.toFixed(6));
  return Number.isInteger(rounded) ? `${rounded}.0` : String(rounded);
}

const nonEmpty = (bytes: Buffer): Buffer | null => (bytes.length === 0 ? null : bytes);

type Outcome = Partial<Record<Judge0Field, unknown>> & { status_id: Judge0StatusId };

function stageOutcome(stage: StageResult, echo: Judge0Echo, timing: { cpuMs: number; wallMs: number; memoryPeakBytes: number }): Outcome {
  const status = stageStatus(stage, echo.cpu_time_limit);
  return {
    status_id: status.id,
    message: status.message,
    // With redirect_stderr_to_stdout the run had one stream (job.mergeStderr): stderr is empty.
    stdout: nonEmpty(stageBytes(stage, 'stdout')),
    stderr: nonEmpty(stageBytes(stage, 'stderr')),
    time: decimal(msToSeconds(timing.cpuMs)),
    wall_time: decimal(msToSeconds(timing.wallMs)),
    memory: Math.floor(bytesToKb(timing.memoryPeakBytes)),
    // Judge0 reports 0 as the exit code of a program a signal ended.
    exit_code: stage.exitCode ?? 0,
    exit_signal: signalNumber(stage.signal),
  };
}

/** What the run did, in Judge0 fields (status, outputs, time, memory, exit, message). */
function outcomeOf(snapshot: RunSnapshot, echo: Judge0Echo): Outcome {
  if (snapshot.state !== 'done') return { status_id: snapshot.state === 'queued' ? STATUS.queued : STATUS.processing };
  const result = snapshot.result;
  if (result === undefined) return { status_id: STATUS.internal, message: `Internal error (${decodeFailure(snapshot.failedCode)})` };
  const compile = result.compile;
  const compileOutput = compile === undefined ? null : nonEmpty(Buffer.concat([stageBytes(compile, 'stdout'), stageBytes(compile, 'stderr')]));
  if (result.status === 'COMPILE_ERROR') {
    const timedOut = compile?.status === 'TIME_LIMIT';
    return { status_id: STATUS.compileError, compile_output: timedOut ? Buffer.from('Compilation time limit exceeded.') : compileOutput };
  }
  const runs = result.tests ?? (result.run === undefined ? [] : [result.run]);
  const last = runs.at(-1);
  if (last === undefined) return { status_id: STATUS.internal, message: `Internal error (${result.errorCode ?? 'SBX_ERR_INTERNAL'})`, compile_output: compileOutput };
  // number_of_runs: Judge0 reports the last run's outputs and status with the averages of time and memory.
  const average = (pick: (s: StageResult) => number) => runs.reduce((sum, s) => sum + pick(s), 0) / runs.length;
  const timing = { cpuMs: average((s) => s.cpuTimeMs), wallMs: average((s) => s.wallTimeMs), memoryPeakBytes: average((s) => s.memoryBytes) };
  return { ...stageOutcome(last, echo, timing), compile_output: compileOutput };
}

function languageName(language: string | undefined, version: string | undefined, id: number): { id: number; name: string } {
  const entry = language === undefined ? undefined : JUDGE0_LANGUAGES[language];
  return { id, name: entry === undefined ? `${language ?? 'unknown'} (${version ?? ''})` : `${entry.label}${version ?? ''}${entry.labelEnd}` };
}

/** Every Judge0 field of the run, byte fields as Buffers (null when empty or not known yet). */
export function judge0Record(token: string, snapshot: RunSnapshot): Record<Judge0Field, unknown> {
  const job = snapshot.job;
  const echo = JSON.parse(job?.meta?.judge0 ?? '{}') as Judge0Echo;
  const outcome = outcomeOf(snapshot, echo);
  const fromB64 = (text: string | undefined) => (text === undefined ? null : nonEmpty(Buffer.from(text, 'base64')));
  const finishedAtMs = snapshot.result?.timings?.finishedAtMs;
  return {
    source_code: fromB64(job?.files[0]?.contentBase64),
    language_id: echo.language_id ?? null,
    stdin: fromB64(job?.stdinBase64),
    expected_output: fromB64(job?.tests?.[0]?.expectedBase64),
    stdout: null,
    stderr: null,
    compile_output: null,
    time: null,
    wall_time: null,
    memory: null,
    exit_code: null,
    exit_signal: null,
    message: null,
    ...outcome,
    created_at: job?.submittedAt ?? null,
    finished_at: finishedAtMs === undefined ? null : new Date(finishedAtMs).toISOString(),
    token,
    number_of_runs: echo.number_of_runs ?? 1,
    cpu_time_limit: decimal(echo.cpu_time_limit ?? null),
    cpu_extra_time: decimal(echo.cpu_extra_time ?? null),
    wall_time_limit: decimal(echo.wall_time_limit ?? null),
    memory_limit: echo.memory_limit ?? null,
    stack_limit: echo.stack_limit ?? null,
    max_processes_and_or_threads: echo.max_processes_and_or_threads ?? null,
    enable_per_process_and_thread_time_limit: false,
    enable_per_process_and_thread_memory_limit: false,
    max_file_size: echo.max_file_size ?? null,
    compiler_options: echo.compiler_options ?? null,
    command_line_arguments: echo.command_line_arguments ?? null,
    redirect_stderr_to_stdout: echo.redirect_stderr_to_stdout ?? false,
    callback_url: echo.callback_url ?? null,
    additional_files: echo.additional_files === null || echo.additional_files === undefined ? null : (decodeLenientBase64(echo.additional_files) ?? null),
    enable_network: false,
    status: statusObject(outcome.status_id),
    language: languageName(job?.language, job?.version, echo.language_id),
  };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The wire value of one field under the base64 rule; throws the conversion error for non-UTF-8 text. */
function wireValue(field: Judge0Field, value: unknown, base64: boolean): unknown {
  if (field === 'additional_files') return value instanceof Buffer ? encodeJudge0Base64(value) : null;
  if (field === 'message') return base64 && typeof value === 'string' ? encodeJudge0Base64(Buffer.from(value, 'utf8')) : value;
  if (!BYTE_FIELDS.has(field) || !(value instanceof Buffer)) return value;
  if (base64) return encodeJudge0Base64(value);
  try {
    return strictUtf8.decode(value);
  } catch {
    throw new BulkheadError('SBX_ERR_VALIDATION', JUDGE0_CONVERSION_ERROR, { details: { judge0Conversion: true } });
  }
}

/** The selected fields of a record, as Judge0 serialises them. */
export function serializeSubmission(record: Record<Judge0Field, unknown>, fields: readonly Judge0Field[], base64: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) body[field] = wireValue(field, record[field], base64);
  return body;
}
