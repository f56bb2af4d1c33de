/**
 * Reads the live workers' heartbeats (worker/contract/heartbeat.ts): each worker keeps one key
 * with a TTL and its id in the registry set, so the registry's ids whose key exists are the
 * workers alive now.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Compile } from 'typebox/compile';
import { upgradeHeartbeat, WORKER_KEY_PREFIX, WORKER_REGISTRY_KEY, WorkerHeartbeatSchema, type WorkerHeartbeat } from '../../worker/contract/heartbeat.js';

/** Compiled once per process: every catalogue refresh checks every live worker's heartbeat. */
let heartbeatCheck: { Check(value: unknown): boolean } | undefined;

/**
 * The registry's members' heartbeats, in one round trip; an id whose key has expired (a worker
 * that died without deleting it) is removed in the same script, so a worker beating again at that
 * moment cannot lose its id to the removal. The keys it reads are named by the registry, as
 * BullMQ's scripts name theirs by prefix (one Redis, not a cluster).
 */
const READ_REGISTRY = `
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local beat = redis.call('GET', ARGV[1] .. id)
  if beat then out[#out + 1] = beat else redis.call('SREM', KEYS[1], id) end
end
return out`;

/** Every valid heartbeat of the registry's workers; a malformed one is logged and skipped, not fatal. */
export async function readLiveWorkers(client: Redis, log: Pick<Logger, 'warn'>): Promise<WorkerHeartbeat[]> {
  const values = (await client.eval(READ_REGISTRY, 1, WORKER_REGISTRY_KEY, WORKER_KEY_PREFIX)) as string[];
  return values.flatMap((raw) => parseHeartbeat(raw, log));
}

function parseHeartbeat(raw: string, log: Pick<Logger, 'warn'>): WorkerHeartbeat[] {
  try {
    const value = upgradeHeartbeat(JSON.parse(raw));
    heartbeatCheck ??= Compile(WorkerHeartbeatSchema);
    if (heartbeatCheck.Check(value)) return [value as WorkerHeartbeat];
  } catch {
    // fall through: a malformed heartbeat is skipped
  }
  log.warn('skipping a malformed worker heartbeat');
  return [];
}
