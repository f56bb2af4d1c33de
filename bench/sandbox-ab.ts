/**
 * Interleaved A/B of the sandbox alone between two checkouts (each with its native addon built):
 * sequential runs of busybox `true`, alternating rounds A, B, B, A, ... in one process, so both
 * see the same machine load. Prints p50/p90 of the whole call and the medians of its setup,
 * program and teardown parts (RawOutcome.timing). Needs what test/sandbox needs (root, busybox).
 *
 *   npx tsx bench/sandbox-ab.ts <checkout A> <checkout B> [runs per round, 40] [rounds, 10]
 */
import { join, resolve } from 'node:path';
import type { NativeSandboxConfig } from '../worker/sandbox/native-sandbox.js';
import type { RawOutcome, SandboxSpec } from '../worker/sandbox/spec.js';

interface Helpers {
  openSandbox(config: NativeSandboxConfig): Promise<Ctx>;
  specFor(ctx: Ctx, argv: string[]): SandboxSpec;
}
interface Ctx {
  sandbox: { run(spec: SandboxSpec): Promise<RawOutcome>; close(): Promise<void> };
}

const quantile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))] ?? NaN;

async function main(): Promise<void> {
  const [a, b, runsArg, roundsArg] = process.argv.slice(2);
  if (a === undefined || b === undefined) throw new Error('usage: sandbox-ab.ts <checkout A> <checkout B> [runs] [rounds]');
  const runs = Number(runsArg ?? 40);
  const rounds = Number(roundsArg ?? 10);
  const sides = await Promise.all([a, b].map(async (dir, i) => {
    const helpers = (await import(join(resolve(dir), 'test/helpers/sandbox-run.ts'))) as Helpers;
    // Own uid range and cgroup parent per side: two Runners in one process must not collide.
    const ctx = await helpers.openSandbox({ uidBase: 8_000_000 + 1000 * i, uidCount: 64, cgroupParent: `bulkhead/ab${i}` });
    return { name: dir, helpers, ctx, total: [] as number[], parts: [[], [], []] as number[][] };
  }));
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const o = await side.ctx.sandbox.run(side.helpers.specFor(side.ctx, ['/bin/true']));
        if (o.exitCode !== 0) throw new Error(`${side.name}: run failed`);
        side.total.push(performance.now() - t0);
        const t = o.timing ?? { setupNs: NaN, programNs: NaN, teardownNs: NaN };
        [t.setupNs, t.programNs, t.teardownNs].forEach((ns, k) => side.parts[k]?.push(ns / 1e6));
      }
    }
  }
  for (const s of sides) {
    const [setup = [], program = [], teardown = []] = s.parts;
    console.log(`${s.name}: n=${s.total.length} p50 ${quantile(s.total, 0.5).toFixed(2)} ms p90 ${quantile(s.total, 0.9).toFixed(2)} ms;` +
      ` setup ${quantile(setup, 0.5).toFixed(2)} program ${quantile(program, 0.5).toFixed(2)} teardown ${quantile(teardown, 0.5).toFixed(2)} ms`);
  }
  for (const s of sides) await s.ctx.sandbox.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
