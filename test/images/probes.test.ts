/**
 * The attack probes that matter for each runtime, in every built language image, through the real
 * sandbox (issue 18): read a root-only file, write to the read-only root, a fork bomb against the
 * pids limit, a memory bomb against the memory limit. The programs are in probe-programs.ts; the
 * full attack corpus (every threat, through the service) is test/escapes/.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResolvedLimits } from '../../worker/contract/limits.js';
import type { Runtime } from '../../worker/runtimes/runtime.js';
import { loadManifests } from '../../worker/runtimes/runtime-index.js';
import type { RawOutcome } from '../../worker/sandbox/spec.js';
import { builtImage, closeImageSandbox, imageSandboxReason, runInImage } from '../helpers/image-sandbox.js';
import { IMAGES_DIR } from '../helpers/images-paths.js';
import { FORCED_CHARGE_SLACK_BYTES } from '../helpers/limits.js';
import { PROBES } from './probe-programs.js';

const MIB = 1024 * 1024;
const WRITTEN_PATH = '/bulkhead-probe-written';
const manifests = await loadManifests(IMAGES_DIR);
/** Password hashes of the host (lines whose second field is a real hash), which no run may print. */
const hostHashes = (await readFile('/etc/shadow', 'utf8').catch(() => '')).split('\n').filter((line) => (line.split(':')[1] ?? '').length > 3);

afterAll(async () => {
  await closeImageSandbox();
});

/** Runs a probe; a probe that does not compile would prove nothing, so compiling must succeed. */
async function probe(runtime: Runtime, source: string, limits: ResolvedLimits): Promise<RawOutcome> {
  const { compile, run } = await runInImage(runtime, source, limits);
  if (compile !== undefined) expect(compile.exitCode, `${compile.stdout.toString()}${compile.stderr.toString()}`).toBe(0);
  if (run === undefined) throw new Error('the probe did not run');
  expect(run.seccompViolation).toBe(false);
  return run;
}

function output(run: RawOutcome): string {
  return `${run.stdout.toString()}${run.stderr.toString()}`;
}

describe('attack probes in every language image', () => {
  for (const manifest of manifests) {
    const programs = PROBES[manifest.language];
    const runtime = builtImage(manifest.image);
    const reason = imageSandboxReason ?? (runtime === undefined ? `image not built (npm run images -- build ${manifest.image})` : undefined);
    const name = (what: string): string => `${manifest.image}: ${what}${reason === undefined ? '' : ` (skipped: ${reason})`}`;
    const skip = reason !== undefined || programs === undefined;
    const rt = runtime as Runtime;

    it(`${manifest.image}: has probes for its language`, () => {
      expect(programs, manifest.language).toBeDefined();
    });

    it.skipIf(skip)(
      name('cannot read a root-only file, and no host password hash ever shows'),
      async () => {
        const read = programs?.read ?? '';
        // Control: the same program on a world-readable file prints it, so the probe really reads.
        const control = await probe(rt, read.replaceAll('/etc/shadow', '/etc/passwd'), rt.limits.default);
        expect(output(control)).toMatch(/^root:/m);
        const run = await probe(rt, read, rt.limits.default);
        expect(output(run)).not.toMatch(/^root:/m);
        for (const line of hostHashes) expect(output(run)).not.toContain(line);
      },
      120_000,
    );

    it.skipIf(skip)(
      name('cannot write to the read-only root filesystem'),
      async () => {
        const write = programs?.write ?? '';
        // Control: the same program writing under the writable /tmp says WRITTEN.
        const control = await probe(rt, write.replaceAll(WRITTEN_PATH, `/tmp${WRITTEN_PATH}`), rt.limits.default);
        expect(control.stdout.toString()).toContain('WRITTEN');
        const run = await probe(rt, write, rt.limits.default);
        expect(run.stdout.toString()).not.toContain('WRITTEN');
        expect(existsSync(WRITTEN_PATH)).toBe(false);
        for (const layer of rt.layers) expect(existsSync(join(layer, WRITTEN_PATH))).toBe(false);
      },
      120_000,
    );

    const fork = programs?.fork;
    it.skipIf(skip || fork === undefined)(
      name('a fork bomb starts some processes but never more than the pids limit'),
      async () => {
        // The children sleep until the wall limit ends the run; every x is one process that started.
        const limits = { ...rt.limits.default, wallTimeMs: 4000 };
        const run = await probe(rt, fork ?? '', limits);
        const started = run.stdout
          .toString()
          .split('\n')
          .filter((l) => l === 'x').length;
        expect(started, output(run).slice(0, 400)).toBeGreaterThan(0);
        expect(started).toBeLessThanOrEqual(limits.pids);
      },
      120_000,
    );

    const memory = programs?.memory;
    const memoryName = memory === undefined ? `a memory bomb (skipped: ${programs?.missing ?? 'no probe'})` : 'a memory bomb fails and never holds more than the memory limit';
    it.skipIf(skip || memory === undefined)(
      name(memoryName),
      async () => {
        const limits = { ...rt.limits.default, memoryBytes: 256 * MIB };
        const run = await probe(rt, memory ?? '', limits);
        const failed = run.exitCode !== 0 || run.signal !== null || run.oomKilled || run.killedBy !== null;
        expect(failed, `exit ${run.exitCode} signal ${run.signal}: ${output(run).slice(0, 300)}`).toBe(true);
        expect(run.memoryPeakBytes).toBeLessThanOrEqual(limits.memoryBytes + FORCED_CHARGE_SLACK_BYTES);
      },
      120_000,
    );
  }
});
