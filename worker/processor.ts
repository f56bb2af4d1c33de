/**
 * The BullMQ processor: job → validate → plan → sandbox.run per stage → RunResult.
 *
 * The three error classes never mix here:
 * - a program's verdict (TLE, RE, WRONG_ANSWER…) is a value: the job completes with a RunResult;
 * - a malformed job (other schemaVersion, bad shape, a language this worker does not have) throws
 *   UnrecoverableError: BullMQ fails it at once, never retried;
 * - our own failure (SandboxError, a missing profile or blob) is logged with its cause, counted,
 *   and rethrown as a BulkheadError whose message is the encoded code (contract/failure.ts), so
 *   BullMQ retries it with backoff and, when attempts run out, the failed job's `failedReason` is
 *   that code.
 * On shutdown past the grace period the worker aborts in-flight runs; those are handed back to
 * the queue (moveToWait + WaitingError) and run again elsewhere without spending an attempt.
 */
import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { Compile } from 'typebox/compile';
import { BulkheadError } from './contract/errors.js';
import { encodeFailure, failureCodeOf } from './contract/failure.js';
import { SubmissionJobSchema, upgradeJobPayload, type SubmissionJob } from './contract/job.js';
import type { RunResult, StageResult } from './contract/result.js';
import type { WorkerConfig } from './config.js';
import { compareJudge, type JudgeOutput } from './judge/judge-output.js';
import { missingBlobStore } from './judge/blob-store.js';
import { runTests, type ResolveBlob } from './judge/run-tests.js';
import type { InteractiveRunner } from './judge/interactive.js';
import type { LivePublisher } from './live/live-publisher.js';
import type { WorkerMetrics } from './metrics.js';
import { planCompile, planRun, type PlanContext } from './plan.js';
import type { Runtime, RuntimeIndex } from './runtimes/runtime.js';
import type { Sandbox } from './sandbox/sandbox.js';
import type { CompiledProfile, SandboxFile } from './sandbox/spec.js';
import { TimedSandbox } from './timed-sandbox.js';
import { toStageResult } from './verdict.js';

export interface ProcessorDeps {
  sandbox: Sandbox;
  runtimes: RuntimeIndex;
  /** Compiled seccomp profiles by name, loaded at start for every profile a runtime names. */
  profiles: ReadonlyMap<string, CompiledProfile>;
  config: Pick<Readonly<WorkerConfig>, 'ceilings' | 'sandbox'>;
  log: Logger;
  metrics: WorkerMetrics;
  /** Judges each test that ended OK. @defaultValue compareJudge (expected-output comparison) */
  judgeOutput?: JudgeOutput;
  /** Fetches stored test-set blobs. @defaultValue one that fails with SBX_ERR_INTERNAL (no blob store wired) */
  resolveBlob?: ResolveBlob;
  /** The live channel: state/stage/end events for every run, output and stdin for live ones. @defaultValue none (no events) */
  live?: LivePublisher;
  /** Runs interactive tests (jobs with an interactor). @defaultValue none */
  interact?: InteractiveRunner;
}

/** The function handed to `new Worker(queueName, processor, …)`. */
export type RunProcessor = (job: Job, token?: string, signal?: AbortSignal) => Promise<RunResult>;

let jobValidator: { Check(value: unknown): boolean; Errors(value: unknown): { instancePath: string; message: string }[] } | undefined;

/** Validates a payload read from the queue (exported for tests). @throws UnrecoverableError */
export function parseJob(queued: unknown): SubmissionJob {
  jobValidator ??= Compile(SubmissionJobSchema);
  const data = upgradeJobPayload(queued);
  if (jobValidator.Check(data)) return data as SubmissionJob;
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  const first = jobValidator.Errors(data)[0];
  const where = first === undefined ? '' : ` at ${first.instancePath || '/'}: ${first.message}`;
  throw new UnrecoverableError(encodeFailure('SBX_ERR_VALIDATION', `job payload (schemaVersion ${String(version)}) rejected${where}`));
}

