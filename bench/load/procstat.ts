/**
 * CPU time and resident memory of the service's processes, read from /proc (Linux only).
 *
 * A "role" (api, worker, redis) is a root pid plus all its live descendants, because
 * `npx tsx x.ts` runs the real program in a child node process. CPU is split in two:
 * `selfMs` is what the long-lived processes spent themselves (utime + stime); `childrenMs` is
 * what their reaped children spent (cutime + cstime): for the worker, that is the sandboxed
 * programs and helpers.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** One process's counters from /proc/<pid>/stat and /proc/<pid>/status. */
export interface ProcCounters {
  pid: number;
  ppid: number;
  /** utime + stime, clock ticks. */
  selfTicks: number;
  /** cutime + cstime (reaped children), clock ticks. */
  childrenTicks: number;
}

/** Parses /proc/<pid>/stat text (pure). The command name may hold spaces and parentheses. */
export function parseProcStat(text: string): ProcCounters | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // Fields after the name start at field 3 (state); utime is field 14, so index 11 here.
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const num = (i: number): number => Number(rest[i]);
  const counters = { pid, ppid: num(1), selfTicks: num(11) + num(12), childrenTicks: num(13) + num(14) };
  return Object.values(counters).every(Number.isFinite) ? counters : null;
}

/** VmRSS from /proc/<pid>/status text, bytes; 0 when absent (kernel threads, zombies). */
export function parseRssBytes(statusText: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Every live process's counters (processes that vanish while reading are skipped). */
export function readAllProcesses(): ProcCounters[] {
  const list: ProcCounters[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const text = readText(`/proc/${entry}/stat`);
    const counters = text === null ? null : parseProcStat(text);
    if (counters !== null) list.push(counters);
  }
  return list;
}

/** The root and all its descendants among `all` (pure). */
export function processTree(rootPid: number, all: readonly ProcCounters[]): ProcCounters[] {
  const byParent = new Map<number, ProcCounters[]>();
  for (const p of all) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const tree: ProcCounters[] = [];
  const stack = all.filter((p) => p.pid === rootPid);
  while (stack.length > 0) {
    const p = stack.pop();
    if (p === undefined) break;
    tree.push(p);
    stack.push(...(byParent.get(p.pid) ?? []));
  }
  return tree;
}

/** Clock ticks per second (`getconf CLK_TCK`), 100 when getconf is unavailable. */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

let ticksPerSecond: number | undefined;

/**
 * Busy CPU time of the whole machine so far, ms: every core, process and kernel thread (user,
 * nice, system, irq, softirq from the first line of /proc/stat; idle and iowait left out, and
 * steal too: time the hypervisor ran other guests is no work of this machine's, and counting it
 * made a row's CPU per run grow with the neighbours' load).
 */
export function machineBusyMs(): number {
  ticksPerSecond ??= clockTicksPerSecond();
  const busy = cpuLineTicks()
    .slice(0, 7)
    .reduce((sum, v, i) => (i === 3 || i === 4 ? sum : sum + v), 0);
  return (busy * 1000) / ticksPerSecond;
}

/** The first line of /proc/stat: user, nice, system, idle, iowait, irq, softirq, steal ticks. */
function cpuLineTicks(): number[] {
  return (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
}

/** The machine's CPU ticks so far: all of them, and those the hypervisor gave to other guests (steal). */
function machineTicks(): { total: number; steal: number } {
  const fields = cpuLineTicks();
  return { total: fields.reduce((sum, v) => sum + v, 0), steal: fields[7] ?? 0 };
}

/**
 * Measures the share of the machine's time stolen by the hypervisor from now until the returned
 * function is called: on an oversubscribed VM this swings from 0 to over 50 % within minutes, and
 * two rows run at different steal are not comparable.
 */
export function stealMeter(): () => number {
  const t0 = machineTicks();
  return () => {
    const t1 = machineTicks();
    return t1.total > t0.total ? (t1.steal - t0.steal) / (t1.total - t0.total) : 0;
  };
}

/** A snapshot of one role's tree: counters per pid. */
export type RoleSnapshot = Map<number, ProcCounters>;

/** Snapshots of each role (name → root pid). */
export function snapshotRoles(roots: ReadonlyMap<string, number>): Map<string, RoleSnapshot> {
  const all = readAllProcesses();
  const result = new Map<string, RoleSnapshot>();
  for (const [role, pid] of roots) {
    result.set(role, new Map(processTree(pid, all).map((p) => [p.pid, p])));
  }
  return result;
}

/** CPU spent between two snapshots by one role, ms. */
export interface RoleCpu {
  selfMs: number;
  childrenMs: number;
}

/**
 * CPU per role between two snapshots (pure), counting only pids present in both, so processes
 * that started or ended in between (sandboxes) show up only through their parent's children time.
 */
export function cpuBetween(before: ReadonlyMap<string, RoleSnapshot>, after: ReadonlyMap<string, RoleSnapshot>, ticksPerSecond: number): Map<string, RoleCpu> {
  const msPerTick = 1000 / ticksPerSecond;
  const result = new Map<string, RoleCpu>();
  for (const [role, end] of after) {
    const start = before.get(role) ?? new Map<number, ProcCounters>();
    let selfTicks = 0;
    let childrenTicks = 0;
    for (const [pid, e] of end) {
      const s = start.get(pid);
      if (s === undefined) continue;
      selfTicks += e.selfTicks - s.selfTicks;
      childrenTicks += e.childrenTicks - s.childrenTicks;
    }
    result.set(role, { selfMs: selfTicks * msPerTick, childrenMs: childrenTicks * msPerTick });
  }
  return result;
}

/** Resident memory of each role's whole tree now, bytes. */
export function rssByRole(roots: ReadonlyMap<string, number>): Map<string, number> {
  const all = readAllProcesses();
  const result = new Map<string, number>();
  for (const [role, pid] of roots) {
    const bytes = processTree(pid, all).reduce((sum, p) => sum + parseRssBytes(readText(`/proc/${p.pid}/status`) ?? ''), 0);
    result.set(role, bytes);
  }
  return result;
}

/**
 * Root pids of the service: from `spec` ("api=12,worker=34,redis=56") when given, else found by
 * command line (`pgrep -f -o`, the oldest match) for roles still missing.
 */
export function findServicePids(spec: string | undefined): Map<string, number> {
  const roots = new Map<string, number>();
  for (const part of (spec ?? '').split(',')) {
    const [role, pidText] = part.split('=');
    if (role && pidText && Number(pidText) > 0) roots.set(role.trim(), Number(pidText));
  }
  const patterns: Record<string, string> = { api: 'api/main\\.ts', worker: 'worker/main\\.ts', redis: '^redis-server' };
  for (const [role, pattern] of Object.entries(patterns)) {
    if (roots.has(role)) continue;
    try {
      const pid = Number(execFileSync('pgrep', ['-o', '-f', pattern], { encoding: 'utf8' }).trim());
      if (pid > 0) roots.set(role, pid);
    } catch {
      // not running here (a remote service): this role is left out of the CPU figures
    }
  }
  return roots;
}
