import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResolvedLimits } from '../../worker/contract/limits.js';
import { loadWorkerConfig, type WorkerConfig } from '../../worker/config.js';
import { compileArgv, fillArgv, type Runtime } from '../../worker/runtime.js';
import { DEFAULT_DATA_DIR, loadManifests, loadRuntimes, type Manifest } from '../../worker/runtimes.js';
import { loadProfile } from '../../worker/sandbox/profile.js';
import type { Sandbox } from '../../worker/sandbox/sandbox.js';
import type { RawOutcome, SandboxFile, SandboxLimits, SandboxSpec } from '../../worker/sandbox/spec.js';
import { IMAGES_DIR } from '../helpers/images-paths.js';

/**
 * Every language's samples through the real sandbox (the Sandbox port over the native addon).
 * Imported dynamically: until the addon is built this file skips with a visible reason.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const NATIVE_SANDBOX = join(REPO, 'worker', 'sandbox', 'native-sandbox.ts');
const NATIVE_INDEX = join(REPO, 'native', 'index.ts');

async function sandboxSkipReason(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root (the privileged sandbox path)';
  if (!existsSync(NATIVE_SANDBOX) || !existsSync(NATIVE_INDEX)) return 'real sandbox not available (worker/sandbox/native-sandbox.ts missing)';
  const native = (await import(pathToFileURL(NATIVE_INDEX).href)) as { findBuildDir?: () => string | undefined };
  if (native.findBuildDir?.() === undefined) return 'native addon not built (npm run build:native)';
  return undefined;
}
const sandboxReason = await sandboxSkipReason();

const config: WorkerConfig = loadWorkerConfig({});
const manifests = await loadManifests(IMAGES_DIR);
const { index } = await loadRuntimes({ imagesDir: IMAGES_DIR, dataDir: DEFAULT_DATA_DIR });

/** The real factory, imported only when the addon exists. */
type SandboxFactory = { NativeSandbox: { create(c: { slots?: number; uidBase?: number }): Promise<Sandbox> } };
let sandbox: Sandbox | undefined;
async function getSandbox(): Promise<Sandbox> {
  if (sandbox === undefined) {
    const mod = (await import(pathToFileURL(NATIVE_SANDBOX).href)) as SandboxFactory;
    sandbox = await mod.NativeSandbox.create({ slots: 1, uidBase: config.uidBase });
  }
  return sandbox;
}
afterAll(async () => {
  await sandbox?.close();
});

function limitsOf(l: ResolvedLimits): SandboxLimits {
  return { ...l, ...config.sandbox };
}

async function spec(runtime: Runtime, stage: 'compile' | 'run', files: SandboxFile[], compiled?: SandboxFile[]): Promise<SandboxSpec> {
  const box = await getSandbox();
  const profileName = stage === 'compile' ? runtime.compileProfile : runtime.profile;
  const profile = box.compileProfile(loadProfile(join(REPO, 'profiles', `${profileName}.json`)));
  const limits = limitsOf(stage === 'compile' ? runtime.compileLimits : runtime.limits.default);
  const argv = stage === 'compile' ? compileArgv(runtime.compile ?? { argv: [] }) : fillArgv(runtime.run.argv, limits);
  return {
    layers: runtime.layers,
    files: compiled === undefined ? files : [],
    ...(compiled === undefined ? {} : { readOnlyFiles: compiled }),
    argv: [...argv],
    env: [...runtime.env],
    stdin: Buffer.alloc(0),
    limits,
    profile,
    hostname: 'bulkhead',
    ...(stage === 'compile' ? { collect: { maxFiles: config.sandbox.collectMaxFiles, maxTotalBytes: config.sandbox.collectMaxBytes } } : {}),
  };
}

/** Compile (if the language has a compile step) then run one sample, as the worker does. */
async function runSample(manifest: Manifest, runtime: Runtime, file: string): Promise<{ compile?: RawOutcome; run?: RawOutcome }> {
  const box = await getSandbox();
  const source: SandboxFile = { path: runtime.sourceFile, content: await readFile(join(manifest.dir, file)) };
  if (runtime.compile === undefined) return { run: await box.run(await spec(runtime, 'run', [source])) };
  const compile = await box.run(await spec(runtime, 'compile', [source]));
  if (compile.exitCode !== 0) return { compile };
  return { compile, run: await box.run(await spec(runtime, 'run', [], compile.collected ?? [])) };
}

describe('language samples in the real sandbox', () => {
  for (const manifest of manifests) {
    const runtime = index.list().find((r) => r.image === manifest.image);
    const reason = sandboxReason ?? (runtime === undefined ? `image not built (npm run images -- build ${manifest.image})` : undefined);
    const name = (what: string): string => `${manifest.image}: ${what}${reason === undefined ? '' : ` (skipped: ${reason})`}`;

    it.skipIf(reason !== undefined)(name('hello world prints its output and exits 0'), async () => {
      const { compile, run } = await runSample(manifest, runtime as Runtime, manifest.samples.hello.file);
      if (compile !== undefined) expect(compile.exitCode, compile.stderr.toString()).toBe(0);
      expect(run?.stderr.toString()).toBe('');
      expect(run?.stdout.toString()).toBe(manifest.samples.hello.stdout);
      expect(run?.exitCode).toBe(0);
    }, 120_000);

    if (manifest.samples.compileError !== undefined) {
      const file = manifest.samples.compileError.file;
      it.skipIf(reason !== undefined)(name('a compile error fails the compile stage with diagnostics and is never run'), async () => {
        const { compile, run } = await runSample(manifest, runtime as Runtime, file);
        expect(compile?.exitCode).not.toBe(0);
        expect(compile?.killedBy).toBeNull();
        // Diagnostics on either stream (erlc, fpc and tsc write them to stdout); the user sees both.
        expect((compile?.stderr.length ?? 0) + (compile?.stdout.length ?? 0)).toBeGreaterThan(0);
        expect(run).toBeUndefined();
      }, 120_000);
    }

    const versionSample = manifest.samples.version;
    if (versionSample !== undefined) {
      it.skipIf(reason !== undefined)(name('the version sample prints the version the image recorded'), async () => {
        const { compile, run } = await runSample(manifest, runtime as Runtime, versionSample.file);
        if (compile !== undefined) expect(compile.exitCode, compile.stderr.toString()).toBe(0);
        expect(run?.exitCode, run?.stderr.toString()).toBe(0);
        expect(run?.stdout.toString()).toContain((runtime as Runtime).version);
      }, 120_000);
    }

    it.skipIf(reason !== undefined)(name('a runtime error ends the run with a failure status'), async () => {
      const { compile, run } = await runSample(manifest, runtime as Runtime, manifest.samples.runtimeError.file);
      if (compile !== undefined) expect(compile.exitCode, compile.stderr.toString()).toBe(0);
      expect(run?.killedBy).toBeNull();
      expect(run?.seccompViolation).toBe(false);
      expect(run?.exitCode === 0).toBe(false);
    }, 120_000);
  }
});
