/**
 * `npm run test:cgroup-v2`: the cgroup v2 suite (suite.ts) on a real cgroup v2 kernel. On a v2
 * host it runs directly; otherwise in a guest: Debian's cloud kernel under qemu (software
 * emulation is enough), booted from a cached initramfs (scripts/vm/guest-kernel.sh) with a fresh
 * read-only ext4 disk holding node, the built addon, the bundled suite and the test layers.
 * Never skips: no v2 kernel (no qemu, no kernel package) is a failure. The last line is the
 * suite's `N passed, N failed` (or `0 passed, 1 failed` when it could not run at all).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBuildDir } from '../../native/index.js';
import { detectCgroupVersion } from '../../worker/sandbox/features.js';
import { ensureRootfs } from '../helpers/sandbox-rootfs.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const here = join(repo, 'test', 'cgroup-v2');
/** Emulated boot plus the suite take about a minute; a hung guest must not hang CI. */
const GUEST_TIMEOUT_MS = 10 * 60_000;
const GUEST_MEMORY_MIB = 1536;
const SUMMARY = /^(\d+) passed, (\d+) failed$/m;
/** What a rootless worker runs besides node (native/outer-userns.ts). */
const ROOTLESS_HELPERS = ['/usr/bin/newuidmap', '/usr/bin/newgidmap', '/usr/bin/unshare'];

/** A layer with the suite's own tools (sock-flood), built once per source hash. */
function toolsLayer(): string {
  const source = join(here, 'sock-flood.c');
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `bulkhead-cg2-tools-${hash}`);
  if (!existsSync(join(dir, 'bin', 'sock-flood'))) {
    mkdirSync(join(dir, 'bin'), { recursive: true });
    execFileSync('cc', ['-static', '-O2', '-o', join(dir, 'bin', 'sock-flood.tmp'), source]);
    execFileSync('mv', [join(dir, 'bin', 'sock-flood.tmp'), join(dir, 'bin', 'sock-flood')]);
  }
  for (const d of [dir, join(dir, 'bin')]) chmodSync(d, 0o755);
  return dir;
}

/** Copies a host file to the same path under `root`, following links. */
function copyToSame(root: string, path: string): void {
  mkdirSync(join(root, dirname(path)), { recursive: true });
  copyFileSync(path, join(root, path));
  chmodSync(join(root, path), statSync(path).mode & 0o7777);
}

/** Shared libraries an ELF file loads, from ldd. */
function sharedLibraries(file: string): string[] {
  const out = execFileSync('ldd', [file], { encoding: 'utf8' });
  return [...out.matchAll(/(?:=> )?(\/\S+) \(0x/g)].map((m) => m[1] ?? '').filter((p) => p !== '');
}

/** The guest's root: node and its libraries, the addon, the bundled suite, the layers. */
function stageGuestRoot(root: string, layers: string[]): void {
  const build = findBuildDir();
  if (!build) throw new Error('native addon not built (npm run build:native)');
  // node with its libraries; the rootless test's helpers (setuid newuidmap/newgidmap, unshare) with theirs.
  const programs = [process.execPath, ...ROOTLESS_HELPERS];
  const files = [...programs, join(build, 'sbx.node')].flatMap((f) => [f, ...sharedLibraries(f)]);
  for (const f of new Set(files)) if (!f.endsWith('sbx.node')) copyToSame(root, f);
  mkdirSync(join(root, 'repo', 'native', 'build', 'Release'), { recursive: true });
  mkdirSync(join(root, 'layers'));
  // The bundle sits in repo/native so that the addon is found where native/index.ts looks for it.
  const addonDir = join(root, 'repo', 'native');
  execFileSync('cp', ['-a', join(build, 'sbx.node'), join(build, 'sbx-init'), join(addonDir, 'build', 'Release')]);
  const bundles = [{ source: 'suite.ts', out: 'cgroup-v2-suite.mjs' }, { source: 'rootless-child.ts', out: 'cgroup-v2-rootless.mjs' }];
  for (const { source, out } of bundles) {
    execFileSync(join(repo, 'node_modules', '.bin', 'esbuild'), [join(here, source), '--bundle', '--platform=node',
      '--format=esm', '--target=node20', '--log-level=warning', `--outfile=${join(addonDir, out)}`]);
  }
  layers.forEach((l, i) => execFileSync('cp', ['-a', l, join(root, 'layers', String(i))], { stdio: 'inherit' }));
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
  chmodSync(join(root, 'bin', 'busybox'), 0o755);
  for (const applet of ['sh', 'sleep']) symlinkSync('busybox', join(root, 'bin', applet));
  // The rootless worker's user and its subordinate ids, as host-setup makes them.
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\nbulkhead:x:1500:1500::/:/bin/sh\n');
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nbulkhead:x:1500:\n');
  for (const f of ['subuid', 'subgid']) writeFileSync(join(root, 'etc', f), 'bulkhead:3000000:65536\n');
}

function guestCommand(layerCount: number): string {
  const layers = Array.from({ length: layerCount }, (_, i) => `/layers/${i}`).join(',');
  return `cd /repo && ${process.execPath} /repo/native/cgroup-v2-suite.mjs --layers ${layers}`;
}

/** Boots the guest, echoes its console, resolves with everything it printed. */
function boot(kernelDir: string, disk: string, command: string): Promise<string> {
  const args = ['-n', '10', 'qemu-system-x86_64', '-machine', 'q35', '-accel', 'tcg,thread=multi', '-smp', '2',
    '-m', String(GUEST_MEMORY_MIB), '-nographic', '-nodefaults', '-serial', 'stdio', '-no-reboot', '-nic', 'none',
    '-kernel', join(kernelDir, 'vmlinuz'), '-initrd', join(kernelDir, 'initramfs.cpio'),
    '-drive', `file=${disk},format=raw,if=virtio,readonly=on`,
    '-append', `console=ttyS0 quiet panic=-1 sbx.cmd=${Buffer.from(command).toString('base64')}`];
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
    stageGuestRoot(root, layers);
    const disk = join(work, 'disk.ext4');
    const usedMiB = Number(execFileSync('du', ['-sm', root], { encoding: 'utf8' }).split('\t')[0]);
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', root, disk, `${usedMiB + 64}M`]);
    process.stdout.write(`cgroup-v2: booting ${kernelDir} (prepared in ${Date.now() - startedMs} ms)\n`);
    const text = (await boot(kernelDir, disk, guestCommand(layers.length))).replace(/\r/g, '');
    process.stdout.write(`cgroup-v2: guest done in ${Date.now() - startedMs} ms\n`);
    const rc = Number(/^guest-rc=(\d+)$/m.exec(text)?.[1] ?? 255);
    return SUMMARY.test(text) ? rc : (process.stdout.write('0 passed, 1 failed\n'), 1);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function direct(layers: string[]): number {
  try {
    execFileSync(process.execPath, ['--import', 'tsx', join(here, 'suite.ts'), '--layers', layers.join(',')], { stdio: 'inherit', cwd: repo });
    return 0;
  } catch {
    return 1;
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

main().then((rc) => (process.exitCode = rc), (err: unknown) => {
  process.stdout.write(`cgroup-v2: could not run the suite on a v2 kernel: ${err instanceof Error ? err.message : String(err)}\n0 passed, 1 failed\n`);
  process.exitCode = 1;
});
