/**
 * Turns SBX_REDIS_URL into ioredis options, in one place. Accepted forms:
 * `redis://[user:pass@]host[:port][/db]`, `rediss://…` (TLS), an absolute unix socket path,
 * and `unix:///path/to/redis.sock`.
 */
import type { RedisOptions } from 'ioredis';
import { BulkheadError } from './contract/errors.js';

/**
 * ioredis options for `url`. BullMQ workers and blocking connections need
 * `maxRetriesPerRequest: null` (commands wait for a reconnect instead of failing), which is what
 * lets a worker ride out a Redis restart.
 * @throws BulkheadError SBX_ERR_CONFIG for an unsupported scheme or a relative socket path.
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const base: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true };
  if (url.startsWith('/')) return { ...base, path: url };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new BulkheadError('SBX_ERR_CONFIG', 'SBX_REDIS_URL is neither a URL nor an absolute socket path', { cause });
  }
  if (parsed.protocol === 'unix:') {
    if (!parsed.pathname.startsWith('/')) throw new BulkheadError('SBX_ERR_CONFIG', 'unix: Redis URL needs an absolute path');
    return { ...base, path: decodeURIComponent(parsed.pathname) };
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new BulkheadError('SBX_ERR_CONFIG', `SBX_REDIS_URL scheme ${parsed.protocol} is not supported`);
  }
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new BulkheadError('SBX_ERR_CONFIG', 'SBX_REDIS_URL database must be an integer');
  return {
    ...base,
    host: parsed.hostname === '' ? '127.0.0.1' : parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db,
    ...(parsed.username !== '' ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password !== '' ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
