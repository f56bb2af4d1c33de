/**
 * The peers' side of bench/peers.ts: a runner that spawns one process per run, minimal OCI
 * bundles for crun and runc (config.json written here), podman with --rootfs, and the
 * fresh-isolation floor (../shared/floor/run.sh, a C reference kept outside the repository).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { clockTicksPerSecond, machineBusyMs, parseProcStat, readAllProcesses, stealMeter } from './load/procstat.js';

/** One complete run; rejects when the run failed. */
export type Runner = () => Promise<void>;

export interface Row {
  runsPerS: number;
  cpuMsPerRun: number;
  ownCpuMsPerRun: number;
  kthreadCpuMsPerRun: number;
  majorFaultsPerRun: number;
  minorFaultsPerRun: number;
  /** Share of the machine's time the hypervisor stole while the row ran. */
  steal: number;
}

const ticksPerSecond = clockTicksPerSecond();

/**
 * CPU of this process and its reaped children (the sandbox's helpers and programs, the spawned
 * peers), ms: unlike the machine's, it leaves out what other work on a shared host spends.
 */
export function ownCpuMs(): number {
  const c = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
  return c === null ? NaN : ((c.selfTicks + c.childrenTicks) * 1000) / ticksPerSecond;
}

/**
 * CPU of the kernel's own threads (kthreadd's children: kworkers doing the asynchronous netns,
 * cgroup and mount cleanup, RCU), ms; softirq time run on behalf of others is not in it.
 */
export function kthreadCpuMs(): number {
  const ticks = readAllProcesses()
    .filter((p) => p.ppid === 2)
    .reduce((sum, p) => sum + p.selfTicks, 0);
  return (ticks * 1000) / ticksPerSecond;
}

/** Fault counters of /proc/PID/stat: own minflt, majflt and the reaped children's cminflt, cmajflt. */
function faultFields(pid: number | 'self'): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields from 3 (state) on: minflt is field 10, cminflt 11, majflt 12, cmajflt 13.
    return text
      .slice(text.lastIndexOf(')') + 2)
      .trim()
      .split(/\s+/)
      .slice(7, 11)
      .map(Number);
  } catch {
    return [0, 0, 0, 0];
  }
}

/**
 * Page faults of the children (a major one read from disk): the reaped ones, and the live ones
 * with what they reaped (the netns helper's).
 */
function childFaults(): { minor: number; major: number } {
  const [, cmin = 0, , cmaj = 0] = faultFields('self');
  let [minor, major] = [cmin, cmaj];
  for (const p of readAllProcesses().filter((q) => q.ppid === process.pid)) {
    const [min = 0, cminLive = 0, maj = 0, cmajLive = 0] = faultFields(p.pid);
    minor += min + cminLive;
    major += maj + cmajLive;
  }
  return { minor, major };
}

/** `runs` calls of `runner`, `concurrency` at a time (a new one starts when one ends). */
async function closedLoop(runner: Runner, runs: number, concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < runs) await runner();
    }),
  );
}

/**
 * One row: a first call (a failure skips the row with its message), `warmupRuns` unmeasured
 * calls, then `runs` measured ones, `concurrency` in flight: runs/s and CPU per run (machine:
 * /proc/stat, every process and kernel thread; own; kernel threads).
 */
export async function measureRunner(name: string, runner: Runner, runs: number, concurrency: number, warmupRuns = 0): Promise<Row | undefined> {
  try {
    await runner();
  } catch (err) {
    console.log(`${name.padEnd(44)} skipped: ${(err as Error).message.split('\n')[0] ?? ''}`);
    return undefined;
  }
  await closedLoop(runner, warmupRuns, concurrency);
  const t0 = performance.now();
  const busy0 = machineBusyMs();
  const own0 = ownCpuMs();
  const kthread0 = kthreadCpuMs();
  const faults0 = childFaults();
  const steal = stealMeter();
  await closedLoop(runner, runs, concurrency);
  const row = {
    runsPerS: (runs / (performance.now() - t0)) * 1000,
    cpuMsPerRun: (machineBusyMs() - busy0) / runs,
    ownCpuMsPerRun: (ownCpuMs() - own0) / runs,
    kthreadCpuMsPerRun: (kthreadCpuMs() - kthread0) / runs,
    majorFaultsPerRun: (childFaults().major - faults0.major) / runs,
    minorFaultsPerRun: (childFaults().minor - faults0.minor) / runs,
    steal: steal(),
  };
  console.log(
    `${name.padEnd(44)} runs/s ${row.runsPerS.toFixed(0).padStart(5)}  machine CPU ${row.cpuMsPerRun.toFixed(2)} ms/run  own ${row.ownCpuMsPerRun.toFixed(2)}  kthreads ${row.kthreadCpuMsPerRun.toFixed(2)} ms/run  faults ${row.minorFaultsPerRun.toFixed(0)} minor ${row.majorFaultsPerRun.toFixed(2)} major  steal ${(row.steal * 100).toFixed(0)}%`,
  );
  return row;
}

