/**
 * What the attack suite checks on the host around each run, outside the sandbox: planted marker
 * files keep content, owner and mode; no process of the runs' host uid range survives; no per-run
 * cgroup of our workers is left; no mount or namespace handle the runs created stays behind.
 *
 * Everything is scoped to this suite's own workers (their pids name the per-run cgroups
 * `r<workerPid>-<n>`, and the suite gives them a uid base of their own), because other suites may
 * run sandboxes on the same host at the same time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { DEFAULT_DATA_DIR } from '../../worker/contract/settings/shared.js';

/** A file planted on the host that no run may read, change or replace. */
export interface HostMarker {
  readonly path: string;
  readonly content: string;
  readonly sha256: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly ino: number;
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** Writes a 0600 marker with random content under `dir` (default /var/tmp). */
export function plantMarker(dir = '/var/tmp'): HostMarker {
  const path = `${dir}/bulkhead-attack-marker-${randomBytes(6).toString('hex')}`;
  const content = `bulkhead-host-marker-${randomBytes(16).toString('hex')}`;
  writeFileSync(path, content, { mode: 0o600, flag: 'wx' });
  const st = statSync(path);
  return { path, content, sha256: sha256(content), mode: st.mode, uid: st.uid, gid: st.gid, ino: st.ino };
}

/** Removes the marker; idempotent. */
export function removeMarker(marker: HostMarker): void {
  rmSync(marker.path, { force: true });
}

/** Differences between the marker now and when planted (empty when unchanged). */
export function markerChanges(marker: HostMarker): string[] {
  let st;
  try {
    // lstat: a marker replaced by a symlink (even to the same content) is a change.
    st = lstatSync(marker.path);
  } catch (err) {
    return [`marker ${marker.path} is gone: ${String(err)}`];
  }
  const changes: string[] = [];
  const content = readFileSync(marker.path);
  if (sha256(content) !== marker.sha256) changes.push(`content changed (${content.length} bytes)`);
  if (st.mode !== marker.mode) changes.push(`mode ${st.mode.toString(8)} != ${marker.mode.toString(8)}`);
  if (st.uid !== marker.uid || st.gid !== marker.gid) changes.push(`owner ${st.uid}:${st.gid} != ${marker.uid}:${marker.gid}`);
  if (st.ino !== marker.ino) changes.push(`inode replaced (${st.ino} != ${marker.ino})`);
  return changes;
}

/** One host process as seen in /proc. */
interface HostProcess {
  pid: number;
  ppid: number;
  uid: number;
  comm: string;
  state: string;
}

function readProcess(pid: number): HostProcess | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '';
    return {
      pid,
      ppid: Number(field('PPid')),
      uid: Number(field('Uid').split(/\s+/)[0]),
      comm: field('Name'),
      state: field('State'),
    };
  } catch {
    return undefined;
  }
}

function hostProcesses(): HostProcess[] {
  const all: HostProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProcess(Number(name));
    if (p) all.push(p);
  }
  return all;
}

