/**
 * Live runs through the real service (issue 15): Server-Sent Events for any run, with output
 * arriving while the program runs and Last-Event-ID resuming; WebSocket sessions that feed stdin
 * line by line, send eof and SIGINT, and are refused with a 4xxx close for a bad first message;
 * floods and bombs in a live run end as they end through POST /run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveSocket, readSse, type SseEvent } from '../helpers/live-client.js';
import { getRun, postRun } from '../helpers/service-client.js';
import { serviceUnavailableReason, startService, type TestService } from '../helpers/service.js';

const SLEEPY = 'import time\nprint("first", flush=True)\ntime.sleep(1)\nprint("second")\n';
const REVERSE = 'import sys\nfor line in sys.stdin:\n    print(line.rstrip("\\n")[::-1], flush=True)\nprint("bye")\n';
let service: TestService;

/** Starts a WebSocket session with `body` and waits for `accepted`. */
async function startSession(body: Record<string, unknown>): Promise<LiveSocket> {
  const socket = new LiveSocket(service.url);
  await socket.open();
  socket.send({ type: 'start', ...body });
  await socket.next((m) => m.type === 'accepted' || m.type === 'error');
  return socket;
}

const skip = serviceUnavailableReason(['python', 'bash']);
describe.skipIf(skip !== undefined)(`live runs through the service${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(async () => {
    await service?.stop();
  });

  it("streams stdout over SSE before the program's 1 s sleep ends, then result; Last-Event-ID resumes", async () => {
    const answer = await postRun(service.url, { language: 'python', source: SLEEPY, wait: false, live: true });
    const id = String(answer.body.id);
    const { status, events, contentType } = await readSse(`${service.url}/runs/${id}/events`);
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/event-stream/);
    const first = events.find((e) => e.event === 'stdout' && String(e.data.data).includes('first'));
    const result = events.at(-1) as SseEvent;
    expect(first).toBeDefined();
    expect(result.event).toBe('result');
    // "first" was printed before a 1 s sleep, "second" after it: the client had the first while
    // the program slept. Both took the same path, so the gap is the sleep, whatever the load.
    const second = events.find((e) => e.event === 'stdout' && String(e.data.data).includes('second'));
    expect((second?.atMs ?? 0) - (first?.atMs ?? Number.POSITIVE_INFINITY)).toBeGreaterThan(500);
    expect(result.atMs).toBeGreaterThanOrEqual(second?.atMs ?? Number.POSITIVE_INFINITY);
    expect(events.some((e) => e.event === 'stage' && e.data.stage === 'run')).toBe(true);
    expect(
      events
        .filter((e) => e.event === 'stdout')
        .map((e) => e.data.data)
        .join(''),
    ).toBe('first\nsecond\n');
    expect(result.data).toEqual((await getRun(service.url, id)).body);
    expect(result.data).toMatchObject({ id, state: 'done', status: 'OK' });

    // Resume after the first stdout event: only what came after it, then result.
    const resumed = await readSse(`${service.url}/runs/${id}/events`, { 'last-event-id': String(first?.id) });
    expect(
      resumed.events
        .filter((e) => e.event === 'stdout')
        .map((e) => e.data.data)
        .join(''),
    ).toBe('second\n');
    expect(resumed.events.at(-1)?.event).toBe('result');
    // After result (what EventSource does when the stream ends): 204, so it stops reconnecting.
    expect((await readSse(`${service.url}/runs/${id}/events`, { 'last-event-id': String(result.id) })).status).toBe(204);
  });

  it('serves SSE for a non-live run that is already done: state, stage, result', async () => {
    const answer = await postRun(service.url, { language: 'python', source: 'print(42)' });
    const id = String(answer.body.id);
    const { events } = await readSse(`${service.url}/runs/${id}/events`);
    expect(events[0]).toMatchObject({ event: 'state', data: { state: 'done' } });
    expect(events.some((e) => e.event === 'stage' && e.data.stage === 'run')).toBe(true);
    expect(events.some((e) => e.event === 'stdout')).toBe(false);
    expect(events.at(-1)).toMatchObject({ event: 'result', data: { status: 'OK', run: { stdout: '42\n' } } });
  });

  it('answers 404 SBX_ERR_RUN_UNKNOWN for the events of an unknown run', async () => {
    const response = await fetch(`${service.url}/runs/no-such-run/events`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'SBX_ERR_RUN_UNKNOWN' } });
  });

  it('drives a line-reversing program over a WebSocket: 20 round trips, eof, result OK, close 1000', async () => {
    const socket = await startSession({ language: 'python', source: REVERSE });
    expect(socket.messages[0]).toMatchObject({ type: 'accepted', id: expect.any(String) });
    let expected = '';
    for (let i = 0; i < 20; i++) {
      const word = `line-${i}-abc`;
      socket.send({ type: 'stdin', data: `${word}\n` });
      expected += `${[...word].reverse().join('')}\n`;
      await socket.next(() => socket.stdout() === expected);
    }
    socket.send({ type: 'eof' });
    const result = await socket.next((m) => m.type === 'result');
    expect(result).toMatchObject({ status: 'OK', run: { stdout: `${expected}bye\n` } });
    expect(socket.messages.some((m) => m.type === 'stage' && m.stage === 'run')).toBe(true);
    expect((await socket.closed).code).toBe(1000);
  });

  it('interrupts a sleeping program with SIGINT over a WebSocket', async () => {
    const startedMs = Date.now();
    const socket = await startSession({ language: 'python', source: 'import time\nprint("ready", flush=True)\ntime.sleep(30)\n' });
    await socket.next(() => socket.stdout().includes('ready'));
    socket.send({ type: 'signal', signal: 'SIGINT' });
    const result = await socket.next((m) => m.type === 'result');
    expect(result.status).toBe('RUNTIME_ERROR');
    expect(String((result.run as { stderr: string }).stderr)).toContain('KeyboardInterrupt');
    expect(Date.now() - startedMs).toBeLessThan(10_000);
    expect((await socket.closed).code).toBe(1000);
  });

  it('refuses a bad first message with an error and a 4xxx close', async () => {
    for (const [message, code] of [
      [{ type: 'stdin', data: 'x' }, 'SBX_ERR_LIVE_MESSAGE'],
      ['not json', 'SBX_ERR_LIVE_MESSAGE'],
      [{ type: 'start', language: 'python' }, 'SBX_ERR_SOURCE_MISSING'],
      [{ type: 'start', language: 'python', source: 'x', bogus: 1 }, 'SBX_ERR_VALIDATION'],
      [{ type: 'start', language: 'no-such-language', source: 'x' }, 'SBX_ERR_RUNTIME_UNKNOWN'],
    ] as const) {
      const socket = new LiveSocket(service.url);
      await socket.open();
      socket.send(message);
      const closed = await socket.closed;
      expect(socket.messages[0]).toMatchObject({ type: 'error', error: { code } });
      expect(closed.code).toBe(4400);
    }
  });

  it('ends floods and bombs in a live run as POST /run ends them', async () => {
    // The statuses each may end with (as test/escapes/catalogue.ts allows for T13, T04, T01): a
    // fork bomb's end depends on timing, so both paths must land in the same set, not on one value.
    const cases = [
      { statusIn: ['OUTPUT_LIMIT'], language: 'python', source: 'import sys\nwhile True: sys.stdout.write("x" * 65536)\n', limits: { outputBytes: 65536 } },
      {
        statusIn: ['MEMORY_LIMIT', 'RUNTIME_ERROR'],
        language: 'python',
        source: 'b = []\nwhile True: b.append(bytearray(b"z" * (16 << 20)))\n',
        limits: { memoryBytes: 128 << 20 },
      },
      { statusIn: ['OK', 'TIME_LIMIT', 'RUNTIME_ERROR'], language: 'bash', source: ':(){ :|:& };:\nsleep 3\n', limits: { pids: 32, wallTimeMs: 4000 } },
    ];
    for (const { statusIn, ...body } of cases) {
      const plain = await postRun(service.url, body);
      const socket = await startSession(body);
      const live = await socket.next((m) => m.type === 'result');
      expect(statusIn, body.source).toContain(plain.body.status);
      expect(statusIn, body.source).toContain(live.status);
      expect((live.run as { wallTimeMs: number }).wallTimeMs).toBeLessThan(6000);
      if (body.limits.outputBytes !== undefined) {
        expect(socket.stdout().length).toBeLessThanOrEqual(body.limits.outputBytes);
        expect(live).toMatchObject({ status: 'OUTPUT_LIMIT', run: { stdoutTruncated: true } });
      }
    }
  });
});
