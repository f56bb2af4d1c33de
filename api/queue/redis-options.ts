import type { RedisOptions } from 'ioredis';
import { BulkheadError } from '../../worker/contract/errors.js';

/**
 * Turns the configured Redis location (`redis://[user:pass@]host[:port][/db]`, `rediss://…` for
 * TLS, `unix:///path`, or an absolute socket path) into ioredis connection options. The API keeps
 * its own copy of this parser because api/ may import nothing from worker/ but the contract.
 * @throws BulkheadError SBX_ERR_CONFIG for anything else.
 */
export function redisConnectionFromUrl(url: string): RedisOptions {
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
  const options: RedisOptions = {
    host: parsed.hostname === '' ? '127.0.0.1' : parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db,
  };
  if (parsed.username !== '') options.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') options.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') options.tls = {};
  return options;
}
