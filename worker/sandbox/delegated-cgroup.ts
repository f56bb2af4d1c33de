/**
 * Rootless on cgroup v2 as systemd delegates it (`Delegate=yes`): the worker's own cgroup is a
 * subtree owned by the worker's user, and moving a process needs write access to the common
 * ancestor's cgroup.procs, so run cgroups must live inside that subtree. The no-internal-processes
 * rule forbids a cgroup that enables controllers for its children to hold processes itself: the
 * worker first moves every process of its cgroup into a leaf `worker/`, then enables memory, pids
 * and cpu, and makes each run cgroup a sibling of that leaf. The same holds for a worker in a
 * container with its own cgroup namespace: there the namespace root is the delegated cgroup, and
 * the worker is the container's root (privileged inside, an unprivileged user on the host).
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SandboxError } from './errors.js';

/** The leaf the worker's own processes live in, beside the run cgroups. */
export const WORKER_LEAF = 'worker';
const RUN_CONTROLLERS = ['memory', 'pids', 'cpu'];

const read = (path: string): string => readFileSync(path, 'utf8');

/** Whether `dir` is a cgroup delegated to `uid`: the directory and the files delegation hands over. */
function isDelegatedTo(dir: string, uid: number): boolean {
  try {
    if (statSync(dir).uid !== uid) return false;
    for (const f of ['cgroup.procs', 'cgroup.subtree_control']) accessSync(join(dir, f), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The delegated subtree this process is in: its cgroup, or the parent once it moved into the
 * leaf. A root worker qualifies only at the root of a cgroup namespace (a container); on the host
 * it keeps the host-setup parent.
 */
function delegatedBase(mountRoot: string, uid: number, privileged: boolean, selfCgroupText: string): string | undefined {
  const own = /^0::(\/\S*)$/m.exec(selfCgroupText)?.[1];
  if (own === undefined) return undefined;
  // The host's root cgroup has no cgroup.events; a cgroup namespace's root is a real cgroup.
  const inNamespaceRoot = existsSync(join(mountRoot, 'cgroup.events'));
  if (own === '/') return inNamespaceRoot && isDelegatedTo(mountRoot, uid) ? mountRoot : undefined;
  const dir = join(mountRoot, own);
  // A second sandbox in the same process (tests, a restart in place) finds itself in the leaf.
  const parent = dirname(dir);
  const parentQualifies = parent === mountRoot ? inNamespaceRoot : !privileged;
  if (basename(dir) === WORKER_LEAF && parentQualifies && isDelegatedTo(parent, uid)) return parent;
  return !privileged && isDelegatedTo(dir, uid) ? dir : undefined;
}

/** Moves every process of `base` into its leaf; repeated because a process may fork meanwhile. */
function moveProcessesToLeaf(base: string): void {
  mkdirSync(join(base, WORKER_LEAF), { recursive: true });
  for (let round = 0; round < 10; round++) {
    const pids = read(join(base, 'cgroup.procs'))
      .split('\n')
      .filter((p) => p !== '');
    if (pids.length === 0) return;
    // One pid per write: the kernel takes a single pid per write(2) of cgroup.procs.
    for (const pid of pids) {
      try {
        writeFileSync(join(base, WORKER_LEAF, 'cgroup.procs'), pid);
      } catch (err) {
        // ESRCH: the process ended meanwhile; anything else is a setup failure.
        const e = err as NodeJS.ErrnoException;
        if (e.code !== 'ESRCH') throw new SandboxError('host', Math.abs(e.errno ?? 0), `cannot move pid ${pid} into ${base}/${WORKER_LEAF}: ${e.message}`, { cause: err });
      }
    }
  }
  throw new SandboxError('host', 0, `${base} keeps gaining processes; cannot empty it for run cgroups`);
}

function enableRunControllers(base: string): void {
  const available = read(join(base, 'cgroup.controllers')).split(/\s+/);
  const absent = RUN_CONTROLLERS.filter((c) => !available.includes(c));
  if (absent.length) throw new SandboxError('host', 0, `delegated cgroup ${base} lacks the ${absent.join(', ')} controller (is the unit Delegate=yes?)`);
  const enabled = read(join(base, 'cgroup.subtree_control')).split(/\s+/);
  const missing = RUN_CONTROLLERS.filter((c) => !enabled.includes(c));
  if (missing.length) writeFileSync(join(base, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
}

/**
 * When this process sits in a cgroup v2 subtree delegated to it, prepares it for run cgroups and
 * returns its path (their parent); undefined when it is not delegated (then the host-setup parent
 * is used, and `npm run doctor` says what is missing).
 */
export function prepareDelegatedV2(mountRoot: string, uid: number, privileged: boolean): string | undefined {
  const base = delegatedBase(mountRoot, uid, privileged, read('/proc/self/cgroup'));
  if (base === undefined) return undefined;
  // Order: the processes leave first; enabling controllers on a cgroup with members is EBUSY.
  moveProcessesToLeaf(base);
  enableRunControllers(base);
  return base;
}
