import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { buildApp } from '../../api/app.js';
import { FakeJudgeStore } from '../helpers/api-fake-judge-store.js';
import { FakeSubmissionQueue } from '../helpers/api-fake-queue.js';
import { appPerTest } from '../helpers/api-per-test.js';
import { heartbeat, testConfig } from '../helpers/api-fixtures.js';

const api = appPerTest();
const { setup } = api;

describe('GET /languages', () => {
  it('lists the runtimes every live worker has, with aliases, compiled flag and limits', async () => {
    const queue = new FakeSubmissionQueue();
    queue.workers = [heartbeat(), heartbeat()];
    await setup({}, queue);
    const res = await api.app.inject({ method: 'GET', url: '/languages' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as Array<Record<string, unknown>>;
    expect(body.map((l) => l.language)).toEqual(['c', 'python']);
    expect(body[0]).toMatchObject({ language: 'c', compiled: true, aliases: ['gcc'], limits: { default: { cpuTimeMs: 2000 }, max: { cpuTimeMs: 10_000 } } });
  });

  it('keeps `name` as a deprecated alias of `language` (same value, marked deprecated in the OpenAPI document)', async () => {
    await setup();
    const body = (await api.app.inject({ method: 'GET', url: '/languages' })).json() as Array<Record<string, unknown>>;
    expect(body.length).toBeGreaterThan(0);
    for (const entry of body) expect(entry.name).toBe(entry.language);
    const doc = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const item = doc.paths['/languages'].get.responses['200'].content['application/json'].schema.items;
    expect(item.properties.name.deprecated).toBe(true);
    expect(item.required).toEqual(expect.arrayContaining(['language', 'name']));
  });

  it('answers 503 SBX_ERR_NO_WORKER saying no worker is running', async () => {
    const queue = new FakeSubmissionQueue();
    queue.workers = [];
    const app = api.use(await buildApp({ queue, judgeStore: new FakeJudgeStore(queue), config: testConfig() }));
    const res = await app.inject({ method: 'GET', url: '/languages' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatchObject({ code: 'SBX_ERR_NO_WORKER', message: expect.stringContaining('No worker is running') });
  });
});

describe('unavailability and backpressure', () => {
  it('answers POST /run with 503 when no worker is live, queuing nothing', async () => {
    const queue = new FakeSubmissionQueue();
    const app = api.use(await buildApp({ queue, judgeStore: new FakeJudgeStore(queue), config: testConfig() }));
    const res = await app.inject({ method: 'POST', url: '/run', payload: { language: 'python', source: 'x' } });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('SBX_ERR_NO_WORKER');
    expect(queue.submitted).toHaveLength(0);
  });

  it('answers 503 SBX_ERR_QUEUE_UNAVAILABLE on every Redis-backed route when Redis is down', async () => {
    const { queue } = await setup();
    queue.redisDown = true;
    for (const [method, url] of [
      ['POST', '/run'],
      ['GET', '/runs/abc'],
      ['GET', '/languages'],
      ['GET', '/metrics'],
    ] as const) {
      const res = await api.app.inject({ method, url, payload: method === 'POST' ? { language: 'python', source: 'x' } : undefined });
      expect(res.statusCode, url).toBe(503);
      expect(res.json().error.code).toBe('SBX_ERR_QUEUE_UNAVAILABLE');
    }
    expect((await api.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('answers 503 SBX_ERR_QUEUE_FULL with Retry-After once the backlog reaches the maximum depth', async () => {
    const { queue } = await setup({ maxQueueDepth: 5, queueFullRetryAfterS: 7 });
    queue.extraDepth = { waiting: 2, prioritized: 2, delayed: 1, active: 100 };
    const res = await api.app.inject({ method: 'POST', url: '/run', payload: { language: 'python', source: 'x' } });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('SBX_ERR_QUEUE_FULL');
    expect(res.headers['retry-after']).toBe('7');
    expect(queue.submitted).toHaveLength(0);
    queue.extraDepth = { waiting: 2, prioritized: 2, delayed: 0, active: 100 };
    const accepted = await api.app.inject({ method: 'POST', url: '/run', payload: { language: 'python', source: 'x', wait: false } });
    expect(accepted.statusCode).toBe(202);
  });

  it('answers a forced internal error with a generic 500 that leaks nothing', async () => {
    const { queue } = await setup();
    queue.submit = async () => {
      throw new Error('ECONNRESET at /srv/bulkhead/secret.ts:42 password=hunter2');
    };
    const res = await api.app.inject({ method: 'POST', url: '/run', payload: { language: 'python', source: 'x' } });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'SBX_ERR_INTERNAL', message: 'Internal error', requestId: expect.any(String) } });
    expect(res.body).not.toMatch(/ECONNRESET|secret|hunter2|stack/);
  });
});

describe('probes', () => {
  it('GET /health answers ok without touching the queue', async () => {
    const { queue } = await setup();
    queue.redisDown = true;
    const res = await api.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /ready is 200 with Redis, a live worker and images', async () => {
    await setup();
    const res = await api.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ready: true, failed: [], checks: { workers: { ok: true, count: 1 }, images: { ok: true, count: 2 } } });
  });

  it.each([
    [
      'redis',
      (q: FakeSubmissionQueue) => {
        q.redisDown = true;
      },
      ['redis', 'workers', 'images'],
    ],
    [
      'workers',
      (q: FakeSubmissionQueue) => {
        q.workers = [];
      },
      ['workers', 'images'],
    ],
    [
      'images',
      (q: FakeSubmissionQueue) => {
        q.workers = [heartbeat([])];
      },
      ['images'],
    ],
  ])('GET /ready is 503 and names %s when it fails', async (_name, breakIt, failed) => {
    const { queue } = await setup();
    breakIt(queue);
    const res = await api.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ ready: false, failed });
  });
});

describe('GET /metrics', () => {
  it('renders Prometheus text from the queue, the metrics hash and the workers', async () => {
    const { queue } = await setup();
    queue.extraDepth = { waiting: 3, active: 2 };
    queue.metricsHash = {
      'runs_total|python|OK': '5',
      'runs_total|c|COMPILE_ERROR': '2',
      'internal_failures_total|SBX_ERR_CGROUP_SETUP': '1',
      'stage_duration_ms_bin|run|5': '1',
      'stage_duration_ms_bin|run|25': '2',
      'stage_duration_ms_bin|run|+Inf': '1',
      'stage_duration_ms_sum|run': '812.5',
      'stage_duration_ms_count|run': '4',
    };
    const res = await api.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toContain('bulkhead_queue_jobs{state="waiting"} 3');
    expect(text).toContain('bulkhead_queue_jobs{state="active"} 2');
    expect(text).toContain('bulkhead_runs_total{language="python",status="OK"} 5');
    expect(text).toContain('bulkhead_runs_total{language="c",status="COMPILE_ERROR"} 2');
    expect(text).toContain('bulkhead_internal_failures_total{code="SBX_ERR_CGROUP_SETUP"} 1');
    expect(text).toContain('# TYPE bulkhead_stage_duration_ms histogram');
    // Bins summed into cumulative buckets.
    expect(text).toContain('bulkhead_stage_duration_ms_bucket{stage="run",le="5"} 1');
    expect(text).toContain('bulkhead_stage_duration_ms_bucket{stage="run",le="10"} 1');
    expect(text).toContain('bulkhead_stage_duration_ms_bucket{stage="run",le="25"} 3');
    expect(text).toContain('bulkhead_stage_duration_ms_bucket{stage="run",le="30000"} 3');
    expect(text).toContain('bulkhead_stage_duration_ms_bucket{stage="run",le="+Inf"} 4');
    expect(text).toContain('bulkhead_stage_duration_ms_sum{stage="run"} 812.5');
    expect(text).toContain('bulkhead_live_workers 1');
    expect(text).toContain('bulkhead_worker_slots{state="busy"} 1');
    expect(text).toContain('bulkhead_worker_slots{state="total"} 4');
  });

  it("adds older workers' cumulative buckets to the bins, so +Inf still equals _count", async () => {
    const { queue } = await setup();
    // Two runs counted by a worker from before the bins (one at 5 ms or less, one at 10-25 ms),
    // then three by a current one (5, 25 and past 30 s).
    queue.metricsHash = {
      'stage_duration_ms_bucket|run|5': '1',
      'stage_duration_ms_bucket|run|10': '1',
      'stage_duration_ms_bucket|run|25': '2',
      'stage_duration_ms_bucket|run|30000': '2',
      'stage_duration_ms_bucket|run|+Inf': '2',
      'stage_duration_ms_bin|run|5': '1',
      'stage_duration_ms_bin|run|25': '1',
      'stage_duration_ms_bin|run|+Inf': '1',
      'stage_duration_ms_sum|run': '40000',
      'stage_duration_ms_count|run': '5',
    };
    const text = (await api.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain('bulkhead_stage_duration_ms_bucket{stage="run",le="5"} 2');
    expect(text).toContain('bulkhead_stage_duration_ms_bucket{stage="run",le="10"} 2');
    expect(text).toContain('bulkhead_stage_duration_ms_bucket{stage="run",le="25"} 4');
    expect(text).toContain('bulkhead_stage_duration_ms_bucket{stage="run",le="30000"} 4');
    expect(text).toContain('bulkhead_stage_duration_ms_bucket{stage="run",le="+Inf"} 5');
    expect(text).toContain('bulkhead_stage_duration_ms_count{stage="run"} 5');
  });
});

describe('OpenAPI and unknown routes', () => {
  it('GET /openapi.json documents every route', async () => {
    await setup();
    const res = await api.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const isCompat = (path: string) => path.startsWith('/judge0/') || path.startsWith('/api/v2/');
    expect(
      Object.keys(doc.paths)
        .filter((p) => !isCompat(p))
        .sort(),
    ).toEqual([
      '/batches',
      '/batches/{id}',
      '/batches/{id}/rejudge',
      '/batches/{id}/results.csv',
      '/batches/{id}/results.json',
      '/health',
      '/languages',
      '/metrics',
      '/ready',
      '/run',
      '/run/ws',
      '/runs/{id}',
      '/runs/{id}/events',
      '/testsets',
      '/testsets/{id}',
    ]);
    expect(doc.paths['/run'].post.requestBody.content['application/json'].schema.properties.language).toBeDefined();
    // The compatibility APIs, each under its own tag.
    expect(Object.keys(doc.paths).filter(isCompat).sort()).toEqual([
      '/api/v2/connect',
      '/api/v2/execute',
      '/api/v2/packages',
      '/api/v2/runtimes',
      '/judge0/about',
      '/judge0/authenticate',
      '/judge0/authorize',
      '/judge0/config_info',
      '/judge0/languages',
      '/judge0/languages/all',
      '/judge0/languages/{id}',
      '/judge0/statuses',
      '/judge0/submissions',
      '/judge0/submissions/batch',
      '/judge0/submissions/{token}',
      '/judge0/system_info',
      '/judge0/version',
      '/judge0/workers',
    ]);
    expect(doc.paths['/judge0/submissions'].post.tags).toEqual(['judge0']);
    expect(doc.paths['/api/v2/execute'].post.tags).toEqual(['piston']);
  });

  it('serves the docs page', async () => {
    await setup();
    const res = await api.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });

  it('answers unknown routes with 404 SBX_ERR_NOT_FOUND in the error shape', async () => {
    await setup();
    const res = await api.app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('SBX_ERR_NOT_FOUND');
  });
});

describe('logs', () => {
  async function logsOf(logSource: boolean): Promise<string> {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, next) {
        lines.push(String(chunk));
        next();
      },
    });
    const queue = new FakeSubmissionQueue();
    queue.workers = [heartbeat()];
    const app = api.use(await buildApp({ queue, judgeStore: new FakeJudgeStore(queue), config: testConfig({ logSource }), logger: pino({ level: 'info' }, sink) }));
    await app.inject({
      method: 'POST',
      url: '/run',
      headers: { authorization: 'Bearer k' },
      payload: { language: 'python', source: 'SECRET_SOURCE_MARK', stdin: 'SECRET_STDIN_MARK', wait: false },
    });
    return lines.join('');
  }

  it('logs run id and language but never the source, stdin or credentials by default', async () => {
    const logs = await logsOf(false);
    expect(logs).toMatch(/"runId":"[0-9a-f-]{36}"/);
    expect(logs).toContain('"language":"python"');
    expect(logs).not.toContain('SECRET_SOURCE_MARK');
    expect(logs).not.toContain('SECRET_STDIN_MARK');
    expect(logs).not.toContain('Bearer k');
  });

  it('logs the source and stdin when logSource is on', async () => {
    const logs = await logsOf(true);
    expect(logs).toContain('SECRET_SOURCE_MARK');
    expect(logs).toContain('SECRET_STDIN_MARK');
  });
});

describe('deep nesting at the default body limit', () => {
  it('rejects half a million nested arrays with a 400', async () => {
    await setup({ bodyLimitBytes: 2 * 1024 * 1024 });
    const depth = 500_000;
    const payload = `{"language":"python","source":"x","tests":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const res = await api.app.inject({ method: 'POST', url: '/run', headers: { 'content-type': 'application/json' }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('SBX_ERR_VALIDATION');
  });
});