export function spawnRunner(cmd: string, args: string[] | (() => string[])): Runner {
  return () =>
    new Promise((resolve, reject) => {
      const child = spawn(cmd, typeof args === 'function' ? args() : args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exit ${code}: ${err.trim()}`))));
    });
}

/**
 * The least OCI config that isolates like the other rows: its own pid, net, ipc, uts, mount and
 * cgroup namespaces, a read-only root, /proc, a tmpfs /dev and /tmp, no capabilities,
 * no_new_privs, memory and pids limits. As root, so no user namespace (crun and runc then skip
 * the id mapping that Bulkhead's rootless-capable runs do).
 */
export function ociConfig(root: string, argv: string[]): Record<string, unknown> {
  // /dev keeps dev: the runtimes create /dev/null and the like in it.
  const tmpfs = (dest: string, dev: string): Record<string, unknown> => ({ destination: dest, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', dev, 'size=16m'] });
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: argv,
      env: ['PATH=/usr/local/bin:/usr/bin:/bin'],
      cwd: '/',
      noNewPrivileges: true,
      capabilities: { bounding: [], effective: [], permitted: [] },
    },
    root: { path: root, readonly: true },
    hostname: 'b',
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }, tmpfs('/dev', 'dev'), tmpfs('/tmp', 'nodev')],
    linux: {
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'].map((type) => ({ type })),
      resources: { memory: { limit: 256 * 1024 * 1024 }, pids: { limit: 64 } },
    },
  };
}

/** crun, runc and podman runners for `argv` on `root`, each with its own bundle and state dir under `dir`. */
export function ociPeers(dir: string, root: string, argv: string[]): [string, Runner][] {
  const bundle = join(dir, 'bundle');
  mkdirSync(bundle, { recursive: true });
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(ociConfig(root, argv)));
  let n = 0;
  const peers: [string, Runner][] = [];
  const run = (tool: string, flags: string[]): Runner =>
    spawnRunner(tool, () => ['--root', join(dir, `${tool}-state`), ...flags, 'run', '--bundle', bundle, `bench-${process.pid}-${n++}`]);
  peers.push(['runc', run('runc', [])]);
  // crun 1.8 refuses this host's hybrid cgroup layout (v1 controllers plus a v2 hierarchy at
  // /sys/fs/cgroup/unified): it runs in a mount namespace of its own without that hierarchy,
  // entered by nsenter per run (the `nsenter true` row is that entry's own cost).
  const ns = v1OnlyMountNs(join(dir, 'ns'));
  if (ns) {
    peers.push(['nsenter true', spawnRunner('nsenter', [`--mount=${ns}`, 'true'])]);
    peers.push([
      'crun (+ nsenter)',
      spawnRunner('nsenter', () => [`--mount=${ns}`, 'crun', '--root', join(dir, 'crun-state'), 'run', '--bundle', bundle, `bench-${process.pid}-${n++}`]),
    ]);
  }
  // `:O`: podman's own overlay over the root, so the directory is never written; the host's
  // rlimits, since podman's default (a higher RLIMIT_NOFILE) is refused here.
  peers.push(['podman', spawnRunner('podman', ['run', '--rm', '--network', 'none', '--ulimit', 'host', '--rootfs', `${root}:O`, ...argv])]);
  return peers;
}

/**
 * A mount namespace bound to `dir`/mnt in which /sys/fs/cgroup/unified is unmounted (only there:
 * the host keeps it); undefined where it cannot be made. The namespace ends with the bench's
 * tmp directory: umount of the bind (see releaseMountNs).
 */
function v1OnlyMountNs(dir: string): string | undefined {
  const file = join(dir, 'mnt');
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, '');
  // A namespace file can only be bound below a private mount.
  const steps = [
    ['mount', '--bind', dir, dir],
    ['mount', '--make-private', dir],
    ['unshare', `--mount=${file}`, '--propagation', 'private', 'true'],
    ['nsenter', `--mount=${file}`, 'umount', '/sys/fs/cgroup/unified'],
  ];
  for (const [cmd = '', ...args] of steps) if (spawnSync(cmd, args).status !== 0) return undefined;
  mountNsDirs.push(dir);
  return file;
}

const mountNsDirs: string[] = [];

/** Unmounts the namespaces made by v1OnlyMountNs. */
export function releaseMountNs(): void {
  for (const dir of mountNsDirs.splice(0)) {
    spawnSync('umount', [join(dir, 'mnt')]);
    spawnSync('umount', [dir]);
  }
}

export interface FloorResult {
  fullRunsPerS?: number;
  /** Share of the machine's time the hypervisor stole during the floor's run. */
  steal?: number;
  why: string;
}

/** Runs the floor benchmark (5 s per variant, `loops` in parallel) and reads its FULL variant. */
export function runFloor(dir: string, loops: number): FloorResult {
  if (!existsSync(join(dir, 'run.sh'))) return { why: `no floor benchmark at ${dir} (set BENCH_FLOOR_DIR)` };
  console.log(`-- floor (${dir}/run.sh 5 ${loops})`);
  const meter = stealMeter();
  const r = spawnSync('bash', [join(dir, 'run.sh'), '5', String(loops)], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  const steal = meter();
  process.stdout.write(r.stdout);
  console.log(`floor: steal ${(steal * 100).toFixed(0)}% over its run`);
  const full = r.stdout
    .split('\n')
    .find((l) => l.includes('FULL'))
    ?.match(/=> (\d+) runs\/s/)?.[1];
  return full === undefined ? { why: `floor run failed (exit ${r.status}): ${r.stderr.trim().split('\n').pop() ?? ''}` } : { fullRunsPerS: Number(full), steal, why: '' };
}
