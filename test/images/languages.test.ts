import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../worker/runtimes/runtime.js';
import { loadManifests, type Manifest } from '../../worker/runtimes/runtime-index.js';
import type { RawOutcome } from '../../worker/sandbox/spec.js';
import { builtImage, closeImageSandbox, imageSandboxReason as sandboxReason, runInImage } from '../helpers/image-sandbox.js';
import { IMAGES_DIR } from '../helpers/images-paths.js';

/** Every language image's samples through the real sandbox; skips visibly without root or the addon. */
const manifests = await loadManifests(IMAGES_DIR);
afterAll(async () => {
  await closeImageSandbox();
});

/** Compile (if the language has a compile step) then run one sample, as the worker does. */
async function runSample(manifest: Manifest, runtime: Runtime, file: string): Promise<{ compile?: RawOutcome; run?: RawOutcome }> {
  return runInImage(runtime, await readFile(join(manifest.dir, file)));
}

describe('language samples in the real sandbox', () => {
  for (const manifest of manifests) {
    const runtime = builtImage(manifest.image);
    const reason = sandboxReason ?? (runtime === undefined ? `image not built (npm run images -- build ${manifest.image})` : undefined);
    const name = (what: string): string => `${manifest.image}: ${what}${reason === undefined ? '' : ` (skipped: ${reason})`}`;

    it.skipIf(reason !== undefined)(
      name('hello world prints its output and exits 0'),
      async () => {
        const { compile, run } = await runSample(manifest, runtime as Runtime, manifest.samples.hello.file);
        if (compile !== undefined) expect(compile.exitCode, compile.stderr.toString()).toBe(0);
        expect(run?.stderr.toString()).toBe('');
        expect(run?.stdout.toString()).toBe(manifest.samples.hello.stdout);
        expect(run?.exitCode).toBe(0);
      },
      120_000,
    );

    if (manifest.samples.compileError !== undefined) {
      const file = manifest.samples.compileError.file;
      it.skipIf(reason !== undefined)(
        name('a compile error fails the compile stage with diagnostics and is never run'),
        async () => {
          const { compile, run } = await runSample(manifest, runtime as Runtime, file);
          expect(compile?.exitCode).not.toBe(0);
          expect(compile?.killedBy).toBeNull();
          // Diagnostics on either stream (erlc, fpc and tsc write them to stdout); the user sees both.
          expect((compile?.stderr.length ?? 0) + (compile?.stdout.length ?? 0)).toBeGreaterThan(0);
          expect(run).toBeUndefined();
        },
        120_000,
      );
    }

    const versionSample = manifest.samples.version;
    if (versionSample !== undefined) {
      it.skipIf(reason !== undefined)(
        name('the version sample prints the version the image recorded'),
        async () => {
          const { compile, run } = await runSample(manifest, runtime as Runtime, versionSample.file);
          if (compile !== undefined) expect(compile.exitCode, compile.stderr.toString()).toBe(0);
          expect(run?.exitCode, run?.stderr.toString()).toBe(0);
          expect(run?.stdout.toString()).toContain((runtime as Runtime).version);
        },
        120_000,
      );
    }

    it.skipIf(reason !== undefined)(
      name('a runtime error ends the run with a failure status'),
      async () => {
        const { compile, run } = await runSample(manifest, runtime as Runtime, manifest.samples.runtimeError.file);
        if (compile !== undefined) expect(compile.exitCode, compile.stderr.toString()).toBe(0);
        expect(run?.killedBy).toBeNull();
        expect(run?.seccompViolation).toBe(false);
        expect(run?.exitCode === 0).toBe(false);
      },
      120_000,
    );
  }
});
