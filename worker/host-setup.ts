/**
 * One-time, idempotent host preparation, run as root (`npm run host-setup`):
 *   1. a `bulkhead` system user (the rootless worker's identity) when missing;
 *   2. a subordinate uid and gid range for it in /etc/subuid and /etc/subgid;
 *   3. a delegated cgroup subtree owned by it: v1 `<root>/{memory,pids,cpu,cpuacct}/bulkhead`,
 *      v2 `<root>/bulkhead` with +memory +pids +cpu enabled for its children;
 *   4. the data directory.
 * Running it again changes nothing. Prints what it did as JSON.
 *
 *   npx tsx worker/host-setup.ts [--user bulkhead] [--cgroup-root /sys/fs/cgroup]
 *     [--data-dir /var/lib/bulkhead] [--subid-start 3000000] [--subid-count 65536]
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DATA_DIR } from './contract/settings/shared.js';
import { SandboxError } from './sandbox/errors.js';
import { detectCgroupVersion } from './sandbox/features.js';

/** What host-setup prepares. */
export interface HostSetupOptions {
  user: string;
  cgroupRoot: string;
  dataDir: string;
  subidStart: number;
  subidCount: number;
}

/** Ids of a local user from /etc/passwd, or undefined. */
function lookupUser(name: string): { uid: number; gid: number } | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] && f[3]) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

function ensureUser(name: string, done: string[]): { uid: number; gid: number } {
  let ids = lookupUser(name);
  if (!ids) {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
    done.push(`created user ${name}`);
    ids = lookupUser(name);
  }
  if (!ids) throw new SandboxError('host', 0, `user ${name} missing after useradd`);
  return ids;
}

/** Adds "user:start:count" unless the user already has a range; refuses overlapping ranges. */
function ensureSubids(file: string, user: string, start: number, count: number, done: string[]): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.some((l) => l.split(':')[0] === user)) return;
  for (const l of lines) {
    const [, s, c] = l.split(':').map(Number);
    if (s !== undefined && c !== undefined && start < s + c && s < start + count) {
      throw new SandboxError('host', 0, `${file}: range ${start}+${count} overlaps "${l}"; pass --subid-start`);
    }
  }
  appendFileSync(file, `${text === '' || text.endsWith('\n') ? '' : '\n'}${user}:${start}:${count}\n`);
  done.push(`added ${user}:${start}:${count} to ${file}`);
}

function ensureDir(dir: string, uid: number, gid: number, done: string[]): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    done.push(`created ${dir}`);
  }
  chownSync(dir, uid, gid);
}

function enableControllers(dir: string): void {
  const want = ['memory', 'pids', 'cpu'];
  const have = readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
  const missing = want.filter((c) => !have.includes(c));
  if (missing.length) writeFileSync(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
}

/** Prepares the delegated cgroup parent(s) for the worker user. */
export function ensureCgroups(root: string, uid: number, gid: number, done: string[]): void {
  if (detectCgroupVersion(root) === 2) {
    const dir = join(root, 'bulkhead');
    enableControllers(root);
    ensureDir(dir, uid, gid, done);
    enableControllers(dir);
    // Delegation (cgroup-v2.rst): the directory plus these three files belong to the delegatee.
    for (const f of ['cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads']) chownSync(join(dir, f), uid, gid);
    return;
  }
  for (const controller of ['memory', 'pids', 'cpu', 'cpuacct']) {
    ensureDir(join(root, controller, 'bulkhead'), uid, gid, done);
  }
}

/** Runs every step; returns the list of changes made (empty on a prepared host). */
export function hostSetup(opts: HostSetupOptions): string[] {
  if (process.getuid?.() !== 0) throw new SandboxError('host', 1, 'host-setup must run as root');
  const done: string[] = [];
  const ids = ensureUser(opts.user, done);
  ensureSubids('/etc/subuid', opts.user, opts.subidStart, opts.subidCount, done);
  ensureSubids('/etc/subgid', opts.user, opts.subidStart, opts.subidCount, done);
  ensureCgroups(opts.cgroupRoot, ids.uid, ids.gid, done);
  ensureDir(opts.dataDir, ids.uid, ids.gid, done);
  return done;
}

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      user: { type: 'string', default: 'bulkhead' },
      'cgroup-root': { type: 'string', default: '/sys/fs/cgroup' },
      'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
      'subid-start': { type: 'string', default: '3000000' },
      'subid-count': { type: 'string', default: '65536' },
    },
  });
  try {
    const done = hostSetup({
      user: values.user,
      cgroupRoot: values['cgroup-root'],
      dataDir: values['data-dir'],
      subidStart: Number(values['subid-start']),
      subidCount: Number(values['subid-count']),
    });
    process.stdout.write(`${JSON.stringify({ ok: true, changes: done })}\n`);
    return 0;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    process.stdout.write(`${JSON.stringify({ ok: false, code: e.code ?? 'SBX_ERR_HOST_SETUP', message: e.message })}\n`);
    return 1;
  }
}

if (/host-setup\.[jt]s$/.test(process.argv[1] ?? '')) process.exitCode = main(process.argv.slice(2));
