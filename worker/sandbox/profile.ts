/**
 * Loads seccomp profiles (profiles/*.json, OCI/Docker seccomp format) and validates them into
 * `ProfileRules` for the native compiler. Runs once at worker start: a profile that fails here
 * stops the worker (STYLE "Policy is data"), so the checks below also catch what libseccomp
 * would refuse later (a rule whose action equals the default, two comparisons on one argument),
 * turning a late compile failure into an early error that names the file.
 *
 * Imports: typebox, node:fs/path, worker/contract, ./spec. Nothing from native/.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { BulkheadError } from '../contract/errors.js';
import type { ProfileRules, SeccompAction, SeccompOp, SeccompRule } from './spec.js';

const ACTIONS = [
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_KILL',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_LOG',
] as const satisfies readonly SeccompAction[];

const OPS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'] as const satisfies readonly SeccompOp[];

/** Largest value a syscall argument register holds (64-bit). */
const U64_MAX = (1n << 64n) - 1n;

const ActionSchema = Type.Union(ACTIONS.map((a) => Type.Literal(a)));
const OpSchema = Type.Union(OPS.map((o) => Type.Literal(o)));

/** An argument value: a non-negative safe integer, or a decimal string for values above 2^53. */
const ArgValueSchema = Type.Union([Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), Type.String({ pattern: '^(0|[1-9][0-9]{0,19})$' })]);

/** errno values the kernel can carry in SECCOMP_RET_DATA for ERRNO (1..4095). */
const ErrnoSchema = Type.Integer({ minimum: 1, maximum: 4095 });

/** One argument comparison. For MASKED_EQ, `value` is the mask and `valueTwo` the expected result. */
export const SeccompArgRuleSchema = Type.Object(
  {
    index: Type.Integer({ minimum: 0, maximum: 5 }),
    value: ArgValueSchema,
    valueTwo: Type.Optional(ArgValueSchema),
    op: OpSchema,
  },
  { additionalProperties: false },
);

/** One rule group; `comment` names the group that profiles/README.md explains (JSON has no comments). */
export const SeccompRuleSchema = Type.Object(
  {
    comment: Type.Optional(Type.String({ maxLength: 200 })),
    // Lowercase syscall-like identifiers only: a typo such as "Read" or "open at" is an error,
    // never a silently skipped rule.
    names: Type.Array(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,63}$' }), { minItems: 1 }),
    action: ActionSchema,
    errnoRet: Type.Optional(ErrnoSchema),
    args: Type.Optional(Type.Array(SeccompArgRuleSchema, { maxItems: 6 })),
  },
  { additionalProperties: false },
);

/**
 * The file format: a subset of the OCI runtime-spec `LinuxSeccomp` object. Unknown fields are
 * refused, so a Docker-only feature (`includes`, `archMap`, `flags`) cannot be assumed to apply.
 */
