/**
 * Piston's names for Bulkhead's languages, and Piston's version selection (pure). The table is
 * data: a Bulkhead language → the name and aliases Piston clients send; a language missing from
 * it is offered under its Bulkhead name and aliases. Listings come from the live catalogue at
 * request time, so only installed versions are listed and matched.
 */
import semver from 'semver';
import type { RuntimeInfo } from '../../../worker/contract/heartbeat.js';

export interface PistonName {
  language: string;
  aliases: readonly string[];
  /** Piston's `runtime` member, set where Piston sets it (e.g. "node" for JavaScript). */
  runtime?: string;
}

/**
 * Piston's package metadata names these languages (its `language` and `aliases`, and the package
 * as `runtime` where one package provides several). Piston has no package for ada, basic (its
 * "basic" is Visual Basic), objective-c, pypy, scheme or tcl: those keep Bulkhead's names.
 * Assembly is NASM assembling 64-bit code here, Piston's `nasm64`; `nasm`/`asm` reach it too.
 */
export const PISTON_NAMES: Readonly<Record<string, PistonName>> = Object.freeze({
  assembly: { language: 'nasm64', aliases: ['asm64', 'nasm', 'asm'], runtime: 'nasm' },
  awk: { language: 'awk', aliases: ['gawk'], runtime: 'gawk' },
  bash: { language: 'bash', aliases: ['sh'] },
  c: { language: 'c', aliases: ['gcc'], runtime: 'gcc' },
  clojure: { language: 'clojure', aliases: ['clojure', 'clj'] },
  cobol: { language: 'cobol', aliases: ['cob'] },
  commonlisp: { language: 'lisp', aliases: ['lisp', 'cl', 'sbcl', 'commonlisp'] },
  cpp: { language: 'c++', aliases: ['cpp', 'g++'], runtime: 'gcc' },
  crystal: { language: 'crystal', aliases: ['crystal', 'cr'] },
  csharp: { language: 'csharp', aliases: ['mono', 'mono-csharp', 'mono-c#', 'mono-cs', 'c#', 'cs'], runtime: 'mono' },
  d: { language: 'd', aliases: ['gdc'], runtime: 'gcc' },
  elixir: { language: 'elixir', aliases: ['elixir', 'exs'] },
  erlang: { language: 'erlang', aliases: ['erlang', 'erl', 'escript'] },
  fortran: { language: 'fortran', aliases: ['fortran', 'f90'], runtime: 'gcc' },
  go: { language: 'go', aliases: ['go', 'golang'] },
  groovy: { language: 'groovy', aliases: ['groovy', 'gvy'] },
  haskell: { language: 'haskell', aliases: ['haskell', 'hs'] },
  java: { language: 'java', aliases: [] },
  javascript: { language: 'javascript', aliases: ['node-javascript', 'node-js', 'javascript', 'js'], runtime: 'node' },
  kotlin: { language: 'kotlin', aliases: ['kt'] },
  lua: { language: 'lua', aliases: ['lua'] },
  nim: { language: 'nim', aliases: ['nim'] },
  ocaml: { language: 'ocaml', aliases: ['ocaml', 'ml'] },
  pascal: { language: 'pascal', aliases: ['pascal', 'freepascal', 'pp', 'pas'] },
  perl: { language: 'perl', aliases: ['perl', 'pl'] },
  php: { language: 'php', aliases: ['php8'] },
  prolog: { language: 'prolog', aliases: ['prolog', 'plg'] },
  pypy: { language: 'pypy', aliases: ['pypy3'] },
  python: { language: 'python', aliases: ['py', 'py3', 'python3'] },
  r: { language: 'rscript', aliases: ['r'] },
  racket: { language: 'racket', aliases: ['rkt'] },
  raku: { language: 'raku', aliases: ['raku', 'rakudo', 'perl6', 'p6', 'pl6'] },
  ruby: { language: 'ruby', aliases: ['ruby3', 'rb'] },
  rust: { language: 'rust', aliases: ['rs'] },
  scala: { language: 'scala', aliases: ['sc'] },
  sqlite: { language: 'sqlite3', aliases: ['sqlite', 'sql'] },
  typescript: { language: 'typescript', aliases: ['ts', 'node-ts', 'tsc'] },
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

/** One entry of Piston's GET /packages: a package is what provides a runtime (`gcc` gives c and c++). */
export interface PistonPackage {
  language: string;
  language_version: string;
  installed: true;
}

/** The package name Piston gives a runtime: its `runtime` where one package provides several, else its language. */
function packageName(runtime: RuntimeInfo, table: Readonly<Record<string, PistonName>>): string {
  const named = pistonRuntime(runtime, table);
  return named.runtime ?? named.language;
}

/** Every installed package once (by name and version); only installed ones exist here. */
export function pistonPackages(runtimes: readonly RuntimeInfo[], table = PISTON_NAMES): PistonPackage[] {
  const seen = new Map<string, PistonPackage>();
  for (const runtime of runtimes) {
    const entry: PistonPackage = { language: packageName(runtime, table), language_version: runtime.version, installed: true };
    seen.set(`${entry.language}\n${entry.language_version}`, entry);
  }
  return [...seen.values()];
}

/** The newest installed package named `name` (or by a language it provides) matching `selector`. */
export function resolvePistonPackage(runtimes: readonly RuntimeInfo[], name: string, selector: string, table = PISTON_NAMES): { language: string; version: string } | undefined {
  const wanted = name.toLowerCase();
  const byPackage = runtimes.filter((r) => packageName(r, table).toLowerCase() === wanted && versionMatches(r.version, selector));
  const found = sortNewestFirst(byPackage)[0] ?? resolvePistonRuntime(runtimes, name, selector, table);
  return found === undefined ? undefined : { language: packageName(found, table), version: found.version };
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

/** The installed runtimes whose Piston name or alias is `language` (case-insensitive). */
export function pistonNamed(runtimes: readonly RuntimeInfo[], language: string, table = PISTON_NAMES): RuntimeInfo[] {
  const wanted = language.toLowerCase();
  return runtimes.filter((r) => {
    const named = pistonRuntime(r, table);
    return named.language.toLowerCase() === wanted || named.aliases.some((a) => a.toLowerCase() === wanted);
  });
}

/**
 * The newest installed runtime named `language` whose version matches `selector` (e.g. `12.2.0`,
 * `14`, `>=13`, `*`), or undefined (Piston's "runtime is unknown").
 */
export function resolvePistonRuntime(runtimes: readonly RuntimeInfo[], language: string, selector: string, table = PISTON_NAMES): RuntimeInfo | undefined {
  return sortNewestFirst(pistonNamed(runtimes, language, table).filter((r) => versionMatches(r.version, selector)))[0];
}

function sortNewestFirst(runtimes: RuntimeInfo[]): RuntimeInfo[] {
  return runtimes.sort((a, b) => {
    const [va, vb] = [asSemver(a.version), asSemver(b.version)];
    return va !== null && vb !== null ? semver.rcompare(va, vb) : b.version.localeCompare(a.version);
  });
}
