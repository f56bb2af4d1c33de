import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { hashApiKey, matchApiKey } from '../../api/plugins/auth.js';
import { makeApp } from '../helpers/api-fixtures.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const KEYS = [
  { name: 'alice', sha256Hex: hashApiKey('alice-secret-key') },
  { name: 'bob', sha256Hex: hashApiKey('bob-secret-key'), perMinute: 2 },
];

describe('API keys', () => {
  it('answers 401 SBX_ERR_UNAUTHORIZED without a key and with a wrong key', async () => {
    ({ app } = await makeApp({ apiKeys: KEYS }));
    const none = await app.inject({ method: 'GET', url: '/languages' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('SBX_ERR_UNAUTHORIZED');
    const wrong = await app.inject({ method: 'GET', url: '/languages', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.message).toContain('not valid');
  });

  it('accepts a key as a Bearer token or as x-api-key', async () => {
    ({ app } = await makeApp({ apiKeys: KEYS }));
    const bearer = await app.inject({ method: 'GET', url: '/languages', headers: { authorization: 'Bearer alice-secret-key' } });
    expect(bearer.statusCode).toBe(200);
    const header = await app.inject({ method: 'GET', url: '/languages', headers: { 'x-api-key': 'bob-secret-key' } });
    expect(header.statusCode).toBe(200);
  });

  it('protects POST /run before reading the body and leaves /health and /ready open', async () => {
    const made = await makeApp({ apiKeys: KEYS });
    app = made.app;
    const run = await app.inject({ method: 'POST', url: '/run', payload: { language: 'python', source: 'x' } });
    expect(run.statusCode).toBe(401);
    expect(made.queue.submitted).toHaveLength(0);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
  });

  it('serves the API description and the docs page without a key, but not lookalike paths', async () => {
    ({ app } = await makeApp({ apiKeys: KEYS }));
    const spec = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(spec.statusCode).toBe(200);
    expect(spec.json().paths).toHaveProperty('/run');
    expect((await app.inject({ method: 'GET', url: '/docs' })).statusCode).not.toBe(401);
    expect((await app.inject({ method: 'GET', url: '/docsx' })).statusCode).toBe(401);
  });

  it('answers 401 rather than 404 for unknown routes, so routes are not probed without a key', async () => {
    ({ app } = await makeApp({ apiKeys: KEYS }));
    expect((await app.inject({ method: 'GET', url: '/admin' })).statusCode).toBe(401);
  });

  it('needs no key when none is configured', async () => {
    ({ app } = await makeApp());
    expect((await app.inject({ method: 'GET', url: '/languages' })).statusCode).toBe(200);
  });

  it('matches keys by hash only', () => {
    expect(matchApiKey(KEYS, 'alice-secret-key')?.name).toBe('alice');
    expect(matchApiKey(KEYS, KEYS[0]!.sha256Hex)).toBeUndefined();
    expect(matchApiKey(KEYS, '')).toBeUndefined();
  });
});

describe('rate limits', () => {
  it("answers 429 SBX_ERR_RATE_LIMITED with Retry-After past a key's own limit, per key", async () => {
    ({ app } = await makeApp({ apiKeys: KEYS, rateLimitPerMinute: 100 }));
    const asBob = () => app!.inject({ method: 'GET', url: '/languages', headers: { 'x-api-key': 'bob-secret-key' } });
    expect((await asBob()).statusCode).toBe(200);
    expect((await asBob()).statusCode).toBe(200);
    const limited = await asBob();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('SBX_ERR_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const alice = await app.inject({ method: 'GET', url: '/languages', headers: { 'x-api-key': 'alice-secret-key' } });
    expect(alice.statusCode).toBe(200);
  });

  it('limits clients without keys by address with the global limit, but never the probes', async () => {
    ({ app } = await makeApp({ rateLimitPerMinute: 1 }));
    expect((await app.inject({ method: 'GET', url: '/languages' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/languages' })).statusCode).toBe(429);
    for (let i = 0; i < 3; i++) expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('counts clients by X-Forwarded-For only when SBX_TRUST_PROXY is on', async () => {
    const from = (ip: string) => ({ method: 'GET' as const, url: '/languages', headers: { 'x-forwarded-for': ip } });
    ({ app } = await makeApp({ rateLimitPerMinute: 1, trustProxy: true }));
    expect((await app.inject(from('203.0.113.1'))).statusCode).toBe(200);
    expect((await app.inject(from('203.0.113.2'))).statusCode).toBe(200);
    expect((await app.inject(from('203.0.113.1'))).statusCode).toBe(429);
    await app.close();
    // Control: without trust, a forged header does not buy a fresh limit.
    ({ app } = await makeApp({ rateLimitPerMinute: 1, trustProxy: false }));
    expect((await app.inject(from('203.0.113.1'))).statusCode).toBe(200);
    expect((await app.inject(from('203.0.113.2'))).statusCode).toBe(429);
  });

  it('does not limit when the global limit is 0', async () => {
    ({ app } = await makeApp({ rateLimitPerMinute: 0 }));
    for (let i = 0; i < 5; i++) expect((await app.inject({ method: 'GET', url: '/languages' })).statusCode).toBe(200);
  });
});

describe('CORS', () => {
  it('allows a configured origin, exposes Location, and answers preflights without a key', async () => {
    ({ app } = await makeApp({ corsOrigins: ['https://play.example'], apiKeys: KEYS }));
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/run',
      headers: { origin: 'https://play.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
    });
    expect(preflight.statusCode).toBeLessThan(300);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://play.example');
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('x-api-key');
    const get = await app.inject({ method: 'GET', url: '/languages', headers: { origin: 'https://play.example', 'x-api-key': 'alice-secret-key' } });
    expect(get.headers['access-control-allow-origin']).toBe('https://play.example');
    expect(String(get.headers['access-control-expose-headers'])).toContain('location');
  });

  it('sends no CORS headers for other origins, or when CORS is off', async () => {
    ({ app } = await makeApp({ corsOrigins: ['https://play.example'] }));
    const other = await app.inject({ method: 'GET', url: '/languages', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    await app.close();
    ({ app } = await makeApp());
    const off = await app.inject({ method: 'GET', url: '/languages', headers: { origin: 'https://play.example' } });
    expect(off.headers['access-control-allow-origin']).toBeUndefined();
  });
});
