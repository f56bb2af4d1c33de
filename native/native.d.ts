/**
 * The raw surface of the `sbx` addon (native/src/binding), fully typed. Only native/index.ts
 * loads it and only worker/sandbox/native-sandbox.ts uses it. Units are in every name.
 */
import type { ResolvedLimits } from '../worker/contract/limits.js';

/**
 * Limits of one run as the C core takes them (native/include/sbx.h SBX_LIMIT_FIELDS, the same
 * names): the contract's per-stage limits (`pids` counts the program's tree; the run's pid 1 is
 * added on top) and the fixed ones.
 */
export interface NativeLimits extends ResolvedLimits {
  fileSizeBytes: number;
  openFiles: number;
  tmpfsBytes: number;
  stackBytes: number;
  /** cpu quota, 1000 = one full core. */
  cpuMillicores: number;
}

export interface NativeFile {
  path: string;
  content: Buffer;
  mode: number;
  readOnly: boolean;
}

/** One run, fully resolved: host ids, compiled BPF, every limit. */
export interface NativeRunSpec {
  layers: string[];
  argv: string[];
  env: string[];
  cwd: string;
  hostname: string;
  files: NativeFile[];
  stdin: Buffer;
  limits: NativeLimits;
  bpf: Buffer;
  hostRootUid: number;
  hostUserUid: number;
  hostRootGid: number;
  hostUserGid: number;
  timeNamespace: boolean;
  /** The program's stderr is its stdout pipe (one stream in write order; `stderr` stays empty). */
  mergeStderr?: boolean;
  /** budgetMs: how long collecting may take after the program exited (default 5000, T74). */
  collect?: { maxFiles: number; maxTotalBytes: number; budgetMs?: number };
}

export interface NativeCollectedFile {
  path: string;
  mode: number;
  content: Buffer;
}

export interface NativeOutcome {
  exitCode: number | null;
  signal: number | null;
  killedBy: 'cpu' | 'wall' | 'output' | null;
  oomKilled: boolean;
  seccompViolation: boolean;
  cpuTimeNs: number;
  wallTimeNs: number;
  /** Request → the program's exec (helper, namespaces, mounts, seccomp), ns. */
  setupNs: number;
  /** Exec → the program's exit report, ns. */
  programNs: number;
  /** Exit → outcome ready (namespace teardown, reap, output drain, cgroup figures), ns. */
  teardownNs: number;
  memoryPeakBytes: number;
  stdout: Buffer;
  stderr: Buffer;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  collected: NativeCollectedFile[];
  collectTruncated: boolean;
  /** A collection was asked for and did not finish (its budget ran out or pid 1 died). */
  collectCut: boolean;
}

/**
 * Phase names the addon puts on its errors. What the addon throws or rejects with is an Error with
 * `phase` (one of these) and `errno` (positive, 0 when none); the SBX_ERR_* code of a phase is the
 * service's to decide (worker/contract/failure.ts), not the addon's.
 */
export type NativePhase = 'internal' | 'setup' | 'cgroup' | 'seccomp' | 'spawn' | 'exec' | 'profile' | 'host';

export interface NativeCgroupConfig {
  version: 1 | 2;
  /** v2: the delegated parent directory. */
  v2Dir?: string;
  /** v1: the parent directory in each controller hierarchy. */
  v1?: { memory: string; pids: string; cpu: string; cpuacct: string };
}

export interface NativeCgroup {
  version: 1 | 2;
  /** v1: memory, pids, cpu, cpuacct; v2: the one directory. */
  dirs: string[];
}

export interface NativeProfileArg {
  index: number;
  op: string;
  value: number | string;
  valueTwo?: number | string;
}

export interface NativeProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  syscalls: { names: string[]; action: string; errnoRet?: number; args?: NativeProfileArg[] }[];
}

export interface NativeRunnerConfig {
  /** Absolute path of the sbx-init executable. */
  helperPath: string;
  cgroup: NativeCgroupConfig;
  /** Rootless: an open fd of the outer user namespace (not owned by the runner). */
  usernsFd?: number;
  /**
   * How many fresh cgroups and fresh network namespaces a background thread keeps ready (each
   * used by exactly one run, then removed). 0: every run makes its own. @defaultValue 0
   */
  poolSize?: number;
}

/**
 * A live run's output as it is read (stream 1 stdout, 2 stderr), on the JS thread, before the
 * run's `done` settles; the chunks add up to the outcome's stdout/stderr. Must not throw.
 */
export type NativeOutputCallback = (stream: 1 | 2, chunk: Buffer) => void;

export interface NativeRunHandle {
  id: number;
  done: Promise<NativeOutcome>;
}

export interface NativeRunner {
  /** Takes (or creates) the run's cgroup and netns, spawns sbx-init; throws a phase-carrying Error (see NativePhase) for failures before spawn. */
  run(spec: NativeRunSpec, onOutput?: NativeOutputCallback): NativeRunHandle;
  /** Kills the run (no-op once finished). */
  kill(id: number): void;
  /** Live runs: queues bytes for the program's stdin (written without blocking; no-op once finished or after closeStdin). */
  write(id: number, data: Buffer): void;
  /** Live runs: closes the program's stdin once every queued byte is written. */
  closeStdin(id: number): void;
  /** Live runs: SIGINT/SIGTERM (2, 15) go to the program's process group once it started; SIGKILL (9) ends the whole run. */
  signal(id: number, signo: 2 | 9 | 15): void;
  /** Kills what is left, joins the waiter and pool threads, removes every pooled object. Idempotent. */
  close(): void;
}

export interface NativeBinding {
  Runner: new (config: NativeRunnerConfig) => NativeRunner;
  compileProfile(profile: NativeProfile): { bpf: Buffer; unknownSyscalls: string[] };
  detectCgroups(mountRoot: string, parent: string): NativeCgroupConfig;
  /** The C core's phase table (native/src/core/error.c): name → the number sbx-init reports. */
  phases: Readonly<Record<NativePhase, number>>;
}
