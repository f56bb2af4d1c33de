/**
 * Limit sets for tests: the values a test states, every other limit of the record at its checker
 * value, so a fixture names only the limits it is about and a new limit needs no fixture edit.
 */
import { LIMITS, mapLimits, type ResolvedLimits } from '../../worker/contract/limits.js';

export function limitsWith(values: Partial<ResolvedLimits>): ResolvedLimits {
  return { ...mapLimits((name) => LIMITS[name].checker), ...values };
}
