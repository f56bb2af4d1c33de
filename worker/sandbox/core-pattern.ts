/**
 * T73: no crash of a run may start a host process, whatever `kernel.core_pattern` says. The
 * sandbox sets RLIMIT_CORE to 1 for every program (native/src/core/rlimit.c): for a pipe pattern
 * (`|helper`) the kernel takes exactly 1 as "start no helper", and a core file needs at least a
 * page. That holds only while the program cannot lower the limit to 0, which the profiles forbid
 * (`limits-core-frozen`). A socket pattern (`@socket`, Linux 6.16+) ignores RLIMIT_CORE entirely,
 * so a worker refuses to start beside one.
 */
import { readFileSync } from 'node:fs';
import { SandboxError } from './errors.js';
import type { ProfileRules } from './spec.js';

/** Where the kernel publishes the setting. */
export const CORE_PATTERN_PATH = '/proc/sys/kernel/core_pattern';

export type CorePatternKind = 'file' | 'pipe' | 'socket';

/** How the kernel treats a core_pattern value: `|…` a helper process, `@…` a socket server, else a file. */
export function corePatternKind(pattern: string): CorePatternKind {
  if (pattern.startsWith('|')) return 'pipe';
  if (pattern.startsWith('@')) return 'socket';
  return 'file';
}

/** The core_pattern at `path`, trimmed. @throws SandboxError (host) when it cannot be read */
export function readCorePattern(path: string = CORE_PATTERN_PATH): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new SandboxError('host', 0, `kernel.core_pattern could not be read at ${path}: ${(err as Error).message}`);
  }
}

/** Whether a profile lets the program change RLIMIT_CORE (an unconditional setrlimit/prlimit64, or allow by default). */
export function profileLetsCoreLimitChange(rules: ProfileRules): boolean {
  if (rules.defaultAction === 'SCMP_ACT_ALLOW') return true;
  return rules.syscalls.some((r) => r.action === 'SCMP_ACT_ALLOW' && (r.args ?? []).length === 0 && r.names.some((n) => n === 'setrlimit' || n === 'prlimit64'));
}

/**
 * Checks the host's core_pattern against the profiles this worker loaded; returns the pattern's
 * kind for the start-up log.
 * @throws SandboxError (SBX_ERR_HOST_SETUP) naming kernel.core_pattern when a crash could reach a host process
 */
export function checkCorePattern(profiles: Iterable<ProfileRules>, path: string = CORE_PATTERN_PATH): CorePatternKind {
  const pattern = readCorePattern(path);
  const kind = corePatternKind(pattern);
  if (kind === 'socket') {
    throw new SandboxError(
      'host',
      0,
      `kernel.core_pattern is a socket (${pattern}): the kernel ignores RLIMIT_CORE for it, so a crashing run would reach a host core dump server; set a file or pipe pattern, e.g. sysctl -w kernel.core_pattern=core`,
    );
  }
  if (kind === 'pipe') {
    const open = [...profiles].filter(profileLetsCoreLimitChange).map((p) => p.name);
    if (open.length > 0) {
      throw new SandboxError(
        'host',
        0,
        `kernel.core_pattern is a pipe (${pattern}) and profile(s) ${open.join(', ')} let a program lower RLIMIT_CORE to 0, which starts that helper on the host for every crash; keep the limits-core-frozen rules, or set kernel.core_pattern to a file pattern`,
      );
    }
  }
  return kind;
}
