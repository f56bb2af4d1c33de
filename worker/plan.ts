/**
 * Request + runtime manifest → sandbox specs, one per stage (pure; no I/O).
 *
 * Limits resolve in one order, each step only able to lower a value:
 * the runtime's maximum (manifest) ≥ the job's value (already resolved by the API) ≥ the worker's
 * hard ceiling (WorkerConfig). The compile stage uses the manifest's compile limits, also capped.
 */
import { BulkheadError } from './contract/errors.js';
import type { SubmissionJob } from './contract/job.js';
import { minLimits, type ResolvedLimits } from './contract/limits.js';
import { compileArgv, fillArgv, type Runtime } from './runtimes/runtime.js';
import type { CompiledProfile, SandboxFile, SandboxLimits, SandboxSpec } from './sandbox/spec.js';
import type { WorkerConfig } from './config.js';

/** The hostname every program sees. */
export const SANDBOX_HOSTNAME = 'bulkhead';

/** What planning needs besides the job and the runtime. */
export interface PlanContext {
  ceilings: Readonly<ResolvedLimits>;
  sandbox: Readonly<WorkerConfig['sandbox']>;
  profiles: ReadonlyMap<string, CompiledProfile>;
}

/** Inputs of one run stage (the plain run, or one test). */
export interface RunInput {
  stdin: Buffer;
  /** Per-test limits; the job's limits when absent. */
  limits?: ResolvedLimits;
  /** The compile stage's collected work directory, mounted read-only; absent for interpreted languages. */
  compiled?: readonly SandboxFile[];
}

/** Decodes the job's files (base64 on the queue) into sandbox files. */
export function jobFiles(job: SubmissionJob): SandboxFile[] {
  return job.files.map((f) => ({ path: f.name, content: Buffer.from(f.contentBase64, 'base64') }));
}

/** Lowers `requested` to the runtime maximum and the hard ceiling, and adds the fixed extras. */
export function stageLimits(requested: ResolvedLimits, runtimeMax: ResolvedLimits, ctx: PlanContext): SandboxLimits {
  const capped = minLimits(minLimits(requested, runtimeMax), ctx.ceilings);
  const { fileSizeBytes, openFiles, tmpfsBytes, cpuCores } = ctx.sandbox;
  return { ...capped, fileSizeBytes, openFiles, tmpfsBytes, cpuCores };
}

/** The compile stage's spec, or undefined for an interpreted language. */
export function planCompile(job: SubmissionJob, runtime: Runtime, ctx: PlanContext): SandboxSpec | undefined {
  return planCompileFiles(jobFiles(job), runtime, ctx, job.compileFlags);
}

/** The compile stage's spec for `files` (a job's or a checker's), or undefined for an interpreted language. */
export function planCompileFiles(files: SandboxFile[], runtime: Runtime, ctx: PlanContext, flags?: readonly string[]): SandboxSpec | undefined {
  if (runtime.compile === undefined) return undefined;
  return {
    layers: [...runtime.layers],
    files,
    argv: compileArgv(runtime.compile, flags),
    env: [...runtime.env],
    stdin: Buffer.alloc(0),
    limits: stageLimits(runtime.compileLimits, runtime.compileLimits, ctx),
    profile: profileFor(runtime.compileProfile, ctx),
    hostname: SANDBOX_HOSTNAME,
    collect: { maxFiles: ctx.sandbox.collectMaxFiles, maxTotalBytes: ctx.sandbox.collectMaxBytes },
  };
}

/** The spec of one run stage (the plain run or one test), always for a fresh container. */
export function planRun(job: SubmissionJob, runtime: Runtime, ctx: PlanContext, input: RunInput): SandboxSpec {
  const compiled = input.compiled;
  const limits = stageLimits(input.limits ?? job.limits, runtime.limits.max, ctx);
  return {
    layers: [...runtime.layers],
    files: compiled === undefined ? jobFiles(job) : [],
    ...(compiled === undefined ? {} : { readOnlyFiles: [...compiled] }),
    argv: [...fillArgv(runtime.run.argv, limits), ...job.args],
    env: [...runtime.env],
    stdin: input.stdin,
    limits,
    profile: profileFor(runtime.profile, ctx),
    hostname: SANDBOX_HOSTNAME,
    ...(job.mergeStderr === true ? { mergeStderr: true } : {}),
  };
}

/** The loaded profile `name`. @throws BulkheadError SBX_ERR_PROFILE_INVALID when this worker did not load it */
export function profileFor(name: string, ctx: PlanContext): CompiledProfile {
  const profile = ctx.profiles.get(name);
  if (profile === undefined) {
    throw new BulkheadError('SBX_ERR_PROFILE_INVALID', `Seccomp profile "${name}" is not loaded on this worker`);
  }
  return profile;
}
