/**
 * Run lifecycle: nothing survives a run, concurrent runs are strangers to each other, abort and
 * close work, and many runs at once (4 × cores) all complete.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helperPath } from '../../native/index.js';
import { openSandbox, runProbe, sandboxUnavailableReason, specFor, type SandboxContext } from '../helpers/sandbox-run.js';

const skip = sandboxUnavailableReason();
/**
 * A host id range of this test process alone: workers of other test suites on the same machine
 * use NativeSandbox's default (2 000 000 + 65 536), so their runs never show up here.
 */
const UID_COUNT = 64;
const UID_BASE = 2_100_000 + (process.pid % 10_000) * UID_COUNT;

function hostProcessesInRunIdRange(): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      if (uid >= UID_BASE && uid < UID_BASE + UID_COUNT) found.push(Number(pid));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

const CONTROLLERS = ['memory', 'pids', 'cpu', 'cpuacct'];

/** Per-run cgroups named for this process (ready in the pool, in use, or not yet removed). */
function ourCgroups(controller = 'memory'): string[] {
  try {
    return readdirSync(`/sys/fs/cgroup/${controller}/bulkhead`).filter((e) => e.startsWith(`r${process.pid}-`));
  } catch {
    return [];
  }
}

function procsOf(controller: string, name: string): string {
  try {
    return readFileSync(`/sys/fs/cgroup/${controller}/bulkhead/${name}/cgroup.procs`, 'utf8');
  } catch {
    return '';
  }
}

/** Polls `check` every 10 ms for up to `ms`; returns its last result. */
async function eventually<T>(check: () => T, ok: (v: T) => boolean, ms = 2000): Promise<T> {
  const end = Date.now() + ms;
  let v = check();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 10));
    v = check();
  }
  return v;
}

function hostUidOf(pid: string): number | undefined {
  try {
    return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return undefined; // ended while we looked
  }
}

/**
 * Used cgroups are removed in the background; only prepared ones stay, each holding at most the
 * waiting pid 1 of a prepared run, which is still host root (no id maps yet, runs nothing).
 */
async function expectOnlyIdleCgroups(): Promise<void> {
  const runProcs = (c: string, n: string) =>
    procsOf(c, n)
      .split('\n')
      .filter((p) => p && (hostUidOf(p) ?? 0) !== 0);
  const busy = () => CONTROLLERS.flatMap((c) => ourCgroups(c).filter((n) => runProcs(c, n).length > 0));
  expect(await eventually(busy, (b) => b.length === 0)).toEqual([]);
  // The pool keeps at most min(slots, 16) ready; more means used ones were not removed.
  const n = await eventually(
    () => ourCgroups().length,
    (x) => x <= Math.min(4 * availableParallelism(), 16),
  );
  expect(n).toBeLessThanOrEqual(Math.min(4 * availableParallelism(), 16));
}

