/**
 * NativeSandbox: the Sandbox port over the native addon. The only importer of native/.
 * Owns the slot allocator (distinct host uids per concurrent run), the cgroup parent, the
 * rootless outer user namespace and the addon's Runner (one waiter thread).
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism, userInfo } from 'node:os';
import { findBuildDir, helperPath, loadNative } from '../../native/index.js';
import type { NativeCgroupConfig, NativeRunHandle, NativeRunSpec, NativeRunner } from '../../native/index.js';
import { createOuterUserns, type OuterUserns } from '../../native/outer-userns.js';
import { prepareDelegatedV2 } from './delegated-cgroup.js';
import { fromNative, SandboxError } from './errors.js';
import { CGROUP_MOUNT_ROOT, detectFeatures } from './features.js';
import type { LiveControl, LiveIO, LiveSignal } from './live.js';
import { leaseIdPairs, type IdLease } from './uid-lease.js';
import type { Sandbox, SandboxFeatures } from './sandbox.js';
import type { CompiledProfile, ProfileRules, RawOutcome, SandboxSpec } from './spec.js';

/** Construction options; every field optional. */
export interface NativeSandboxConfig {
  /** Most runs at once; further runs wait for a free slot. @defaultValue 4 × cores */
  slots?: number;
  /** Privileged worker: first host uid/gid handed to runs (2 per slot). @defaultValue 2_000_000 */
  uidBase?: number;
  /** Privileged worker: size of that host id range. @defaultValue 65_536 */
  uidCount?: number;
  /** Where the cgroup filesystems are mounted. @defaultValue '/sys/fs/cgroup' */
  cgroupMountRoot?: string;
  /** Delegated parent of the per-run cgroups, relative to each hierarchy. @defaultValue 'bulkhead' */
  cgroupParent?: string;
  /** Full override of the cgroup parents (tests, unusual layouts). */
  cgroup?: NativeCgroupConfig;
  /** Path of sbx-init. @defaultValue next to the addon */
  helperPath?: string;
  /** Give each run a time namespace when the kernel has them. @defaultValue true */
  timeNamespace?: boolean;
  /**
   * Fresh cgroups and network namespaces kept ready by a background thread, each used by one run
   * only (0: each run makes its own on its critical path). @defaultValue min(slots, 16)
   */
  poolSize?: number;
}

/** Hands out slot numbers; a slot is reused only after its run fully ended (no live id reuse). */
export class SlotAllocator {
  private readonly free: number[];
  private readonly waiters: ((slot: number) => void)[] = [];
  constructor(count: number) {
    this.free = Array.from({ length: count }, (_, i) => count - 1 - i);
  }
  /** Resolves with a free slot, waiting in FIFO order when all are taken. */
  acquire(): Promise<number> {
    const slot = this.free.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  release(slot: number): void {
    const next = this.waiters.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }
}

const SIGNAL_NUMBERS: Readonly<Record<LiveSignal, 2 | 9 | 15>> = Object.freeze({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15 });

/** An aborted run rejects with the signal's reason (as fetch does), wrapped if not an Error. */
function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new SandboxError('internal', 0, 'run aborted');
}

/** The Sandbox over the real kernel. Create with NativeSandbox.create(). */
export class NativeSandbox implements Sandbox {
  readonly features: SandboxFeatures;
  private readonly runner: NativeRunner;
  private readonly slots: SlotAllocator;
  private readonly idOf: (slot: number) => { root: number; user: number };
  private readonly timeNamespace: boolean;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Native ids of runs spawned and not yet settled (JS thread only). */
  private readonly liveIds = new Set<number>();
  private readonly outer: OuterUserns | undefined;
  private readonly lease: IdLease;
  private closed = false;

  private constructor(
    runner: NativeRunner,
    features: SandboxFeatures,
    slots: number,
    idOf: (slot: number) => { root: number; user: number },
    held: { outer: OuterUserns | undefined; lease: IdLease },
    timeNs: boolean,
  ) {
    this.runner = runner;
    this.features = features;
    this.slots = new SlotAllocator(slots);
    this.idOf = idOf;
    this.outer = held.outer;
    this.lease = held.lease;
    this.timeNamespace = timeNs;
  }

