/**
 * A data disk that can be filled, for the disk-full fault test: a small tmpfs mounted on a fresh
 * temporary directory (needs root, or CAP_SYS_ADMIN), a redis-server keeping its data there with
 * the persistence settings of scripts/start.sh (AOF on with the default fsync every second, RDB
 * snapshots `save 60 1000`), and a filler that takes every free byte and gives them back.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRedis, type TestRedis } from './redis.js';

const run = promisify(execFile);

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

/** Starts a redis-server with its data, socket and logs in `dir`, persisting like scripts/start.sh. */
export function startRedisIn(dir: string): Promise<TestRedis> {
  return startRedis({ dir, persistence: 'like-start-sh' });
}
