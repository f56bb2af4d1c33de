/**
 * T73 at the worker's start: a real worker process refuses to start beside a socket
 * core_pattern (read from an injected path: the host's own setting is never changed by a test),
 * and gets past the check beside a pipe one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serviceUnavailableReason } from '../helpers/service.js';

const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
const skip = serviceUnavailableReason();
const dir = mkdtempSync(join(tmpdir(), 'core-pattern-start-'));

/** The worker's environment, core_pattern read from a file holding `pattern`; Redis points nowhere. */
function workerEnv(pattern: string): NodeJS.ProcessEnv {
  const path = join(dir, `pattern-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, `${pattern}\n`);
  return { ...process.env, SBX_CORE_PATTERN_PATH: path, SBX_REDIS_URL: join(dir, 'no-redis.sock'), SBX_LOG_LEVEL: 'info', SBX_WORKER_SLOTS: '1' };
}

const WORKER_ARGS = ['--import', 'tsx', join(REPO_DIR, 'worker/main.ts')];

function startWorker(pattern: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, WORKER_ARGS, { cwd: REPO_DIR, encoding: 'utf8', timeout: 60_000, env: workerEnv(pattern) });
  return { status: r.status, stderr: `${r.stderr}${r.stdout}` };
}

/** Starts a worker and resolves with its output once `marker` appears (then stops it), or when it exits. */
function outputUntil(pattern: string, marker: string): Promise<string> {
  const child = spawn(process.execPath, WORKER_ARGS, { cwd: REPO_DIR, env: workerEnv(pattern), stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes(marker)) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const force = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve(text);
    });
  });
}

describe.skipIf(skip !== undefined)(`worker start-up core_pattern check${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('refuses to start beside a socket core_pattern, naming kernel.core_pattern', () => {
    const r = startWorker('@/run/systemd/coredump.socket');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot start \[SBX_ERR_HOST_SETUP\]: kernel\.core_pattern is a socket/);
  });

  it('passes the check beside a pipe core_pattern', async () => {
    const text = await outputUntil('|/usr/share/apport/apport -p%p -s%s -c%c', '"corePattern":"pipe"');
    expect(text).toContain('"corePattern":"pipe"');
    expect(text).not.toContain('kernel.core_pattern is');
  }, 60_000);
});
