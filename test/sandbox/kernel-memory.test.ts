/**
 * T65 at the sandbox level, on both paths a run can take: a pooled run (cgroup and network
 * namespace made ahead by the pool) and a fresh one (pool size 0: the cgroup made on demand, the
 * namespace made by the clone and bounded by pid 1). Each run's v1 cgroup carries a socket limit
 * of half its memory limit, written before its processes joined, and each run's namespace caps
 * TCP buffer autotuning at 1 MiB. The functional proof (queues stop, the host's socket memory does
 * not grow) is the T65 attack of the corpus.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSandbox, sandboxUnavailableReason, specFor, type SandboxContext } from '../helpers/sandbox-run.js';

const V1_MEMORY_PARENT = '/sys/fs/cgroup/memory/bulkhead';
const MiB = 1024 * 1024;
const skip = sandboxUnavailableReason();
const isV1 = (() => {
  try {
    readdirSync(V1_MEMORY_PARENT);
    return true;
  } catch {
    return false;
  }
})();

function comm(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * The socket limit of this process's run cgroups that hold a running `sleep` now (prepared
 * cgroups of the pool hold an idle helper and are left out).
 */
function sleepingRunSocketLimits(): number[] {
  return readdirSync(V1_MEMORY_PARENT)
    .filter((n) => n.startsWith(`r${process.pid}-`))
    .flatMap((n) => {
      const dir = join(V1_MEMORY_PARENT, n);
      const pids = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
      if (!pids.some((pid) => comm(pid) === 'sleep')) return [];
      return [Number(readFileSync(join(dir, 'memory.kmem.tcp.limit_in_bytes'), 'utf8'))];
    });
}

describe.skipIf(skip !== undefined)(`run kernel memory bounds (T65)${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const contexts: Record<'pooled' | 'fresh', SandboxContext | undefined> = { pooled: undefined, fresh: undefined };
  beforeAll(async () => {
    contexts.pooled = await openSandbox({ slots: 2 });
    contexts.fresh = await openSandbox({ slots: 2, poolSize: 0 });
    // Let the pool prepare its runs, so the pooled context really hands out prepared ones.
    await new Promise((r) => setTimeout(r, 500));
  });
  afterAll(async () => {
    await contexts.pooled?.sandbox.close();
    await contexts.fresh?.sandbox.close();
  });

  it.each(['pooled', 'fresh'] as const)("caps TCP buffer autotuning at 1 MiB in a %s run's network namespace", async (kind) => {
    const ctx = contexts[kind]!;
    const o = await ctx.sandbox.run(specFor(ctx, ['sh', '-c', 'cat /proc/sys/net/ipv4/tcp_rmem /proc/sys/net/ipv4/tcp_wmem']));
    expect(o.exitCode, o.stderr.toString()).toBe(0);
    expect(
      o.stdout
        .toString()
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/)),
    ).toEqual([
      ['4096', '131072', '1048576'],
      ['4096', '16384', '1048576'],
    ]);
    // Control: the host's own namespace keeps its (larger) maxima, so the run's values were set for it.
    expect(Number(readFileSync('/proc/sys/net/ipv4/tcp_rmem', 'utf8').trim().split(/\s+/)[2])).toBeGreaterThan(MiB);
  });

  it.skipIf(!isV1).each(['pooled', 'fresh'] as const)(
    `gives a %s run's v1 cgroup a socket limit of half its memory limit${isV1 ? '' : ' (skipped: no cgroup v1 memory hierarchy)'}`,
    async (kind) => {
      const ctx = contexts[kind]!;
      for (const memoryBytes of [96 * MiB, 160 * MiB]) {
        const run = ctx.sandbox.run(specFor(ctx, ['sh', '-c', 'sleep 0.6'], {}, { memoryBytes, wallTimeMs: 5000 }));
        await new Promise((r) => setTimeout(r, 300));
        const limits = sleepingRunSocketLimits();
        await run;
        expect(limits).toEqual([memoryBytes / 2]);
      }
    },
  );
});
