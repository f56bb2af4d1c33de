import { chown, copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileArgv, fillArgv } from '../../worker/runtimes/runtime.js';
import type { ImageRecord, Manifest } from '../../worker/runtimes/runtime-index.js';
import { runPlain, type PlainResult } from './plain-runner.js';

/** The outcome of one sample through the plain runner. */
export interface SampleCheck {
  sample: 'hello' | 'compileError' | 'runtimeError';
  ok: boolean;
  detail: string;
}

async function stage(manifest: Manifest, record: ImageRecord, box: string, argv: readonly string[]): Promise<PlainResult> {
  return runPlain({ layers: record.layers, argv, env: manifest.env, boxDir: box, timeoutMs: 120_000 });
}

/**
 * Runs one sample: a fresh /box holding only the sample as the source file, then compile (if any)
 * and run, each as uid 1000 in the read-only image.
 */
export async function runSample(manifest: Manifest, record: ImageRecord, file: string): Promise<{ compile?: PlainResult; run?: PlainResult }> {
  const box = await mkdtemp(join(tmpdir(), 'bulkhead-box-'));
  try {
    await chown(box, 1000, 1000);
    const source = join(box, manifest.sourceFile);
    await copyFile(join(manifest.dir, file), source);
    await chown(source, 1000, 1000);
    let compile: PlainResult | undefined;
    if (manifest.compile !== undefined) {
      compile = await stage(manifest, record, box, compileArgv(manifest.compile));
      if (compile.exitCode !== 0) return { compile };
    }
    // Placeholders (-Xmx{heapMiB}m) filled from the language's default limits, as a run would be.
    const run = await stage(manifest, record, box, fillArgv(manifest.run.argv, manifest.limits.default));
    return compile === undefined ? { run } : { compile, run };
  } finally {
    await rm(box, { recursive: true, force: true });
  }
}

function brief(r: PlainResult | undefined): string {
  if (r === undefined) return 'not run';
  return `exit ${r.exitCode}${r.timedOut ? ' (timed out)' : ''}, stdout ${JSON.stringify(r.stdout.slice(0, 200))}, stderr ${JSON.stringify(r.stderr.slice(0, 300))}`;
}

/** Checks hello (exact stdout, exit 0), compile error (compile fails) and runtime error (run fails). */
export async function selftest(manifest: Manifest, record: ImageRecord): Promise<SampleCheck[]> {
  const checks: SampleCheck[] = [];
  const { hello, compileError, runtimeError } = manifest.samples;
  const h = await runSample(manifest, record, hello.file);
  const helloOk = h.run?.exitCode === 0 && h.run.stdout === hello.stdout;
  checks.push({ sample: 'hello', ok: helloOk, detail: `compile: ${brief(h.compile)}; run: ${brief(h.run)}` });
  if (compileError !== undefined) {
    const c = await runSample(manifest, record, compileError.file);
    const ok = c.compile !== undefined && c.compile.exitCode !== 0 && !c.compile.timedOut && c.run === undefined;
    checks.push({ sample: 'compileError', ok, detail: `compile: ${brief(c.compile)}` });
  }
  const r = await runSample(manifest, record, runtimeError.file);
  const ok = (r.compile === undefined || r.compile.exitCode === 0) && r.run !== undefined && r.run.exitCode !== 0 && !r.run.timedOut;
  checks.push({ sample: 'runtimeError', ok, detail: `compile: ${brief(r.compile)}; run: ${brief(r.run)}` });
  return checks;
}

/** Lists sample files of a manifest directory (for the README and tests). */
export async function sampleFiles(manifest: Manifest): Promise<string[]> {
  return (await readdir(join(manifest.dir, 'samples')).catch(() => [] as string[])).sort();
}
