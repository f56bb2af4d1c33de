/**
 * `npm run build` as the systemd units and the container use it: the compiled API and worker
 * (plain JavaScript in dist/, no tsx) start against a real Redis and serve a real run.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpPort, startRedis, uniqueQueueName, type TestRedis } from '../helpers/redis.js';
import { eventually, postRun } from '../helpers/service-client.js';
import { DATA_DIR, serviceUnavailableReason } from '../helpers/service.js';

const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));

const skip = serviceUnavailableReason(['bash']);
describe.skipIf(skip !== undefined)(`compiled build${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let redis: TestRedis;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    execFileSync('bash', ['scripts/build.sh'], { cwd: REPO_DIR, stdio: 'pipe' });
    redis = await startRedis();
  }, 240_000);
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await redis?.stop();
  });

  it('runs node dist/api/main.js and node dist/worker/main.js, and they serve a run', async () => {
    const port = await freeTcpPort();
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      SBX_REDIS_URL: redis.url,
      SBX_QUEUE_NAME: uniqueQueueName(),
      SBX_DATA_DIR: DATA_DIR,
      SBX_PORT: String(port),
      SBX_LOG_LEVEL: 'warn',
      SBX_WORKER_CACHE_MS: '0',
    };
    for (const entry of ['dist/worker/main.js', 'dist/api/main.js']) {
      // Plain node, no loader: what the units' ExecStart and the container's command run.
      children.push(spawn(process.execPath, [entry], { cwd: REPO_DIR, env, stdio: 'ignore' }));
    }
    const url = `http://127.0.0.1:${port}`;
    await eventually('the compiled service is ready', async () => (await fetch(`${url}/ready`)).status === 200, 60_000);
    const answer = await postRun(url, { language: 'bash', source: 'echo compiled', wait: true });
    expect(answer.httpStatus).toBe(200);
    expect(JSON.stringify(answer.body)).toContain('compiled\\n');
  }, 90_000);
});
