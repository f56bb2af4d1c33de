import { BulkheadError } from '../contract/errors.js';
import type { ResolvedLimits } from '../contract/limits.js';

/**
 * One installed language runtime: a recipe's manifest joined with its built image.
 * Produced by worker/runtimes/runtime-index.ts from images/<language>/manifest.json and the built layers in the
 * data directory; consumed by the planner (worker/plan.ts) and reported by GET /languages.
 */
export interface Runtime {
  /** Stable name clients hard-code: `c`, `cpp`, `python`, … */
  language: string;
  /** The real version, read from the built image (not typed by hand). */
  version: string;
  /** The image (manifest directory) it comes from: `python`, `python-trixie`. */
  image: string;
  /** The version a request without `version` gets (worker/contract/versions.ts). */
  default?: boolean;
  aliases: string[];
  /** The main source file name (`main.c`, `Main.java`, …). */
  sourceFile: string;
  /** Absolute host paths of the image's read-only layers, base first. */
  layers: string[];
  /**
   * Present for compiled languages: argv run in the work directory. A `{flags}` element takes the
   * job's compile flags, each of which must be in `flags` (the allow-list).
   */
  compile?: { argv: string[]; flags?: string[] };
  /** argv of the program (may hold RUN_ARGV_PLACEHOLDERS); the request's `args` are appended. */
  run: { argv: string[] };
  /** Complete environment inside the sandbox (`KEY=VALUE`). */
  env: string[];
  /** Seccomp profile name (profiles/<name>.json) for the run stage. */
  profile: string;
  /** Seccomp profile name for the compile stage (compilers may need more). */
  compileProfile: string;
  /** Limits when the request names none, and the most it may ask for. */
  limits: { default: ResolvedLimits; max: ResolvedLimits };
  /** Limits of the compile stage (not client-settable). */
  compileLimits: ResolvedLimits;
}

/**
 * Placeholders a manifest's run argv may hold, filled by the planner from each stage's own
 * limits: a runtime that cannot see its cgroup (the JVM: there is no /sys inside) sizes itself
 * from them instead of from the host. `{memoryMiB}`: the memory limit; `{heapMiB}`: three
 * quarters of it (at least 16): a managed heap, the rest left for the runtime's own memory.
 * Only the manifest's argv is filled, never the request's `args` (a client cannot inject one).
 */
export const RUN_ARGV_PLACEHOLDERS: readonly string[] = ['{memoryMiB}', '{heapMiB}'];

/** Why a run argv is not valid (a `{…}` that is not one of RUN_ARGV_PLACEHOLDERS), or undefined. */
export function argvPlaceholderProblem(argv: readonly string[]): string | undefined {
  const unknown = argv.flatMap((arg) => arg.match(/\{[^}]*\}/g) ?? []).find((p) => !RUN_ARGV_PLACEHOLDERS.includes(p));
  return unknown === undefined ? undefined : `unknown placeholder ${unknown} in run.argv`;
}

/** A run argv with RUN_ARGV_PLACEHOLDERS filled from the stage's memory limit. */
export function fillArgv(argv: readonly string[], limits: { memoryBytes: number }): string[] {
  const memoryMiB = Math.floor(limits.memoryBytes / (1024 * 1024));
  const heapMiB = Math.max(16, Math.floor((memoryMiB * 3) / 4));
  return argv.map((arg) => arg.replaceAll('{memoryMiB}', String(memoryMiB)).replaceAll('{heapMiB}', String(heapMiB)));
}

/** The compile argv element replaced by the job's compile flags (removed when there are none). */
export const COMPILE_FLAGS_PLACEHOLDER = '{flags}';

/**
 * The compile argv with `flags` in the `{flags}` slot. The API checked them already; they are
 * checked again here because they reach a compiler's argv, and a job in Redis is not proof that
 * the API wrote it (a flag outside the allow-list could load a plugin or run a wrapper).
 */
export function compileArgv(compile: NonNullable<Runtime['compile']>, flags: readonly string[] = []): string[] {
  const bad = flags.find((f) => !(compile.flags ?? []).includes(f));
  if (bad !== undefined) throw new BulkheadError('SBX_ERR_COMPILE_FLAGS', `Compile flag "${bad}" is not on the runtime's allow-list`);
  return compile.argv.flatMap((arg) => (arg === COMPILE_FLAGS_PLACEHOLDER ? [...flags] : [arg]));
}

/** Lookup over the runtimes actually present. */
export interface RuntimeIndex {
  list(): readonly Runtime[];
  /** By canonical name or alias, case-insensitive; version as in worker/contract/versions.ts. */
  resolve(nameOrAlias: string, version?: string): Runtime | undefined;
}
