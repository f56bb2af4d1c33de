/**
 * Reads the live workers' heartbeats (worker/contract/heartbeat.ts): each worker keeps one key
 * with a TTL, so the keys that exist are the workers alive now.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Compile } from 'typebox/compile';
import { WORKER_KEY_PREFIX, WorkerHeartbeatSchema, type WorkerHeartbeat } from '../../worker/contract/heartbeat.js';

/**
 * Keys SCAN looks at per call. SCAN walks the whole keyspace, which holds every kept result (two
 * keys per run for `SBX_RESULT_TTL_S`), and the catalogue reads the heartbeats every second: at
 * 100 per call a keyspace of 100,000 keys cost 1,000 round trips a second; at 5,000, 20 (Redis
 * does the same walk either way, in fewer and longer slices).
 */
const SCAN_COUNT = 5000;

/** Compiled once per process: every catalogue refresh checks every live worker's heartbeat. */
let heartbeatCheck: { Check(value: unknown): boolean } | undefined;

/** Every valid heartbeat under WORKER_KEY_PREFIX; a malformed one is logged and skipped, not fatal. */
export async function readLiveWorkers(client: Redis, log: Pick<Logger, 'warn'>): Promise<WorkerHeartbeat[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${WORKER_KEY_PREFIX}*`, 'COUNT', SCAN_COUNT);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const values = await client.mget(...keys);
  return values.flatMap((raw) => parseHeartbeat(raw, log));
}

function parseHeartbeat(raw: string | null, log: Pick<Logger, 'warn'>): WorkerHeartbeat[] {
  if (raw === null) return [];
  try {
    const value: unknown = JSON.parse(raw);
    heartbeatCheck ??= Compile(WorkerHeartbeatSchema);
    if (heartbeatCheck.Check(value)) return [value as WorkerHeartbeat];
  } catch {
    // fall through: a malformed heartbeat is skipped
  }
  log.warn('skipping a malformed worker heartbeat');
  return [];
}
