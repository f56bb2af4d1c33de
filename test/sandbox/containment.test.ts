/**
 * Issue 12's mechanisms that the attack corpus cannot reach through POST /run: the collection
 * budget (T74), host-wide id leases between workers (T75) and the fresh /dev of a privileged
 * worker seen from the host (T66). Real kernel, real sandbox, real processes.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeSandbox } from '../../worker/sandbox/native-sandbox.js';
import { leaseIdPairs, leaseName } from '../../worker/sandbox/uid-lease.js';
import { openSandbox, runProbe, sandboxUnavailableReason, specFor, type SandboxContext } from '../helpers/sandbox-run.js';

const skip = sandboxUnavailableReason();
const privileged = process.getuid?.() === 0;

/** A shell loop leaving `files` files of 64 KiB in /box. */
const FILL_BOX = (files: number) => ['sh', '-c', `i=0; while [ $i -lt ${files} ]; do head -c 65536 /dev/zero > /box/f$i; i=$((i+1)); done`];

/** A child process that holds the lease name of `root` until killed; resolves once it listens. */
function holdLeaseElsewhere(scope: string, root: number): Promise<ReturnType<typeof spawn>> {
  const name = JSON.stringify(leaseName(scope, root));
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen({path:${name}},()=>console.log('held'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`lease holder exited ${code}`)));
  });
}

describe.skipIf(skip !== undefined)(`containment of issue 12${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let ctx: SandboxContext;
  beforeAll(async () => {
    ctx = await openSandbox({ uidBase: 5_000_000 + 2 * Math.floor(Math.random() * 100_000), uidCount: 64 });
  });
  afterAll(async () => {
    await ctx?.sandbox.close();
  });

  it('T74: reports a collection cut by its budget, never a complete one, and a full one within it', async () => {
    const collect = { maxFiles: 1000, maxTotalBytes: 64 << 20 };
    const cut = await ctx.sandbox.run(specFor(ctx, FILL_BOX(300), { collect: { ...collect, budgetMs: 1 } }, { wallTimeMs: 20_000 }));
    expect(cut.exitCode).toBe(0);
    expect(cut.collectCut).toBe(true);
    expect(cut.collected?.length ?? 0).toBeLessThan(300);
    // Control: the same run with the default budget collects every file and says so.
    const full = await ctx.sandbox.run(specFor(ctx, FILL_BOX(300), { collect }, { wallTimeMs: 20_000 }));
    expect(full.collectCut).toBe(false);
    expect(full.collected).toHaveLength(300);
  });

  it('T75: leases host id pairs host-wide; a second holder gets other pairs, a dead holder frees its own', async () => {
    const scope = `test-${process.pid}-${Date.now()}`;
    const first = await leaseIdPairs(scope, 1000, 16, 4);
    const second = await leaseIdPairs(scope, 1000, 16, 4);
    expect(first.roots).toEqual([1000, 1002, 1004, 1006]);
    expect(second.roots).toEqual([1008, 1010, 1012, 1014]);
    await expect(leaseIdPairs(scope, 1000, 16, 1)).rejects.toMatchObject({ code: 'SBX_ERR_HOST_SETUP' });
    first.release();
    second.release();
    // Another process holding pair 1000 (the kernel sees it, not this process's memory).
    const holder = await holdLeaseElsewhere(scope, 1000);
    const beside = await leaseIdPairs(scope, 1000, 4, 2);
    expect(beside.roots).toEqual([1002]);
    beside.release();
    const gone = new Promise((r) => holder.once('exit', r));
    holder.kill('SIGKILL');
    await gone;
    const after = await leaseIdPairs(scope, 1000, 4, 2);
    expect(after.roots).toEqual([1000, 1002]);
    after.release();
  });

  it('T75: two sandboxes on one uid base run on disjoint host ids', async () => {
    const base = 6_000_000 + 2 * Math.floor(Math.random() * 100_000);
    const a = await openSandbox({ uidBase: base, uidCount: 16, slots: 4 });
    const b = await openSandbox({ uidBase: base, uidCount: 16, slots: 4 });
    try {
      const roots = [...a.sandbox.leasedIdRoots, ...b.sandbox.leasedIdRoots];
      expect(new Set(roots).size).toBe(8);
      const runs = await Promise.all([a, b].map((c) => runProbe(c, ['read', '/proc/self/uid_map'])));
      const hostIds = runs.map((r) =>
        String(r.json.text)
          .trim()
          .split('\n')
          .map((l) => Number(l.trim().split(/\s+/)[1])),
      );
      expect(hostIds[0]).not.toEqual(hostIds[1]);
      for (const ids of hostIds) for (const id of ids) expect(id).toBeGreaterThanOrEqual(base);
    } finally {
      await a.sandbox.close();
      await b.sandbox.close();
    }
  });

  it.skipIf(!privileged)(`T66: a privileged worker gives each run /dev nodes of its own, not the host's${privileged ? '' : ' (skipped: needs root)'}`, async () => {
    const host = statSync('/dev/null');
    const runs = await Promise.all([0, 1].map(() => runProbe(ctx, ['read', '/proc/self/mountinfo'])));
    const devLines = runs.map((r) =>
      String(r.json.text)
        .split('\n')
        .filter((l) => / \/dev(\/null)? /.test(l)),
    );
    for (const lines of devLines) {
      // One tmpfs at /dev, no bind of the host's node at /dev/null.
      expect(lines.some((l) => / \/dev .* - tmpfs /.test(l))).toBe(true);
      expect(lines.some((l) => / \/dev\/null /.test(l))).toBe(false);
    }
    // Control: the host's /dev/null is a device node the runs would otherwise share.
    expect(host.isCharacterDevice()).toBe(true);
  });

  it("T66: the run's /dev/null still works as /dev/null", async () => {
    const outcome = await ctx.sandbox.run(specFor(ctx, ['sh', '-c', 'echo gone > /dev/null && head -c 4 /dev/zero | wc -c && head -c 8 /dev/urandom | wc -c']));
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout.toString().split(/\s+/).filter(Boolean)).toEqual(['4', '8']);
  });
});

describe.skipIf(skip !== undefined)(`sandbox id lease lifetime${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('T75: closing a sandbox gives its pairs back', async () => {
    const base = 7_000_000 + 2 * Math.floor(Math.random() * 100_000);
    const a = await NativeSandbox.create({ uidBase: base, uidCount: 8, slots: 4 });
    expect(a.leasedIdRoots).toEqual([base, base + 2, base + 4, base + 6]);
    await a.close();
    const b = await NativeSandbox.create({ uidBase: base, uidCount: 8, slots: 4 });
    expect(b.leasedIdRoots).toEqual([base, base + 2, base + 4, base + 6]);
    await b.close();
  });
});
