/**
 * Each limit is enforced by the kernel and reported as a raw fact (never as a thrown error),
 * with a control run under the limit showing the same program succeeds.
 */
import { expect, it } from 'vitest';
import { FORCED_CHARGE_SLACK_BYTES } from '../helpers/limits.js';
import { runProbe } from '../helpers/sandbox-run.js';
import { describeWithSandbox } from '../helpers/sandbox-suite.js';

const MiB = 1024 * 1024;
const SIGKILL = 9;
const SIGXFSZ = 25;

describeWithSandbox('sandbox limits', (ctx) => {
  it('reports the true exit code of a normal exit', async () => {
    const { outcome } = await runProbe(ctx, ['exit', '7']);
    expect(outcome).toMatchObject({ exitCode: 7, signal: null, killedBy: null, oomKilled: false, seccompViolation: false });
  });

  it('kills a memory hog through the cgroup and reports oomKilled, the limit reached and a peak near the limit', async () => {
    const { outcome } = await runProbe(ctx, ['mem', '256'], {}, { memoryBytes: 64 * MiB });
    expect(outcome.oomKilled).toBe(true);
    expect(outcome.memoryLimitReached).toBe(true);
    expect(outcome.signal).toBe(SIGKILL);
    expect(outcome.memoryPeakBytes).toBeGreaterThan(48 * MiB);
    expect(outcome.memoryPeakBytes).toBeLessThanOrEqual(64 * MiB + FORCED_CHARGE_SLACK_BYTES);
    const control = await runProbe(ctx, ['mem', '16'], {}, { memoryBytes: 64 * MiB });
    expect(control.outcome).toMatchObject({ exitCode: 0, oomKilled: false, memoryLimitReached: false });
    expect(control.outcome.memoryPeakBytes).toBeGreaterThan(16 * MiB);
  });

  it('stops a fork bomb at the pids limit with EAGAIN', async () => {
    const { outcome, json } = await runProbe(ctx, ['fork-bomb'], {}, { pids: 16 });
    expect(outcome.exitCode).toBe(0);
    expect(json.errno).toBe(11);
    expect(json.forked).toBeLessThan(16);
    expect(json.forked).toBeGreaterThan(8);
  });

  it('kills a cpu spinner when cpu time exceeds the limit, counted from the cgroup', async () => {
    const { outcome } = await runProbe(ctx, ['spin'], {}, { cpuTimeMs: 300, wallTimeMs: 5000 });
    expect(outcome.killedBy).toBe('cpu');
    expect(outcome.signal).toBe(SIGKILL);
    expect(outcome.cpuTimeNs).toBeGreaterThanOrEqual(300e6);
    expect(outcome.cpuTimeNs).toBeLessThan(800e6);
  });

  it('kills a sleeper at the wall limit with almost no cpu time', async () => {
    const { outcome } = await runProbe(ctx, ['sleep'], {}, { wallTimeMs: 300 });
    expect(outcome.killedBy).toBe('wall');
    expect(outcome.signal).toBe(SIGKILL);
    expect(outcome.wallTimeNs).toBeGreaterThanOrEqual(300e6);
    expect(outcome.wallTimeNs).toBeLessThan(1500e6);
    expect(outcome.cpuTimeNs).toBeLessThan(50e6);
  });

  it('splits the time of a call into setup, program and teardown that add up to it', async () => {
    const startedMs = performance.now();
    const { outcome } = await runProbe(ctx, ['sleep'], {}, { wallTimeMs: 300 });
    const callMs = performance.now() - startedMs;
    const t = outcome.timing;
    expect(t).toBeDefined();
    if (t === undefined) return;
    expect(t.setupNs).toBeGreaterThan(0);
    expect(t.programNs).toBeGreaterThanOrEqual(300e6);
    expect(t.teardownNs).toBeGreaterThan(0);
    // Measured inside the addon from run() to the outcome, so within the call seen from here.
    const sumMs = (t.setupNs + t.programNs + t.teardownNs) / 1e6;
    expect(sumMs).toBeLessThanOrEqual(callMs);
    expect(sumMs).toBeGreaterThan(callMs - 50);
  });

  it('ends a program that stops itself at the wall limit', async () => {
    const { outcome } = await runProbe(ctx, ['stop'], {}, { wallTimeMs: 300 });
    expect(outcome.killedBy).toBe('wall');
  });

  it('stops a stdout flood at one byte over the limit and keeps exactly the limit', async () => {
    const t0 = Date.now();
    const { outcome } = await runProbe(ctx, ['flood', '1'], {}, { outputBytes: 100_000 });
    expect(outcome.killedBy).toBe('output');
    expect(outcome.stdoutTruncated).toBe(true);
    expect(outcome.stdout.length).toBe(100_000);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('stops a stderr flood the same way', async () => {
    const { outcome } = await runProbe(ctx, ['flood', '2'], {}, { outputBytes: 10_000 });
    expect(outcome).toMatchObject({ killedBy: 'output', stderrTruncated: true, stdoutTruncated: false });
    expect(outcome.stderr.length).toBe(10_000);
  });

  it('keeps output under the limit untruncated', async () => {
    const { outcome } = await runProbe(ctx, ['ids'], {}, { outputBytes: 1000 });
    expect(outcome).toMatchObject({ killedBy: null, stdoutTruncated: false, exitCode: 0 });
  });

  it('ends a writer past the file size limit with SIGXFSZ', async () => {
    const { outcome } = await runProbe(ctx, ['fsize', '/tmp/big', String(2 * MiB)], {}, { fileSizeBytes: MiB });
    expect(outcome.signal).toBe(SIGXFSZ);
    const control = await runProbe(ctx, ['fsize', '/tmp/big', String(MiB / 2)], {}, { fileSizeBytes: MiB });
    expect(control.json).toMatchObject({ ok: true, written: MiB / 2 });
  });

  it('sets the stack limit as RLIMIT_STACK, soft and hard', async () => {
    for (const stackBytes of [2 * MiB, 16 * MiB]) {
      const { json } = await runProbe(ctx, ['read', '/proc/self/limits'], {}, { stackBytes });
      expect(String(json.text)).toMatch(new RegExp(`Max stack size\\s+${stackBytes}\\s+${stackBytes}\\s+bytes`));
    }
  });

  it('fills the tmpfs only up to its size (ENOSPC)', async () => {
    const { json } = await runProbe(ctx, ['fsize', '/box/fill', String(16 * MiB)], {}, { tmpfsBytes: 4 * MiB, fileSizeBytes: 64 * MiB });
    expect(json).toMatchObject({ ok: false, errno: 28 });
    expect(Number(json.written)).toBeLessThanOrEqual(4 * MiB);
  });
});
