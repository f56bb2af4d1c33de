import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Data directory layout (images/README.md):
 *   <dataDir>/layers/<recipe>-<hash12>/rootfs/      the layer's tree
 *   <dataDir>/layers/<recipe>-<hash12>/layer.json   written last: its presence marks it complete
 *   <dataDir>/layers/.tmp-<recipe>-<hash12>-<pid>/  a build in progress (garbage once pid is gone)
 *   <dataDir>/images/<language>.json                image record (worker/runtimes/runtime-index.ts)
 *   <dataDir>/cache/apt/                            apt lists and .debs shared by builds
 */

/** `layer.json` of a complete layer. */
export interface LayerInfo {
  recipe: string;
  /** Full sha256 of the recipe chain (worker/runtimes/runtime-index.ts `layerHash`). */
  hash: string;
  /** Parent layer hash, or null for the base. */
  parent: string | null;
  sizeBytes: number;
  builtAt: string;
  buildSeconds: number;
}

export function layersDir(dataDir: string): string {
  return join(dataDir, 'layers');
}

/** Directory of a layer by recipe name and full hash. */
export function layerDir(dataDir: string, recipe: string, hash: string): string {
  return join(layersDir(dataDir), `${recipe}-${hash.slice(0, 12)}`);
}

/** The layer's info, or undefined when the layer is absent or incomplete. */
export async function readLayerInfo(dir: string): Promise<LayerInfo | undefined> {
  const raw = await readFile(join(dir, 'layer.json'), 'utf8').catch(() => undefined);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as LayerInfo;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes layer directories that are not complete (no layer.json) and leftovers of builds whose
 * process is gone; with `keep`, also every complete layer not in it. Returns the removed names.
 */
export async function collectGarbage(dataDir: string, keep?: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  const names = await readdir(layersDir(dataDir)).catch(() => [] as string[]);
  for (const name of names) {
    const dir = join(layersDir(dataDir), name);
    const tmp = /^\.tmp-.*-(\d+)$/.exec(name);
    let garbage: boolean;
    if (tmp?.[1] !== undefined) garbage = !isAlive(Number(tmp[1]));
    else if ((await readLayerInfo(dir)) === undefined) garbage = (await stat(dir)).isDirectory();
    else garbage = keep !== undefined && !keep.has(dir);
    if (garbage) {
      await rm(dir, { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}
