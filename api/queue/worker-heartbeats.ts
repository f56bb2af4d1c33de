/**
 * Reads the live workers' heartbeats (worker/contract/heartbeat.ts): each worker keeps one key
 * with a TTL, so the keys that exist are the workers alive now.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Value } from 'typebox/value';
import { WORKER_KEY_PREFIX, WorkerHeartbeatSchema, type WorkerHeartbeat } from '../../worker/contract/heartbeat.js';

/** Every valid heartbeat under WORKER_KEY_PREFIX; a malformed one is logged and skipped, not fatal. */
export async function readLiveWorkers(client: Redis, log: Pick<Logger, 'warn'>): Promise<WorkerHeartbeat[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${WORKER_KEY_PREFIX}*`, 'COUNT', 100);
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
    if (Value.Check(WorkerHeartbeatSchema, value)) return [value];
  } catch {
    // fall through: a malformed heartbeat is skipped
  }
  log.warn('skipping a malformed worker heartbeat');
  return [];
}
