import { spawn } from 'node:child_process';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BulkheadError } from '../../worker/contract/errors.js';
import { layerChain, layerHash, type LayerRecipe } from '../../worker/runtimes/runtime-index.js';
import { readHostDebianSources, renderSourcesList } from './apt-sources.js';
import { layerDir, layersDir, readLayerInfo, type LayerInfo } from './store.js';

const LAYER_SCRIPT = fileURLToPath(new URL('./layer-build.sh', import.meta.url));

/** Where build progress goes (one line per call). */
export type Progress = (line: string) => void;

/** Everything a build needs. */
export interface BuildContext {
  dataDir: string;
  recipes: ReadonlyMap<string, LayerRecipe>;
  progress: Progress;
  /** Host apt configuration directory read for the mirror. @defaultValue '/etc/apt' */
  aptDir?: string;
  /**
   * Layers being built by this process, by hash: images built side by side (`build --jobs`) that
   * share a layer wait for the one build of it (two would collide in its `.tmp-…-<pid>` directory).
   */
  inFlight?: Map<string, Promise<BuiltLayer>>;
}

/** A layer that exists (built now or found in the cache). */
export interface BuiltLayer {
  dir: string;
  rootfs: string;
  info: LayerInfo;
  cached: boolean;
}

/** Runs a command with inherited output; rejects with the exit status. */
export function runCommand(file: string, args: readonly string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (cause) => reject(new BulkheadError('SBX_ERR_INTERNAL', `${what}: cannot start ${file}`, { cause })));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new BulkheadError('SBX_ERR_INTERNAL', `${what} failed (${file} exited with ${code ?? signal})`));
    });
  });
}

