/**
 * The open-model load generator: requests start on a schedule whether or not earlier ones have
 * finished (k6's constant-arrival-rate), so a slow service shows up as latency and dropped
 * requests instead of quietly lowering the rate as a closed loop (autocannon's fixed
 * connections) would. Bounded in count, in time and in requests outstanding.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { RUN_PATH, runRequestBody, type BenchProgram } from '../scenarios.js';
import type { RunSample } from './stats.js';

/** What to send and when. */
export interface LoadPlan {
  /** Service base URL; must be loopback (127.0.0.1, ::1 or localhost). */
  baseUrl: string;
  /** The program of request i. */
  programs: readonly BenchProgram[];
  /** Start time of request i, ms from the start (ascending); all zero for a burst. */
  offsetsMs: readonly number[];
  /** Requests outstanding at most. */
  maxInFlight: number;
  /** true: a request due while `maxInFlight` are outstanding is dropped (open model); false: it waits. */
  dropWhenFull: boolean;
  /** A request with no complete answer after this long counts as TIMEOUT, ms. */
  requestTimeoutMs: number;
}

/** What happened. */
export interface LoadResult {
  samples: RunSample[];
  /** Requests scheduled. */
  scheduled: number;
  /** Requests not sent because `maxInFlight` were outstanding. */
  dropped: number;
  /** From the first start to the last answer, ms. */
  elapsedMs: number;
  /** How late the timer started requests, p99 over all sent, ms (a client-side bottleneck shows here). */
  startLagP99Ms: number;
}

/** Throws unless the URL points at this machine: load is only ever sent to loopback. */
export function assertLoopback(baseUrl: string): URL {
  const url = new URL(baseUrl);
  if (!['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname) || url.protocol !== 'http:') {
    throw new Error(`refusing to load ${baseUrl}: only http://127.0.0.1, http://[::1] or http://localhost`);
  }
  return url;
}

/** What the driver reads from one answered request. */
export interface RunReading {
  status: string | null;
  /** The programs' wall time (compile + run stages), ms. */
  sandboxWallMs: number | null;
  /** Time inside containers, setup and teardown included (`timings.sandboxMs`), ms. */
  sandboxMs: number | null;
  /** When the worker finished the run (`timings.finishedAtMs`, epoch ms), for result delivery. */
  finishedAtMs: number | null;
}

const NOTHING_READ = { sandboxWallMs: null, sandboxMs: null, finishedAtMs: null } as const;

/**
 * The outcome and sandbox times read from a /run response body (tolerates a `{ result }`
 * wrapper). A run not yet done (`state` queued or running, the API's 202) reads as `PENDING`.
 */
export function readRunResponse(body: unknown): RunReading {
  const root = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const result = typeof root['result'] === 'object' && root['result'] !== null ? (root['result'] as Record<string, unknown>) : root;
  const state = result['state'];
  if (typeof state === 'string' && state !== 'done') return { status: 'PENDING', ...NOTHING_READ };
  const status = typeof result['status'] === 'string' ? result['status'] : null;
  let wallMs: number | null = null;
  for (const stage of ['compile', 'run']) {
    const value = (result[stage] as Record<string, unknown> | undefined)?.['wallTimeMs'];
    if (typeof value === 'number') wallMs = (wallMs ?? 0) + value;
  }
  const timings = (result['timings'] ?? {}) as Record<string, unknown>;
  const numberOr = (value: unknown): number | null => (typeof value === 'number' ? value : null);
  return { status, sandboxWallMs: wallMs, sandboxMs: numberOr(timings['sandboxMs']), finishedAtMs: numberOr(timings['finishedAtMs']) };
}

/** One request's end: its outcome, what the body said, and how long the result took to arrive. */
interface PostOutcome {
  outcome: string;
  sandboxWallMs: number | null;
  sandboxMs: number | null;
  /** Worker's finish → the response's last byte here (same machine clock), ms. */
  deliveryMs: number | null;
}

/** Sends one POST and resolves with what it ended as (never rejects). */
function postOnce(url: URL, agent: Agent, payload: Buffer, timeoutMs: number): Promise<PostOutcome> {
  const failed = (outcome: string): PostOutcome => ({ outcome, sandboxWallMs: null, sandboxMs: null, deliveryMs: null });
  return new Promise((resolve) => {
    const req = request(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': payload.length },
      timeout: timeoutMs,
    });
    req.on('timeout', () => req.destroy(new Error('TIMEOUT')));
    req.on('error', (err) => resolve(failed(err.message === 'TIMEOUT' ? 'TIMEOUT' : 'NETWORK_ERROR')));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => resolve(failed('NETWORK_ERROR')));
      res.on('end', () => {
        const receivedAtMs = performance.timeOrigin + performance.now();
        const code = res.statusCode ?? 0;
        if (code < 200 || code > 299) return resolve(failed(`HTTP_${code}`));
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return resolve(failed('BAD_RESPONSE'));
        }
        const { status, sandboxWallMs, sandboxMs, finishedAtMs } = readRunResponse(parsed);
        const deliveryMs = finishedAtMs === null ? null : receivedAtMs - finishedAtMs;
        resolve({ outcome: status ?? 'BAD_RESPONSE', sandboxWallMs, sandboxMs, deliveryMs });
      });
    });
    req.end(payload);
  });
}