  /** The host (or outer-namespace) id pairs this sandbox holds, one per slot: `root` and `root + 1`. */
  get leasedIdRoots(): readonly number[] {
    return this.lease.roots;
  }

  /**
   * Detects the host, prepares the cgroup parent (privileged) or the outer user namespace
   * (rootless) and starts the waiter thread. Throws SandboxError (SBX_ERR_HOST_SETUP, …).
   */
  static async create(config: NativeSandboxConfig = {}): Promise<NativeSandbox> {
    const uid = process.getuid?.() ?? -1;
    const gid = process.getgid?.() ?? -1;
    const mountRoot = config.cgroupMountRoot ?? CGROUP_MOUNT_ROOT;
    const host = detectFeatures(uid, mountRoot);
    if (!findBuildDir()) throw new SandboxError('spawn', 0, 'native addon not built: run `npm run build:native`');
    const native = loadNative();
    let outer: OuterUserns | undefined;
    let lease: IdLease | undefined;
    try {
      const delegated = !config.cgroup && host.cgroupVersion === 2 ? prepareDelegatedV2(mountRoot, uid, host.privileged) : undefined;
      const cgroup = config.cgroup ?? (delegated ? { version: 2 as const, v2Dir: delegated } : native.detectCgroups(mountRoot, config.cgroupParent ?? 'bulkhead'));
      if (host.privileged && !config.cgroup) ensureCgroupParents(cgroup);
      const wanted = config.slots ?? 4 * availableParallelism();
      if (host.privileged) {
        // T75: leased host-wide, so a second worker with the same base takes the next free pairs.
        lease = await leaseIdPairs('host', config.uidBase ?? 2_000_000, config.uidCount ?? 65_536, wanted);
      } else {
        outer = await createOuterUserns(userInfo().username, uid, gid);
        // Inside the outer namespace 0 is the worker itself; runs use 1.. (this user's subordinate
        // ids, which every worker of the user maps the same way: leased per user).
        lease = await leaseIdPairs(`subuid-${userInfo().username}`, 1, outer.idCount, wanted);
      }
      const roots = lease.roots;
      const slots = roots.length;
      const idOf = (slot: number) => ({ root: roots[slot] ?? -1, user: (roots[slot] ?? -2) + 1 });
      const runner = new native.Runner({
        helperPath: config.helperPath ?? helperPath(),
        cgroup,
        ...(outer ? { usernsFd: outer.fd } : {}),
        poolSize: config.poolSize ?? Math.min(slots, 16),
      });
      const features: SandboxFeatures = {
        cgroupVersion: cgroup.version,
        timeNamespace: host.timeNamespace,
        privileged: host.privileged,
        freshDevices: host.freshDevices,
      };
      return new NativeSandbox(runner, features, slots, idOf, { outer, lease }, (config.timeNamespace ?? true) && host.timeNamespace);
    } catch (err) {
      outer?.close();
      lease?.release();
      throw fromNative(err);
    }
  }

  /** Compiles with libseccomp once; unknown syscall names are listed in `unknownSyscalls`. */
  compileProfile(rules: ProfileRules): CompiledProfile & { unknownSyscalls: readonly string[] } {
    try {
      const { bpf, unknownSyscalls } = loadNative().compileProfile(rules);
      return Object.freeze({ name: rules.name, bpf, unknownSyscalls: Object.freeze(unknownSyscalls) });
    } catch (err) {
      throw fromNative(err);
    }
  }

  async run(spec: SandboxSpec, signal?: AbortSignal, live?: LiveIO): Promise<RawOutcome> {
    if (this.closed) throw new SandboxError('internal', 0, 'sandbox is closed');
    const task = this.runInSlot(spec, signal, live);
    this.inFlight.add(task);
    try {
      return await task;
    } finally {
      this.inFlight.delete(task);
    }
  }

