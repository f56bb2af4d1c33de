import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfiles } from '../../worker/sandbox/profile.js';

const PROFILES_DIR = join(import.meta.dirname, '../../profiles');
const profiles = loadProfiles(PROFILES_DIR, ['default', 'runtime']);

const resolver = spawnSync('scmp_sys_resolver', ['-a', 'x86_64', 'read'], { encoding: 'utf8' });
const hasResolver = resolver.status === 0 && resolver.stdout.trim() === '0';

/**
 * Syscalls newer than some libseccomp releases still shipped by distributions. The native compiler
 * skips a name its libseccomp does not know, so such a call falls to the default action (ENOSYS):
 * safe, but it must be a known case, never a typo.
 */
const NEWER_THAN_LIBSECCOMP = new Set(['mseal', 'futex_wake', 'futex_wait', 'futex_requeue', 'map_shadow_stack', 'fchmodat2']);

/** Resolves many names in one process: the resolver takes one name per call, so batch them in a shell loop. */
function unresolvedNames(names: string[]): string[] {
  const script = 'for n in "$@"; do printf "%s %s\\n" "$n" "$(scmp_sys_resolver -a x86_64 "$n")"; done';
  const out = execFileSync('sh', ['-c', script, 'sh', ...names], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([, nr]) => Number(nr) < 0)
    .map(([name]) => name ?? '');
}

describe('syscall names resolve on x86_64', () => {
  it.skipIf(!hasResolver)(
    `every name in the shipped profiles is a real x86_64 syscall${hasResolver ? '' : ' (SKIPPED: scmp_sys_resolver missing; apt-get install seccomp)'}`,
    () => {
      const names = [...new Set([...profiles.values()].flatMap((p) => p.syscalls.flatMap((r) => r.names)))];
      const unknown = unresolvedNames(names).filter((n) => !NEWER_THAN_LIBSECCOMP.has(n));
      expect(unknown).toEqual([]);
    },
  );

  it.skipIf(!hasResolver)('the resolver refuses a made-up name (control)', () => {
    expect(unresolvedNames(['read', 'not_a_syscall'])).toEqual(['not_a_syscall']);
  });
});
