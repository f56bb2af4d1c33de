/**
 * Run lifecycle: nothing survives a run, concurrent runs are strangers to each other, abort and
 * close work, and many runs at once (4 × cores) all complete.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSandbox, runProbe, sandboxUnavailableReason, specFor, type SandboxContext } from '../helpers/sandbox-run.js';

const skip = sandboxUnavailableReason();
/** NativeSandbox's default host id range for a privileged worker. */
const UID_BASE = 2_000_000;

function hostProcessesInRunIdRange(): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      if (uid >= UID_BASE && uid < UID_BASE + 65_536) found.push(Number(pid));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function leftoverCgroups(): string[] {
  try {
    return readdirSync('/sys/fs/cgroup/memory/bulkhead').filter((e) => e.startsWith(`r${process.pid}-`));
  } catch {
    return [];
  }
}

describe.skipIf(skip !== undefined)(`sandbox lifecycle${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let ctx: SandboxContext;
  beforeAll(async () => {
    ctx = await openSandbox();
  });
  afterAll(async () => {
    await ctx?.sandbox.close();
  });

  it('leaves no process and no cgroup behind when the program daemonizes', async () => {
    const { outcome, json } = await runProbe(ctx, ['daemon']);
    expect(json.ok).toBe(true);
    expect(outcome.exitCode).toBe(0);
    expect(hostProcessesInRunIdRange()).toEqual([]);
    expect(leftoverCgroups()).toEqual([]);
  });

  it('leaves nothing behind after a fork bomb killed at the wall limit', async () => {
    await ctx.sandbox.run(specFor(ctx, ['sh', '-c', 'probe fork-bomb; sleep 100'], {}, { pids: 32, wallTimeMs: 300 }));
    expect(hostProcessesInRunIdRange()).toEqual([]);
    expect(leftoverCgroups()).toEqual([]);
  });

  it('gives concurrent runs distinct host ids', async () => {
    const spec = specFor(ctx, ['sh', '-c', 'cat /proc/self/uid_map; sleep 0.3']);
    const [a, b] = await Promise.all([ctx.sandbox.run(spec), ctx.sandbox.run(spec)]);
    expect(a?.stdout.toString()).not.toEqual(b?.stdout.toString());
  });

  it('does not let one run signal another', async () => {
    const victim = ctx.sandbox.run(specFor(ctx, ['sh', '-c', 'sleep 0.5; echo alive']));
    await new Promise((r) => setTimeout(r, 100));
    const killer = await ctx.sandbox.run(specFor(ctx, ['sh', '-c', 'kill -9 -1; echo done']));
    expect(killer.exitCode === 0 || killer.signal === 9).toBe(true);
    const v = await victim;
    expect(v.exitCode).toBe(0);
    expect(v.stdout.toString()).toBe('alive\n');
  });

  it(`completes ${4 * availableParallelism()} concurrent runs (4 x cores)`, async () => {
    const n = 4 * availableParallelism();
    const runs = await Promise.all(Array.from({ length: n }, () => runProbe(ctx, ['read', '/proc/self/uid_map'])));
    for (const r of runs) expect(r.outcome.exitCode).toBe(0);
    expect(new Set(runs.map((r) => String(r.json.text))).size).toBe(n);
  });

  it('kills a run when its AbortSignal fires and rejects with the reason', async () => {
    const ac = new AbortController();
    const reason = new Error('client went away');
    const run = ctx.sandbox.run(specFor(ctx, ['probe', 'sleep'], {}, { wallTimeMs: 10_000 }), ac.signal);
    setTimeout(() => ac.abort(reason), 100);
    const t0 = Date.now();
    await expect(run).rejects.toBe(reason);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(hostProcessesInRunIdRange()).toEqual([]);
  });
});

describe.skipIf(skip !== undefined)(`sandbox close${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('kills in-flight runs on close, is idempotent and refuses new runs', async () => {
    const ctx = await openSandbox();
    const run = ctx.sandbox.run(specFor(ctx, ['probe', 'sleep'], {}, { wallTimeMs: 10_000 }));
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await ctx.sandbox.close();
    await ctx.sandbox.close();
    expect(Date.now() - t0).toBeLessThan(2000);
    await expect(run).resolves.toMatchObject({ signal: 9 });
    await expect(ctx.sandbox.run(specFor(ctx, ['true']))).rejects.toMatchObject({ code: 'SBX_ERR_INTERNAL' });
  });
});
