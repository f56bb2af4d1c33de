/**
 * What survives a reload (localStorage): the snapshot (source, language, version, stdin) and the
 * test cases. Storage that is full or disabled makes the page forget, never fail.
 */
import { isSnapshot, type Snapshot } from './share-link.js';

export type { Snapshot };

export interface SavedTest {
  stdin: string;
  expected: string;
}

const STORAGE_KEY = 'bulkhead.playground.v1';
const TESTS_KEY = 'bulkhead.playground.tests.v1';

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
