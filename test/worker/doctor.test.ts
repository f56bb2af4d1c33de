/**
 * `npm run doctor` on this host, as an operator runs it, against a real Redis: every host check is
 * printed with its level, and a host that can run a worker is called usable (exit 0).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { serviceUnavailableReason } from '../helpers/service.js';

const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
const HOST_CHECKS = [
  'cgroup delegation',
  'user namespaces',
  'AppArmor userns restriction',
  'overlay in a user namespace',
  'swap accounting',
  'core dumps',
  'socket buffers',
  'socket accounting',
  'sandbox',
];

const skip = serviceUnavailableReason(['bash']) ?? (process.getuid?.() === 0 ? undefined : 'runs as root (host-setup done by prepare)');
describe.skipIf(skip !== undefined)(`npm run doctor${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('prints every host check with a level and calls this prepared host usable', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'worker/doctor.ts'], {
      cwd: REPO_DIR,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', SBX_REDIS_URL: redis.url },
    });
    for (const name of HOST_CHECKS) expect(r.stdout).toMatch(new RegExp(`^(ok|warn|fail) +${name}: `, 'm'));
    // Every warning or failure comes with the command that fixes it.
    const flagged = r.stdout.split('\n').filter((l) => /^(warn|fail) /.test(l)).length;
    expect(r.stdout.split('\n').filter((l) => /^ {6}fix: /.test(l)).length).toBe(flagged);
    expect(r.stdout).toMatch(/^ok +overlay in a user namespace: mounts$/m);
    expect(r.stdout).toContain('usable: this host can run a worker');
    expect(r.status).toBe(0);
  });
});
