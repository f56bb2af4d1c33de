import type { RedisOptions } from 'ioredis';
import { parseRedisUrl } from '../../worker/contract/redis-url.js';

/**
 * ioredis options for the configured Redis location (forms: see worker/contract/redis-url.ts).
 * @throws BulkheadError SBX_ERR_CONFIG for an unsupported location.
 */
export function redisConnectionFromUrl(url: string): RedisOptions {
  return parseRedisUrl(url);
}
