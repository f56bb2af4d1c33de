/**
 * The cgroup v2 suite's own small runner (vitest is too heavy for an emulated guest): tests run
 * one after another, each line says ok or FAIL with the reason, and the last line is
 * `N passed, N failed`, which scripts/test.sh adds to its summary.
 */
import { readdirSync, readFileSync } from 'node:fs';

type TestFn = () => Promise<void> | void;
const tests: { name: string; fn: TestFn }[] = [];

export function test(name: string, fn: TestFn): void {
  tests.push({ name, fn });
}

/** Runs every registered test; resolves with the number that failed. */
export async function runAll(write: (line: string) => void): Promise<number> {
  let passed = 0;
  let failed = 0;
  for (const t of tests) {
    const startedMs = Date.now();
    try {
      await t.fn();
      passed++;
      write(`ok   ${t.name} (${Date.now() - startedMs} ms)`);
    } catch (err) {
      failed++;
      write(`FAIL ${t.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  write(`${passed} passed, ${failed} failed`);
  return failed;
}

/** Polls `check` every 5 ms for up to `ms`; returns its last result. */
export async function eventually<T>(check: () => T, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const endMs = Date.now() + ms;
  let v = check();
  while (!ok(v) && Date.now() < endMs) {
    await new Promise((r) => setTimeout(r, 5));
    v = check();
  }
  return v;
}

export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Pids whose real uid lies in [base, base + count): the processes of this suite's runs. */
export function pidsInUidRange(base: number, count: number): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    const uid = Number(/^Uid:\s+(\d+)/m.exec(readText(`/proc/${pid}/status`) ?? '')?.[1]);
    if (uid >= base && uid < base + count) found.push(Number(pid));
  }
  return found;
}

/** The v2 cgroup path of a process ("/bulkhead/r12-3"), or undefined once it is gone. */
export function cgroupOf(pid: number): string | undefined {
  return /^0::(\S+)$/m.exec(readText(`/proc/${pid}/cgroup`) ?? '')?.[1];
}

/** A child process's end: its facts (or its error) as one JSON line for the parent, then exit. */
export function reportFacts(collect: () => Promise<Record<string, unknown>>): void {
  collect().then(
    (facts) => {
      process.stdout.write(`${JSON.stringify(facts)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) })}\n`);
      process.exit(1);
    },
  );
}
