/**
 * What the cgroup v2 suite runs on, staged by run.ts: the tools layer, the container's layers
 * (the project's Debian base image layer plus an app layer with node, the addon and the bundled
 * container test) and, for the guest, its whole root (node and its libraries, the rootless
 * helpers, the addon, the bundled suite, the layers, the rootless user and its subordinate ids).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBuildDir } from '../../native/index.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const here = join(repo, 'test', 'cgroup-v2');
/** What a rootless worker runs besides node (native/outer-userns.ts), and the container launcher. */
const ROOTLESS_HELPERS = ['/usr/bin/newuidmap', '/usr/bin/newgidmap', '/usr/bin/unshare'];
/** busybox applets the guest's shell scripts use (guest-init.sh runs from the initramfs). */
const GUEST_APPLETS = ['sh', 'sleep', 'mount', 'umount', 'mkdir', 'touch', 'pivot_root', 'cat'];

/** Where the suite finds the container's pieces, in the system it runs on. */
export interface ContainerPaths {
  base: string;
  app: string;
  enter: string;
}

/** A layer with the suite's own tools (sock-flood), built once per source hash. */
export function toolsLayer(): string {
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

/** The project's Debian base image layer (the first layer of every built image). */
export function baseImageLayer(dataDir: string): string {
  const image = readdirSync(join(dataDir, 'images')).find((f) => f.endsWith('.json'));
  const layer = image && (JSON.parse(readFileSync(join(dataDir, 'images', image), 'utf8')) as { layers?: string[] }).layers?.[0];
  if (!layer) throw new Error(`no built image in ${dataDir}/images (npm run images -- build bash)`);
  return layer;
}

/** Copies a host file to `path` (default: the same path) under `root`, following links. */
function copyInto(root: string, path: string, to = path): void {
  mkdirSync(join(root, dirname(to)), { recursive: true });
  copyFileSync(path, join(root, to));
  chmodSync(join(root, to), statSync(path).mode & 0o7777);
}

/** Shared libraries an ELF file loads, from ldd. */
function sharedLibraries(file: string): string[] {
  const out = execFileSync('ldd', [file], { encoding: 'utf8' });
  return [...out.matchAll(/(?:=> )?(\/\S+) \(0x/g)].map((m) => m[1] ?? '').filter((p) => p !== '');
}

function addonBuildDir(): string {
  const build = findBuildDir();
  if (!build) throw new Error('native addon not built (npm run build:native)');
  return build;
}

/**
 * `dir`/native/build/Release with the addon and `dir`/native/<out> bundled from `source`: the
 * bundle sits in native/ so that native/index.ts finds the addon next to it as in the checkout.
 */
function stageBundle(dir: string, source: string, out: string): void {
  const build = addonBuildDir();
  mkdirSync(join(dir, 'native', 'build', 'Release'), { recursive: true });
  execFileSync('cp', ['-a', join(build, 'sbx.node'), join(build, 'sbx-init'), join(dir, 'native', 'build', 'Release')]);
  execFileSync(join(repo, 'node_modules', '.bin', 'esbuild'), [
    join(here, source),
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--target=node20',
    '--log-level=warning',
    `--outfile=${join(dir, 'native', out)}`,
  ]);
}

function copyLayers(dir: string, layers: string[]): void {
  mkdirSync(dir, { recursive: true });
  layers.forEach((l, i) => execFileSync('cp', ['-a', l, join(dir, String(i))]));
}

/** The container's app layer at `app`: /usr/bin/node, /app/native (addon + test), /app/layers. */
export function stageContainerApp(app: string, layers: string[]): void {
  copyInto(app, process.execPath, '/usr/bin/node');
  stageBundle(join(app, 'app'), 'container-child.ts', 'cgroup-v2-container.mjs');
  copyLayers(join(app, 'app', 'layers'), layers.slice(0, 2));
}

/** The guest's root; returns where the container's pieces lie in it. */
export function stageGuestRoot(root: string, layers: string[], baseLayer: string): ContainerPaths {
  const programs = [process.execPath, ...ROOTLESS_HELPERS];
  const files = [...programs, join(addonBuildDir(), 'sbx.node')].flatMap((f) => [f, ...sharedLibraries(f)]);
  for (const f of new Set(files)) if (!f.endsWith('sbx.node')) copyInto(root, f);
  stageBundle(join(root, 'repo'), 'suite.ts', 'cgroup-v2-suite.mjs');
  stageBundle(join(root, 'repo'), 'rootless-child.ts', 'cgroup-v2-rootless.mjs');
  copyLayers(join(root, 'layers'), layers);
  execFileSync('cp', ['-a', baseLayer, join(root, 'ctr-base')]);
  stageContainerApp(join(root, 'ctr-app'), layers);
  copyInto(root, join(here, 'container-enter.sh'), '/repo/container-enter.sh');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc']) mkdirSync(join(root, d), { recursive: true });
  copyInto(root, '/bin/busybox');
  for (const applet of GUEST_APPLETS) symlinkSync('busybox', join(root, 'bin', applet));
  // The rootless worker's user and its subordinate ids, as host-setup makes them.
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\nbulkhead:x:1500:1500::/:/bin/sh\n');
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nbulkhead:x:1500:\n');
  for (const f of ['subuid', 'subgid']) writeFileSync(join(root, 'etc', f), 'bulkhead:3000000:65536\n');
  return { base: '/ctr-base', app: '/ctr-app', enter: '/repo/container-enter.sh' };
}
