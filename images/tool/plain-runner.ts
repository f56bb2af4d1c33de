import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./plain-run.sh', import.meta.url));

/** What one plain run produced. */
export interface PlainResult {
  /** Exit status; a program killed by signal N reads 128+N (the shell's convention). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** One command in an image, run by the plain runner (root only; not a security boundary). */
export interface PlainRunOptions {
  /** Absolute rootfs paths, base first. */
  layers: readonly string[];
  argv: readonly string[];
  /** Complete environment, `KEY=VALUE`. */
  env: readonly string[];
  /** Host directory bind-mounted at /box (shared between stages of one selftest). */
  boxDir: string;
  /** uid and gid inside the image. @defaultValue 1000 (the image's `sandbox` user) */
  uid?: number;
  /** Kills the whole namespace after this long. @defaultValue 60000 */
  timeoutMs?: number;
}

/**
 * Runs `argv` in the image under fresh mount, pid, net, ipc and uts namespaces with the layers as
 * a read-only overlay, tmpfs on /tmp and `boxDir` on /box. Used to read versions at build time
 * and by the selftest until the real sandbox is available.
 */
export async function runPlain(opts: PlainRunOptions): Promise<PlainResult> {
  const mnt = await mkdtemp(join(tmpdir(), 'bulkhead-plain-'));
  try {
    await mkdir(mnt, { recursive: true });
    const lowers = [...opts.layers].reverse().join(':');
    const args = [
      '--mount',
      '--pid',
      '--net',
      '--ipc',
      '--uts',
      '--fork',
      '--kill-child',
      '--propagation',
      'private',
      'sh',
      SCRIPT,
      mnt,
      lowers,
      opts.boxDir,
      String(opts.uid ?? 1000),
      ...opts.env,
      ...opts.argv,
    ];
    return await new Promise<PlainResult>((resolve, reject) => {
      const child = spawn('unshare', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, opts.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({
          exitCode: code ?? (signal === null ? null : 128),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          timedOut,
        });
      });
    });
  } finally {
    await rm(mnt, { recursive: true, force: true });
  }
}
