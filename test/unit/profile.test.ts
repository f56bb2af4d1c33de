import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProfile, loadProfiles } from '../../worker/sandbox/profile.js';
import type { ProfileRules, SeccompRule } from '../../worker/sandbox/spec.js';

const PROFILES_DIR = join(import.meta.dirname, '../../profiles');
const SHIPPED = ['default', 'runtime'] as const;
const profiles = loadProfiles(PROFILES_DIR, [...SHIPPED]);

/** CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET|CLONE_NEWTIME. */
const CLONE_NS_MASK = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x80;
const ENOSYS = 38;
const EPERM = 1;

/** Calls the issue and THREATS.md forbid in every shipped profile, whatever the arguments. */
const FORBIDDEN = [
  'clone3',
  'unshare',
  'setns',
  'mount',
  'umount2',
  'pivot_root',
  'chroot',
  'fsopen',
  'fsconfig',
  'fsmount',
  'fspick',
  'open_tree',
  'move_mount',
  'mount_setattr',
  'keyctl',
  'add_key',
  'request_key',
  'bpf',
  'userfaultfd',
  'perf_event_open',
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
  'ptrace',
  'process_vm_readv',
  'process_vm_writev',
  'kexec_load',
  'kexec_file_load',
  'init_module',
  'finit_module',
  'delete_module',
  'reboot',
  'swapon',
  'swapoff',
  'acct',
  'iopl',
  'ioperm',
  'settimeofday',
  'clock_settime',
  'clock_adjtime',
  'adjtimex',
  'sethostname',
  'setdomainname',
  'syslog',
  'quotactl',
  'open_by_handle_at',
  'name_to_handle_at',
  'lookup_dcookie',
  'uselib',
  'nfsservctl',
  'vm86',
  'vm86old',
  'modify_ldt',
  'migrate_pages',
  'move_pages',
  'mbind',
  'kcmp',
  'pidfd_getfd',
  'process_madvise',
  'vmsplice',
];

/** Calls every shipped profile must allow unconditionally (the control: the forbidden check can fail). */
const REQUIRED = ['read', 'write', 'execve', 'exit_group', 'munmap', 'close', 'futex', 'wait4', 'rt_sigaction'];

function rulesFor(profile: ProfileRules, name: string): SeccompRule[] {
  return profile.syscalls.filter((r) => r.names.includes(name));
}

/** The action (with errno) a call without argument conditions gets: its unconditional rule, else the default. */
function plainOutcome(profile: ProfileRules, name: string): string {
  const rule = rulesFor(profile, name).find((r) => (r.args ?? []).length === 0);
  const action = rule?.action ?? profile.defaultAction;
  const errno = rule === undefined ? profile.defaultErrnoRet : rule.errnoRet;
  return action === 'SCMP_ACT_ERRNO' ? `${action}(${errno ?? EPERM})` : action;
}

function allowingRules(profile: ProfileRules, name: string): SeccompRule[] {
  return rulesFor(profile, name).filter((r) => r.action === 'SCMP_ACT_ALLOW' || r.action === 'SCMP_ACT_LOG');
}

describe.each(SHIPPED)('shipped profile %s', (name) => {
  const profile = profiles.get(name)!;

  it('loads, named after its file, denying by default with ENOSYS', () => {
    expect(profile.name).toBe(name);
    expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(profile.defaultErrnoRet).toBe(ENOSYS);
  });

  it.each(FORBIDDEN)('allows %s under no rule, with any arguments', (syscall) => {
    expect(allowingRules(profile, syscall)).toEqual([]);
  });

  it.each(REQUIRED)('allows %s unconditionally (control for the forbidden check)', (syscall) => {
    expect(plainOutcome(profile, syscall)).toBe('SCMP_ACT_ALLOW');
    expect(allowingRules(profile, syscall).length).toBeGreaterThan(0);
  });

  it('allows clone only when no namespace flag is set (exact mask on argument 0)', () => {
    const rules = rulesFor(profile, 'clone');
    expect(rules).toEqual([{ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: CLONE_NS_MASK, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] }]);
    expect(CLONE_NS_MASK).toBe(0x7e020080);
  });

  it('answers clone3 with ENOSYS so libc falls back to clone', () => {
    expect(plainOutcome(profile, 'clone3')).toBe(`SCMP_ACT_ERRNO(${ENOSYS})`);
  });

  it('answers the privileged groups with EPERM', () => {
    for (const syscall of ['unshare', 'setns', 'mount', 'keyctl', 'bpf', 'ptrace', 'settimeofday', 'open_by_handle_at']) {
      expect(plainOutcome(profile, syscall), syscall).toBe(`SCMP_ACT_ERRNO(${EPERM})`);
    }
  });

  it('allows socket only for AF_UNIX, AF_INET and AF_INET6, each rule pinning the family and protocol', () => {
    const allowed = allowingRules(profile, 'socket').map((r) => r.args ?? []);
    expect(allowed.length).toBeGreaterThan(0);
    for (const args of allowed) {
      expect([1, 2, 10]).toContain(args.find((a) => a.index === 0)?.value);
      expect(args.find((a) => a.index === 2)?.op).toBe('SCMP_CMP_EQ');
    }
    // AF_NETLINK 16, AF_PACKET 17, AF_ALG 38, AF_VSOCK 40 match none (profile-kernel-surface.test.ts has the cases).
  });

  it('allows no ioctl request unconditionally and not TIOCSTI', () => {
    const rules = allowingRules(profile, 'ioctl');
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(rule.args?.length).toBe(1);
    expect(rules.map((r) => r.args?.[0]?.valueTwo)).not.toContain(0x5412);
  });

  it('allows personality only for PER_LINUX and the query value', () => {
    expect(allowingRules(profile, 'personality').map((r) => r.args?.[0]?.value)).toEqual([0, 0xffffffff]);
  });
});

