import { cp, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DATA_DIR, layerHash, loadLayerRecipes } from '../../worker/runtimes/runtime-index.js';
import { readLayerInfo, layerDir } from '../../images/tool/store.js';
import { IMAGES_DIR } from './images-paths.js';

/** Why image-building tests cannot run here, or undefined when they can. */
export async function builderSkipReason(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root (overlay mounts, chroot)';
  const recipes = await loadLayerRecipes(IMAGES_DIR);
  const base = layerDir(DEFAULT_DATA_DIR, 'base', await layerHash(recipes, 'base'));
  if ((await readLayerInfo(base)) === undefined) return `base layer not built in ${DEFAULT_DATA_DIR} (npm run images -- build bash)`;
  return undefined;
}

/**
 * A throwaway images dir (the real base recipe plus the given recipes and manifests) and data dir
 * whose base layer is a link to the real, already built one, so tests build only tiny layers.
 */
export async function scratchImages(files: Record<string, string>): Promise<{ imagesDir: string; dataDir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'bulkhead-images-'));
  const imagesDir = join(root, 'images');
  const dataDir = join(root, 'data');
  await cp(join(IMAGES_DIR, 'base'), join(imagesDir, 'base'), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(imagesDir, path, '..'), { recursive: true });
    await writeFile(join(imagesDir, path), text);
  }
  const hash = await layerHash(await loadLayerRecipes(imagesDir), 'base');
  await mkdir(join(dataDir, 'layers'), { recursive: true });
  await symlink(layerDir(DEFAULT_DATA_DIR, 'base', hash), layerDir(dataDir, 'base', hash));
  return { imagesDir, dataDir };
}
