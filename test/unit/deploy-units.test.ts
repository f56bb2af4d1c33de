/**
 * The systemd units as scripts/install-units.sh writes them: systemd itself checks them
 * (systemd-analyze verify, no warning allowed), and the properties the deployment relies on are
 * there. Starting them needs systemd as PID 1, which CI does not have (README "Deployment").
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'bulkhead-units-'));
const unit = (name: string): string => readFileSync(join(dir, `bulkhead-${name}.service`), 'utf8');

describe.skipIf(!hasAnalyze)(`systemd units${hasAnalyze ? '' : ' (skipped: systemd-analyze not installed)'}`, () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('pass systemd-analyze verify without a warning, rendered for the prefix', () => {
    const out = execFileSync('bash', ['scripts/install-units.sh', '--prefix', '/srv/bulkhead', '--render-only', dir], { cwd: REPO_DIR, encoding: 'utf8' });
    expect(out).toContain('units verified');
    expect(unit('worker')).toContain('ExecStart=/usr/bin/node /srv/bulkhead/dist/worker/main.js');
    expect(unit('api')).toContain('ExecStart=/usr/bin/node /srv/bulkhead/dist/api/main.js');
  });

  it('run the worker as its own user with a delegated cgroup subtree, restarted on failure', () => {
    const worker = unit('worker');
    for (const line of ['User=bulkhead', 'Delegate=yes', 'Restart=on-failure', 'TimeoutStopSec=45']) expect(worker).toMatch(new RegExp(`^${line}$`, 'm'));
    // newuidmap is setuid: NoNewPrivileges would stop the rootless worker's outer user namespace.
    expect(worker).not.toMatch(/^NoNewPrivileges=yes$/m);
    expect(unit('api')).toMatch(/^User=bulkhead-api$/m);
    expect(unit('redis')).toMatch(/--unixsocket \/run\/bulkhead-redis\/redis.sock/);
  });
});

describe('Kubernetes manifests and the worker seccomp profile', () => {
  const k8s = (f: string): string => readFileSync(join(REPO_DIR, 'scripts', 'deploy', 'kubernetes', f), 'utf8');

  it('run the worker without privileged: true, in a user namespace, with only the named capabilities', () => {
    const worker = k8s('worker.yaml');
    expect(worker).not.toMatch(/^ *privileged: true/m);
    expect(worker).toMatch(/^ *privileged: false$/m);
    expect(worker).toMatch(/^ {6}hostUsers: false$/m);
    expect(worker).toMatch(/add: \[SYS_ADMIN, SETUID, SETGID, KILL\]/);
    expect(worker).toMatch(/drop: \[ALL\]/);
    expect(worker).toMatch(/localhostProfile: bulkhead-worker.json/);
    expect(k8s('api.yaml')).toMatch(/readOnlyRootFilesystem: true/);
  });

  it('the seccomp profile is valid JSON that denies module loading, kexec and bpf and gives a reason per group', () => {
    const profile = JSON.parse(k8s('seccomp-worker.json')) as { syscalls: { names: string[]; action: string; comment: string }[] };
    const denied = profile.syscalls.filter((s) => s.action === 'SCMP_ACT_ERRNO').flatMap((s) => s.names);
    for (const name of ['init_module', 'kexec_load', 'bpf', 'userfaultfd']) expect(denied).toContain(name);
    // What building a run needs stays allowed.
    for (const name of ['unshare', 'clone', 'mount', 'pivot_root', 'setns']) expect(denied).not.toContain(name);
    for (const s of profile.syscalls) expect(s.comment.length).toBeGreaterThan(10);
  });
});
