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
import type { RuntimeInfo } from '../../../worker/contract/registry.js';

/** First id of the range Bulkhead assigns to languages Judge0 does not have. */
export const BULKHEAD_ID_BASE = 1000;

/** One Judge0 id of a language. */
export interface Judge0IdEntry {
  id: number;
  /** Prefer the installed version starting with this (e.g. "3.11"); else the newest. */
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

const ids = (...values: Array<number | [number, string]>): Judge0IdEntry[] =>
  values.map((v) => (typeof v === 'number' ? { id: v } : { id: v[0], versionPrefix: v[1] }));

/**
 * Canonical Bulkhead language name → Judge0 ids. CE 1.13.1's ids first (50 C, 54 C++, 62 Java,
 * 63 JavaScript, 71 Python, 72 Ruby, 73 Rust, 60 Go, 46 Bash, and the older GCC ids 48/49/52/53),
 * then the ids later Judge0 CE releases gave the same languages.
 */
export const JUDGE0_LANGUAGES: Readonly<Record<string, Judge0LanguageEntry>> = Object.freeze({
  bash: { label: 'Bash (', labelEnd: ')', ids: ids(46) },
  c: { label: 'C (GCC ', labelEnd: ')', ids: ids(48, 49, 50, 103) },
  cpp: { label: 'C++ (GCC ', labelEnd: ')', ids: ids(52, 53, 54, 105) },
  go: { label: 'Go (', labelEnd: ')', ids: ids(60, 95, 106, 107) },
  java: { label: 'Java (OpenJDK ', labelEnd: ')', ids: ids(62, 91) },
  javascript: { label: 'JavaScript (Node.js ', labelEnd: ')', ids: ids(63, 93, 97, 102) },
  python: { label: 'Python (', labelEnd: ')', ids: ids(71, [92, '3.11'], [100, '3.12'], [109, '3.13']) },
  ruby: { label: 'Ruby (', labelEnd: ')', ids: ids(72) },
  rust: { label: 'Rust (', labelEnd: ')', ids: ids(73, 108) },
  pypy: { label: 'Python (PyPy ', labelEnd: ')', ids: ids(BULKHEAD_ID_BASE + 1) },
});

/** One listed Judge0 language, resolved to an installed runtime. */
export interface Judge0Language {
  id: number;
  name: string;
  runtime: RuntimeInfo;
}

/** The installed runtime an id entry means: the preferred version when installed, else the newest. */
function pickRuntime(entry: Judge0IdEntry, installed: readonly RuntimeInfo[]): RuntimeInfo | undefined {
  const preferred = entry.versionPrefix === undefined ? undefined : installed.find((r) => r.version.startsWith(entry.versionPrefix ?? ''));
  return preferred ?? installed[0];
}

/**
 * Every Judge0 id whose language is installed, sorted by id. `runtimes` must be newest first per
 * language (as RuntimeCatalogue.list gives them).
 */
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
