/**
 * Seccomp: profiles compile once with libseccomp, the filter is in force for the program, only
 * the native ABI passes (i386 int 0x80 and x32 are killed), bad profiles fail with a code.
 */
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../worker/sandbox/profile.js';
import type { ProfileRules } from '../../worker/sandbox/spec.js';
import { repoProfilePath } from '../helpers/sandbox-profiles.js';
import { runProbe } from '../helpers/sandbox-run.js';
import { describeWithSandbox } from '../helpers/sandbox-suite.js';

const SIGSYS = 31;
const SYS_ACCT = 163;
const SYS_GETPID = 39;
const defaultProfile = repoProfilePath('default');

describeWithSandbox('sandbox seccomp', (ctx) => {
  it('kills the program on a syscall the profile kills, and says so', async () => {
    const { outcome } = await runProbe(ctx, ['syscall', String(SYS_ACCT)]);
    expect(outcome).toMatchObject({ signal: SIGSYS, seccompViolation: true, exitCode: null });
    const control = await runProbe(ctx, ['syscall', String(SYS_GETPID)]);
    expect(control.outcome).toMatchObject({ exitCode: 0, seccompViolation: false });
  });

  it('kills i386 syscalls made through int 0x80', async () => {
    const { outcome } = await runProbe(ctx, ['int80']);
    expect(outcome.signal).toBe(SIGSYS);
  });

  it('kills x32 ABI syscalls', async () => {
    const { outcome } = await runProbe(ctx, ['x32']);
    expect(outcome.signal).toBe(SIGSYS);
  });

  it('reports syscall names this libseccomp does not know instead of failing', () => {
    const compiled = ctx.sandbox.compileProfile({
      name: 'unknown',
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['getpid', 'no_such_syscall_xyz'], action: 'SCMP_ACT_ERRNO' }],
    });
    expect(compiled.unknownSyscalls).toEqual(['no_such_syscall_xyz']);
    expect(compiled.bpf.length % 8).toBe(0);
  });

  it('rejects a profile libseccomp cannot compile with SBX_ERR_PROFILE_INVALID', () => {
    const bad = { name: 'bad', defaultAction: 'SCMP_ACT_NOPE', syscalls: [] } as unknown as ProfileRules;
    expect(() => ctx.sandbox.compileProfile(bad)).toThrow(expect.objectContaining({ code: 'SBX_ERR_PROFILE_INVALID' }));
  });

  describe.skipIf(!defaultProfile)(`with profiles/default.json${defaultProfile ? '' : ' (skipped: not present yet)'}`, () => {
    it('runs the probe and blocks user namespaces and mounts', async () => {
      const profile = ctx.sandbox.compileProfile(loadProfile(defaultProfile ?? ''));
      const ok = await runProbe(ctx, ['ids'], { profile });
      expect(ok.outcome.exitCode).toBe(0);
      for (const args of [['unshare-user'], ['mount', '/tmp']]) {
        const { outcome, json } = await runProbe(ctx, args, { profile });
        expect(outcome.seccompViolation || json.ok === false, args.join(' ')).toBe(true);
      }
    });
  });
});