/** Builds the processor; see the module comment for its error behaviour. */
export function createProcessor(deps: ProcessorDeps): RunProcessor {
  const plan: PlanContext = { ceilings: deps.config.ceilings, sandbox: deps.config.sandbox, profiles: deps.profiles };
  const judgeOutput = deps.judgeOutput ?? compareJudge;
  const resolveBlob = deps.resolveBlob ?? missingBlobStore;

  return async function processRun(job: Job, token?: string, signal?: AbortSignal): Promise<RunResult> {
    let payload: SubmissionJob;
    try {
      payload = parseJob(job.data);
    } catch (err) {
      deps.log.warn({ jobId: job.id, err }, 'malformed job rejected without retry');
      throw err;
    }
    const runtime = deps.runtimes.resolve(payload.language, payload.version);
    const log = deps.log.child({ runId: payload.runId, language: payload.language, attempt: job.attemptsMade + 1 });
    if (runtime === undefined) {
      log.warn({ version: payload.version }, 'language not installed on this worker');
      throw new UnrecoverableError(encodeFailure('SBX_ERR_RUNTIME_UNKNOWN', `${payload.language} is not installed on this worker`));
    }
    const queueMs = job.processedOn === undefined ? undefined : job.processedOn - job.timestamp;
    if (job.attemptsMade === 0 && queueMs !== undefined) deps.metrics.recordStageMs('queue', queueMs);
    const startedMs = performance.now();
    const sandbox = new TimedSandbox(deps.sandbox, deps.metrics);
    deps.live?.emit(payload.runId, 'state', { state: 'running' });
    try {
      const result = await execute(payload, runtime, { ...deps, sandbox, plan, judgeOutput, resolveBlob }, signal);
      const workerMs = round3(performance.now() - startedMs);
      deps.metrics.recordStageMs('total', workerMs);
      deps.metrics.recordRun(runtime.language, result.status);
      const finishedAtMs = round3(performance.timeOrigin + performance.now());
      result.timings = { ...(queueMs === undefined ? {} : { queueMs }), workerMs, sandboxMs: round3(sandbox.sandboxMs), finishedAtMs };
      log.info({ status: result.status, version: runtime.version, totalMs: workerMs, ...stageTimings(result) }, 'run finished');
      // Before the job completes: a reader that sees `end` next finds the result in the queue.
      deps.live?.emit(payload.runId, 'end', {});
      return result;
    } catch (err) {
      if (signal?.aborted === true) {
        log.warn('run aborted by shutdown; handing it back to the queue');
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const code = failureCodeOf(err);
      log.error({ err, code }, 'internal failure; the run will be retried while attempts remain');
      deps.metrics.recordInternalFailure(code);
      throw new BulkheadError(code, encodeFailure(code), { cause: err });
    }
  };
}

interface ExecuteDeps extends ProcessorDeps {
  plan: PlanContext;
  judgeOutput: JudgeOutput;
  resolveBlob: ResolveBlob;
}

async function execute(job: SubmissionJob, runtime: Runtime, deps: ExecuteDeps, signal?: AbortSignal): Promise<RunResult> {
  const base = { id: job.runId, language: runtime.language, version: runtime.version };
  const compiled = await compileStage(job, runtime, deps, signal);
  if (compiled !== undefined && compiled.result.status !== 'OK') {
    const counts = job.tests === undefined ? {} : { passed: 0, total: job.tests.length };
    return { ...base, status: 'COMPILE_ERROR', compile: compiled.result, ...counts };
  }
  const compile = compiled === undefined ? {} : { compile: compiled.result };
  if (job.tests !== undefined) {
    const onTestMs = (ms: number) => deps.metrics.recordStageMs('test', ms);
    const onCheckerMs = (ms: number) => deps.metrics.recordStageMs('checker', ms);
    const onTestStart = (test: string) => deps.live?.emit(job.runId, 'stage', { stage: 'test', test });
    const outcome = await runTests(job, runtime, compiled?.files, { ...deps, onTestMs, onCheckerMs, onTestStart }, signal);
    return { ...base, ...compile, ...outcome };
  }
  const spec = planRun(job, runtime, deps.plan, {
    stdin: Buffer.from(job.stdinBase64, 'base64'),
    ...(compiled === undefined ? {} : { compiled: compiled.files }),
  });
  deps.live?.emit(job.runId, 'stage', { stage: 'run' });
  const live = job.live === true ? deps.live?.session(job.runId, job.liveStdin === true) : undefined;
  const run = await timed(deps.metrics, 'run', () => deps.sandbox.run(spec, signal, live));
  const result = toStageResult(run);
  return { ...base, ...compile, status: result.status, ...(result.timeLimit ? { timeLimit: result.timeLimit } : {}), run: result };
}

/** Runs the compile stage when the runtime has one; a compiled output too large to carry is OUTPUT_LIMIT. */
async function compileStage(job: SubmissionJob, runtime: Runtime, deps: ExecuteDeps, signal?: AbortSignal): Promise<{ result: StageResult; files: SandboxFile[] } | undefined> {
  const spec = planCompile(job, runtime, deps.plan);
  if (spec === undefined) return undefined;
  deps.live?.emit(job.runId, 'stage', { stage: 'compile' });
  const outcome = await timed(deps.metrics, 'compile', () => deps.sandbox.run(spec, signal));
  const result = toStageResult(outcome);
  // A compiled output too large to carry, or whose collection was cut short (T74), is never OK
  // with a partial file set: the tests would run on what happened to be read.
  if (result.status === 'OK' && (outcome.collectTruncated === true || outcome.collectCut === true)) {
    return { result: { ...result, status: 'OUTPUT_LIMIT' }, files: [] };
  }
  return { result, files: outcome.collected ?? [] };
}

async function timed<T>(metrics: WorkerMetrics, stage: 'compile' | 'run', work: () => Promise<T>): Promise<T> {
  const startedMs = Date.now();
  const value = await work();
  metrics.recordStageMs(stage, Date.now() - startedMs);
  return value;
}

/** Per-stage timings for the log line (never output or source). */
function stageTimings(result: RunResult): Record<string, number> {
  const timings: Record<string, number> = {};
  if (result.compile) timings.compileWallTimeMs = result.compile.wallTimeMs;
  if (result.run) {
    timings.runWallTimeMs = result.run.wallTimeMs;
    timings.runCpuTimeMs = result.run.cpuTimeMs;
  }
  if (result.tests) timings.testsWallTimeMs = result.tests.reduce((sum, t) => sum + t.wallTimeMs, 0);
  return timings;
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
