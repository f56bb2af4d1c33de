/**
 * `npm run test:cgroup-v2`: the cgroup v2 suite (suite.ts) on a real cgroup v2 kernel. On a v2
 * host it runs directly; otherwise in a guest: Debian's cloud kernel under qemu (software
 * emulation is enough), booted from a cached initramfs (scripts/vm/guest-kernel.sh) with a fresh
 * read-only ext4 disk holding node, the built addon, the bundled suite and the test layers.
 * Never skips: no v2 kernel (no qemu, no kernel package) is a failure. The last line is the
 * suite's `N passed, N failed` (or `0 passed, 1 failed` when it could not run at all).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSetting } from '../../worker/contract/settings/load.js';
import { DATA_DIR as DATA_DIR_ROW } from '../../worker/contract/settings/shared.js';
import { detectCgroupVersion } from '../../worker/sandbox/features.js';
import { ensureRootfs } from '../helpers/sandbox-rootfs.js';
import { baseImageLayer, stageContainerApp, stageGuestRoot, toolsLayer, type ContainerPaths } from './stage.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const here = join(repo, 'test', 'cgroup-v2');
/** Emulated boot plus the suite take about a minute; a hung guest must not hang CI. */
const GUEST_TIMEOUT_MS = 10 * 60_000;
const GUEST_MEMORY_MIB = 1536;
const SUMMARY = /^(\d+) passed, (\d+) failed$/m;
/** Where the images are built (the worker's default). */
const DATA_DIR = readSetting(DATA_DIR_ROW, process.env, {});

function suiteArgs(layers: string[], container: ContainerPaths): string[] {
  return ['--layers', layers.join(','), '--container-base', container.base, '--container-app', container.app, '--container-enter', container.enter];
}

function guestCommand(layerCount: number, container: ContainerPaths): string {
  const layers = Array.from({ length: layerCount }, (_, i) => `/layers/${i}`);
  return `cd /repo && PATH=/usr/bin:/bin ${process.execPath} /repo/native/cgroup-v2-suite.mjs ${suiteArgs(layers, container).join(' ')}`;
}

/** Boots the guest, echoes its console, resolves with everything it printed. */
function boot(kernelDir: string, disk: string, command: string): Promise<string> {
  const args = [
    '-n',
    '10',
    'qemu-system-x86_64',
    '-machine',
    'q35',
    '-accel',
    'tcg,thread=multi',
    '-smp',
    '2',
    '-m',
    String(GUEST_MEMORY_MIB),
    '-nographic',
    '-nodefaults',
    '-serial',
    'stdio',
    '-no-reboot',
    '-nic',
    'none',
    '-kernel',
    join(kernelDir, 'vmlinuz'),
    '-initrd',
    join(kernelDir, 'initramfs.cpio'),
    '-drive',
    `file=${disk},format=raw,if=virtio,readonly=on`,
    '-append',
    `console=ttyS0 quiet panic=-1 sbx.cmd=${Buffer.from(command).toString('base64')}`,
  ];
  return new Promise((resolve, reject) => {
    const qemu = spawn('nice', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const timer = setTimeout(() => qemu.kill('SIGKILL'), GUEST_TIMEOUT_MS);
    const take = (chunk: Buffer): void => {
      const s = chunk.toString('utf8');
      text += s;
      process.stdout.write(s.replace(/\r/g, ''));
    };
    qemu.stdout.on('data', take);
    qemu.stderr.on('data', take);
    qemu.on('error', reject);
    qemu.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`qemu exited with ${String(code)} (timeout ${GUEST_TIMEOUT_MS} ms)`));
      else resolve(text);
    });
  });
}

async function inGuest(layers: string[]): Promise<number> {
  const startedMs = Date.now();
  const kernelDir = execFileSync('bash', [join(repo, 'scripts', 'vm', 'guest-kernel.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const work = mkdtempSync(join(tmpdir(), 'bulkhead-cg2-guest-'));
  try {
    const root = join(work, 'root');
    const container = stageGuestRoot(root, layers, baseImageLayer(DATA_DIR));
    const disk = join(work, 'disk.ext4');
    const usedMiB = Number(execFileSync('du', ['-sm', root], { encoding: 'utf8' }).split('\t')[0]);
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', root, disk, `${usedMiB + 64}M`]);
    process.stdout.write(`cgroup-v2: booting ${kernelDir} (prepared in ${Date.now() - startedMs} ms)\n`);
    const text = (await boot(kernelDir, disk, guestCommand(layers.length, container))).replace(/\r/g, '');
    process.stdout.write(`cgroup-v2: guest done in ${Date.now() - startedMs} ms\n`);
    const rc = Number(/^guest-rc=(\d+)$/m.exec(text)?.[1] ?? 255);
    const summary = SUMMARY.exec(text)?.[0];
    const kernel = /kernel: (\S+ \(cgroup controllers: [^)]*\))/.exec(text)?.[1] ?? 'an unknown kernel';
    // Last line, after the guest's shutdown messages: the counts scripts/test.sh adds up.
    process.stdout.write(summary ? `cgroup-v2: ran on ${kernel}\n${summary}\n` : '0 passed, 1 failed\n');
    return summary ? rc : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function direct(layers: string[]): number {
  const work = mkdtempSync(join(tmpdir(), 'bulkhead-cg2-direct-'));
  // The container's root (an unprivileged host user) reads the app layer from here.
  chmodSync(work, 0o755);
  try {
    stageContainerApp(join(work, 'app'), layers);
    const container = { base: baseImageLayer(DATA_DIR), app: join(work, 'app'), enter: join(here, 'container-enter.sh') };
    execFileSync(process.execPath, ['--import', 'tsx', join(here, 'suite.ts'), ...suiteArgs(layers, container)], { stdio: 'inherit', cwd: repo });
    return 0;
  } catch {
    return 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const fixture = ensureRootfs();
  const layers = [...fixture.layers, toolsLayer()];
  if (detectCgroupVersion() === 2) {
    process.stdout.write('cgroup-v2: this host is cgroup v2, running directly\n');
    return direct(layers);
  }
  process.stdout.write('cgroup-v2: this host is cgroup v1, running in a cgroup v2 guest\n');
  return inGuest(layers);
}

main().then(
  (rc) => (process.exitCode = rc),
  (err: unknown) => {
    process.stdout.write(`cgroup-v2: could not run the suite on a v2 kernel: ${err instanceof Error ? err.message : String(err)}\n0 passed, 1 failed\n`);
    process.exitCode = 1;
  },
);