/** The per-run cgroup of a host process (v1 memory hierarchy), e.g. r123-7. */
function cgroupOfPid(pid: number): string | undefined {
  try {
    return /:memory:\/bulkhead\/([^\n/]+)/.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

describe.skipIf(skip !== undefined)(`sandbox lifecycle${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let ctx: SandboxContext;
  beforeAll(async () => {
    ctx = await openSandbox({ uidBase: UID_BASE, uidCount: UID_COUNT });
  });
  afterAll(async () => {
    await ctx?.sandbox.close();
  });

  it('leaves no process and no cgroup behind when the program daemonizes', async () => {
    const { outcome, json } = await runProbe(ctx, ['daemon']);
    expect(json.ok).toBe(true);
    expect(outcome.exitCode).toBe(0);
    expect(hostProcessesInRunIdRange()).toEqual([]);
    await expectOnlyIdleCgroups();
  });

  it('leaves nothing behind after a fork bomb killed at the wall limit', async () => {
    await ctx.sandbox.run(specFor(ctx, ['sh', '-c', 'probe fork-bomb; sleep 100'], {}, { pids: 32, wallTimeMs: 300 }));
    expect(hostProcessesInRunIdRange()).toEqual([]);
    await expectOnlyIdleCgroups();
  });

  it('removes the cgroup a run used, in every controller, once the run is over', async () => {
    const run = ctx.sandbox.run(specFor(ctx, ['sh', '-c', 'sleep 0.4']));
    const pids = await eventually(hostProcessesInRunIdRange, (p) => p.some((pid) => cgroupOfPid(pid)));
    const used = pids.map(cgroupOfPid).find((n) => n !== undefined);
    expect(used).toMatch(new RegExp(`^r${process.pid}-\\d+$`));
    expect((await run).exitCode).toBe(0);
    const left = () => CONTROLLERS.filter((c) => ourCgroups(c).includes(used ?? ''));
    expect(await eventually(left, (l) => l.length === 0)).toEqual([]);
  });

  it('replaces prepared helpers that died while they waited for a run', async () => {
    const prepared = await eventually(
      () => ourHelpers(false),
      (p) => p.length > 0,
    );
    expect(prepared.length).toBeGreaterThan(0);
    for (const pid of prepared) process.kill(pid, 'SIGKILL');
    // Dead (a zombie until the pool reaps it) before the next take looks at them.
    const state = (pid: number) => {
      try {
        return /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
      } catch {
        return 'Z'; // already reaped
      }
    };
    await eventually(
      () => prepared.map(state),
      (st) => st.every((x) => x === 'Z'),
    );
    const runs = await Promise.all([1, 2, 3].map(() => ctx.sandbox.run(specFor(ctx, ['true']))));
    for (const r of runs) expect(r.exitCode).toBe(0);
  });

  it('starts every run while signals keep landing in the worker (an interrupted check is no dead helper)', async () => {
    // SIGCHLD is what the worker gets for every run that ends; a flood of it makes the rare case
    // (a signal inside the start path's liveness check of a prepared helper) happen every few runs.
    const flood = spawn('bash', ['-c', `while kill -CHLD ${process.pid}; do :; done`], { stdio: 'ignore' });
    try {
      let next = 0;
      const failures: string[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next++ < 400) {
            const o = await ctx.sandbox.run(specFor(ctx, ['true'])).catch((err: unknown) => (err as Error).message);
            if (typeof o === 'string' || o.exitCode !== 0) failures.push(typeof o === 'string' ? o : `exit ${o.exitCode}`);
          }
        }),
      );
      expect(failures).toEqual([]);
    } finally {
      flood.kill('SIGKILL');
    }
  });

  it('gives concurrent runs distinct network namespaces, each with lo up', async () => {
    const spec = specFor(ctx, ['sh', '-c', 'readlink /proc/self/ns/net; probe loopback; sleep 0.2']);
    const runs = await Promise.all(Array.from({ length: 6 }, () => ctx.sandbox.run(spec)));
    const ns = runs.map((r) => r.stdout.toString().split('\n')[0]);
    for (const r of runs) expect(r.stdout.toString()).toContain('"ok":true');
    expect(new Set(ns).size).toBe(6);
    expect(ns).not.toContain(readlinkSync('/proc/self/ns/net'));
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

describe.skipIf(skip !== undefined)(`sandbox helper binary${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('keeps running programs after the helper binary on disk is deleted (a rebuild under a live worker)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-helper-'));
    const path = join(dir, 'sbx-init');
    copyFileSync(helperPath(), path);
    chmodSync(path, 0o755);
    const ctx = await openSandbox({ helperPath: path, uidBase: UID_BASE, uidCount: UID_COUNT, poolSize: 0 });
    try {
      const before = await ctx.sandbox.run(specFor(ctx, ['echo', 'before']));
      expect(before.stdout.toString()).toBe('before\n');
      rmSync(dir, { recursive: true });
      // Control: the path is really gone, so a run that still works was not started from it.
      expect(existsSync(path)).toBe(false);
      const after = await ctx.sandbox.run(specFor(ctx, ['echo', 'after']));
      expect(after.stdout.toString()).toBe('after\n');
      expect(after.exitCode).toBe(0);
    } finally {
      await ctx.sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The nice value of a process: field 19 of /proc/<pid>/stat (the 17th after the command's ")"). */
function niceOf(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

describe.skipIf(skip !== undefined)(`sandbox CPU priority${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('makes namespaces ahead of demand at the lowest priority, and runs programs at the default', async () => {
    const ctx = await openSandbox({ uidBase: UID_BASE, uidCount: UID_COUNT });
    try {
      // The first run starts the pool, and with it the netns helper.
      const run = await ctx.sandbox.run(specFor(ctx, ['cat', '/proc/self/stat']));
      expect(run.exitCode).toBe(0);
      expect(niceOf(run.stdout.toString())).toBe(0);
      const helpers = ourHelpers(true);
      expect(helpers).toHaveLength(1);
      expect(niceOf(readFileSync(`/proc/${helpers[0]}/stat`, 'utf8'))).toBe(19);
    } finally {
      await ctx.sandbox.close();
    }
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
    // Pooled and used cgroups alike are gone, and so is the netns pool helper.
    for (const c of CONTROLLERS) expect(ourCgroups(c)).toEqual([]);
    expect(ourHelpers(true)).toEqual([]);
    expect(ourHelpers(false)).toEqual([]);
  });

  it('removes cgroups left by a worker that no longer exists at the next start, and no others', async () => {
    const dead = spawnSync('true').pid;
    const names = [`r${dead}-1`, 'r1-999999'];
    for (const c of CONTROLLERS) for (const n of names) mkdirSync(`/sys/fs/cgroup/${c}/bulkhead/${n}`, { recursive: true });
    try {
      const ctx = await openSandbox();
      await ctx.sandbox.close();
      for (const c of CONTROLLERS) {
        const left = readdirSync(`/sys/fs/cgroup/${c}/bulkhead`);
        expect(left).not.toContain(`r${dead}-1`);
        // pid 1 is alive: its cgroups are not ours to remove.
        expect(left).toContain('r1-999999');
      }
    } finally {
      for (const c of CONTROLLERS) {
        try {
          rmdirSync(`/sys/fs/cgroup/${c}/bulkhead/r1-999999`);
        } catch {
          // cpu and cpuacct may be one hierarchy: already gone
        }
      }
    }
  });
});

/** Our children running sbx-init: `--netns-pool` (the netns helper) or not (prepared or running runs). */
function ourHelpers(netnsPool: boolean): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return ppid === process.pid && cmdline.startsWith('sbx-init') && cmdline.includes('--netns-pool') === netnsPool;
      } catch {
        return false;
      }
    });
}
