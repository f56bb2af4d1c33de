/**
 * Seccomp profiles for sandbox tests. `permissiveProfile` allows everything except a few marker
 * syscalls, so isolation tests show the kernel boundary itself (namespaces, caps, mounts) and not
 * only the filter; the real deny-by-default profiles come from profiles/*.json.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProfileRules } from '../../worker/sandbox/spec.js';

/** Syscalls the permissive test profile kills the process for. */
export const KILLED_SYSCALLS = ['acct', 'kexec_load'] as const;

/** Allow by default; kill the process on KILLED_SYSCALLS. */
export function permissiveProfile(): ProfileRules {
  return {
    name: 'test-permissive',
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: [...KILLED_SYSCALLS], action: 'SCMP_ACT_KILL_PROCESS' }],
  };
}

/** Path of a repository profile (profiles/<name>.json), or undefined while it does not exist. */
export function repoProfilePath(name: string): string | undefined {
  const path = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'profiles', `${name}.json`);
  return existsSync(path) ? path : undefined;
}
