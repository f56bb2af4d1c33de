/**
 * The TypeScript view of one isolated run: what goes in (SandboxSpec) and the raw facts that come
 * out (RawOutcome). No languages, no verdicts here: worker/verdict.ts turns facts into statuses.
 */
import type { ResolvedLimits } from '../contract/limits.js';

/** A file placed in the work directory before the program starts (or collected after it ends). */
export interface SandboxFile {
  /** Path relative to the work directory; no `..`, no leading `/` (checked before it reaches here). */
  path: string;
  content: Buffer;
  /** Permission bits; default 0o644. */
  mode?: number;
}

/**
 * Every limit the kernel enforces for one run. All fields required: the caller resolves defaults.
 * The per-stage limits of the record (worker/contract/limits.ts) are enforced by the native core:
 * `cpuTimeMs` by polling the cgroup's cpu time (RLIMIT_CPU as a backstop), `wallTimeMs` from exec,
 * `memoryBytes` as the cgroup memory limit (swap counted: memsw on v1, swap.max=0 on v2), `pids` as
 * pids.max, `outputBytes` per stream (one more byte kills the run, killedBy 'output'), `stackBytes`
 * as RLIMIT_STACK of every process. The fixed limits below are the same for every stage.
 */
export interface SandboxLimits extends ResolvedLimits, SandboxFixedLimits {}

/** The limits a client never sets (worker/config.ts `sandbox`). */
export interface SandboxFixedLimits {
  /** RLIMIT_FSIZE, bytes. */
  fileSizeBytes: number;
  /** RLIMIT_NOFILE. */
  openFiles: number;
  /** Size of the tmpfs behind the work directory and /tmp (charged to the run's memory too), bytes. */
  tmpfsBytes: number;
  /** cpu quota in cores (cfs quota/period), e.g. 1 = one full core. */
  cpuCores: number;
}

/** A seccomp policy compiled once (by Sandbox.compileProfile) and reused by every run. Opaque. */
export interface CompiledProfile {
  readonly name: string;
  /** The exported classic BPF program (struct sock_filter array). */
  readonly bpf: Buffer;
}

/** Seccomp action names, as in the OCI/Docker profile format. */
export type SeccompAction = 'SCMP_ACT_ALLOW' | 'SCMP_ACT_ERRNO' | 'SCMP_ACT_KILL_PROCESS' | 'SCMP_ACT_KILL_THREAD' | 'SCMP_ACT_KILL' | 'SCMP_ACT_TRAP' | 'SCMP_ACT_LOG';

export type SeccompOp = 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';

export interface SeccompArgRule {
  index: number;
  /** Compared value; a bigint-safe decimal string is accepted for 64-bit values. */
  value: number | string;
  valueTwo?: number | string;
  op: SeccompOp;
}

export interface SeccompRule {
  names: string[];
  action: SeccompAction;
  /** errno returned with SCMP_ACT_ERRNO. */
  errnoRet?: number;
  args?: SeccompArgRule[];
}

/**
 * A profile after schema validation (worker/sandbox/profile.ts), ready for the native compiler.
 * Only the native architecture is allowed; every other ABI (i386 via int 0x80, x32) hits the
 * bad-arch action, which kills the process.
 */
export interface ProfileRules {
  name: string;
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  syscalls: SeccompRule[];
}

/** Everything one run needs. */
export interface SandboxSpec {
  /** Absolute host paths of read-only rootfs layers, lowest (base) first. */
  layers: string[];
  /** Files written into the work directory, owned by the sandbox user. */
  files: SandboxFile[];
  /** Files written into the work directory owned by the container's root and not writable by the program (compiled output). */
  readOnlyFiles?: SandboxFile[];
  /** argv[0] is resolved against PATH in `env` inside the container. */
  argv: string[];
  /** The complete environment, `KEY=VALUE`; nothing of the worker's leaks in. */
  env: string[];
  /** Working directory inside the container; default the work directory `/box`. */
  cwd?: string;
  stdin: Buffer;
  limits: SandboxLimits;
  profile: CompiledProfile;
  hostname: string;
  /**
   * After the program ends, copy regular files (recursively, never following links) from the work
   * directory back out, bounded by count and total size. Used to carry compiled output to the tests.
   */
  collect?: {
    maxFiles: number;
    maxTotalBytes: number;
    /** How long collecting may take once the program exited; a collection that runs past it is cut (T74). @defaultValue 5000 */
    budgetMs?: number;
  };
  /** Point the program's stderr at its stdout pipe: one stream in write order; stderr stays empty. */
  mergeStderr?: boolean;
}

/** Raw facts about how a run ended. No verdicts. */
export interface RawOutcome {
  /** Exit code when the program exited normally, else null. */
  exitCode: number | null;
  /** Terminating signal number, else null. */
  signal: number | null;
  /** Which limit made the sandbox kill the run, if any. */
  killedBy: 'cpu' | 'wall' | 'output' | null;
  /** The cgroup's oom_kill counter rose during the run. */
  oomKilled: boolean;
  /**
   * The cgroup's peak memory reached the run's memory limit: from then on the kernel kept the run
   * inside it by reclaim, or by the OOM killer when nothing was left to reclaim.
   */
  memoryLimitReached: boolean;
  /** The program died of SIGSYS from the seccomp filter. */
  seccompViolation: boolean;
  /** CPU time user+sys of the whole tree from the cgroup, nanoseconds. */
  cpuTimeNs: number;
  /** Wall time from exec to the last process gone, nanoseconds. */
  wallTimeNs: number;
  /**
   * Where the call's time went, nanoseconds, adding up to the whole call: setup (request →
   * the program's exec), program (exec → its exit), teardown (exit → outcome ready).
   */
  timing?: { setupNs: number; programNs: number; teardownNs: number };
  /** Peak memory of the run's cgroup, bytes. */
  memoryPeakBytes: number;
  stdout: Buffer;
  stderr: Buffer;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** Collected files when `spec.collect` was set; truncated collection sets `collectTruncated`. */
  collected?: SandboxFile[];
  collectTruncated?: boolean;
  /** The collection did not finish (its budget ran out or pid 1 died): `collected` is partial (T74). */
  collectCut?: boolean;
}
