/**
 * The live routes over fakes at the ports (issue 15): SSE framing, resume and 204, 404 for an
 * unknown run; the WebSocket route takes the same API keys and validation as POST /run, forwards
 * stdin/eof/signal to the control stream in order, and refuses bad messages with a 4xxx close.
 */
import type { FastifyInstance } from 'fastify';
import type WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../api/plugins/auth.js';
import type { FakeLiveChannel } from '../helpers/api-fake-live.js';
import { FakeSubmissionQueue } from '../helpers/api-fake-queue.js';
import { makeApp, okResult } from '../helpers/api-fixtures.js';

let app: FastifyInstance | undefined;
/** injectWS sends no Host header of its own, and the API refuses a request without one. */
const HOST = { host: 'localhost' };
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Collects a WebSocket's messages and its close. */
function record(ws: WebSocket): { messages: Record<string, unknown>[]; closed: Promise<number> } {
  const messages: Record<string, unknown>[] = [];
  ws.on('message', (raw) => messages.push(JSON.parse(String(raw)) as Record<string, unknown>));
  return { messages, closed: new Promise((resolve) => ws.on('close', (code) => resolve(code))) };
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('GET /runs/:id/events', () => {
  it('frames events with ids, ends with result, and resumes after Last-Event-ID', async () => {
    let queue: FakeSubmissionQueue;
    let live: FakeLiveChannel;
    ({ app, queue, live } = await makeApp());
    queue.runs.set('r1', { state: 'running' });
    live.append('r1', 'stage', { stage: 'run' });
    const out = live.append('r1', 'stdout', { data: 'hi\n' });
    setTimeout(() => {
      live.append('r1', 'stderr', { data: 'oops' });
      queue.complete('r1', okResult());
      live.append('r1', 'end', {});
    }, 50);
    const res = await app.inject({ method: 'GET', url: '/runs/r1/events' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(res.body.startsWith('event: state\ndata: {"state":"running"}\n\n')).toBe(true);
    expect(res.body).toContain(`id: ${out}\nevent: stdout\ndata: {"data":"hi\\n"}\n\n`);
    expect(res.body).toContain('event: stderr\ndata: {"data":"oops"}');
    expect(res.body.trimEnd().split('\n\n').at(-1)).toMatch(/^id: end\nevent: result\ndata: \{.*"status":"OK"/);
    const resumed = await app.inject({ method: 'GET', url: '/runs/r1/events', headers: { 'last-event-id': out } });
    expect(resumed.body).not.toContain('event: stdout');
    expect(resumed.body).toContain('event: stderr');
    const afterEnd = await app.inject({ method: 'GET', url: '/runs/r1/events', headers: { 'last-event-id': 'end' } });
    expect(afterEnd.statusCode).toBe(204);
  });

  it('answers 404 in the error shape for an unknown run', async () => {
    ({ app } = await makeApp());
    const res = await app.inject({ method: 'GET', url: '/runs/nope/events' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('SBX_ERR_RUN_UNKNOWN');
  });
});

describe('GET /run/ws', () => {
  it('needs an API key when keys are configured, like POST /run', async () => {
    ({ app } = await makeApp({ apiKeys: [{ name: 'alice', sha256Hex: hashApiKey('alice-key') }] }));
    await app.ready();
    await expect(app.injectWS('/run/ws', { headers: HOST })).rejects.toThrow(/401/);
    const ws = await app.injectWS('/run/ws', { headers: { ...HOST, authorization: 'Bearer alice-key' } });
    const { messages } = record(ws);
    ws.send(JSON.stringify({ type: 'start', language: 'python', source: 'print(1)' }));
    await until(() => messages.length > 0);
    expect(messages[0]).toMatchObject({ type: 'accepted', id: expect.any(String) });
    ws.terminate();
  });

  it('refuses the upgrade itself with 429 past the key rate limit (no session opens)', async () => {
    ({ app } = await makeApp({ apiKeys: [{ name: 'alice', sha256Hex: hashApiKey('alice-key'), perMinute: 1 }] }));
    await app.ready();
    const headers = { ...HOST, authorization: 'Bearer alice-key' };
    (await app.injectWS('/run/ws', { headers })).terminate();
    await expect(app.injectWS('/run/ws', { headers })).rejects.toThrow(/429/);
  });

  it.each([
    ['/run/ws', { type: 'start', language: 'python', source: 'input()' }],
    ['/api/v2/connect', { type: 'init', language: 'python', version: '*', files: [{ content: 'input()' }] }],
  ])("%s closes the run's stdin when the client leaves while the run is still being queued", async (url, first) => {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    class SlowQueue extends FakeSubmissionQueue {
      entered = false;
      override async submit(...args: Parameters<FakeSubmissionQueue['submit']>): Promise<void> {
        this.entered = true;
        await gate;
        return super.submit(...args);
      }
    }
    const slow = new SlowQueue();
    let live: FakeLiveChannel;
    ({ app, live } = await makeApp({}, slow));
    await app.ready();
    const ws = await app.injectWS(url, { headers: HOST });
    ws.send(JSON.stringify(first));
    await until(() => slow.entered);
    ws.terminate();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(live.controls).toEqual([]);
    release();
    await until(() => slow.submitted.length === 1 && live.controls.length > 0);
    expect(live.controls).toEqual([{ runId: slow.submitted[0]!.job.runId, type: 'eof', payload: {} }]);
  });

  it('queues a live job and forwards stdin, eof and signal in order, then result and close 1000', async () => {
    let queue: FakeSubmissionQueue;
    let live: FakeLiveChannel;
    ({ app, queue, live } = await makeApp());
    await app.ready();
    const ws = await app.injectWS('/run/ws', { headers: HOST });
    const { messages, closed } = record(ws);
    ws.send(JSON.stringify({ type: 'start', language: 'python', source: 'print(input())' }));
    ws.send(JSON.stringify({ type: 'stdin', data: 'héllo\n' }));
    ws.send(JSON.stringify({ type: 'signal', signal: 'SIGINT' }));
    ws.send(JSON.stringify({ type: 'eof' }));
    await until(() => live.controls.length === 3);
    const job = queue.submitted[0]?.job;
    expect(job).toMatchObject({ live: true, liveStdin: true, language: 'python' });
    expect(live.controls.map((c) => c.type)).toEqual(['stdin', 'signal', 'eof']);
    expect(Buffer.from((live.controls[0]?.payload as { data: string }).data, 'base64').toString('utf8')).toBe('héllo\n');
    const runId = String(job?.runId);
    live.append(runId, 'stdout', { data: 'héllo\n' });
    queue.complete(runId, okResult());
    live.append(runId, 'end', {});
    expect(await closed).toBe(1000);
    expect(messages.map((m) => m.type)).toEqual(['accepted', 'stdout', 'result']);
    expect(messages[2]).toMatchObject({ type: 'result', id: runId, status: 'OK' });
  });

  it('refuses bad messages with an error and a close of 4000 + the HTTP status', async () => {
    ({ app } = await makeApp());
    await app.ready();
    for (const [first, code, close] of [
      [{ type: 'eof' }, 'SBX_ERR_LIVE_MESSAGE', 4400],
      [[1, 2], 'SBX_ERR_LIVE_MESSAGE', 4400],
      [{ type: 'start', language: 'python', source: 'x', limits: { cpuTimeMs: 10_000_000 } }, 'SBX_ERR_LIMIT_TOO_HIGH', 4400],
      [{ type: 'start', language: 'python', source: 'x', webhook: { url: 'http://127.0.0.1/hook' } }, 'SBX_ERR_WEBHOOK_URL', 4400],
      // JSON.stringify writes a lone surrogate as the escape "\ud800", which no UTF-8 can carry.
      [{ type: 'start', language: 'python', source: 'x\ud800' }, 'SBX_ERR_BAD_UTF8', 4400],
    ] as const) {
      const ws = await app.injectWS('/run/ws', { headers: HOST });
      const { messages, closed } = record(ws);
      ws.send(JSON.stringify(first));
      expect(await closed).toBe(close);
      const details = code === 'SBX_ERR_LIMIT_TOO_HIGH' ? { details: { limit: 'cpuTimeMs', requested: 10_000_000, maximum: expect.any(Number) } } : {};
      expect(messages).toEqual([{ type: 'error', error: { code, message: expect.any(String), ...details } }]);
    }
    const ws = await app.injectWS('/run/ws', { headers: HOST });
    const { messages, closed } = record(ws);
    ws.send(JSON.stringify({ type: 'start', language: 'python', source: 'x' }));
    ws.send(JSON.stringify({ type: 'signal', signal: 'SIGSTOP' }));
    expect(await closed).toBe(4400);
    expect(messages.map((m) => m.type)).toEqual(['accepted', 'error']);
  });
});

describe('Piston /api/v2/connect messages', () => {
  it('refuses a binary frame that is not UTF-8 with an error and close 4002, as a bad init', async () => {
    ({ app } = await makeApp());
    await app.ready();
    const ws = await app.injectWS('/api/v2/connect', { headers: HOST });
    const { messages, closed } = record(ws);
    ws.send(Buffer.concat([Buffer.from('{"type":"init","language":"python","version":"*","files":[{"content":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}]}')]));
    expect(await closed).toBe(4002);
    expect(messages).toEqual([{ type: 'error', message: 'The request body is not valid UTF-8' }]);
  });
});

describe('GET /run/ws without an upgrade', () => {
  it('answers 426 SBX_ERR_UPGRADE_REQUIRED, and the route is in the OpenAPI document', async () => {
    ({ app } = await makeApp());
    const res = await app.inject({ method: 'GET', url: '/run/ws' });
    expect(res.statusCode).toBe(426);
    expect(res.json().error.code).toBe('SBX_ERR_UPGRADE_REQUIRED');
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/run/ws'].get.description).toContain('"type":"start"');
    expect(doc.paths['/runs/{id}/events'].get.description).toContain('Last-Event-ID');
  });
});

describe('POST /run with an interactor', () => {
  it('queues it at the interactive schema version (older workers refuse it), a plain run at version 1', async () => {
    let queue: FakeSubmissionQueue;
    ({ app, queue } = await makeApp());
    const interactive = { language: 'python', source: 'print(1)', tests: [{ stdin: '5', expected: '5' }], interactor: { language: 'python', source: 'pass' }, wait: false };
    expect((await app.inject({ method: 'POST', url: '/run', payload: interactive })).statusCode).toBe(202);
    expect((await app.inject({ method: 'POST', url: '/run', payload: { language: 'python', source: 'print(1)', wait: false } })).statusCode).toBe(202);
    expect(queue.submitted.map((s) => s.job.schemaVersion)).toEqual([2, 1]);
    expect(queue.submitted[0]?.job.interactor).toMatchObject({ language: 'python', files: [{ name: 'main.py' }] });
  });
});

describe('SSE and shutdown', () => {
  it('ends a stream in flight when the app closes, so the stream does not hold the shutdown', async () => {
    const { app: served, queue } = await makeApp();
    queue.runs.set('slow', { state: 'running' });
    await served.listen({ port: 0, host: '127.0.0.1' });
    const address = served.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const response = await fetch(`http://127.0.0.1:${port}/runs/slow/events`);
    expect(response.status).toBe(200);
    const startedMs = Date.now();
    const [body] = await Promise.all([response.text(), served.close()]);
    expect(Date.now() - startedMs).toBeLessThan(3000);
    expect(body).toContain('event: state');
  });
});