/** The host uid range of this suite's runs, [min, max). */
export interface UidRange {
  readonly min: number;
  readonly max: number;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

/**
 * Processes left behind by runs: any host process whose real uid lies in the runs' range (zombies
 * and stopped ones included: a stopped leftover is exactly what T12 tries to leave), and `sbx-init`
 * helpers of a worker beyond its pool. The addon keeps up to `poolTarget` prepared helpers per
 * worker (spawned ahead of demand, not yet given a spec, still uid 0 on the host) and one
 * `--netns-pool` helper; a run's own helper must be gone once its answer arrived.
 */
export function leftoverProcesses(range: UidRange, workerPids: readonly number[], poolTarget: number): string[] {
  const all = hostProcesses();
  const left = all.filter((p) => p.uid >= range.min && p.uid < range.max).map((p) => `pid ${p.pid} uid ${p.uid} ${p.comm} (${p.state}) ${cmdline(p.pid)}`);
  for (const worker of workerPids) {
    const helpers = all.filter((p) => p.comm === 'sbx-init' && p.ppid === worker && !cmdline(p.pid).includes('--netns-pool'));
    if (helpers.length > poolTarget) {
      left.push(`worker ${worker} has ${helpers.length} sbx-init helpers, its pool holds at most ${poolTarget}: ${helpers.map((p) => p.pid).join(' ')}`);
    }
  }
  return left;
}

const CGROUP_PARENTS = ['memory', 'pids', 'cpu', 'cpuacct'].map((c) => `/sys/fs/cgroup/${c}/bulkhead`).concat(['/sys/fs/cgroup/bulkhead', '/sys/fs/cgroup/unified/bulkhead']);

/**
 * Per-run cgroups (`r<workerPid>-<n>`) of our workers left under the bulkhead parents. The addon
 * keeps up to `poolTarget` cgroups per worker ready ahead of demand (empty, or already holding a
 * prepared helper that has no spec yet), and removes a cgroup once its one run ended. So at rest a
 * worker has at most `poolTarget` per controller, and none holds a process of the runs' uid range.
 * Counting rather than inspecting keeps the check valid whatever the pool does inside them.
 */
export function leftoverCgroups(workerPids: readonly number[], poolTarget: number, range: UidRange): string[] {
  const left: string[] = [];
  for (const parent of CGROUP_PARENTS) {
    let names: string[];
    try {
      names = readdirSync(parent);
    } catch {
      continue;
    }
    for (const worker of workerPids) {
      const mine = names.filter((name) => name.startsWith(`r${worker}-`));
      if (mine.length > poolTarget) left.push(`${parent}: ${mine.length} cgroups of worker ${worker} (${mine.join(' ')}), its pool keeps at most ${poolTarget}`);
      for (const name of mine) {
        const members = memberUids(`${parent}/${name}`).filter((uid) => uid >= range.min && uid < range.max);
        if (members.length > 0) left.push(`${parent}/${name} still holds run processes (uids ${members.join(' ')})`);
      }
    }
  }
  return left;
}

/** Host uids of the processes in a cgroup (empty when it is gone). */
function memberUids(dir: string): number[] {
  let pids: string[];
  try {
    pids = readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
  return pids.map((pid) => readProcess(Number(pid))?.uid ?? -1);
}

/** Mounts in the host's mount namespace that a run could have created or leaked. */
function suspiciousMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => / - (overlay|nsfs) /.test(line) || line.includes(DEFAULT_DATA_DIR) || / \/box[ /]/.test(line));
}

/** Snapshot of the suspicious host mounts, to compare after a run. */
export function mountSnapshot(): ReadonlySet<string> {
  return new Set(suspiciousMounts());
}

/** Suspicious mounts present now and absent from the snapshot. */
export function newMounts(before: ReadonlySet<string>): string[] {
  return suspiciousMounts().filter((line) => !before.has(line));
}

/**
 * Namespace handles a worker holds open (`/proc/<pid>/fd/*` → `mnt:[…]`, `user:[…]`, …). A run
 * that ended must not leave one behind: a held handle keeps the namespace (and its mounts) alive.
 */
export function namespaceFds(workerPid: number): string[] {
  const held: string[] = [];
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${workerPid}/fd`);
  } catch {
    return held;
  }
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/${workerPid}/fd/${fd}`);
      if (/^(mnt|user|pid|net|ipc|uts|cgroup|time):\[/.test(target)) held.push(`${fd} -> ${target}`);
    } catch {
      // The fd closed between readdir and readlink: nothing held.
    }
  }
  return held;
}

/** Everything left on the host after runs ended; polls briefly because teardown is asynchronous. */
export async function waitForCleanHost(check: () => string[], deadlineMs = 3000): Promise<string[]> {
  const until = Date.now() + deadlineMs;
  let left = check();
  while (left.length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = check();
  }
  return left;
}

/**
 * Lines of the host's /etc/shadow that the image's own copy lacks (the host's, with its dates and
 * any hashes). Runs may see the image's shadow (THREATS T22 allows it); none may ever show these.
 */
export function hostOnlyShadowLines(dataDir: string): string[] {
  const lines = (path: string): string[] => {
    try {
      return readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.includes(':'));
    } catch {
      return [];
    }
  };
  const layers = `${dataDir}/layers`;
  const image = new Set(
    existsSync(layers)
      ? readdirSync(layers)
          .filter((n) => n.startsWith('base-'))
          .flatMap((n) => lines(`${layers}/${n}/rootfs/etc/shadow`))
      : [],
  );
  return lines('/etc/shadow').filter((l) => !image.has(l));
}