async function duBytes(dir: string): Promise<number> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('du', ['-s', '-B1', '-x', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (b: Buffer) => (text += b.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
  return Number(out.split(/\s/)[0] ?? 0);
}

/** Shell lines that leave only the layer's own content in `rootfs` (run on the host, after unmount). */
function cleanupScript(rootfs: string, isBase: boolean): string {
  const r = JSON.stringify(rootfs);
  const lines = [
    // Only regular files: a whiteout (char 0:0) removed from an upper layer would resurrect the
    // lower file it hides.
    `find ${r}/var/cache/apt ${r}/var/log ${r}/var/cache/debconf ${r}/var/lib/dpkg -maxdepth 2 -type f \\( -name '*.bin' -o -name '*-old' -o -name '*.log' -o -path '*/log/apt/*' \\) -delete 2>/dev/null || true`,
    `rm -rf ${r}/tmp/* ${r}/var/tmp/* ${r}/root/.cache`,
    // Ownership and modes: the worker and the sandbox's unprivileged ids read the layers; nobody but
    // root may write them. chown also clears set-id bits, and the explicit find makes sure: an image
    // binary must never grant privileges (THREATS T42), beside no_new_privs in the sandbox.
    `chown -R 0:0 ${r}`,
    `chmod -R o+rX,o-w ${r}`,
    `find ${r} -xdev -type f -perm /6000 -exec chmod ug-s {} +`,
    // ...except the password databases: no run ever needs them, and an image that one day holds
    // a hash must not hand it to every submission.
    `for f in etc/shadow etc/gshadow etc/shadow- etc/gshadow-; do [ -f ${r}/$f ] && chmod 0640 ${r}/$f; done; true`,
  ];
  if (isBase) {
    // The mirror and the host's resolver are build-time transport, never part of an image.
    lines.push(
      `rm -rf ${r}/var/lib/apt/lists/* ${r}/etc/apt/sources.list.d/* ${r}/etc/apt/sources.list`,
      `mkdir -p ${r}/var/lib/apt/lists/partial`,
      `: > ${r}/etc/resolv.conf`,
      // mmdebstrap copies the build host's /etc/hostname; an image must not name that host (T70).
      // Runs see their own hostname bound over it anyway (native/src/core/mount.c).
      `printf 'bulkhead\\n' > ${r}/etc/hostname`,
    );
  }
  return lines.join('\n');
}

async function buildInto(ctx: BuildContext, recipe: LayerRecipe, tmp: string, parents: readonly BuiltLayer[]): Promise<void> {
  const rootfs = join(tmp, 'rootfs');
  await mkdir(rootfs, { recursive: true, mode: 0o755 });
  // Every layer installs from its base's suite: a trixie layer over a bookworm base would mix libcs.
  const suite = layerChain(ctx.recipes, recipe.name)[0]?.bootstrap?.suite ?? 'bookworm';
  const sourcesFile = join(tmp, 'sources.list');
  await writeFile(sourcesFile, renderSourcesList(await readHostDebianSources(suite, ctx.aptDir)));
  const stepsFile = join(tmp, 'steps.sh');
  await writeFile(stepsFile, recipe.run.map((l) => l.replace(/\n/g, ' ')).join('\n') + '\n');
  if (recipe.bootstrap !== undefined) {
    const { variant, include } = recipe.bootstrap;
    ctx.progress(`==> mmdebstrap ${suite} (${variant})`);
    const inc = [...include, ...recipe.packages];
    await runCommand(
      'mmdebstrap',
      [`--variant=${variant}`, '--mode=root', '--verbose', ...(inc.length > 0 ? [`--include=${inc.join(',')}`] : []), suite, rootfs, sourcesFile],
      `bootstrap of ${recipe.name}`,
    );
    for (const line of recipe.run) {
      ctx.progress(`==> run: ${line}`);
      await runCommand('chroot', [rootfs, '/usr/bin/env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', '/bin/sh', '-ec', line], `step of ${recipe.name}`);
    }
  } else {
    const mnt = join(tmp, 'mnt');
    const work = join(tmp, 'work');
    await mkdir(mnt);
    await mkdir(work);
    const lowers = parents
      .map((p) => p.rootfs)
      .reverse()
      .join(':');
    const aptCache = join(ctx.dataDir, 'cache', 'apt');
    await runCommand(
      'unshare',
      ['--mount', '--propagation', 'private', 'sh', LAYER_SCRIPT, mnt, lowers, rootfs, work, aptCache, sourcesFile, stepsFile, ...recipe.packages],
      `build of layer ${recipe.name}`,
    );
    await rm(work, { recursive: true, force: true });
    await rm(mnt, { recursive: true, force: true });
  }
  ctx.progress(`==> cleaning layer ${recipe.name}`);
  await runCommand('sh', ['-ec', cleanupScript(rootfs, recipe.bootstrap !== undefined)], `cleanup of ${recipe.name}`);
  await rm(sourcesFile, { force: true });
  await rm(stepsFile, { force: true });
}

/**
 * Builds one layer unless a complete one with the same hash exists. The build happens in
 * `.tmp-<recipe>-<hash12>-<pid>`; layer.json is written last and the directory renamed into place,
 * so a failed or interrupted build never leaves a layer that looks complete.
 */
export async function buildLayer(ctx: BuildContext, name: string, parents: readonly BuiltLayer[]): Promise<BuiltLayer> {
  const recipe = ctx.recipes.get(name);
  if (recipe === undefined) throw new BulkheadError('SBX_ERR_CONFIG', `unknown layer recipe "${name}"`);
  const hash = await layerHash(ctx.recipes, name);
  const dir = layerDir(ctx.dataDir, name, hash);
  const existing = await readLayerInfo(dir);
  if (existing?.hash === hash) {
    ctx.progress(`layer ${name} ${hash.slice(0, 12)}: cached`);
    return { dir, rootfs: join(dir, 'rootfs'), info: existing, cached: true };
  }
  ctx.progress(`layer ${name} ${hash.slice(0, 12)}: building`);
  const started = process.hrtime.bigint();
  const tmp = join(layersDir(ctx.dataDir), `.tmp-${name}-${hash.slice(0, 12)}-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true, mode: 0o755 });
  try {
    await buildInto(ctx, recipe, tmp, parents);
    const info: LayerInfo = {
      recipe: name,
      hash,
      parent: parents.at(-1)?.info.hash ?? null,
      sizeBytes: await duBytes(join(tmp, 'rootfs')),
      builtAt: new Date().toISOString(),
      buildSeconds: Math.round(Number(process.hrtime.bigint() - started) / 1e7) / 100,
    };
    await writeFile(join(tmp, 'layer.json'), JSON.stringify(info, null, 2) + '\n', { mode: 0o644 });
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    ctx.progress(`layer ${name}: built in ${info.buildSeconds} s, ${(info.sizeBytes / 1e6).toFixed(1)} MB`);
    return { dir, rootfs: join(dir, 'rootfs'), info, cached: false };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Builds (or finds) every layer of `top`'s chain, base first. */
export async function buildChain(ctx: BuildContext, top: string): Promise<BuiltLayer[]> {
  await mkdir(layersDir(ctx.dataDir), { recursive: true, mode: 0o755 });
  const built: BuiltLayer[] = [];
  for (const recipe of layerChain(ctx.recipes, top)) built.push(await sharedBuild(ctx, recipe.name, [...built]));
  return built;
}

async function sharedBuild(ctx: BuildContext, name: string, parents: readonly BuiltLayer[]): Promise<BuiltLayer> {
  if (ctx.inFlight === undefined) return buildLayer(ctx, name, parents);
  const hash = await layerHash(ctx.recipes, name);
  let pending = ctx.inFlight.get(hash);
  if (pending === undefined) {
    pending = buildLayer(ctx, name, parents);
    ctx.inFlight.set(hash, pending);
  }
  return pending;
}
