/**
 * Version selection, shared by the API (which resolves a request to one installed runtime) and the
 * worker (which finds the runtime a job names). Pure functions over anything with a `version`.
 *
 * A requested version is one of:
 * - absent: the language's default (the runtime marked `default`, the Debian 12 build), or the
 *   newest installed when no default is present on this deployment;
 * - `*`: the newest installed;
 * - an exact version (`3.11.2`) or a prefix of one ending at a component boundary (`3.11`, `3`):
 *   the newest installed version it matches. `3.1` does not match `3.13.5`; `3.1.2` matches Ruby's
 *   `3.1.2p20` (the boundary is any non-digit).
 */

/** Compares dotted versions numerically where both parts are numbers ("3.10" > "3.9"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = Number(x);
    const ny = Number(y);
    const diff = x !== '' && y !== '' && Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : x.localeCompare(y);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** True when `requested` is `version` itself or a prefix of it ending at a component boundary. */
export function versionMatches(version: string, requested: string): boolean {
  if (requested === '*' || version === requested) return true;
  if (requested === '' || !version.startsWith(requested)) return false;
  // "3.1" must not match "3.13": the character after the prefix may not continue a number.
  return /\D/.test(version.charAt(requested.length)) || /\D$/.test(requested);
}

/** The candidate a requested version selects (see the module comment), or undefined. */
export function pickVersion<T extends { version: string; default?: boolean }>(candidates: readonly T[], requested?: string): T | undefined {
  const newestFirst = [...candidates].sort((a, b) => compareVersions(b.version, a.version));
  if (requested === undefined) return newestFirst.find((c) => c.default === true) ?? newestFirst[0];
  return newestFirst.find((c) => c.version === requested) ?? newestFirst.find((c) => versionMatches(c.version, requested));
}
