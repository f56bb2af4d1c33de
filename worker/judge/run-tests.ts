/**
 * Runs a job's test cases: each test in its own fresh sandbox run (containers are never reused),
 * with the compiled output mounted read-only, judged in order.
 */
import { BulkheadError } from '../contract/errors.js';
import type { JobTest, SubmissionJob } from '../contract/job.js';
import type { Status, TestResult } from '../contract/result.js';
import { planRun, type PlanContext } from '../plan.js';
import type { Runtime } from '../runtimes/runtime.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { SandboxFile } from '../sandbox/spec.js';
import { toStageResult } from '../verdict.js';
import type { InteractiveRunner } from './interactive.js';
import type { JudgeOutput } from './judge-output.js';

/** Fetches a stored blob (test set input or expected output) by its content address. */
export type ResolveBlob = (ref: string) => Promise<Buffer>;

export interface RunTestsDeps {
  sandbox: Sandbox;
  plan: PlanContext;
  judgeOutput: JudgeOutput;
  resolveBlob: ResolveBlob;
  /** Called after each test with its duration, ms. */
  onTestMs?: (durationMs: number) => void;
  /** Called after each checker judgement (a test with `job.checker` that ran OK) with its duration, ms. */
  onCheckerMs?: (durationMs: number) => void;
  /** Called as each test starts, with its id (the live channel's `stage` event). */
  onTestStart?: (testId: string) => void;
  /** Runs the tests of a job with an interactor. @defaultValue none (such a job fails with SBX_ERR_INTERNAL) */
  interact?: InteractiveRunner;
}

/** Results of the tests that ran, in order, and the summary. */
export interface TestsOutcome {
  tests: TestResult[];
  status: Status;
  timeLimit?: 'cpu' | 'wall';
  passed: number;
  total: number;
}

/** Runs every test (or until the first failure with `stopOnFirstFailure`). */
export async function runTests(
  job: SubmissionJob,
  runtime: Runtime,
  compiled: readonly SandboxFile[] | undefined,
  deps: RunTestsDeps,
  signal?: AbortSignal,
): Promise<TestsOutcome> {
  const cases = job.tests ?? [];
  const tests: TestResult[] = [];
  const perJob = { ...deps, resolveBlob: cachedResolver(deps.resolveBlob) };
  for (const test of cases) {
    const result = await runOne(job, runtime, test, compiled, perJob, signal);
    tests.push(result);
    if (result.status !== 'OK' && job.stopOnFirstFailure === true) break;
  }
  const firstFailure = tests.find((t) => t.status !== 'OK');
  return {
    tests,
    status: firstFailure?.status ?? 'OK',
    ...(firstFailure?.timeLimit === undefined ? {} : { timeLimit: firstFailure.timeLimit }),
    passed: tests.filter((t) => t.status === 'OK').length,
    total: cases.length,
  };
}

async function runOne(
  job: SubmissionJob,
  runtime: Runtime,
  test: JobTest,
  compiled: readonly SandboxFile[] | undefined,
  deps: RunTestsDeps,
  signal?: AbortSignal,
): Promise<TestResult> {
  const stdin = (await inputOf(test.stdinBase64, test.stdinRef, deps.resolveBlob)) ?? Buffer.alloc(0);
  const spec = planRun(job, runtime, deps.plan, { stdin, ...(test.limits ? { limits: test.limits } : {}), ...(compiled ? { compiled } : {}) });
  const startedMs = Date.now();
  deps.onTestStart?.(test.id);
  if (job.interactor !== undefined) {
    if (deps.interact === undefined) throw new BulkheadError('SBX_ERR_INTERNAL', 'No interactive runner is wired on this worker');
    const expected = await inputOf(test.expectedBase64, test.expectedRef, deps.resolveBlob);
    const result = await deps.interact({ job, test, programSpec: spec, sandbox: deps.sandbox, input: stdin, expected, ...(signal === undefined ? {} : { signal }) });
    deps.onTestMs?.(Date.now() - startedMs);
    return result;
  }
  const outcome = await deps.sandbox.run(spec, signal);
  deps.onTestMs?.(Date.now() - startedMs);
  const stage = toStageResult(outcome);
  if (stage.status !== 'OK') return { id: test.id, ...stage };
  const expected = await inputOf(test.expectedBase64, test.expectedRef, deps.resolveBlob);
  const judgedAtMs = Date.now();
  const decision = await deps.judgeOutput({ testId: test.id, expected, stdin, compare: job.compare, checker: job.checker, ...(signal === undefined ? {} : { signal }) }, outcome);
  if (job.checker !== undefined) deps.onCheckerMs?.(Date.now() - judgedAtMs);
  return {
    id: test.id,
    ...stage,
    status: decision.status,
    ...(decision.score === undefined ? {} : { score: decision.score }),
    ...(decision.checkerMessage === undefined ? {} : { checkerMessage: decision.checkerMessage }),
    ...(decision.checkerFailed === true ? { checkerFailed: true } : {}),
  };
}

async function inputOf(inline: string | undefined, ref: string | undefined, resolveBlob: ResolveBlob): Promise<Buffer | undefined> {
  if (inline !== undefined) return Buffer.from(inline, 'base64');
  if (ref !== undefined) return resolveBlob(ref);
  return undefined;
}

/**
 * One job's view of the blob store: each blob fetched once (tests of a set often share an input
 * or an expected output), kept only for the job's lifetime.
 */
function cachedResolver(resolveBlob: ResolveBlob): ResolveBlob {
  const seen = new Map<string, Promise<Buffer>>();
  return (ref) => {
    let blob = seen.get(ref);
    if (blob === undefined) {
      blob = resolveBlob(ref);
      seen.set(ref, blob);
    }
    return blob;
  };
}
