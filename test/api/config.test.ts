import { describe, expect, it } from 'vitest';
import { loadApiConfig, parseApiKeyEntry, redactApiConfig } from '../../api/config.js';
import { toErrorAnswer } from '../../api/http/errors.js';
import { redisConnectionFromUrl } from '../../api/queue/redis-options.js';
import { BulkheadError, ErrorCodes } from '../../worker/contract/errors.js';

const HEX = 'a'.repeat(64);

describe('loadApiConfig', () => {
  it('uses the documented defaults, including the unix socket under the data dir', () => {
    const config = loadApiConfig({});
    expect(config).toMatchObject({ port: 3000, judge0Port: 0, host: '127.0.0.1', redisUrl: 'unix:///var/lib/bulkhead/redis/redis.sock', logSource: false, apiKeys: [] });
    expect(loadApiConfig({ SBX_DATA_DIR: '/data' }).redisUrl).toBe('unix:///data/redis/redis.sock');
  });

  it('reads SBX_ variables and normalises a bare socket path', () => {
    const config = loadApiConfig({
      SBX_PORT: '8080',
      SBX_JUDGE0_PORT: '2358',
      SBX_REDIS_URL: '/run/redis.sock',
      SBX_MAX_QUEUE_DEPTH: '10',
      SBX_CORS_ORIGINS: 'https://a.example, https://b.example',
      SBX_LOG_SOURCE: 'true',
      SBX_API_KEYS: `ci:${HEX}:30,web:${HEX.toUpperCase().replace(/A$/, 'b')}`,
    });
    expect(config.port).toBe(8080);
    expect(config.judge0Port).toBe(2358);
    expect(config.redisUrl).toBe('unix:///run/redis.sock');
    expect(config.maxQueueDepth).toBe(10);
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.logSource).toBe(true);
    expect(config.apiKeys).toEqual([
      { name: 'ci', sha256Hex: HEX, perMinute: 30 },
      { name: 'web', sha256Hex: `${'a'.repeat(63)}b` },
    ]);
  });

  it('reads keys from SBX_API_KEYS_FILE, skipping blank lines and comments', () => {
    const config = loadApiConfig({ SBX_API_KEYS_FILE: '/keys' }, (path) => (path === '/keys' ? `# keys\nci:${HEX}\n\n` : ''));
    expect(config.apiKeys.map((k) => k.name)).toEqual(['ci']);
  });

  it('is deeply frozen', () => {
    const config = loadApiConfig({ SBX_API_KEYS: `ci:${HEX}` });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.apiKeys[0])).toBe(true);
  });

  it.each([
    ['SBX_PORT', 'abc'],
    ['SBX_PORT', '70000'],
    ['SBX_MAX_FILES', '0'],
    ['SBX_LOG_LEVEL', 'loud'],
    ['SBX_LOG_SOURCE', 'maybe'],
    ['SBX_REDIS_URL', 'http://x'],
    ['SBX_API_KEYS', 'nohash'],
    ['SBX_API_KEYS', 'ci:1234'],
    ['SBX_API_KEYS', `ci:${HEX},ci:${HEX}`],
  ])('refuses %s=%s with SBX_ERR_CONFIG', (name, value) => {
    expect(() => loadApiConfig({ [name]: value })).toThrow(expect.objectContaining({ code: 'SBX_ERR_CONFIG' }));
  });

  it('redacts key hashes and Redis passwords when logged', () => {
    const config = loadApiConfig({ SBX_API_KEYS: `ci:${HEX}`, SBX_REDIS_URL: 'redis://user:pw@host:6379/0' });
    const text = JSON.stringify(redactApiConfig(config));
    expect(text).not.toContain(HEX);
    expect(text).not.toContain(':pw@');
    expect(text).toContain('"ci"');
  });

  it('parses a key entry with a per-minute limit', () => {
    expect(parseApiKeyEntry(`a.b-c:${HEX}:0`)).toEqual({ name: 'a.b-c', sha256Hex: HEX, perMinute: 0 });
  });
});

describe('redisConnectionFromUrl', () => {
  it('accepts TCP URLs with credentials and db, TLS, and unix sockets', () => {
    expect(redisConnectionFromUrl('redis://u:p%40ss@example:6380/2')).toEqual({ host: 'example', port: 6380, db: 2, username: 'u', password: 'p@ss' });
    expect(redisConnectionFromUrl('rediss://example')).toMatchObject({ port: 6379, tls: {} });
    expect(redisConnectionFromUrl('unix:///run/r.sock')).toEqual({ path: '/run/r.sock' });
    expect(redisConnectionFromUrl('/run/r.sock')).toEqual({ path: '/run/r.sock' });
  });
});

describe('error mapping', () => {
  it('gives every catalogue code an HTTP status and keeps client messages', () => {
    for (const [code, info] of Object.entries(ErrorCodes)) {
      const answer = toErrorAnswer(new BulkheadError(code as keyof typeof ErrorCodes, 'msg'));
      expect(answer.statusCode, code).toBe(info.httpStatus);
      if (info.fault === 'client') expect(answer).toMatchObject({ code, message: 'msg' });
    }
  });

  it('never passes a 500 message through', () => {
    expect(toErrorAnswer(new BulkheadError('SBX_ERR_CGROUP_SETUP', 'mkdir /sys/fs/cgroup/x: EACCES'))).toMatchObject({
      statusCode: 500,
      code: 'SBX_ERR_INTERNAL',
      message: 'Internal error',
    });
    expect(toErrorAnswer(new TypeError('x is undefined'))).toMatchObject({ statusCode: 500, message: 'Internal error' });
  });

  it('keeps other Fastify 4xx errors as client faults', () => {
    expect(toErrorAnswer(Object.assign(new Error('bad header'), { statusCode: 431 })).statusCode).toBe(431);
  });
});
