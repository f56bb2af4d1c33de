/**
 * Judge0 language ids over Bulkhead's runtime catalogue. The table below is data: for each
 * Bulkhead language, the ids Judge0 clients send for it, each with the display name Judge0 uses
 * (the version in the name is always the one installed here) and, optionally, a version prefix
 * the id prefers. Listings are derived from the live catalogue at request time, so a language no
 * worker has installed is never listed and its ids answer "doesn't exist".
 *
 * To add a language: one entry, name → ids. Ids of languages Judge0 lacks live in the Bulkhead
 * range from {@link BULKHEAD_ID_BASE} up, where no Judge0 release assigns ids.
 */
import type { RuntimeInfo } from '../../../worker/contract/heartbeat.js';
import { pickVersion } from '../../../worker/contract/versions.js';

/** First id of the range Bulkhead assigns to languages Judge0 does not have. */
export const BULKHEAD_ID_BASE = 1000;

/** One Judge0 id of a language. */
export interface Judge0IdEntry {
  id: number;
  /**
   * The version this id names, as a prefix ending at a component boundary ("3.11", "14"). Without
   * one, or when it is not installed here, the id names the language's default version.
   */
  versionPrefix?: string;
}

/** A Bulkhead language as Judge0 clients know it. */
export interface Judge0LanguageEntry {
  /** Judge0's display name without the version, e.g. "C++ (GCC" → "C++ (GCC 12.2.0)". */
  label: string;
  /** Closes the label after the version: ")" for "C (GCC 12.2.0)". */
  labelEnd: string;
  /** The ids, oldest Judge0 release first. */
  ids: readonly Judge0IdEntry[];
}

const ids = (...values: Array<number | [number, string]>): Judge0IdEntry[] => values.map((v) => (typeof v === 'number' ? { id: v } : { id: v[0], versionPrefix: v[1] }));

/**
 * Canonical Bulkhead language name → Judge0 ids. Judge0 CE's own ids (its language seeds: 1.13.1's
 * 45–88, then the 90–111 later releases added for newer versions of the same languages), and the
 * Bulkhead range for languages and versions Judge0 lacks. Where a language has two installed
 * versions, the older Judge0 ids name the Debian 12 build and the newer ones the Debian 13 build.
 * Judge0's name is kept where its toolchain differs (Prolog 69 is GNU Prolog there, SWI here;
 * Basic 47 is FreeBASIC there, yabasic here): clients pick languages by these ids.
 */
