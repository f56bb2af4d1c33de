/**
 * Limit sets for tests: the values a test states, every other limit of the record at its checker
 * value, so a fixture names only the limits it is about and a new limit needs no fixture edit.
 */
import { LIMITS, mapLimits, type ResolvedLimits } from '../../worker/contract/limits.js';

export function limitsWith(values: Partial<ResolvedLimits>): ResolvedLimits {
  return { ...mapLimits((name) => LIMITS[name].checker), ...values };
}

/**
 * How far a run's reported memory peak may pass its limit. The kernel lets a task it is already
 * killing for the limit charge the few pages it needs to exit ("force" charges in the memory
 * controller), so the peak of an OOM-killed run can read a page or so over `memory.max`
 * (seen: 4096 bytes over, a Go bomb on cgroup v1). A bomb the limit did not hold would be far
 * past this; 1 MiB is 256 pages, more than any dying task forces.
 */
export const FORCED_CHARGE_SLACK_BYTES = 1024 * 1024;
