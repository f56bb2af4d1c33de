/**
 * A data disk that can be filled, for the disk-full fault test: a small tmpfs mounted on a fresh
 * temporary directory (needs root, or CAP_SYS_ADMIN), a redis-server keeping its data there with
 * the persistence settings of scripts/start.sh (AOF on with the default fsync every second, RDB
 * snapshots `save 60 1000`), and a filler that takes every free byte and gives them back.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, open, rm, rmdir } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestRedis } from './redis.js';

const run = promisify(execFile);
const REDIS_SERVER_PATH = '/usr/bin/redis-server';
const START_TIMEOUT_MS = 10_000;

/** Why a tmpfs cannot be mounted here (not root), or undefined when it can. */
export function tmpfsUnavailableReason(): string | undefined {
  return process.getuid?.() === 0 ? undefined : 'mounting a tmpfs needs root';
}

/** A mounted tmpfs; `unmount()` is idempotent and removes the mount point. */
export interface SmallDisk {
  readonly dir: string;
  unmount(): Promise<void>;
}

/** Mounts a tmpfs of `sizeBytes` on a new temporary directory. */
export async function mountTmpfs(sizeBytes: number): Promise<SmallDisk> {
  const dir = await mkdtemp(join(tmpdir(), 'bulkhead-disk-'));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir]);
  let mounted = true;
  return {
    dir,
    async unmount() {
      if (!mounted) return;
      mounted = false;
      // Lazy: a process of a failed test may still hold a file open there.
      await run('umount', ['-l', dir]);
      await rmdir(dir);
    },
  };
}

/**
 * Writes zeros into `<dir>/filler` until the file system answers ENOSPC. Returns the bytes taken
 * and `release()`, which deletes the filler.
 */
export async function fillDisk(dir: string): Promise<{ filledBytes: number; release(): Promise<void> }> {
  const path = join(dir, 'filler');
  const chunk = Buffer.alloc(256 * 1024);
  const file = await open(path, 'w');
  let filledBytes = 0;
  try {
    for (;;) {
      const { bytesWritten } = await file.write(chunk);
      filledBytes += bytesWritten;
      if (bytesWritten < chunk.length) break;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    await file.close().catch(() => undefined);
  }
  return { filledBytes, release: () => rm(path, { force: true }) };
}

/** Starts a redis-server with its data, socket and logs in `dir` (see the module comment). */
export async function startRedisIn(dir: string): Promise<TestRedis> {
  const socketPath = join(dir, 'redis.sock');
  const port = await freeTcpPort();
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--unixsocket', socketPath, '--unixsocketperm', '700',
    '--dir', dir, '--appendonly', 'yes', '--save', '60 1000', '--daemonize', 'no', '--loglevel', 'warning',
  ];
  let child: ChildProcess | undefined = await launch(args, socketPath);
  let stopped = false;
  const halt = async (signal: NodeJS.Signals) => {
    const current = child;
    child = undefined;
    if (current !== undefined) await terminate(current, signal);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    socketPath,
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt('SIGKILL');
    },
    async restart() {
      if (stopped) throw new Error('restart() after stop()');
      await halt('SIGTERM');
      child = await launch(args, socketPath);
    },
  };
}

async function launch(args: string[], socketPath: string): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER_PATH, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${stderr.trim()}`);
    if (await answersPing(socketPath)) return child;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server not ready within ${START_TIMEOUT_MS} ms: ${stderr.trim()}`);
}

function answersPing(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(socketPath);
    let reply = '';
    socket.once('error', () => resolve(false));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