export const ProfileFileSchema = Type.Object(
  {
    defaultAction: ActionSchema,
    defaultErrnoRet: Type.Optional(ErrnoSchema),
    // Only the native ABI: i386 (int 0x80) and x32 calls must hit the bad-arch action, never a rule.
    architectures: Type.Optional(Type.Tuple([Type.Literal('SCMP_ARCH_X86_64')])),
    syscalls: Type.Array(SeccompRuleSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);
/** A profile file as written on disk, after schema validation. */
export type ProfileFile = Static<typeof ProfileFileSchema>;

const profileFileValidator = Compile(ProfileFileSchema);

/** Profile names as manifests use them ("default", "runtime"); also keeps them inside `dir`. */
const PROFILE_NAME = /^[a-z][a-z0-9-]{0,63}$/;

function invalid(file: string, problem: string, cause?: unknown): BulkheadError {
  return new BulkheadError('SBX_ERR_PROFILE_INVALID', `seccomp profile ${file}: ${problem}`, {
    cause,
    details: { file, problem },
  });
}

/** Action plus errno, as libseccomp compares actions (ERRNO(1) and ERRNO(38) differ). */
function actionKey(action: SeccompAction, errno: number | undefined): string {
  return action === 'SCMP_ACT_ERRNO' ? `${action}(${errno ?? 1})` : action;
}

/** Checks a rule beyond the schema; returns the problem or null. */
function ruleProblem(rule: ProfileFile['syscalls'][number], i: number, defaultKey: string): string | null {
  const where = `syscalls[${i}]${rule.comment === undefined ? '' : ` (${rule.comment})`}`;
  if (rule.errnoRet !== undefined && rule.action !== 'SCMP_ACT_ERRNO') {
    return `${where}: errnoRet is only meaningful with SCMP_ACT_ERRNO`;
  }
  // libseccomp refuses a rule whose action equals the default action (EACCES at compile time).
  if (actionKey(rule.action, rule.errnoRet) === defaultKey) {
    return `${where}: action ${actionKey(rule.action, rule.errnoRet)} equals the default action`;
  }
  if (new Set(rule.names).size !== rule.names.length) return `${where}: a syscall name is repeated`;
  const indexes = (rule.args ?? []).map((a) => a.index);
  // libseccomp cannot AND two comparisons on the same argument within one rule.
  if (new Set(indexes).size !== indexes.length) return `${where}: two comparisons on the same argument`;
  for (const arg of rule.args ?? []) {
    for (const v of [arg.value, arg.valueTwo]) {
      if (typeof v === 'string' && BigInt(v) > U64_MAX) return `${where}: argument value ${v} exceeds 64 bits`;
    }
  }
  return null;
}

/**
 * A name with an unconditional rule must have no other rule: libseccomp would merge them in an
 * order-dependent way, and an unconditional ALLOW would silently void a conditional one.
 */
function overlapProblem(rules: ProfileFile['syscalls']): string | null {
  const unconditional = new Set<string>();
  const seen = new Map<string, number>();
  for (const rule of rules) {
    for (const name of rule.names) {
      seen.set(name, (seen.get(name) ?? 0) + 1);
      if ((rule.args ?? []).length === 0) unconditional.add(name);
    }
  }
  for (const name of unconditional) {
    if ((seen.get(name) ?? 0) > 1) return `syscall ${name} has an unconditional rule and other rules`;
  }
  return null;
}

function toRules(name: string, file: ProfileFile): ProfileRules {
  const syscalls: SeccompRule[] = file.syscalls.map((r) => {
    const rule: SeccompRule = { names: [...r.names], action: r.action };
    if (r.errnoRet !== undefined) rule.errnoRet = r.errnoRet;
    if (r.args !== undefined) rule.args = r.args.map((a) => ({ ...a }));
    return rule;
  });
  const rules: ProfileRules = { name, defaultAction: file.defaultAction, syscalls };
  if (file.defaultErrnoRet !== undefined) rules.defaultErrnoRet = file.defaultErrnoRet;
  return rules;
}

/**
 * Parses and validates one profile file.
 *
 * @param path - path of a `.json` profile; its base name without `.json` becomes `ProfileRules.name`.
 * @returns the validated rules (a fresh object; the caller may freeze it).
 * @throws BulkheadError `SBX_ERR_PROFILE_INVALID` naming the file and the problem (unreadable file,
 *   bad JSON, schema mismatch, or a rule libseccomp would refuse).
 */
export function loadProfile(path: string): ProfileRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw invalid(path, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw invalid(path, `not valid JSON (${(err as Error).message})`, err);
  }
  if (!profileFileValidator.Check(json)) {
    const first = profileFileValidator.Errors(json).slice(0, 3);
    const detail = first.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    throw invalid(path, `does not match the profile schema: ${detail}`);
  }
  const file = json;
  if (file.defaultErrnoRet !== undefined && file.defaultAction !== 'SCMP_ACT_ERRNO') {
    throw invalid(path, 'defaultErrnoRet is only meaningful with defaultAction SCMP_ACT_ERRNO');
  }
  const defaultKey = actionKey(file.defaultAction, file.defaultErrnoRet);
  for (const [i, rule] of file.syscalls.entries()) {
    const problem = ruleProblem(rule, i, defaultKey);
    if (problem !== null) throw invalid(path, problem);
  }
  const overlap = overlapProblem(file.syscalls);
  if (overlap !== null) throw invalid(path, overlap);
  return toRules(basename(path).replace(/\.json$/, ''), file);
}

/**
 * Loads the named profiles from `dir` (`<dir>/<name>.json` each), for the worker's start-up.
 *
 * @param dir - the profiles folder (normally `profiles/` at the repository root).
 * @param names - profile names as manifests refer to them, e.g. `['default', 'runtime']`.
 * @returns a map from name to validated rules, in the order given.
 * @throws BulkheadError `SBX_ERR_PROFILE_INVALID` for a malformed name or the first bad profile.
 */
export function loadProfiles(dir: string, names: string[]): Map<string, ProfileRules> {
  const profiles = new Map<string, ProfileRules>();
  for (const name of names) {
    // The name comes from manifests: refuse anything that could leave `dir` ("../x", "a/b").
    if (!PROFILE_NAME.test(name)) throw invalid(join(dir, `${name}.json`), `profile name "${name}" is not allowed`);
    if (!profiles.has(name)) profiles.set(name, loadProfile(join(dir, `${name}.json`)));
  }
  return profiles;
}

/** Lock, lease and notify calls that act on an inode every holder of it shares (T66). */
const SHARED_INODE_CALLS = new Set(['flock', 'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch', 'fanotify_init', 'fanotify_mark']);

/**
 * fcntl commands of the same channels: F_GETLK 5, F_SETLK 6, F_SETLKW 7, F_OFD_GETLK 36,
 * F_OFD_SETLK 37, F_OFD_SETLKW 38, F_SETLEASE 1024, F_GETLEASE 1025, F_NOTIFY 1026.
 */
const SHARED_INODE_FCNTL = new Set([5, 6, 7, 36, 37, 38, 1024, 1025, 1026]);

function isSharedInodeFcntl(rule: SeccompRule): boolean {
  const cmd = rule.args?.find((a) => a.index === 1 && a.op === 'SCMP_CMP_EQ');
  return rule.names.includes('fcntl') && cmd !== undefined && SHARED_INODE_FCNTL.has(Number(cmd.value));
}

/**
 * The profile a rootless worker's runs get (T66): without locks (flock, fcntl record and OFD
 * locks, leases), dnotify and inotify/fanotify, which then fall to the default action (ENOSYS).
 * Why: a rootless worker cannot mknod, so /dev/null and the other nodes of a run are bind mounts
 * of the host's own inodes; a lock or a watch on them is seen by the host and by every other run,
 * a channel between runs that share nothing else. A privileged worker makes fresh nodes per run
 * and keeps the full profile, because SQLite, pip and Go's build cache lock their own files.
 * ENOSYS rather than EPERM: Go's lockedfile treats it as "locking not supported" and goes on.
 *
 * @param rules - a validated profile (not changed).
 * @returns a fresh profile with the same name and every rule of those calls removed.
 */
export function withoutSharedInodeChannels(rules: ProfileRules): ProfileRules {
  const syscalls = rules.syscalls
    .filter((r) => !isSharedInodeFcntl(r))
    .map((r) => ({ ...r, names: r.names.filter((n) => !SHARED_INODE_CALLS.has(n)) }))
    .filter((r) => r.names.length > 0);
  return { ...rules, syscalls };
}