/** Runs a plan to completion: every request answered, timed out or dropped. */
export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const url = new URL(RUN_PATH, assertLoopback(plan.baseUrl));
  const agent = new Agent({ keepAlive: true, maxSockets: plan.maxInFlight });
  const payloads = new Map<string, Buffer>();
  const payloadOf = (p: BenchProgram): Buffer => {
    const cached = payloads.get(p.id) ?? Buffer.from(JSON.stringify(runRequestBody(p)));
    payloads.set(p.id, cached);
    return cached;
  };
  const samples: RunSample[] = [];
  const lagsMs: number[] = [];
  const pending = new Set<Promise<void>>();
  const total = Math.min(plan.programs.length, plan.offsetsMs.length);
  let dropped = 0;
  let next = 0;
  let lastEndMs = 0;
  const t0 = performance.now();

  const start = (i: number): void => {
    const program = plan.programs[i];
    if (program === undefined) return;
    const startedAtMs = performance.now() - t0;
    lagsMs.push(startedAtMs - (plan.offsetsMs[i] ?? 0));
    const done = postOnce(url, agent, payloadOf(program), plan.requestTimeoutMs).then((r) => {
      const endMs = performance.now() - t0;
      lastEndMs = Math.max(lastEndMs, endMs);
      samples.push({
        programId: program.id,
        outcome: r.outcome,
        isExpected: r.outcome === program.expectedStatus,
        latencyMs: endMs - startedAtMs,
        sandboxWallMs: r.sandboxWallMs,
        sandboxMs: r.sandboxMs,
        deliveryMs: r.deliveryMs,
        startedAtMs,
      });
      pending.delete(done);
    });
    pending.add(done);
  };

  try {
    while (next < total) {
      const elapsedMs = performance.now() - t0;
      while (next < total && (plan.offsetsMs[next] ?? 0) <= elapsedMs) {
        if (pending.size < plan.maxInFlight) start(next++);
        else if (plan.dropWhenFull) {
          dropped++;
          next++;
        } else break;
      }
      if (next >= total) break;
      if (pending.size >= plan.maxInFlight && !plan.dropWhenFull) await Promise.race(pending);
      else await sleepMs(Math.max(0, (plan.offsetsMs[next] ?? 0) - (performance.now() - t0)));
    }
    await Promise.all(pending);
  } finally {
    agent.destroy();
  }
  lagsMs.sort((a, b) => a - b);
  return {
    samples,
    scheduled: total,
    dropped,
    elapsedMs: lastEndMs,
    startLagP99Ms: lagsMs[Math.max(0, Math.ceil(lagsMs.length * 0.99) - 1)] ?? 0,
  };
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
