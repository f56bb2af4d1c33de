/**
 * A real, throwaway redis-server for integration tests.
 *
 * Each call starts its own server in a fresh temporary directory, listening on a unix socket and
 * on a free loopback TCP port, with the append-only file on (fsync always) so that `restart()`
 * keeps every key: that is what the "Redis restarted and queued runs survive" tests rely on.
 * `stop()` kills the server and removes the directory; it is idempotent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Handle on one test Redis server. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>`: usable directly by ioredis, BullMQ and SBX_REDIS_URL. */
  url: string;
  /** Absolute path of the server's unix socket (also a valid SBX_REDIS_URL). */
  socketPath: string;
  /** Kills the server and deletes its data directory. Idempotent. */
  stop(): Promise<void>;
  /** Stops the server (SIGTERM, data kept) and starts it again on the same socket and port. */
  restart(): Promise<void>;
}

/** Path of the redis-server binary (Debian package). */
const REDIS_SERVER_PATH = '/usr/bin/redis-server';
/** How long a server may take to accept connections, ms. */
const START_TIMEOUT_MS = 10_000;
/** How long a server may take to exit after SIGTERM before SIGKILL, ms. */
const STOP_TIMEOUT_MS = 5_000;

/** A queue name no other test uses: `test-<uuid>`. */
export function uniqueQueueName(): string {
  return `test-${randomUUID()}`;
}

/** Options for {@link startRedis}. */
export interface RedisOptions {
  /**
   * Data directory to use (the caller owns and removes it). Unset: a fresh temporary directory,
   * removed by stop().
   */
  dir?: string;
  /**
   * Persistence: 'fsync-always' (AOF synced on every write, no RDB; restarts keep every key) or
   * 'like-start-sh' (AOF with the default fsync plus RDB snapshots, as scripts/start.sh runs it).
   * @defaultValue 'fsync-always'
   */
  persistence?: 'fsync-always' | 'like-start-sh';
}

/** Starts a fresh redis-server; see the module comment. */
export async function startRedis(options: RedisOptions = {}): Promise<TestRedis> {
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'bulkhead-redis-')));
  const socketPath = join(dir, 'redis.sock');
  const port = await freeTcpPort();
  const persistence = options.persistence === 'like-start-sh' ? ['--appendonly', 'yes', '--save', '60 1000'] : ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--unixsocket',
    socketPath,
    '--unixsocketperm',
    '700',
    '--dir',
    dir,
    ...persistence,
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];
  let child: ChildProcess | undefined = await launch(args, socketPath);
  let stopped = false;

  async function halt(signal: NodeJS.Signals): Promise<void> {
    const current = child;
    child = undefined;
    if (current !== undefined) await terminate(current, signal);
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    socketPath,
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt('SIGKILL');
      if (ownsDir) await rm(dir, { recursive: true, force: true });
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
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`redis-server exited with ${child.exitCode}: ${stderr.trim()}`);
    }
    if (await answersPing(socketPath)) return child;
    await sleep(20);
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not become ready within ${START_TIMEOUT_MS} ms: ${stderr.trim()}`);
}

/** True once the server answers PING with PONG on the socket (and has loaded its data). */
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
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freeTcpPort(): Promise<number> {
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
