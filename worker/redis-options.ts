/**
 * Turns SBX_REDIS_URL into the worker's ioredis options (forms: see worker/contract/redis-url.ts).
 */
import type { RedisOptions } from 'ioredis';
import { parseRedisUrl } from './contract/redis-url.js';

/**
 * ioredis options for `url`. BullMQ workers and blocking connections need
 * `maxRetriesPerRequest: null` (commands wait for a reconnect instead of failing), which is what
 * lets a worker ride out a Redis restart.
 * @throws BulkheadError SBX_ERR_CONFIG for an unsupported scheme or a relative socket path.
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  return { maxRetriesPerRequest: null, enableReadyCheck: true, ...parseRedisUrl(url) };
}