export const JUDGE0_LANGUAGES: Readonly<Record<string, Judge0LanguageEntry>> = Object.freeze({
  ada: { label: 'Ada (GNAT ', labelEnd: ')', ids: ids(BULKHEAD_ID_BASE + 2) },
  assembly: { label: 'Assembly (NASM ', labelEnd: ')', ids: ids(45) },
  awk: { label: 'AWK (gawk ', labelEnd: ')', ids: ids(BULKHEAD_ID_BASE + 3) },
  bash: { label: 'Bash (', labelEnd: ')', ids: ids(46) },
  basic: { label: 'Basic (yabasic ', labelEnd: ')', ids: ids(47) },
  c: { label: 'C (GCC ', labelEnd: ')', ids: ids([48, '12'], [49, '12'], [50, '12'], [103, '14']) },
  clojure: { label: 'Clojure (', labelEnd: ')', ids: ids(86) },
  cobol: { label: 'COBOL (GnuCOBOL ', labelEnd: ')', ids: ids(77) },
  commonlisp: { label: 'Common Lisp (SBCL ', labelEnd: ')', ids: ids(55) },
  cpp: { label: 'C++ (GCC ', labelEnd: ')', ids: ids([52, '12'], [53, '12'], [54, '12'], [105, '14']) },
  crystal: { label: 'Crystal (', labelEnd: ')', ids: ids(BULKHEAD_ID_BASE + 4) },
  csharp: { label: 'C# (Mono ', labelEnd: ')', ids: ids(51) },
  d: { label: 'D (GDC ', labelEnd: ')', ids: ids(56) },
  elixir: { label: 'Elixir (', labelEnd: ')', ids: ids(57) },
  erlang: { label: 'Erlang (OTP ', labelEnd: ')', ids: ids(58) },
  fortran: { label: 'Fortran (GFortran ', labelEnd: ')', ids: ids(59) },
  go: { label: 'Go (', labelEnd: ')', ids: ids([60, '1.19'], [95, '1.19'], [106, '1.24'], [107, '1.24']) },
  groovy: { label: 'Groovy (', labelEnd: ')', ids: ids(88) },
  haskell: { label: 'Haskell (GHC ', labelEnd: ')', ids: ids(61) },
  java: { label: 'Java (OpenJDK ', labelEnd: ')', ids: ids([62, '17'], [91, '17'], [BULKHEAD_ID_BASE + 10, '21']) },
  javascript: { label: 'JavaScript (Node.js ', labelEnd: ')', ids: ids([63, '18'], [93, '18'], [97, '20'], [102, '20']) },
  kotlin: { label: 'Kotlin (', labelEnd: ')', ids: ids(78) },
  lua: { label: 'Lua (', labelEnd: ')', ids: ids(64) },
  nim: { label: 'Nim (', labelEnd: ')', ids: ids(BULKHEAD_ID_BASE + 5) },
  'objective-c': { label: 'Objective-C (GCC ', labelEnd: ')', ids: ids(79) },
  ocaml: { label: 'OCaml (', labelEnd: ')', ids: ids(65) },
  pascal: { label: 'Pascal (FPC ', labelEnd: ')', ids: ids(67) },
  perl: { label: 'Perl (', labelEnd: ')', ids: ids(85) },
  php: { label: 'PHP (', labelEnd: ')', ids: ids(68, 98) },
  prolog: { label: 'Prolog (SWI-Prolog ', labelEnd: ')', ids: ids(69) },
  pypy: { label: 'Python (PyPy ', labelEnd: ')', ids: ids(BULKHEAD_ID_BASE + 1) },
  python: { label: 'Python (', labelEnd: ')', ids: ids([71, '3.11'], [92, '3.11'], [100, '3.13'], [109, '3.13']) },
  r: { label: 'R (', labelEnd: ')', ids: ids(80, 99) },
  racket: { label: 'Racket (', labelEnd: ')', ids: ids(BULKHEAD_ID_BASE + 6) },
  raku: { label: 'Raku (Rakudo ', labelEnd: ')', ids: ids(BULKHEAD_ID_BASE + 7) },
  ruby: { label: 'Ruby (', labelEnd: ')', ids: ids([72, '3.1'], [BULKHEAD_ID_BASE + 11, '3.3']) },
  rust: { label: 'Rust (', labelEnd: ')', ids: ids([73, '1.63'], [108, '1.85']) },
  scala: { label: 'Scala (', labelEnd: ')', ids: ids(81) },
  scheme: { label: 'Scheme (Chez Scheme ', labelEnd: ')', ids: ids(BULKHEAD_ID_BASE + 8) },
  sqlite: { label: 'SQL (SQLite ', labelEnd: ')', ids: ids(82) },
  tcl: { label: 'Tcl (', labelEnd: ')', ids: ids(BULKHEAD_ID_BASE + 9) },
  typescript: { label: 'TypeScript (', labelEnd: ')', ids: ids(74, 94, 101) },
});

/** One listed Judge0 language, resolved to an installed runtime. */
export interface Judge0Language {
  id: number;
  name: string;
  runtime: RuntimeInfo;
}

/** The installed runtime an id entry means: its version when installed, else the language's default. */
function pickRuntime(entry: Judge0IdEntry, installed: readonly RuntimeInfo[]): RuntimeInfo | undefined {
  const named = entry.versionPrefix === undefined ? undefined : pickVersion(installed, entry.versionPrefix);
  return named ?? pickVersion(installed);
}

/** Every Judge0 id whose language is installed, sorted by id. */
export function judge0Languages(runtimes: readonly RuntimeInfo[], table = JUDGE0_LANGUAGES): Judge0Language[] {
  const listed: Judge0Language[] = [];
  for (const [language, entry] of Object.entries(table)) {
    const installed = runtimes.filter((r) => r.language === language);
    for (const idEntry of entry.ids) {
      const runtime = pickRuntime(idEntry, installed);
      if (runtime !== undefined) listed.push({ id: idEntry.id, name: `${entry.label}${runtime.version}${entry.labelEnd}`, runtime });
    }
  }
  return listed.sort((a, b) => a.id - b.id);
}

/** The installed language with this Judge0 id, or undefined. */
export function judge0Language(runtimes: readonly RuntimeInfo[], id: number, table = JUDGE0_LANGUAGES): Judge0Language | undefined {
  return judge0Languages(runtimes, table).find((l) => l.id === id);
}
