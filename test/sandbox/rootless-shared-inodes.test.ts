/**
 * T66, rootless half: a rootless worker's runs see the host's own /dev/null (a bind mount: it
 * cannot mknod), so the run profiles it uses have no lock, lease or notify calls. The attack
 * program of the corpus (test/escapes/programs/T66-shared-inodes.py) runs on a real rootless
 * sandbox as the `bulkhead` user while the host holds a shared flock on /dev/null: with the full
 * profile (the control) the run sees the host's lock, so the channel is real; with the profile a
 * rootless worker compiles, every lock, lease and inotify call is refused with ENOSYS.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostSetup } from '../../worker/host-setup.js';
import { DEFAULT_DATA_DIR, imageRecordPath } from '../../worker/runtimes/runtime-index.js';
import { sandboxUnavailableReason } from '../helpers/sandbox-run.js';

const repo = join(import.meta.dirname, '..', '..');
const PYTHON_IMAGE = imageRecordPath(DEFAULT_DATA_DIR, 'python');
const skip =
  sandboxUnavailableReason() ??
  (spawnSync('setpriv', ['--version']).status !== 0 ? 'setpriv missing (util-linux)' : undefined) ??
  (spawnSync('newuidmap', []).error ? 'newuidmap missing (apt-get install uidmap)' : undefined) ??
  (spawnSync('flock', ['--version']).status !== 0 ? 'flock missing (util-linux)' : undefined) ??
  (existsSync(PYTHON_IMAGE) ? undefined : 'python image not built (npm run images -- build python)');

interface Fact {
  check: string;
  ok: boolean;
  errno: string;
}

/** Runs the T66 program rootless with the profile as `variant`; returns its facts by name. */
function runRootless(variant: 'rootless' | 'full'): Map<string, Fact> {
  const layers = (JSON.parse(readFileSync(PYTHON_IMAGE, 'utf8')) as { layers: string[] }).layers;
  const args = [
    '--reuid=bulkhead',
    '--regid=bulkhead',
    '--init-groups',
    process.execPath,
    '--import',
    'tsx',
    join(repo, 'test/helpers/sandbox-rootless-program.ts'),
    'default',
    variant,
    join(repo, 'test/escapes/programs/T66-shared-inodes.py'),
    ...layers,
  ];
  const r = spawnSync('setpriv', args, { encoding: 'utf8', cwd: repo, timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { privileged: boolean; exitCode: number; stdout: string; stderr: string };
  expect(out.privileged).toBe(false);
  expect(out.exitCode, out.stderr).toBe(0);
  const facts = out.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Fact);
  return new Map(facts.map((f) => [f.check, f]));
}

describe.skipIf(skip !== undefined)(`rootless runs and the host's device inodes (T66)${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let holder: ChildProcess | undefined;
  beforeAll(async () => {
    hostSetup({ user: 'bulkhead', cgroupRoot: '/sys/fs/cgroup', dataDir: DEFAULT_DATA_DIR, subidStart: 3_000_000, subidCount: 65_536 });
    // A shared lock: other holders of /dev/null on this host can still take shared locks.
    holder = spawn('flock', ['--shared', '/dev/null', 'sleep', '120'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(() => {
    holder?.kill('SIGKILL');
  });

  it('control: with the full profile a rootless run sees the host holding a lock on /dev/null', () => {
    const facts = runRootless('full');
    expect(facts.get('write-dev-null-control')?.ok).toBe(true);
    expect(facts.get('flock-dev-null')).toMatchObject({ ok: false, errno: 'EAGAIN' });
    expect(facts.get('inotify-init')?.ok).toBe(false);
  }, 90_000);

  it('with the rootless profile every lock, lease and inotify call is refused with ENOSYS', () => {
    const facts = runRootless('rootless');
    expect(facts.get('write-dev-null-control')?.ok).toBe(true);
    for (const name of ['flock-dev-null', 'fcntl-setlk-dev-null', 'fcntl-getlk-dev-null', 'fcntl-setlease-dev-null', 'inotify-init']) {
      expect(facts.get(name), name).toMatchObject({ ok: false, errno: 'ENOSYS' });
    }
  }, 90_000);
});
