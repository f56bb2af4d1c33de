/**
 * Piston's names for Bulkhead's languages, and Piston's version selection (pure). The table is
 * data: a Bulkhead language → the name and aliases Piston clients send; a language missing from
 * it is offered under its Bulkhead name and aliases. Listings come from the live catalogue at
 * request time, so only installed versions are listed and matched.
 */
import semver from 'semver';
import type { RuntimeInfo } from '../../../worker/contract/registry.js';

export interface PistonName {
  language: string;
  aliases: readonly string[];
  /** Piston's `runtime` member, set where Piston sets it (e.g. "node" for JavaScript). */
  runtime?: string;
}

export const PISTON_NAMES: Readonly<Record<string, PistonName>> = Object.freeze({
  bash: { language: 'bash', aliases: ['sh'] },
  c: { language: 'c', aliases: ['gcc'] },
  cpp: { language: 'c++', aliases: ['cpp', 'g++'] },
  go: { language: 'go', aliases: ['go', 'golang'] },
  java: { language: 'java', aliases: [] },
  javascript: { language: 'javascript', aliases: ['node-javascript', 'node-js', 'javascript', 'js'], runtime: 'node' },
  pypy: { language: 'pypy', aliases: ['pypy3'] },
  python: { language: 'python', aliases: ['py', 'py3', 'python3'] },
  ruby: { language: 'ruby', aliases: ['ruby3', 'rb'] },
  rust: { language: 'rust', aliases: ['rs'] },
});

/** One entry of Piston's GET /runtimes. */
export interface PistonRuntime {
  language: string;
  version: string;
  aliases: string[];
  runtime?: string;
}

/** How a Bulkhead runtime is named in Piston: Piston's aliases first, then Bulkhead's own (deduplicated). */
export function pistonRuntime(runtime: RuntimeInfo, table = PISTON_NAMES): PistonRuntime {
  const name = table[runtime.language];
  const language = name?.language ?? runtime.language;
  const aliases = [...new Set([...(name?.aliases ?? []), runtime.language, ...runtime.aliases])].filter((a) => a !== language || name?.aliases.includes(a));
  const entry: PistonRuntime = { language, version: runtime.version, aliases };
  if (name?.runtime !== undefined) entry.runtime = name.runtime;
  return entry;
}

/** A version as semver (installed versions such as "3.11.2" or "21.0.5+11" are coerced). */
function asSemver(version: string): semver.SemVer | null {
  return semver.valid(version) !== null ? new semver.SemVer(version) : semver.coerce(version);
}

/** True when `version` matches Piston's selector: the exact string, `*`, or a semver range. */
export function versionMatches(version: string, selector: string): boolean {
  if (selector === version || selector === '*') return true;
  const parsed = asSemver(version);
  if (parsed === null || semver.validRange(selector) === null) return false;
  return semver.satisfies(parsed, selector);
}

/**
 * The newest installed runtime whose Piston name or alias is `language` (case-insensitive) and
 * whose version matches `selector`, or undefined (Piston's "runtime is unknown").
 */
export function resolvePistonRuntime(runtimes: readonly RuntimeInfo[], language: string, selector: string, table = PISTON_NAMES): RuntimeInfo | undefined {
  const wanted = language.toLowerCase();
  const candidates = runtimes.filter((r) => {
    const named = pistonRuntime(r, table);
    return (named.language.toLowerCase() === wanted || named.aliases.some((a) => a.toLowerCase() === wanted)) && versionMatches(r.version, selector);
  });
  return candidates.sort((a, b) => {
    const [va, vb] = [asSemver(a.version), asSemver(b.version)];
    return va !== null && vb !== null ? semver.rcompare(va, vb) : b.version.localeCompare(a.version);
  })[0];
}
