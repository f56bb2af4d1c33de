/**
 * A thin HTTP client for the end-to-end service tests (test/service/): POST /run with the raw
 * answer (status, headers, body), GET /runs/:id, polling with a deadline, a health check that
 * runs a real program, and a ledger that counts submitted against answered runs so that every
 * fault test can assert that no run was lost.
 */
import { expect } from 'vitest';

/** One HTTP answer, body parsed as JSON (undefined when it was not JSON). */
export interface HttpAnswer {
  httpStatus: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A run body as the API answers it (only the fields the tests read are typed). */
export interface RunBody {
  id: string;
  state: 'queued' | 'running' | 'done';
  status?: string;
  timeLimit?: 'cpu' | 'wall';
  language?: string;
  version?: string;
  errorCode?: string;
  compile?: StageBody;
  run?: StageBody;
}

/** One stage of a done run. */
export interface StageBody {
  status: string;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  timeLimit?: 'cpu' | 'wall';
  /** Peak memory of the run's cgroup, bytes. */
  memoryBytes?: number;
}

const POLL_INTERVAL_MS = 100;

/** POST /run with `body` as given (no default for `wait`: the API's own default applies). */
export async function postRun(url: string, body: Record<string, unknown>): Promise<HttpAnswer> {
  const response = await fetch(`${url}/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { httpStatus: response.status, headers: response.headers, body: await jsonOf(response) };
}

/** GET /runs/:id. */
export async function getRun(url: string, id: string): Promise<HttpAnswer> {
  const response = await fetch(`${url}/runs/${encodeURIComponent(id)}`);
  return { httpStatus: response.status, headers: response.headers, body: await jsonOf(response) };
}

/**
 * Polls GET /runs/:id until the run is done and returns its body. Transient failures (the API
 * restarting, Redis unreachable: connection errors and 503) are retried until the deadline;
 * anything else is a test failure.
 */
export async function waitUntilDone(url: string, id: string, timeoutMs = 30_000): Promise<RunBody> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const answer = await getRun(url, id);
      last = `${answer.httpStatus} ${JSON.stringify(answer.body)}`;
      if (answer.httpStatus === 200 && answer.body.state === 'done') return answer.body as unknown as RunBody;
      if (answer.httpStatus !== 200 && answer.httpStatus !== 503) throw new Error(`GET /runs/${id} answered ${last}`);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('GET /runs/')) throw err;
      last = String(err);
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(`run ${id} not done within ${timeoutMs} ms; last answer: ${last}`);
}

/** Polls GET /runs/:id until the run reaches `state` (e.g. `running`), within the deadline. */
export async function waitForState(url: string, id: string, state: RunBody['state'], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const answer = await getRun(url, id);
    last = `${answer.httpStatus} ${JSON.stringify(answer.body)}`;
    if (answer.body.state === state) return;
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(`run ${id} never reached ${state} within ${timeoutMs} ms; last answer: ${last}`);
}

/** Polls `probe` until it returns true, within the deadline; `what` names the condition in the error. */
export async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch {
      // not yet: the condition is retried until the deadline
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(`${what}: not true within ${timeoutMs} ms`);
}

/**
 * Asserts the service is healthy as a user sees it: GET /ready answers 200 (Redis, a live worker,
 * images) and a fresh Python program runs to OK with its exact output.
 */
export async function expectHealthy(url: string): Promise<void> {
  await eventually('GET /ready answers 200', async () => (await fetch(`${url}/ready`)).status === 200, 20_000);
  const marker = `healthy-${Date.now()}`;
  const answer = await postRun(url, { language: 'python', source: `print(${JSON.stringify(marker)})`, wait: true });
  expect([200, 202], JSON.stringify(answer.body)).toContain(answer.httpStatus);
  const body = answer.httpStatus === 202 ? await waitUntilDone(url, String(answer.body.id)) : (answer.body as unknown as RunBody);
  expect(body.status).toBe('OK');
  expect(body.run?.stdout).toBe(`${marker}\n`);
}

/**
 * Submitted runs against answered runs. `submitted(id)` records an accepted run (200 or 202 with
 * an id); `settle()` fetches every run not yet seen done and returns the ids that are lost: never
 * done within the deadline, unknown (404), or ended as INTERNAL_ERROR.
 */
export class RunLedger {
  private readonly ids = new Set<string>();
  private readonly done = new Map<string, RunBody>();

  constructor(private readonly url: string) {}

  /** Records an accepted run; a done body (a 200 answer) counts as answered at once. */
  submitted(answer: HttpAnswer): string {
    const id = answer.body.id;
    if (typeof id !== 'string' || (answer.httpStatus !== 200 && answer.httpStatus !== 202)) {
      throw new Error(`run not accepted: ${answer.httpStatus} ${JSON.stringify(answer.body)}`);
    }
    this.ids.add(id);
    if (answer.body.state === 'done') this.done.set(id, answer.body as unknown as RunBody);
    return id;
  }

  get count(): number {
    return this.ids.size;
  }

  /** Fetches every run until done (each within `timeoutMs`) and returns the lost ids with why. */
  async settle(timeoutMs = 60_000): Promise<{ lost: string[]; results: Map<string, RunBody> }> {
    const lost: string[] = [];
    const deadline = Date.now() + timeoutMs;
    for (const id of this.ids) {
      if (!this.done.has(id)) {
        try {
          this.done.set(id, await waitUntilDone(this.url, id, Math.max(1_000, deadline - Date.now())));
        } catch (err) {
          lost.push(`${id}: ${String(err)}`);
          continue;
        }
      }
      const body = this.done.get(id);
      if (body?.status === 'INTERNAL_ERROR') lost.push(`${id}: INTERNAL_ERROR ${body.errorCode ?? ''}`);
    }
    return { lost, results: this.done };
  }
}

async function jsonOf(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { unparsed: text };
  }
}

/** Pause between polls (never used as a wait for a condition). */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
