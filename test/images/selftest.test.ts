import { describe, expect, it } from 'vitest';
import { selftest } from '../../images/tool/selftest.js';
import { readImageRecord } from '../../images/tool/image.js';
import { DEFAULT_DATA_DIR, imageRecordPath, loadManifests } from '../../worker/runtimes/runtime-index.js';
import { IMAGES_DIR } from '../helpers/images-paths.js';

/**
 * Every language's samples through the plain runner (unshare + read-only overlay + chroot as uid
 * 1000): hello prints exactly its stdout, the compile error fails compilation, the runtime error
 * exits non-zero. The real sandbox runs the same samples in languages.test.ts.
 */
const manifests = await loadManifests(IMAGES_DIR);
const isRoot = process.getuid?.() === 0;
const records = new Map(await Promise.all(manifests.map(async (m) => [m.image, await readImageRecord(imageRecordPath(DEFAULT_DATA_DIR, m.image))] as const)));

describe('language samples in the plain runner', () => {
  for (const manifest of manifests) {
    const record = records.get(manifest.image);
    const reason = !isRoot ? 'needs root' : record === undefined ? `image not built (npm run images -- build ${manifest.image})` : undefined;
    const name = `${manifest.image}: hello prints its output, a compile error fails compilation, a runtime error exits non-zero`;
    it.skipIf(reason !== undefined)(
      reason === undefined ? name : `${name} (skipped: ${reason})`,
      async () => {
        if (record === undefined) throw new Error('unreachable');
        const checks = await selftest(manifest, record);
        expect(checks.map((c) => c.sample)).toEqual(manifest.compile === undefined ? ['hello', 'runtimeError'] : ['hello', 'compileError', 'runtimeError']);
        for (const check of checks) expect(check, check.detail).toMatchObject({ ok: true });
      },
      180_000,
    );
  }
});
