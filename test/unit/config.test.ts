import { describe, expect, it } from 'vitest';
import { loadWorkerConfig, redactWorkerConfig } from '../../worker/config.js';
import { QUEUE_NAME } from '../../worker/contract/job.js';
import { redisOptionsFromUrl } from '../../worker/redis-options.js';

const host = { hostname: 'box', pid: 42, cores: 6 };

describe('loadWorkerConfig', () => {
  it('fills documented defaults from the host and the data directory', () => {
    const config = loadWorkerConfig({}, host);
    expect(config).toMatchObject({
      redisUrl: 'unix:///var/lib/bulkhead/redis/redis.sock',
      queueName: QUEUE_NAME,
      dataDir: '/var/lib/bulkhead',
      slots: 6,
      resultTtlS: 3600,
      shutdownGraceMs: 30_000,
      // A dead worker's runs are re-run within interval + max(interval, lock) = 20 s (the 45 s promise).
      lockDurationMs: 15_000,
      stalledIntervalMs: 5_000,
      logLevel: 'info',
    });
    expect(config.workerId).toMatch(/^box-42-[0-9a-f]{6}$/);
    expect(config.imagesDir).toMatch(/\/images$/);
    expect(config.profilesDir).toMatch(/\/profiles$/);
  });
  it('reads overrides, the Redis URL following the data directory', () => {
    const config = loadWorkerConfig({ SBX_DATA_DIR: '/srv/b', SBX_WORKER_SLOTS: '3', SBX_MAX_CPU_TIME_MS: '500', SBX_CPU_CORES: '0.5' }, host);
    expect(config.redisUrl).toBe('unix:///srv/b/redis/redis.sock');
    expect(config.slots).toBe(3);
    expect(config.ceilings.cpuTimeMs).toBe(500);
    expect(config.sandbox.cpuCores).toBe(0.5);
  });
  it('rejects malformed and out-of-range values with SBX_ERR_CONFIG naming the problem', () => {
    expect(() => loadWorkerConfig({ SBX_WORKER_SLOTS: 'many' }, host)).toThrow(
      expect.objectContaining({ code: 'SBX_ERR_CONFIG', message: expect.stringContaining('SBX_WORKER_SLOTS') }),
    );
    expect(() => loadWorkerConfig({ SBX_WORKER_SLOTS: '0' }, host)).toThrow(expect.objectContaining({ code: 'SBX_ERR_CONFIG', message: expect.stringContaining('/slots') }));
    expect(() => loadWorkerConfig({ SBX_LOG_LEVEL: 'loud' }, host)).toThrow(expect.objectContaining({ code: 'SBX_ERR_CONFIG' }));
    expect(() => loadWorkerConfig({ SBX_WORKER_ID: 'a b' }, host)).toThrow(expect.objectContaining({ code: 'SBX_ERR_CONFIG' }));
  });
  it('returns a deeply frozen object', () => {
    const config = loadWorkerConfig({}, host);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.ceilings)).toBe(true);
    expect(Object.isFrozen(config.sandbox)).toBe(true);
  });
  it('redacts Redis credentials for logging without changing the config', () => {
    const config = loadWorkerConfig({ SBX_REDIS_URL: 'redis://user:s3cret@db:6380/2' }, host);
    expect(redactWorkerConfig(config).redisUrl).toBe('redis://***@db:6380/2');
    expect(JSON.stringify(redactWorkerConfig(config))).not.toContain('s3cret');
    expect(config.redisUrl).toContain('s3cret');
  });
});

describe('redisOptionsFromUrl', () => {
  it('parses socket paths, unix: URLs and redis: URLs, always with maxRetriesPerRequest null', () => {
    expect(redisOptionsFromUrl('/run/r.sock')).toMatchObject({ path: '/run/r.sock', maxRetriesPerRequest: null });
    expect(redisOptionsFromUrl('unix:///run/r.sock')).toMatchObject({ path: '/run/r.sock' });
    expect(redisOptionsFromUrl('redis://u:p%40ss@h:6380/3')).toMatchObject({ host: 'h', port: 6380, db: 3, username: 'u', password: 'p@ss', maxRetriesPerRequest: null });
    expect(redisOptionsFromUrl('rediss://h')).toMatchObject({ host: 'h', port: 6379, tls: {} });
  });
  it('rejects unsupported schemes and malformed input', () => {
    expect(() => redisOptionsFromUrl('http://h')).toThrow(expect.objectContaining({ code: 'SBX_ERR_CONFIG' }));
    expect(() => redisOptionsFromUrl('not a url')).toThrow(expect.objectContaining({ code: 'SBX_ERR_CONFIG' }));
  });
});
