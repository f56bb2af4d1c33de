/**
 * Typed loader of the native addon and locator of its sbx-init helper. Nothing happens at import;
 * the addon is loaded on the first call and cached.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeBinding } from './native.js';

export type * from './native.js';

const buildDirs = ['build/Release', 'build/Debug'];
let cached: NativeBinding | undefined;

function nativeDir(): string {
  return dirname(fileURLToPath(import.meta.url));
}

/** The directory holding sbx.node and sbx-init, or undefined when the addon is not built. */
export function findBuildDir(): string | undefined {
  for (const d of buildDirs) {
    const dir = join(nativeDir(), d);
    if (existsSync(join(dir, 'sbx.node')) && existsSync(join(dir, 'sbx-init'))) return dir;
  }
  return undefined;
}

/** Loads the addon; throws an Error with code SBX_ERR_SPAWN when it is not built. */
export function loadNative(): NativeBinding {
  if (cached) return cached;
  const dir = findBuildDir();
  if (!dir) {
    throw Object.assign(new Error('native addon not built: run `npm run build:native`'), { code: 'SBX_ERR_SPAWN' });
  }
  const require = createRequire(import.meta.url);
  cached = require(join(dir, 'sbx.node')) as NativeBinding;
  return cached;
}

/** Absolute path of the sbx-init helper next to the addon. */
export function helperPath(): string {
  const dir = findBuildDir();
  if (!dir) throw Object.assign(new Error('sbx-init not built: run `npm run build:native`'), { code: 'SBX_ERR_SPAWN' });
  return join(dir, 'sbx-init');
}
