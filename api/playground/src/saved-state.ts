/**
 * What survives a reload (localStorage) and what a Share link carries (the URL fragment, never
 * sent to the server): source, language, version, stdin. Tests are kept locally only.
 */
export interface Snapshot {
  language: string;
  version?: string;
  source: string;
  stdin: string;
}

export interface SavedTest {
  stdin: string;
  expected: string;
}

const STORAGE_KEY = 'bulkhead.playground.v1';
const TESTS_KEY = 'bulkhead.playground.tests.v1';
const FRAGMENT_PREFIX = '#code=';

function isSnapshot(value: unknown): value is Snapshot {
  const v = value as Partial<Snapshot> | null;
  return typeof v === 'object' && v !== null && typeof v.language === 'string' && typeof v.source === 'string' && typeof v.stdin === 'string';
}

function readJson(key: string): unknown {
  try {
    const text = localStorage.getItem(key);
    return text === null ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function writeJson(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled (private mode): the page still works, it just forgets.
  }
}

export function loadSnapshot(): Snapshot | undefined {
  const value = readJson(STORAGE_KEY);
  return isSnapshot(value) ? value : undefined;
}

export function saveSnapshot(snapshot: Snapshot): void {
  writeJson(STORAGE_KEY, snapshot);
}

export function loadTests(): SavedTest[] {
  const value = readJson(TESTS_KEY);
  if (!Array.isArray(value)) return [];
  return value.filter((t): t is SavedTest => typeof t?.stdin === 'string' && typeof t?.expected === 'string');
}

export function saveTests(tests: readonly SavedTest[]): void {
  writeJson(TESTS_KEY, tests);
}

/** UTF-8 → base64url, so any source fits in a fragment. */
function toBase64Url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(encoded: string): string {
  const binary = atob(encoded.replaceAll('-', '+').replaceAll('_', '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The fragment a Share link ends with. */
export function shareFragment(snapshot: Snapshot): string {
  return FRAGMENT_PREFIX + toBase64Url(JSON.stringify(snapshot));
}

/** The snapshot in a Share link's fragment, if the fragment is one. */
export function snapshotFromFragment(hash: string): Snapshot | undefined {
  if (!hash.startsWith(FRAGMENT_PREFIX)) return undefined;
  try {
    const value = JSON.parse(fromBase64Url(hash.slice(FRAGMENT_PREFIX.length))) as unknown;
    return isSnapshot(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
