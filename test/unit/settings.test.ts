import { describe, expect, it } from 'vitest';
import { loadApiConfig, redactApiConfig } from '../../api/config.js';
import { loadWorkerConfig, redactWorkerConfig } from '../../worker/config.js';
import { redactSecret } from '../../worker/contract/settings/load.js';

const host = { hostname: 'box', pid: 42, cores: 6 };
const HEX = 'c'.repeat(64);
const api = (env: Record<string, string>) => loadApiConfig(env);
const worker = (env: Record<string, string>) => loadWorkerConfig(env, host);
/** The shared settings as each process holds them. */
const sharedOfApi = (env: Record<string, string>) => {
  const c = api(env);
  return {
    dataDir: c.dataDir,
    redisUrl: c.redisUrl,
    queueName: c.queueName,
    resultTtlS: c.resultTtlS,
    allowHosts: c.webhookAllowHosts,
    allowPrivate: c.webhookAllowPrivate,
    logLevel: c.logLevel,
  };
};
const sharedOfWorker = (env: Record<string, string>) => {
  const c = worker(env);
  return {
    dataDir: c.dataDir,
    redisUrl: c.redisUrl,
    queueName: c.queueName,
    resultTtlS: c.resultTtlS,
    allowHosts: c.webhook.allowHosts,
    allowPrivate: c.webhook.allowPrivate,
    logLevel: c.logLevel,
  };
};

describe('one empty rule for every variable', () => {
  it('treats an empty or blank value as unset in both processes', () => {
    const blank = { SBX_PORT: '', SBX_HOST: '  ', SBX_LOG_LEVEL: '', SBX_LOG_SOURCE: ' ', SBX_REDIS_URL: '', SBX_DATA_DIR: '', SBX_API_KEYS: '' };
    expect(api(blank)).toMatchObject({ port: 3000, host: '127.0.0.1', logLevel: 'info', logSource: false, redisUrl: 'unix:///var/lib/bulkhead/redis/redis.sock', apiKeys: [] });
    expect(worker({ SBX_WORKER_SLOTS: '', SBX_CPU_CORES: ' ', SBX_WEBHOOK_ALLOW_PRIVATE: '', SBX_DATA_DIR: '' })).toMatchObject({
      slots: 6,
      sandbox: { cpuCores: 1 },
      webhook: { allowPrivate: false },
      dataDir: '/var/lib/bulkhead',
    });
  });

  it('trims values before parsing them', () => {
    expect(api({ SBX_PORT: ' 8080 ', SBX_HOST: ' 0.0.0.0\n', SBX_LOG_LEVEL: ' warn ' })).toMatchObject({ port: 8080, host: '0.0.0.0', logLevel: 'warn' });
    expect(worker({ SBX_QUEUE_NAME: ' q1 ', SBX_MAX_PIDS: '\t64 ' })).toMatchObject({ queueName: 'q1', ceilings: { pids: 64 } });
  });

  it('names the variable of a value out of range', () => {
    expect(() => worker({ SBX_WORKER_SLOTS: '0' })).toThrow(expect.objectContaining({ code: 'SBX_ERR_CONFIG', message: expect.stringContaining('SBX_WORKER_SLOTS (/slots)') }));
    expect(() => api({ SBX_PORT: '70000' })).toThrow(expect.objectContaining({ code: 'SBX_ERR_CONFIG', message: expect.stringContaining('SBX_PORT (/port)') }));
    expect(() => api({ SBX_API_KEYS: `ci:${HEX}:x` })).toThrow(expect.objectContaining({ message: expect.stringContaining('perMinute') }));
  });
});

describe('the variables both processes read', () => {
  it.each([
    [{}],
    [{ SBX_DATA_DIR: '/srv/b/' }],
    [{ SBX_REDIS_URL: '/run/r.sock', SBX_QUEUE_NAME: 'q', SBX_RESULT_TTL_S: '60' }],
    [{ SBX_REDIS_URL: 'redis://u:p@h:6380/1', SBX_WEBHOOK_ALLOW_HOSTS: ' a.example , *.b.example,', SBX_WEBHOOK_ALLOW_PRIVATE: 'TRUE', SBX_LOG_LEVEL: 'debug' }],
  ])('are read to the same values by the API and the worker (%j)', (env) => {
    expect(sharedOfApi(env)).toEqual(sharedOfWorker(env));
  });

  it.each([
    ['SBX_RESULT_TTL_S', '0'],
    ['SBX_RESULT_TTL_S', '1.5'],
    ['SBX_WEBHOOK_ALLOW_PRIVATE', 'maybe'],
    ['SBX_REDIS_URL', 'http://h'],
    ['SBX_LOG_LEVEL', 'loud'],
  ])('are refused alike by both processes: %s=%s', (name, value) => {
    expect(() => api({ [name]: value })).toThrow(expect.objectContaining({ code: 'SBX_ERR_CONFIG', message: expect.stringContaining(name) }));
    expect(() => worker({ [name]: value })).toThrow(expect.objectContaining({ code: 'SBX_ERR_CONFIG', message: expect.stringContaining(name) }));
  });
});

describe('one redaction rule for secrets', () => {
  it('replaces a secret by *** and keeps a URL but its user-info', () => {
    expect(redactSecret(HEX)).toBe('***');
    expect(redactSecret('rediss://user:pw@db:6380/2')).toBe('rediss://***@db:6380/2');
    expect(redactSecret('unix:///run/r.sock')).toBe('unix:///run/r.sock');
  });

  it('redacts the Redis URL the same way in both processes, and the API key hashes', () => {
    const env = { SBX_REDIS_URL: 'redis://user:s3cret@db:6380/2', SBX_API_KEYS: `ci:${HEX}:5` };
    const apiLog = redactApiConfig(api(env));
    expect(apiLog.redisUrl).toBe('redis://***@db:6380/2');
    expect(redactWorkerConfig(worker(env)).redisUrl).toBe(apiLog.redisUrl);
    expect(apiLog.apiKeys).toEqual([{ name: 'ci', sha256Hex: '***', perMinute: 5 }]);
    expect(JSON.stringify(apiLog)).not.toMatch(/s3cret|c{64}/);
  });

  it('leaves a config without credentials as it is, apart from being a copy', () => {
    const config = worker({ SBX_REDIS_URL: 'redis://db:6380' });
    const logged = redactWorkerConfig(config);
    expect(logged).toEqual(config);
    expect(Object.isFrozen(logged)).toBe(false);
  });
});