  private async runInSlot(spec: SandboxSpec, signal?: AbortSignal, live?: LiveIO): Promise<RawOutcome> {
    const slot = await this.slots.acquire();
    try {
      if (this.closed) throw new SandboxError('internal', 0, 'sandbox is closed');
      if (signal?.aborted) throw abortReason(signal);
      let handle: NativeRunHandle;
      let liveError: unknown;
      const onOutput =
        live === undefined
          ? undefined
          : (stream: 1 | 2, chunk: Buffer): void => {
              try {
                live.onOutput(stream === 1 ? 'stdout' : 'stderr', chunk);
              } catch (err) {
                liveError ??= err;
                this.runner.kill(handle.id);
              }
            };
      try {
        handle = this.runner.run(this.toNative(spec, slot), onOutput);
      } catch (err) {
        throw fromNative(err);
      }
      const onAbort = (): void => this.runner.kill(handle.id);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.liveIds.add(handle.id);
      const detach = live?.attach(this.controlOf(handle.id));
      try {
        const outcome = await handle.done.catch((err: unknown) => {
          throw fromNative(err);
        });
        if (signal?.aborted) throw abortReason(signal);
        if (liveError !== undefined) throw liveError;
        return toRawOutcome(outcome, spec);
      } finally {
        detach?.();
        this.liveIds.delete(handle.id);
        signal?.removeEventListener('abort', onAbort);
      }
    } finally {
      this.slots.release(slot);
    }
  }

  /** A live run's controls; the addon ignores them once the run finished. */
  private controlOf(id: number): LiveControl {
    return {
      write: (data) => {
        if (data.length > 0) this.runner.write(id, data);
      },
      eof: () => this.runner.closeStdin(id),
      signal: (name: LiveSignal) => this.runner.signal(id, SIGNAL_NUMBERS[name]),
    };
  }

  private toNative(spec: SandboxSpec, slot: number): NativeRunSpec {
    const ids = this.idOf(slot);
    const { cpuCores, ...limits } = spec.limits;
    const file = (readOnly: boolean) => (f: SandboxSpec['files'][number]) => ({ path: f.path, content: f.content, mode: f.mode ?? 0o644, readOnly });
    return {
      layers: spec.layers,
      argv: spec.argv,
      env: spec.env,
      cwd: spec.cwd ?? '/box',
      hostname: spec.hostname,
      files: [...spec.files.map(file(false)), ...(spec.readOnlyFiles ?? []).map(file(true))],
      stdin: spec.stdin,
      limits: { ...limits, cpuMillicores: Math.max(1, Math.round(cpuCores * 1000)) },
      bpf: spec.profile.bpf,
      hostRootUid: ids.root,
      hostUserUid: ids.user,
      hostRootGid: ids.root,
      hostUserGid: ids.user,
      timeNamespace: this.timeNamespace,
      ...(spec.collect ? { collect: spec.collect } : {}),
      ...(spec.mergeStderr === true ? { mergeStderr: true } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Order: kill, let every run settle (its outcome arrives through the waiter thread), and only
    // then stop the waiter, so no Promise is left pending.
    for (const id of this.liveIds) this.runner.kill(id);
    await Promise.allSettled([...this.inFlight]);
    this.runner.close();
    this.outer?.close();
    this.lease.release();
  }
}

/** Privileged only: creates the per-controller parent directories when missing. */
function ensureCgroupParents(cgroup: NativeCgroupConfig): void {
  const dirs = cgroup.version === 2 ? [cgroup.v2Dir] : Object.values(cgroup.v1 ?? {});
  for (const dir of dirs) if (dir) mkdirSync(dir, { recursive: true });
}

function toRawOutcome(o: Awaited<ReturnType<NativeRunner['run']>['done']>, spec: SandboxSpec): RawOutcome {
  const raw: RawOutcome = {
    exitCode: o.exitCode,
    signal: o.signal,
    killedBy: o.killedBy,
    oomKilled: o.oomKilled,
    memoryLimitReached: o.memoryPeakBytes >= spec.limits.memoryBytes,
    seccompViolation: o.seccompViolation,
    cpuTimeNs: o.cpuTimeNs,
    wallTimeNs: o.wallTimeNs,
    memoryPeakBytes: o.memoryPeakBytes,
    stdout: o.stdout,
    stderr: o.stderr,
    timing: { setupNs: o.setupNs, programNs: o.programNs, teardownNs: o.teardownNs },
    stdoutTruncated: o.stdoutTruncated,
    stderrTruncated: o.stderrTruncated,
  };
  if (spec.collect !== undefined) {
    raw.collected = o.collected.map((f) => ({ path: f.path, content: f.content, mode: f.mode }));
    raw.collectTruncated = o.collectTruncated;
    raw.collectCut = o.collectCut;
  }
  return raw;
}
