/**
 * Rootless: after the (idempotent) host-setup, an unprivileged `bulkhead` worker runs programs
 * through the operator CLI, with the program's processes on the host under ids from the user's
 * /etc/subuid range, never its own uid and never root.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findIdRange } from '../../native/outer-userns.js';
import { hostSetup } from '../../worker/host-setup.js';
import { DEFAULT_DATA_DIR } from '../../worker/runtimes/runtime-index.js';
import { ensureRootfs } from '../helpers/sandbox-rootfs.js';
import { sandboxUnavailableReason, statusFields } from '../helpers/sandbox-run.js';

const skip =
  sandboxUnavailableReason() ??
  (spawnSync('setpriv', ['--version']).status !== 0 ? 'setpriv missing (util-linux)' : undefined) ??
  (spawnSync('newuidmap', []).error ? 'newuidmap missing (apt-get install uidmap)' : undefined);
const repo = join(import.meta.dirname, '..', '..');

function cli(args: string[]): string[] {
  return ['--reuid=bulkhead', '--regid=bulkhead', '--init-groups', process.execPath, '--import', 'tsx', join(repo, 'worker/sandbox/cli.ts'), ...args];
}

function uidsOnHost(): number[] {
  const uids: number[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      uids.push(Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]));
    } catch {
      // gone
    }
  }
  return uids;
}

describe.skipIf(skip !== undefined)(`rootless worker${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let layer = '';
  beforeAll(() => {
    hostSetup({ user: 'bulkhead', cgroupRoot: '/sys/fs/cgroup', dataDir: DEFAULT_DATA_DIR, subidStart: 3_000_000, subidCount: 65_536 });
    layer = ensureRootfs().base;
  });

  it('host-setup is idempotent: a second run changes nothing', () => {
    expect(hostSetup({ user: 'bulkhead', cgroupRoot: '/sys/fs/cgroup', dataDir: DEFAULT_DATA_DIR, subidStart: 3_000_000, subidCount: 65_536 })).toEqual([]);
  });

  it('runs a fully isolated program as the unprivileged bulkhead user', () => {
    const r = spawnSync('setpriv', cli(['--layer', layer, '--', 'probe', 'read', '/proc/self/status']), { encoding: 'utf8', cwd: repo, timeout: 30_000 });
    const out = JSON.parse(r.stdout) as { exitCode: number; stdout: { text: string } };
    expect(out.exitCode).toBe(0);
    const s = statusFields(String((JSON.parse(out.stdout.text) as { text: string }).text));
    expect(s.CapEff).toBe('0000000000000000');
    expect(s.NoNewPrivs).toBe('1');
    expect(s.Seccomp).toBe('2');
    expect(s.Uid?.split(/\s+/)[0]).toBe('1000');
  });

  it("binds the host's device nodes read-only: they work, but no run can touch their timestamps (T66)", () => {
    const script = 'echo x > /dev/null && echo wrote; head -c 3 /dev/zero | wc -c; touch /dev/null 2>/dev/null && echo touched || echo refused';
    const r = spawnSync('setpriv', cli(['--layer', layer, '--', 'sh', '-c', script]), { encoding: 'utf8', cwd: repo, timeout: 30_000 });
    const out = JSON.parse(r.stdout) as { exitCode: number; stdout: { text: string } };
    expect(out.exitCode).toBe(0);
    expect(out.stdout.text.split(/\s+/).filter(Boolean)).toEqual(['wrote', '3', 'refused']);
  });

  it('enters pooled network namespaces made inside the outer user namespace (lo up, one per run)', () => {
    const script = join(repo, 'test/helpers/sandbox-rootless-pool.ts');
    const args = ['--reuid=bulkhead', '--regid=bulkhead', '--init-groups', process.execPath, '--import', 'tsx', script, layer, 'readlink /proc/self/ns/net; probe loopback'];
    const r = spawnSync('setpriv', args, { encoding: 'utf8', cwd: repo, timeout: 30_000 });
    expect(r.stderr).not.toMatch(/Error/);
    const out = JSON.parse(r.stdout) as { helpers: string[]; runs: { exitCode: number; stdout: string }[] };
    // Prepared runs were started in the outer user namespace with a netns from the netns helper.
    expect(out.helpers.some((a) => a.startsWith('sbx-init --userns --netns '))).toBe(true);
    expect(out.helpers.some((a) => a.startsWith('sbx-init --netns-pool'))).toBe(true);
    for (const run of out.runs) {
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain('{"ok":true');
    }
    // Not the worker's own: a netns of the run (distinct per concurrent run: lifecycle.test.ts).
    for (const run of out.runs) expect(run.stdout.split('\n')[0]).not.toBe(readlinkSync('/proc/self/ns/net'));
  });

  it('puts the program on host ids from the subuid range, and leaves none behind', async () => {
    const range = findIdRange(readFileSync('/etc/subuid', 'utf8'), 'bulkhead', -1);
    expect(range).toBeDefined();
    const inRange = (u: number): boolean => range !== undefined && u >= range.start && u < range.start + range.count;
    const child = spawn('setpriv', cli(['--layer', layer, '--wall-ms', '5000', '--', 'sh', '-c', 'sleep 2']), { cwd: repo, stdio: 'ignore' });
    let exited = false;
    const done = new Promise((resolve) =>
      child.on('exit', (code) => {
        exited = true;
        resolve(code);
      }),
    );
    let seen: number[] = [];
    // Polls until the run shows up or the CLI ends (node start-up is slow on a loaded machine).
    while (!exited && seen.length === 0) {
      await new Promise((r) => setTimeout(r, 50));
      seen = uidsOnHost().filter(inRange);
    }
    expect(seen.length).toBeGreaterThan(0);
    await done;
    expect(uidsOnHost().filter(inRange)).toEqual([]);
  });
});
