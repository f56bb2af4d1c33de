import { BulkheadError } from './errors.js';

/**
 * Where Redis is, as both processes read SBX_REDIS_URL. Structurally a subset of ioredis's
 * `RedisOptions`, so either process can spread it into its own connection options. It lives in
 * the contract because the API and the worker must agree on the accepted forms exactly.
 */
export interface RedisLocation {
  path?: string;
  host?: string;
  port?: number;
  db?: number;
  username?: string;
  password?: string;
  /** Present (empty: system CAs, server name from host) for `rediss://`. */
  tls?: Record<string, never>;
}

/**
 * Parses `redis://[user:pass@]host[:port][/db]`, `rediss://…` (TLS), `unix:///path/to/redis.sock`
 * or an absolute socket path.
 * @throws BulkheadError SBX_ERR_CONFIG for anything else.
 */
export function parseRedisUrl(url: string): RedisLocation {
  if (url.startsWith('/')) return { path: url };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new BulkheadError('SBX_ERR_CONFIG', 'SBX_REDIS_URL is neither a URL nor an absolute socket path', { cause });
  }
  if (parsed.protocol === 'unix:') {
    const path = decodeURIComponent(parsed.pathname);
    if (!path.startsWith('/') || path === '/') throw new BulkheadError('SBX_ERR_CONFIG', 'SBX_REDIS_URL unix:// needs an absolute socket path');
    return { path };
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new BulkheadError('SBX_ERR_CONFIG', `SBX_REDIS_URL scheme ${parsed.protocol} is not supported`);
  }
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new BulkheadError('SBX_ERR_CONFIG', 'SBX_REDIS_URL database must be a non-negative integer');
  const location: RedisLocation = {
    host: parsed.hostname === '' ? '127.0.0.1' : parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db,
  };
  if (parsed.username !== '') location.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') location.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') location.tls = {};
  return location;
}
