/**
 * Runs sources in the built language images through the real sandbox (the Sandbox port over the
 * native addon), compile stage then run stage as the worker does. The addon is imported
 * dynamically: until it is built, `imageSandboxReason` says so and the tests skip visibly.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ResolvedLimits } from '../../worker/contract/limits.js';
import { loadWorkerConfig, type WorkerConfig } from '../../worker/config.js';
import { compileArgv, fillArgv, type Runtime } from '../../worker/runtimes/runtime.js';
import { DEFAULT_DATA_DIR, loadRuntimes } from '../../worker/runtimes/runtime-index.js';
import { loadProfile } from '../../worker/sandbox/profile.js';
import type { Sandbox } from '../../worker/sandbox/sandbox.js';
import type { RawOutcome, SandboxFile, SandboxLimits, SandboxSpec } from '../../worker/sandbox/spec.js';
import { IMAGES_DIR } from './images-paths.js';

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

/** Why the real sandbox cannot run here, or undefined. */
export const imageSandboxReason = await sandboxSkipReason();

const config: WorkerConfig = loadWorkerConfig({});
/** The images built in the default data directory, as the worker would index them. */
export const { index: builtRuntimes } = await loadRuntimes({ imagesDir: IMAGES_DIR, dataDir: DEFAULT_DATA_DIR });

/** The built runtime of image `image`, or undefined. */
export function builtImage(image: string): Runtime | undefined {
  return builtRuntimes.list().find((r) => r.image === image);
}

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

/** Closes the sandbox (call from afterAll). */
export async function closeImageSandbox(): Promise<void> {
  await sandbox?.close();
  sandbox = undefined;
}

async function spec(runtime: Runtime, stage: 'compile' | 'run', files: SandboxFile[], compiled?: SandboxFile[], runLimits?: ResolvedLimits): Promise<SandboxSpec> {
  const box = await getSandbox();
  const profileName = stage === 'compile' ? runtime.compileProfile : runtime.profile;
  const profile = box.compileProfile(loadProfile(join(REPO, 'profiles', `${profileName}.json`)));
  const limits: SandboxLimits = { ...(stage === 'compile' ? runtime.compileLimits : (runLimits ?? runtime.limits.default)), ...config.sandbox };
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

/** Compiles (if the language has a compile stage) then runs `source`, as the worker does. */
export async function runInImage(runtime: Runtime, source: Buffer | string, runLimits?: ResolvedLimits): Promise<{ compile?: RawOutcome; run?: RawOutcome }> {
  const box = await getSandbox();
  const file: SandboxFile = { path: runtime.sourceFile, content: Buffer.from(source) };
  if (runtime.compile === undefined) return { run: await box.run(await spec(runtime, 'run', [file], undefined, runLimits)) };
  const compile = await box.run(await spec(runtime, 'compile', [file]));
  if (compile.exitCode !== 0) return { compile };
  return { compile, run: await box.run(await spec(runtime, 'run', [], compile.collected ?? [], runLimits)) };
}