describe('runtime profile', () => {
  it('allows everything the default profile allows, and more', () => {
    const def = profiles.get('default')!;
    const rt = profiles.get('runtime')!;
    const key = (r: SeccompRule): string => JSON.stringify(r);
    const rtRules = new Set(rt.syscalls.map(key));
    for (const rule of def.syscalls) expect(rtRules.has(key(rule)), key(rule)).toBe(true);
    expect(rt.syscalls.length).toBeGreaterThan(def.syscalls.length);
    expect(plainOutcome(rt, 'mincore')).toBe('SCMP_ACT_ALLOW');
    expect(plainOutcome(def, 'mincore')).toBe(`SCMP_ACT_ERRNO(${ENOSYS})`);
  });
});

describe('malformed profiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-profile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const valid = {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 38,
    architectures: ['SCMP_ARCH_X86_64'],
    syscalls: [{ comment: 'io', names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }],
  };

  function write(file: string, content: string): string {
    const path = join(dir, file);
    writeFileSync(path, content);
    return path;
  }

  function expectInvalid(path: string, problem: RegExp): void {
    let caught: unknown;
    try {
      loadProfile(path);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ name: 'BulkheadError', code: 'SBX_ERR_PROFILE_INVALID' });
    const message = (caught as Error).message;
    expect(message).toContain(path);
    expect(message).toMatch(problem);
  }

  it('accepts a minimal valid profile (control for the cases below)', () => {
    const rules = loadProfile(write('ok.json', JSON.stringify(valid)));
    expect(rules).toEqual({
      name: 'ok',
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 38,
      syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }],
    });
  });

  it('rejects text that is not JSON', () => {
    expectInvalid(write('bad-json.json', '{"defaultAction": "SCMP_ACT_ERRNO",'), /not valid JSON/);
  });

  it('rejects an unknown action', () => {
    const p = { ...valid, syscalls: [{ names: ['read'], action: 'SCMP_ACT_MAYBE' }] };
    expectInvalid(write('bad-action.json', JSON.stringify(p)), /schema/);
  });

  it('rejects a rule without names', () => {
    const p = { ...valid, syscalls: [{ action: 'SCMP_ACT_ALLOW' }] };
    expectInvalid(write('no-names.json', JSON.stringify(p)), /schema/);
  });

  it('rejects an empty names list', () => {
    const p = { ...valid, syscalls: [{ names: [], action: 'SCMP_ACT_ALLOW' }] };
    expectInvalid(write('empty-names.json', JSON.stringify(p)), /schema/);
  });

  it('rejects an unknown top-level field', () => {
    expectInvalid(write('extra-field.json', JSON.stringify({ ...valid, includes: {} })), /schema/);
  });

  it('rejects an unknown field inside a rule', () => {
    const p = { ...valid, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', excludes: {} }] };
    expectInvalid(write('extra-rule-field.json', JSON.stringify(p)), /schema/);
  });

  it('rejects a syscall name that is not a lowercase identifier', () => {
    const p = { ...valid, syscalls: [{ names: ['Read'], action: 'SCMP_ACT_ALLOW' }] };
    expectInvalid(write('bad-name.json', JSON.stringify(p)), /schema/);
  });

  it('rejects an unknown comparison op and an argument index above 5', () => {
    const op = { ...valid, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_LIKE' }] }] };
    expectInvalid(write('bad-op.json', JSON.stringify(op)), /schema/);
    const idx = { ...valid, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }] };
    expectInvalid(write('bad-index.json', JSON.stringify(idx)), /schema/);
  });

  it('rejects any architecture other than x86_64 alone', () => {
    const p = { ...valid, architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'] };
    expectInvalid(write('multi-arch.json', JSON.stringify(p)), /schema/);
  });

  it('rejects a rule whose action equals the default action (libseccomp would refuse it)', () => {
    const p = { ...valid, syscalls: [{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }] };
    expectInvalid(write('same-as-default.json', JSON.stringify(p)), /equals the default action/);
  });

  it('rejects an unconditional rule mixed with a conditional one for the same name', () => {
    const p = {
      ...valid,
      syscalls: [
        { names: ['clone'], action: 'SCMP_ACT_ALLOW' },
        { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
      ],
    };
    expectInvalid(write('overlap.json', JSON.stringify(p)), /unconditional rule and other rules/);
  });

  it('rejects an argument value wider than 64 bits', () => {
    const p = { ...valid, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: '18446744073709551616', op: 'SCMP_CMP_EQ' }] }] };
    expectInvalid(write('wide.json', JSON.stringify(p)), /exceeds 64 bits/);
  });

  it('names the missing file when a profile does not exist', () => {
    expectInvalid(join(dir, 'absent.json'), /cannot read the file \(ENOENT\)/);
  });

  it('refuses a profile name that could leave the profiles folder', () => {
    expect(() => loadProfiles(dir, ['../etc/passwd'])).toThrow(expect.objectContaining({ code: 'SBX_ERR_PROFILE_INVALID' }));
  });
});
