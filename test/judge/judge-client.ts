/**
 * HTTP helpers for the judge tests (test/judge/): JSON requests against the real API, a run that
 * always ends done (polls after a 202), and the per-test verdict list of a run.
 */
import { expect } from 'vitest';
import { waitUntilDone } from '../helpers/service-client.js';

/** A done run as the judge tests read it. */
export interface JudgedRun {
  id: string;
  status: string;
  passed?: number;
  total?: number;
  compile?: { status: string; stderr: string };
  tests?: { id: string; status: string; timeLimit?: string; signal: string | null; score?: number; checkerMessage?: string; checkerFailed?: boolean }[];
}

/** Sends JSON (or nothing) and parses the answer. */
export async function call(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown>; text: string; headers: Headers }> {
  const response = await fetch(`${url}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON (CSV, 204): the text is there
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

/** POST /run and, after a 202, polls until done. */
export async function judge(url: string, request: Record<string, unknown>): Promise<JudgedRun> {
  const answer = await call(url, 'POST', '/run', { wait: true, ...request });
  expect([200, 202], JSON.stringify(answer.body)).toContain(answer.status);
  if (answer.status === 202) return (await waitUntilDone(url, String(answer.body.id), 120_000)) as unknown as JudgedRun;
  return answer.body as unknown as JudgedRun;
}

/** The statuses of a run's tests, in order. */
export function verdicts(run: JudgedRun): string[] {
  return (run.tests ?? []).map((t) => t.status);
}

/** POST /testsets and returns the id (asserting 201). */
export async function uploadTestset(url: string, tests: { id?: string; stdin: string; expected?: string }[]): Promise<string> {
  const answer = await call(url, 'POST', '/testsets', { tests });
  expect(answer.status, answer.text).toBe(201);
  return String(answer.body.id);
}
