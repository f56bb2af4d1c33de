/**
 * The checker-backed JudgeOutput: a custom checker program (its own language and source) judges
 * each test whose program ended OK.
 *
 * Per test the checker runs in its own fresh sandbox (never the contestant's): the work directory
 * holds the checker's program and three read-only files, `input` (the test's stdin), `output`
 * (the contestant's stdout) and `expected` (the expected output, empty when the test has none);
 * argv is the checker runtime's run argv + `input output expected` (testlib order: input, output,
 * answer). It runs with the checker runtime's own seccomp profile and the fixed limits from
 * configuration (`SBX_CHECKER_*`), lowered to the runtime's maximum and the worker's ceilings.
 * What its exit code, score line and message mean is in ./checker-output.ts.
 *
 * A compiled checker is compiled once and cached by content (language, version, files), so every
 * test of a job, and every job of a batch that shares the checker, reuses the same build. A
 * compile that fails is a checker failure (cached too: it is deterministic); a compile that throws
 * (our fault) is not cached and the run is retried.
 *
 * Jobs without a checker fall back to the expected-output comparison.
 */
import { createHash } from 'node:crypto';
import type { JobChecker } from '../contract/job.js';
import type { ResolvedLimits } from '../contract/limits.js';
import { planCompileFiles, profileFor, SANDBOX_HOSTNAME, stageLimits, type PlanContext } from '../plan.js';
import { fillArgv, type Runtime, type RuntimeIndex } from '../runtimes/runtime.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { SandboxFile, SandboxSpec } from '../sandbox/spec.js';
import { toStageResult } from '../verdict.js';
import { checkerFailure, decideFromChecker } from './checker-output.js';
import { compareJudge, type JudgeDecision, type JudgeInput, type JudgeOutput } from './judge-output.js';

/** File names the checker finds in its work directory; a checker's own files may not use them. */
export const CHECKER_INPUT_FILES = ['input', 'output', 'expected'] as const;

/** Compiled checkers kept per worker process. @defaultValue 16 */
export const CHECKER_CACHE_ENTRIES = 16;

/** Longest part of a checker's compiler output quoted in the message, bytes. */
const COMPILE_DETAIL_BYTES = 512;

export interface CheckerJudgeDeps {
  sandbox: Sandbox;
  runtimes: RuntimeIndex;
  plan: PlanContext;
  /** Limits of each checker run (before lowering to the runtime maximum and the ceilings). */
  limits: Readonly<ResolvedLimits>;
  /** Judge for jobs without a checker. @defaultValue compareJudge */
  fallback?: JudgeOutput;
}

/** A checker ready to run, or the reason it cannot. */
export type PreparedChecker = { runtime: Runtime; files: SandboxFile[] } | { failure: JudgeDecision };

/**
 * Prepares checker programs (interactors too): runtime resolved, compiled when needed, cached by
 * content (see the module comment). A prepare that throws (our fault) is dropped from the cache.
 */
export function createCheckerPreparer(deps: CheckerJudgeDeps): (checker: JobChecker) => Promise<PreparedChecker> {
  const cache = new Map<string, Promise<PreparedChecker>>();
  return (checker) => {
    const key = checkerKey(checker);
    let prepared = cache.get(key);
    if (prepared === undefined) {
      prepared = prepareChecker(checker, deps);
      cache.set(key, prepared);
      prepared.catch(() => cache.delete(key));
      if (cache.size > CHECKER_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
    }
    return prepared;
  };
}

/** Builds the checker-backed judge (see the module comment). */
export function createCheckerJudge(deps: CheckerJudgeDeps): JudgeOutput {
  const fallback = deps.fallback ?? compareJudge;
  const prepare = createCheckerPreparer(deps);
  return async (input: JudgeInput, outcome) => {
    if (input.checker === undefined) return fallback(input, outcome);
    const prepared = await prepare(input.checker);
    if ('failure' in prepared) return prepared.failure;
    const spec = planCheckerRun(prepared.runtime, prepared.files, checkerInputs(input, outcome.stdout), deps);
    const run = await deps.sandbox.run(spec, input.signal);
    const stage = toStageResult(run);
    return decideFromChecker({ ...stage, stdout: run.stdout, stderr: run.stderr });
  };
}

/** Content key of a checker: language, version and every file, hashed. */
function checkerKey(checker: JobChecker): string {
  const hash = createHash('sha256').update(`${checker.language}\0${checker.version ?? ''}\0`);
  for (const file of checker.files) hash.update(`${file.name}\0${file.contentBase64}\0`);
  return hash.digest('hex');
}

/** Resolves the checker's runtime and compiles it when the language has a compile stage. */
async function prepareChecker(checker: JobChecker, deps: CheckerJudgeDeps): Promise<PreparedChecker> {
  const runtime = deps.runtimes.resolve(checker.language, checker.version);
  if (runtime === undefined) return { failure: checkerFailure(`language ${checker.language} is not installed`) };
  const source = checker.files
    .filter((f) => !(CHECKER_INPUT_FILES as readonly string[]).includes(f.name))
    .map((f) => ({ path: f.name, content: Buffer.from(f.contentBase64, 'base64') }));
  const compile = planCompileFiles(source, runtime, deps.plan);
  if (compile === undefined) return { runtime, files: source };
  const outcome = await deps.sandbox.run(compile);
  const stage = toStageResult(outcome);
  if (stage.status !== 'OK' || outcome.collectTruncated === true || outcome.collectCut === true) {
    const detail = Buffer.concat([outcome.stderr, outcome.stdout]).subarray(0, COMPILE_DETAIL_BYTES).toString('utf8');
    return { failure: checkerFailure(`COMPILE_ERROR (${stage.status})`, detail) };
  }
  const own = (outcome.collected ?? []).filter((f) => !(CHECKER_INPUT_FILES as readonly string[]).includes(f.path));
  return { runtime, files: own };
}

function checkerInputs(input: JudgeInput, output: Buffer): SandboxFile[] {
  return [
    { path: 'input', content: input.stdin },
    { path: 'output', content: output },
    { path: 'expected', content: input.expected ?? Buffer.alloc(0) },
  ];
}

/** One checker run: its program and its inputs read-only (named in argv, in `inputs` order), in a fresh container. */
export function planCheckerRun(runtime: Runtime, program: readonly SandboxFile[], inputs: readonly SandboxFile[], deps: CheckerJudgeDeps): SandboxSpec {
  const limits = stageLimits({ ...deps.limits }, runtime.limits.max, deps.plan);
  return {
    layers: [...runtime.layers],
    files: [],
    // Read-only: a checker judges, it never changes the evidence (or its own program between tests).
    readOnlyFiles: [...program, ...inputs],
    argv: [...fillArgv(runtime.run.argv, limits), ...inputs.map((f) => f.path)],
    env: [...runtime.env],
    stdin: Buffer.alloc(0),
    limits,
    profile: profileFor(runtime.profile, deps.plan),
    hostname: SANDBOX_HOSTNAME,
  };
}
