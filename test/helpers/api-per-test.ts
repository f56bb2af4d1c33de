import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import type { ApiConfig } from '../../api/config.js';
import { FakeSubmissionQueue } from './api-fake-queue.js';
import { makeApp } from './api-fixtures.js';

/**
 * One app per test, closed after it (registers the afterEach). `setup` builds it with makeApp
 * (`defaults`, then the test's overrides); `app` is the current one; `use` adopts an app a test
 * built itself; `inject` sends one request with an optional JSON payload and headers.
 */
export function appPerTest(defaults: Partial<ApiConfig> = {}) {
  let current: FastifyInstance | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const app = (): FastifyInstance => {
    if (current === undefined) throw new Error('no app yet: call setup() first');
    return current;
  };
  return {
    async setup(overrides: Partial<ApiConfig> = {}, queue = new FakeSubmissionQueue()) {
      const made = await makeApp({ ...defaults, ...overrides }, queue);
      current = made.app;
      return made;
    },
    get app(): FastifyInstance {
      return app();
    },
    use(built: FastifyInstance): FastifyInstance {
      current = built;
      return built;
    },
    inject(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) {
      return app().inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
    },
  };
}
