/**
 * T76: with swap on and no swap accounting, a run's memory limit bounds only its RAM: the kernel
 * swaps the rest out and the run goes on, past the limit, into the host's swap. The worker checks
 * once at start and refuses such a host (fail closed) with the setting and the fix; `npm run
 * doctor` reports the same finding. Reads only the two paths it is given (tests point them at a
 * temp dir).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BulkheadError } from '../contract/errors.js';

/** Where the check looks. */
export interface SwapCheckPaths {
  /** The kernel's swap table. @defaultValue /proc/swaps */
  swapsPath: string;
  /** Where the cgroup filesystems are mounted. @defaultValue /sys/fs/cgroup */
  cgroupMountRoot: string;
}

/** What the host does with swap. `problem` is set when a memory limit would not cover swap. */
export interface SwapAccounting {
  /** Active swap areas listed in `swapsPath`. */
  swapDevices: number;
  /** The file whose presence shows swap accounting, or undefined when none was found. */
  accountedBy?: string;
  problem?: string;
}

/** Active swap areas: the lines of /proc/swaps after its header. */
function countSwapDevices(swapsPath: string): number {
  let text: string;
  try {
    text = readFileSync(swapsPath, 'utf8');
  } catch (err) {
    // No readable table (no /proc?) proves nothing: refuse rather than assume no swap.
    throw new BulkheadError('SBX_ERR_HOST_SETUP', `cannot read ${swapsPath} to check for swap: ${(err as Error).message}`, { cause: err });
  }
  return text
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '').length;
}

/** Directories that carry a v2 cgroup's own memory files: the first-level children of the root. */
function v2Children(root: string): string[] {
  try {
    return readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(root, d.name));
  } catch {
    return [];
  }
}

/**
 * The file that shows swap is charged to memory cgroups: v1 `memory.memsw.limit_in_bytes` at the
 * memory hierarchy's root; v2 `memory.swap.max` in any non-root cgroup (the root has none).
 */
function swapAccountingFile(root: string): string | undefined {
  if (existsSync(join(root, 'cgroup.controllers'))) {
    return v2Children(root)
      .map((d) => join(d, 'memory.swap.max'))
      .find((f) => existsSync(f));
  }
  const v1 = join(root, 'memory', 'memory.memsw.limit_in_bytes');
  return existsSync(v1) ? v1 : undefined;
}

/** Reads how the host treats swap; never throws for a host that merely lacks accounting. */
export function inspectSwapAccounting(paths: SwapCheckPaths): SwapAccounting {
  const swapDevices = countSwapDevices(paths.swapsPath);
  const accountedBy = swapAccountingFile(paths.cgroupMountRoot);
  if (swapDevices === 0 || accountedBy !== undefined) return { swapDevices, ...(accountedBy ? { accountedBy } : {}) };
  const v2 = existsSync(join(paths.cgroupMountRoot, 'cgroup.controllers'));
  const missing = v2
    ? `memory.swap.max (cgroup v2) in no cgroup under ${paths.cgroupMountRoot}`
    : `memory.memsw.limit_in_bytes (cgroup v1) under ${join(paths.cgroupMountRoot, 'memory')}`;
  return {
    swapDevices,
    problem:
      `swap is on (${swapDevices} area(s) in ${paths.swapsPath}) but the kernel does not charge swap to memory cgroups ` +
      `(${missing} is missing), so a run's memory limit would not cover the swap it uses. Fix: boot the kernel with ` +
      'swapaccount=1 (and CONFIG_MEMCG_SWAP), or turn swap off with `swapoff -a` (and remove it from /etc/fstab)',
  };
}

/**
 * Refuses to start on a host where a memory limit silently stops covering swap.
 * @throws BulkheadError `SBX_ERR_SWAP_UNACCOUNTED` naming the setting and the fix.
 */
export function assertSwapAccounted(paths: SwapCheckPaths): void {
  const found = inspectSwapAccounting(paths);
  if (found.problem !== undefined) throw new BulkheadError('SBX_ERR_SWAP_UNACCOUNTED', found.problem, { details: { swapDevices: found.swapDevices } });
}
