/**
 * The playground's static route (api/routes/playground.ts) over a page really built by esbuild
 * (api/playground/build.ts): content types, cache headers, the security headers, no way out of
 * the built files, and no key or rate limit needed to load the page.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toErrorAnswer, toErrorBody } from '../../api/http/errors.js';
import { buildPlayground } from '../../api/playground/build.js';
import { PLAYGROUND_DIST_DIR } from '../../api/playground/paths.js';
import { hashApiKey } from '../../api/plugins/auth.js';
import { playgroundRoutes } from '../../api/routes/playground.js';
import { makeApp } from '../helpers/api-fixtures.js';

let distDir: string;
let app: FastifyInstance | undefined;

beforeAll(async () => {
  distDir = await mkdtemp(join(tmpdir(), 'bulkhead-playground-'));
  await buildPlayground(distDir);
}, 60_000);
afterAll(async () => {
  await rm(distDir, { recursive: true, force: true });
});
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function servePage(dir = distDir): Promise<FastifyInstance> {
  app = Fastify();
  // The API's own error mapping, so refusals carry their SBX_ERR_* code as in buildApp.
  app.setErrorHandler((err, request, reply) => {
    const answer = toErrorAnswer(err);
    return reply.code(answer.statusCode).send(toErrorBody(answer, request.id));
  });
  await app.register(playgroundRoutes, { distDir: dir });
  return app;
}

/** The asset URLs index.html references (the script, the style sheet). */
function assetUrls(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/playground\/assets\/[^"]+)"/g)].map((m) => m[1]!);
}

describe('the playground route', () => {
  it('answers / and /playground with the built page, revalidated on every load, under a strict CSP', async () => {
    const server = await servePage();
    const built = await readFile(join(distDir, 'index.html'), 'utf8');
    for (const url of ['/', '/playground', '/playground/']) {
      const res = await server.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.body).toBe(built);
    }
  });

  it('serves every asset the page names with its content type, cached for good (names carry a hash)', async () => {
    const server = await servePage();
    const urls = assetUrls(await readFile(join(distDir, 'index.html'), 'utf8'));
    expect(urls.some((u) => u.endsWith('.js'))).toBe(true);
    expect(urls.some((u) => u.endsWith('.css'))).toBe(true);
    for (const url of urls) {
      const res = await server.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe(url.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8');
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(url).toMatch(/-[A-Z0-9]{8}\.(js|css)$/);
    }
  });

  it('answers 404 for anything but a built file, traversal attempts included', async () => {
    const server = await servePage();
    for (const url of [
      '/playground/assets/nope.js',
      '/playground/assets/..%2Findex.html',
      '/playground/assets/..%2F..%2F..%2F..%2Fpackage.json',
      '/playground/assets/%2e%2e/%2e%2e/build.ts',
      '/playground/../package.json',
      '/playground/index.html',
      '/playground/src/main.ts',
    ]) {
      const res = await server.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('"name": "bulkhead"');
    }
  });

  it('answers 404 saying how to build the page when it is not built', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'bulkhead-playground-empty-'));
    try {
      const server = await servePage(empty);
      const res = await server.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toMatchObject({ code: 'SBX_ERR_NOT_FOUND', message: expect.stringContaining('npm run build:playground') });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('the playground in the API', () => {
  beforeAll(async () => {
    // The app serves the default build output: build it, as scripts/prepare.sh does.
    await buildPlayground(PLAYGROUND_DIST_DIR);
  }, 60_000);

  it('loads without an API key or a rate-limit charge while the API itself requires both', async () => {
    ({ app } = await makeApp({ apiKeys: [{ name: 'alice', sha256Hex: hashApiKey('alice-secret-key') }], rateLimitPerMinute: 1 }));
    for (let i = 0; i < 3; i++) {
      const page = await app.inject({ method: 'GET', url: '/' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      const [script] = assetUrls(page.body);
      expect((await app.inject({ method: 'GET', url: script! })).statusCode).toBe(200);
    }
    const languages = await app.inject({ method: 'GET', url: '/languages' });
    expect(languages.statusCode).toBe(401);
    expect(languages.json().error.code).toBe('SBX_ERR_UNAUTHORIZED');
  });

  it('takes the key of a WebSocket upgrade from its bulkhead.key.<key> subprotocol, and only on upgrades', async () => {
    ({ app } = await makeApp({ apiKeys: [{ name: 'alice', sha256Hex: hashApiKey('alice-secret-key') }] }));
    const offered = { 'sec-websocket-protocol': 'bulkhead, bulkhead.key.alice-secret-key' };
    const upgrade = await app.inject({ method: 'GET', url: '/languages', headers: { ...offered, upgrade: 'websocket', connection: 'Upgrade' } });
    expect(upgrade.statusCode).toBe(200);
    const plain = await app.inject({ method: 'GET', url: '/languages', headers: offered });
    expect(plain.statusCode).toBe(401);
    const wrong = await app.inject({ method: 'GET', url: '/languages', headers: { upgrade: 'websocket', 'sec-websocket-protocol': 'bulkhead, bulkhead.key.nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toMatchObject({ code: 'SBX_ERR_UNAUTHORIZED', message: 'The API key is not valid' });
  });

  it('keeps /docs', async () => {
    ({ app } = await makeApp());
    const res = await app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });
});
