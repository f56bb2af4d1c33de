/**
 * The doctor's host checks: every kernel or host setting that breaks a run, each in its own
 * function returning one Check with the fix. They read the host through a HostView, so each
 * decision can be tested against the files of another host (test/unit/doctor-host.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Level = 'ok' | 'warn' | 'fail';
export interface Check {
  level: Level;
  name: string;
  detail: string;
  fix?: string;
}

/** What the checks read: files under /proc and /sys, and who the worker runs as. */
export interface HostView {
  read(path: string): string | undefined;
  exists(path: string): boolean;
  /** Owner uid of a path, or undefined when it does not exist. */
  ownerOf(path: string): number | undefined;
  uid: number;
  cgroupRoot: string;
  /** The delegated parent of run cgroups, relative to each hierarchy. */
  cgroupParent: string;
}

export function liveHost(uid: number): HostView {
  return {
    read: (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    exists: existsSync,
    ownerOf: (path) => {
      try {
        return statSync(path).uid;
      } catch {
        return undefined;
      }
    },
    uid,
    cgroupRoot: '/sys/fs/cgroup',
    cgroupParent: 'bulkhead',
  };
}

const RUN_CONTROLLERS = ['memory', 'pids', 'cpu'];
/** The kernel's default socket buffer maximum (net.core.rmem_max/wmem_max), bytes. */
const DEFAULT_SOCKET_BUFFER_MAX_BYTES = 212_992;
const words = (text: string | undefined): string[] => (text ?? '').split(/\s+/).filter((w) => w !== '');

/** cgroup v1 or v2, the run controllers, and a parent the worker may create run cgroups in. */
export function checkCgroupDelegation(h: HostView): Check {
  const name = 'cgroup delegation';
  const hostSetup = h.uid === 0 ? 'npm run host-setup' : 'as root: npm run host-setup';
  if (h.exists(`${h.cgroupRoot}/cgroup.controllers`)) return checkCgroupV2(h, name, hostSetup);
  const missing = ['memory', 'pids', 'cpu', 'cpuacct'].filter((c) => !h.exists(`${h.cgroupRoot}/${c}`));
  if (missing.length)
    return {
      level: 'fail',
      name,
      detail: `cgroup v1 without the ${missing.join(', ')} hierarchy`,
      fix: 'mount the v1 controllers, or boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2)',
    };
  const parents = ['memory', 'pids', 'cpu', 'cpuacct'].map((c) => `${h.cgroupRoot}/${c}/${h.cgroupParent}`);
  const notOurs = parents.filter((p) => h.uid !== 0 && h.ownerOf(p) !== h.uid);
  if (h.uid !== 0 && notOurs.length) return { level: 'fail', name, detail: `cgroup v1: ${notOurs.join(', ')} missing or not owned by uid ${h.uid}`, fix: hostSetup };
  return { level: 'ok', name, detail: `cgroup v1, run cgroups under ${h.cgroupParent}/ of memory, pids, cpu, cpuacct` };
}

function checkCgroupV2(h: HostView, name: string, hostSetup: string): Check {
  const available = words(h.read(`${h.cgroupRoot}/cgroup.controllers`));
  const absent = RUN_CONTROLLERS.filter((c) => !available.includes(c));
  if (absent.length)
    return { level: 'fail', name, detail: `cgroup v2 without the ${absent.join(', ')} controller`, fix: 'enable them on the kernel command line (e.g. cgroup_enable=memory)' };
  // A container's cgroup namespace root (the host's root has no cgroup.events): the worker moves into a leaf.
  if (h.uid === 0 && h.exists(`${h.cgroupRoot}/cgroup.events`) && h.ownerOf(`${h.cgroupRoot}/cgroup.procs`) === 0) {
    return { level: 'ok', name, detail: `cgroup v2, the root of a cgroup namespace delegated to this container (the worker moves itself into a leaf)` };
  }
  if (h.uid === 0) {
    const parent = `${h.cgroupRoot}/${h.cgroupParent}`;
    const enabled = words(h.read(`${parent}/cgroup.subtree_control`));
    const off = RUN_CONTROLLERS.filter((c) => !enabled.includes(c));
    if (off.length)
      return { level: 'fail', name, detail: `cgroup v2: ${parent} ${h.exists(parent) ? `does not enable ${off.join(', ')} for its children` : 'is missing'}`, fix: hostSetup };
    return { level: 'ok', name, detail: `cgroup v2, run cgroups under ${parent}` };
  }
  // Rootless: the worker's own cgroup must be a subtree delegated to it (systemd Delegate=yes).
  const own = /^0::(\S+)$/m.exec(h.read('/proc/self/cgroup') ?? '')?.[1] ?? '/';
  const dir = `${h.cgroupRoot}${own === '/' ? '' : own}`;
  if (h.ownerOf(dir) !== h.uid || h.ownerOf(`${dir}/cgroup.procs`) !== h.uid) {
    return {
      level: 'fail',
      name,
      detail: `cgroup v2: this process's cgroup ${dir} is not delegated to uid ${h.uid}`,
      fix: 'run the worker from the systemd unit (Delegate=yes, scripts/deploy/systemd), or: systemd-run --user --scope -p Delegate=yes npm run start:worker',
    };
  }
  return { level: 'ok', name, detail: `cgroup v2, delegated subtree ${dir} (the worker moves itself into a leaf)` };
}

/** Unprivileged user namespaces: the kernel's limits and Debian's knob (rootless only). */
export function checkUserNamespaces(h: HostView): Check {
  const name = 'user namespaces';
  const maxUserNs = Number(h.read('/proc/sys/user/max_user_namespaces')?.trim() ?? '0');
  if (maxUserNs === 0) return { level: 'fail', name, detail: 'user.max_user_namespaces is 0: no run can start', fix: 'sysctl -w user.max_user_namespaces=15000' };
  if (h.uid !== 0 && h.read('/proc/sys/kernel/unprivileged_userns_clone')?.trim() === '0') {
    return {
      level: 'fail',
      name,
      detail: 'kernel.unprivileged_userns_clone is 0: a rootless worker cannot create namespaces',
      fix: 'sysctl -w kernel.unprivileged_userns_clone=1',
    };
  }
  return { level: 'ok', name, detail: `available (max ${maxUserNs})` };
}

/** Ubuntu 23.10+/24.04: AppArmor denies unprivileged user namespaces to unconfined programs. */
export function checkAppArmorUserns(h: HostView): Check {
  const name = 'AppArmor userns restriction';
  const restricted = h.read('/proc/sys/kernel/apparmor_restrict_unprivileged_userns')?.trim() === '1';
  if (!restricted) return { level: 'ok', name, detail: 'not restricted' };
  // Root holds CAP_SYS_ADMIN in the initial namespace, which the restriction does not take away.
  if (h.uid === 0) return { level: 'ok', name, detail: 'restricted for unprivileged users; this worker runs as root' };
  return {
    level: 'fail',
    name,
    detail: 'kernel.apparmor_restrict_unprivileged_userns=1: a rootless worker cannot create user namespaces',
    fix: "install scripts/deploy/apparmor/bulkhead-worker (grants `userns` to the worker's node) and apparmor_parser -r it, or sysctl -w kernel.apparmor_restrict_unprivileged_userns=0",
  };
}

/** Raised socket buffer maxima: on cgroup v1 socket memory is not charged to the run. */
export function checkSocketBuffers(h: HostView): Check {
  const name = 'socket buffers';
  const max = Math.max(...['rmem_max', 'wmem_max'].map((k) => Number(h.read(`/proc/sys/net/core/${k}`)?.trim() ?? '0')));
  const v2 = h.exists(`${h.cgroupRoot}/cgroup.controllers`);
  if (max <= DEFAULT_SOCKET_BUFFER_MAX_BYTES) return { level: 'ok', name, detail: `net.core.rmem_max/wmem_max at most ${max} bytes` };
  if (v2) return { level: 'ok', name, detail: `raised to ${max} bytes; cgroup v2 charges socket memory to the run` };
  // T65: on v1 each run's cgroup gets memory.kmem.tcp.limit_in_bytes, which charges TCP and UDP.
  if (h.exists(`${h.cgroupRoot}/memory/memory.kmem.tcp.limit_in_bytes`)) {
    return { level: 'ok', name, detail: `raised to ${max} bytes; each run's socket limit (memory.kmem.tcp.limit_in_bytes) charges them` };
  }
  return {
    level: 'warn',
    name,
    detail: `net.core.rmem_max/wmem_max raised to ${max} bytes: on cgroup v1 each socket of a run may hold that much kernel memory outside its memory limit`,
    fix: `sysctl -w net.core.rmem_max=${DEFAULT_SOCKET_BUFFER_MAX_BYTES} net.core.wmem_max=${DEFAULT_SOCKET_BUFFER_MAX_BYTES}`,
  };
}

/** Overlayfs mounted inside a new user namespace, as every run's root is (Linux ≥ 5.11). */
export function checkOverlayInUserns(): Check {
  const name = 'overlay in a user namespace';
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-doctor-'));
  try {
    const script = `cd ${dir} && mkdir l u w m && mount -t overlay overlay -o lowerdir=l,upperdir=u,workdir=w m && umount m`;
    execFileSync('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', script], { stdio: 'pipe', timeout: 10_000 });
    return { level: 'ok', name, detail: 'mounts' };
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString('utf8').trim() ?? String(err);
    return {
      level: 'fail',
      name,
      detail: `cannot mount overlayfs in a user namespace: ${stderr}`,
      fix: 'Linux ≥ 5.11 with CONFIG_OVERLAY_FS (modprobe overlay), and user namespaces allowed (see above)',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Every host check, in the order the doctor prints them. Swap accounting (T76) and core_pattern
 * (T73) are reported by worker/doctor.ts through the same functions the worker's start-up runs.
 */
export function hostChecks(h: HostView): Check[] {
  return [checkCgroupDelegation(h), checkUserNamespaces(h), checkAppArmorUserns(h), checkOverlayInUserns(), checkSocketBuffers(h)];
}
