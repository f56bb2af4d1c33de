/**
 * Interleaved A/B of the sandbox alone between two checkouts (each with its native addon built):
 * runs of busybox `true`, alternating rounds A, B, B, A, ... in one process, so both see the same
 * machine load.
 *
 * Sequential (the default): p50/p90 of the whole call and the medians of its setup, program and
 * teardown parts (RawOutcome.timing). With `--concurrency N` (closed loop, N in flight): per
 * round runs/s and CPU per run of this process with its reaped children (the addon's threads,
 * sbx-init, the programs) and of the kernel's threads (the asynchronous netns, cgroup and mount
 * cleanup); prints the medians over the rounds and the median of the per-pair B/A ratios. Each
 * round starts after a pause, so the pool refills of the round before land in neither.
 * Needs what test/sandbox needs (root, busybox).
 *
 *   npx tsx bench/sandbox-ab.ts <checkout A> <checkout B> [runs per round, 40] [rounds, 10] [--concurrency N]
 */
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NativeSandboxConfig } from '../worker/sandbox/native-sandbox.js';
import type { RawOutcome, SandboxSpec } from '../worker/sandbox/spec.js';
import { kthreadCpuMs, ownCpuMs } from './peer-tools.js';

interface Helpers {
  openSandbox(config: NativeSandboxConfig): Promise<Ctx>;
  specFor(ctx: Ctx, argv: string[]): SandboxSpec;
}
interface Ctx {
  sandbox: { run(spec: SandboxSpec): Promise<RawOutcome>; close(): Promise<void> };
}
interface Side {
  name: string;
  helpers: Helpers;
  ctx: Ctx;
  total: number[];
  parts: number[][];
  rounds: { runsPerS: number; ownMs: number; kthreadMs: number }[];
}

const quantile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))] ?? NaN;
async function runOnce(side: Side): Promise<RawOutcome> {
  const o = await side.ctx.sandbox.run(side.helpers.specFor(side.ctx, ['/bin/true']));
  if (o.exitCode !== 0) throw new Error(`${side.name}: run failed`);
  return o;
}

async function sequentialRound(side: Side, runs: number): Promise<void> {
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const o = await runOnce(side);
    side.total.push(performance.now() - t0);
    const t = o.timing ?? { setupNs: NaN, programNs: NaN, teardownNs: NaN };
    [t.setupNs, t.programNs, t.teardownNs].forEach((ns, k) => side.parts[k]?.push(ns / 1e6));
  }
}

async function concurrentRound(side: Side, runs: number, concurrency: number): Promise<void> {
  // Let the other side's pool finish refilling (and the kernel its cleanup) before measuring.
  await sleep(300);
  const [t0, own0, k0] = [performance.now(), ownCpuMs(), kthreadCpuMs()];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < runs) await runOnce(side);
    }),
  );
  const runsPerS = (runs / (performance.now() - t0)) * 1000;
  // The pool refills what this round took: wait for it so its CPU is counted here.
  await sleep(300);
  side.rounds.push({ runsPerS, ownMs: (ownCpuMs() - own0) / runs, kthreadMs: (kthreadCpuMs() - k0) / runs });
}

function printConcurrent(sides: Side[]): void {
  for (const s of sides) {
    const m = (f: (r: Side['rounds'][number]) => number): string => quantile(s.rounds.map(f), 0.5).toFixed(2);
    console.log(
      `${s.name}: rounds=${s.rounds.length} median runs/s ${m((r) => r.runsPerS)}; own ${m((r) => r.ownMs)} ms/run, kthreads ${m((r) => r.kthreadMs)} ms/run, sum ${m((r) => r.ownMs + r.kthreadMs)}`,
    );
  }
  const [a, b] = sides;
  if (!a || !b) return;
  const ratio = (f: (r: Side['rounds'][number]) => number): string =>
    quantile(
      a.rounds.map((r, i) => f(b.rounds[i] ?? r) / f(r)),
      0.5,
    ).toFixed(3);
  console.log(`B/A per pair, median: runs/s ${ratio((r) => r.runsPerS)}, own+kthreads CPU ${ratio((r) => r.ownMs + r.kthreadMs)}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const ci = args.indexOf('--concurrency');
  const concurrency = ci >= 0 ? Number(args.splice(ci, 2)[1]) : 0;
  const [a, b, runsArg, roundsArg] = args;
  if (a === undefined || b === undefined) throw new Error('usage: sandbox-ab.ts <checkout A> <checkout B> [runs] [rounds] [--concurrency N]');
  const runs = Number(runsArg ?? 40);
  const rounds = Number(roundsArg ?? 10);
  const sides: Side[] = await Promise.all(
    [a, b].map(async (dir, i) => {
      const helpers = (await import(join(resolve(dir), 'test/helpers/sandbox-run.ts'))) as Helpers;
      // Own uid range and cgroup parent per side: two Runners in one process must not collide.
      const ctx = await helpers.openSandbox({ uidBase: 8_000_000 + 1000 * i, uidCount: 64, cgroupParent: `bulkhead/ab${i}` });
      return { name: dir, helpers, ctx, total: [], parts: [[], [], []], rounds: [] };
    }),
  );
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
      if (concurrency > 0) await concurrentRound(side, runs, concurrency);
      else await sequentialRound(side, runs);
    }
  }
  if (concurrency > 0) printConcurrent(sides);
  for (const s of concurrency > 0 ? [] : sides) {
    const [setup = [], program = [], teardown = []] = s.parts;
    console.log(
      `${s.name}: n=${s.total.length} p50 ${quantile(s.total, 0.5).toFixed(2)} ms p90 ${quantile(s.total, 0.9).toFixed(2)} ms;` +
        ` setup ${quantile(setup, 0.5).toFixed(2)} program ${quantile(program, 0.5).toFixed(2)} teardown ${quantile(teardown, 0.5).toFixed(2)} ms`,
    );
  }
  for (const s of sides) await s.ctx.sandbox.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
