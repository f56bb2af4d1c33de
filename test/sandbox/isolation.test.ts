/**
 * What a program sees inside the sandbox, reported by the probe and asserted fact by fact.
 * Every "blocked" check has a control: the same probe command on the host shows it would notice.
 */
import { createServer, type Server } from 'node:net';
import { existsSync, mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeOnHost, runProbe, statusFields } from '../helpers/sandbox-run.js';
import { describeWithSandbox } from '../helpers/sandbox-suite.js';

describeWithSandbox('sandbox isolation', (ctx) => {
  it('runs the program as uid 1000 mapped to unprivileged host ids, never host root', async () => {
    const { json } = await runProbe(ctx, ['read', '/proc/self/uid_map']);
    const lines = String(json.text)
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number));
    expect(lines).toHaveLength(2);
    expect(lines[0]?.[0]).toBe(0);
    expect(lines[1]?.[0]).toBe(1000);
    for (const l of lines) expect(l[1]).toBeGreaterThan(0);
    const ids = await runProbe(ctx, ['ids']);
    expect(ids.json).toMatchObject({ uid: 1000, gid: 1000 });
  });

  it('empties every capability set and sets NoNewPrivs and seccomp filter mode', async () => {
    const { json } = await runProbe(ctx, ['read', '/proc/self/status']);
    const s = statusFields(String(json.text));
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(s[set], set).toBe('0000000000000000');
    expect(s.NoNewPrivs).toBe('1');
    expect(s.Seccomp).toBe('2');
    // Control: the probe reads real values (the host root process has capabilities, no filter).
    const host = statusFields(String(probeOnHost(ctx, ['read', '/proc/self/status']).text));
    expect(host.CapEff).not.toBe('0000000000000000');
    expect(host.Seccomp).toBe('0');
  });

  it('is pid 2 under its own pid 1 and sees only its own processes', async () => {
    const ids = await runProbe(ctx, ['ids']);
    expect(ids.json).toMatchObject({ pid: 2, ppid: 1 });
    const { json } = await runProbe(ctx, ['ls', '/proc']);
    const pids = (json.entries as string[]).filter((e) => /^\d+$/.test(e));
    expect(pids.sort()).toEqual(['1', '2']);
    const host = probeOnHost(ctx, ['ls', '/proc']);
    expect((host.entries as string[]).filter((e) => /^\d+$/.test(e)).length).toBeGreaterThan(10);
  });

  it('starts with only fds 0, 1 and 2 open', async () => {
    const { json } = await runProbe(ctx, ['ls', '/proc/self/fd']);
    expect(json.entries).toEqual(['0', '1', '2']);
  });

  it('has only the loopback interface, and it is up', async () => {
    const { json } = await runProbe(ctx, ['ifaces']);
    expect(json.ifaces).toEqual(['lo']);
    const lo = await runProbe(ctx, ['loopback']);
    expect(lo.json).toMatchObject({ ok: true });
    expect((probeOnHost(ctx, ['ifaces']).ifaces as string[]).length).toBeGreaterThan(1);
  });

  describe('host loopback services', () => {
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      server = createServer((s) => s.end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('cannot reach a TCP service on the host 127.0.0.1', async () => {
      const { json } = await runProbe(ctx, ['net', '127.0.0.1', String(port)]);
      expect(json.ok).toBe(false);
      expect(probeOnHost(ctx, ['net', '127.0.0.1', String(port)])).toMatchObject({ ok: true });
    });
  });

  it('has a read-only root but writable /box and /tmp', async () => {
    expect((await runProbe(ctx, ['ids'])).json.rootReadOnly).toBe(true);
    expect((await runProbe(ctx, ['write', '/etc/evil'])).json).toMatchObject({ ok: false, errno: 30 });
    expect((await runProbe(ctx, ['write', '/bin/sh'])).json.ok).toBe(false);
    expect((await runProbe(ctx, ['write', '/box/out'])).json).toMatchObject({ ok: true });
    expect((await runProbe(ctx, ['write', '/tmp/out'])).json).toMatchObject({ ok: true });
  });

  it('stacks the layers: an upper layer file shadows the base', async () => {
    expect(String((await runProbe(ctx, ['read', '/etc/layer-marker'])).json.text)).toBe('overlay\n');
    expect(String((await runProbe(ctx, ['read', '/etc/base-marker'])).json.text)).toContain('shadowed');
  });

  it('sees no host files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-host-marker-'));
    chmodSync(dir, 0o755);
    const marker = join(dir, 'marker');
    writeFileSync(marker, 'host secret');
    chmodSync(marker, 0o644);
    expect((await runProbe(ctx, ['read', marker])).json).toMatchObject({ ok: false, errno: 2 });
    expect(probeOnHost(ctx, ['read', marker])).toMatchObject({ ok: true });
    expect((await runProbe(ctx, ['ls', '/sys'])).json.entries ?? []).toEqual([]);
  });

  it('has a minimal /dev and cannot create device nodes', async () => {
    const { json } = await runProbe(ctx, ['ls', '/dev']);
    expect((json.entries as string[]).sort()).toEqual(['fd', 'full', 'null', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'urandom', 'zero'].sort());
    expect((await runProbe(ctx, ['mknod', '/tmp/mem'])).json).toMatchObject({ ok: false, errno: 1 });
    const hostDir = mkdtempSync(join(tmpdir(), 'sbx-mknod-'));
    expect(probeOnHost(ctx, ['mknod', join(hostDir, 'null')])).toMatchObject({ ok: true });
  });

  it('cannot mount, create user namespaces or become root', async () => {
    expect((await runProbe(ctx, ['mount', '/tmp'])).json.ok).toBe(false);
    expect((await runProbe(ctx, ['unshare-user'])).json.ok).toBe(false);
    expect((await runProbe(ctx, ['setuid0'])).json).toMatchObject({ ok: false, errno: 1 });
    const hostDir = mkdtempSync(join(tmpdir(), 'sbx-mount-'));
    expect(probeOnHost(ctx, ['unshare-user'])).toMatchObject({ ok: true });
    expect(probeOnHost(ctx, ['ls', hostDir]).ok).toBe(true);
  });

  it('masks sensitive /proc entries and keeps /proc/sys read-only', async () => {
    const kcore = (await runProbe(ctx, ['read', '/proc/kcore'])).json;
    expect(kcore.ok === false || kcore.bytes === 0).toBe(true);
    expect((await runProbe(ctx, ['read', '/proc/kallsyms'])).json).toMatchObject({ bytes: 0 });
    expect(Number(probeOnHost(ctx, ['read', '/proc/kallsyms']).bytes)).toBeGreaterThan(0);
    expect((await runProbe(ctx, ['read', '/proc/timer_list'])).json).toMatchObject({ bytes: 0 });
    expect((await runProbe(ctx, ['write', '/proc/sys/kernel/hostname'])).json.ok).toBe(false);
    expect((await runProbe(ctx, ['write', '/proc/sysrq-trigger'])).json.ok).toBe(false);
    expect(Number(probeOnHost(ctx, ['read', '/proc/timer_list']).bytes)).toBeGreaterThan(0);
  });

  it.skipIf(!existsSync('/proc/pressure/cpu'))(
    `masks /proc directories with an empty read-only one${existsSync('/proc/pressure/cpu') ? '' : ' (skipped: no /proc/pressure on this kernel)'}`,
    async () => {
      expect(probeOnHost(ctx, ['ls', '/proc/pressure']).entries).toContain('cpu');
      for (const dir of ['/proc/pressure', '/proc/driver']) {
        expect((await runProbe(ctx, ['ls', dir])).json).toMatchObject({ ok: true, entries: [] });
        expect((await runProbe(ctx, ['write', `${dir}/x`])).json.ok).toBe(false);
      }
    },
  );

  it('gets exactly the spec environment and hostname', async () => {
    const { json } = await runProbe(ctx, ['env'], { env: ['A=1', 'PATH=/bin'] });
    expect(json.env).toEqual(['A=1', 'PATH=/bin']);
    expect((await runProbe(ctx, ['ids'], { hostname: 'judge-7' })).json.hostname).toBe('judge-7');
  });

  it('places files in /box for the program and keeps read-only files unwritable', async () => {
    const files = [{ path: 'src/main.txt', content: Buffer.from('hello') }];
    const readOnlyFiles = [{ path: 'bin/prog', content: Buffer.from('x'), mode: 0o755 }];
    const read = await runProbe(ctx, ['read', '/box/src/main.txt'], { files, readOnlyFiles });
    expect(read.json).toMatchObject({ ok: true, text: 'hello' });
    expect((await runProbe(ctx, ['write', '/box/src/main.txt'], { files })).json.ok).toBe(true);
    expect((await runProbe(ctx, ['write', '/box/bin/prog'], { files, readOnlyFiles })).json).toMatchObject({ ok: false, errno: 13 });
  });

  it('delivers stdin and survives a program that never reads a large stdin', async () => {
    const stdin = Buffer.alloc(1 << 20, 0x61);
    expect((await runProbe(ctx, ['cat-stdin'], { stdin })).json).toMatchObject({ stdinBytes: 1 << 20 });
    const { outcome } = await runProbe(ctx, ['exit', '0'], { stdin: Buffer.alloc(8 << 20) });
    expect(outcome.exitCode).toBe(0);
  });

  it('collects regular files from /box after the run', async () => {
    const outcome = await ctx.sandbox.run({
      layers: ctx.rootfs.layers,
      files: [],
      argv: ['sh', '-c', 'echo out > /box/a.txt; mkdir /box/d; echo x > /box/d/b; ln -s /etc/passwd /box/link'],
      env: ['PATH=/bin'],
      stdin: Buffer.alloc(0),
      profile: ctx.profile,
      hostname: 'c',
      limits: { ...(await import('../helpers/sandbox-run.js')).defaultLimits },
      collect: { maxFiles: 10, maxTotalBytes: 1024 },
    });
    const got = Object.fromEntries((outcome.collected ?? []).map((f) => [f.path, f.content.toString()]));
    expect(got).toEqual({ 'a.txt': 'out\n', 'd/b': 'x\n' });
    expect(outcome.collectTruncated).toBe(false);
  });

  it('reports a missing program as SBX_ERR_EXEC with ENOENT', async () => {
    await expect(ctx.sandbox.run({ ...(await import('../helpers/sandbox-run.js')).specFor(ctx, ['no-such-program']) })).rejects.toMatchObject({
      code: 'SBX_ERR_EXEC',
      phase: 'exec',
      errno: 2,
    });
  });
});
