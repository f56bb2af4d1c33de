/**
 * T73: the worker's start-up check of kernel.core_pattern, against fake core_pattern files (the
 * host's own setting is never changed by a test) and the repository's real profiles.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCorePattern, corePatternKind, profileLetsCoreLimitChange } from '../../worker/sandbox/core-pattern.js';
import { loadProfiles } from '../../worker/sandbox/profile.js';
import type { ProfileRules } from '../../worker/sandbox/spec.js';

const PROFILES = join(import.meta.dirname, '../../profiles');
const real = [...loadProfiles(PROFILES, ['default', 'runtime']).values()];
const dir = mkdtempSync(join(tmpdir(), 'core-pattern-'));

function patternFile(content: string): string {
  const path = join(dir, `p${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, `${content}\n`);
  return path;
}

const open: ProfileRules = {
  name: 'open',
  defaultAction: 'SCMP_ACT_ERRNO',
  syscalls: [{ names: ['getrlimit', 'setrlimit', 'prlimit64'], action: 'SCMP_ACT_ALLOW' }],
};

describe('core_pattern check (T73)', () => {
  it('tells file, pipe and socket patterns apart', () => {
    expect(corePatternKind('core')).toBe('file');
    expect(corePatternKind('/var/crash/core.%p')).toBe('file');
    expect(corePatternKind('|/usr/lib/systemd/systemd-coredump %P %u')).toBe('pipe');
    expect(corePatternKind('@/run/systemd/coredump.socket')).toBe('socket');
    expect(corePatternKind('@@/run/coredump.socket')).toBe('socket');
  });

  it('finds that the shipped profiles freeze RLIMIT_CORE, and that an unconditional setrlimit does not', () => {
    for (const p of real) expect(profileLetsCoreLimitChange(p), p.name).toBe(false);
    expect(profileLetsCoreLimitChange(open)).toBe(true);
    expect(profileLetsCoreLimitChange({ name: 'allow-all', defaultAction: 'SCMP_ACT_ALLOW', syscalls: [] })).toBe(true);
  });

  it('accepts a file pattern and a pipe pattern beside the shipped profiles', () => {
    expect(checkCorePattern(real, patternFile('core'))).toBe('file');
    expect(checkCorePattern(real, patternFile('|/usr/share/apport/apport -p%p -s%s -c%c'))).toBe('pipe');
  });

  it('refuses a socket pattern, naming kernel.core_pattern', () => {
    expect(() => checkCorePattern(real, patternFile('@/run/systemd/coredump.socket'))).toThrow(
      expect.objectContaining({ code: 'SBX_ERR_HOST_SETUP', message: expect.stringContaining('kernel.core_pattern') }),
    );
  });

  it('refuses a pipe pattern beside a profile that lets a program lower RLIMIT_CORE, naming both', () => {
    expect(() => checkCorePattern([...real, open], patternFile('|/bin/helper'))).toThrow(
      expect.objectContaining({ code: 'SBX_ERR_HOST_SETUP', message: expect.stringMatching(/kernel\.core_pattern.*open/) }),
    );
    // The same profile beside a file pattern is harmless: RLIMIT_CORE 1 is below a core file's size.
    expect(checkCorePattern([open], patternFile('core'))).toBe('file');
  });

  it('refuses when the setting cannot be read', () => {
    expect(() => checkCorePattern(real, join(dir, 'missing'))).toThrow(
      expect.objectContaining({ code: 'SBX_ERR_HOST_SETUP', message: expect.stringContaining('kernel.core_pattern') }),
    );
  });
});
