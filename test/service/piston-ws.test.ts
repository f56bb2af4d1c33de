/**
 * Piston's WebSocket `/api/v2/connect` through the whole service, from a raw WebSocket client as
 * Piston clients speak it: a program echoing what `data` messages send it, a `signal` that really
 * interrupts a sleeping program (its handler runs and says so), and Piston's close codes for bad
 * sessions (an unknown runtime, data before init, a second init, an invalid signal, no init).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serviceUnavailableReason, startService, type TestService } from '../helpers/service.js';

type Message = Record<string, unknown> & { type: string };

/** One raw session: every server message, and the close code and reason. */
class PistonSocket {
  readonly messages: Message[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  private readonly ws: WebSocket;

  constructor(baseUrl: string) {
    this.ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v2/connect`);
    this.ws.on('message', (raw) => this.messages.push(JSON.parse(String(raw)) as Message));
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Sends a text frame, or with `binary` the same JSON as a binary frame. */
  send(message: unknown, binary = false): void {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    this.ws.send(binary ? Buffer.from(text) : text, { binary });
  }

  /** Waits (bounded) until `match` holds for the messages so far. */
  async until(match: (messages: Message[]) => boolean, timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!match(this.messages)) {
      if (Date.now() > end || this.ws.readyState === WebSocket.CLOSED) throw new Error(`not seen; got ${JSON.stringify(this.messages).slice(0, 2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  stdout(): string {
    return this.messages
      .filter((m) => m.type === 'data' && m.stream === 'stdout')
      .map((m) => String(m.data))
      .join('');
  }
}

const ECHO = 'import sys\nfor line in sys.stdin:\n    print(line.strip().upper(), flush=True)\n    if line.strip() == "bye":\n        break\n';
const SLEEPER =
  'import signal, sys, time\n' +
  'def stop(number, frame):\n    print("interrupted by", signal.Signals(number).name, flush=True)\n    sys.exit(7)\n' +
  'signal.signal(signal.SIGINT, stop)\nprint("sleeping", flush=True)\ntime.sleep(30)\nprint("woke up")\n';

let service: TestService;
const skip = serviceUnavailableReason(['python']);

async function session(init?: Record<string, unknown>): Promise<PistonSocket> {
  const socket = new PistonSocket(service.url);
  await socket.opened;
  if (init !== undefined) socket.send({ type: 'init', ...init });
  return socket;
}

describe.skipIf(skip !== undefined)(`Piston WebSocket /api/v2/connect${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('runs a program that echoes each stdin line sent as data, then exits and closes 4999', async () => {
    const socket = await session({ language: 'python', version: '3.x', files: [{ content: ECHO }], stdin: 'first\n' });
    await socket.until((m) => m.some((x) => x.type === 'runtime'));
    expect(socket.messages[0]).toEqual({ type: 'runtime', language: 'python', version: expect.stringMatching(/^3\./) });
    await socket.until(() => socket.stdout().includes('FIRST\n'));
    socket.send({ type: 'data', stream: 'stdin', data: 'hello piston\n' });
    await socket.until(() => socket.stdout().includes('HELLO PISTON\n'));
    socket.send({ type: 'data', stream: 'stdin', data: 'bye\n' });
    expect(await socket.closed).toEqual({ code: 4999, reason: 'Job Completed' });
    expect(socket.stdout()).toBe('FIRST\nHELLO PISTON\nBYE\n');
    expect(socket.messages).toContainEqual({ type: 'stage', stage: 'run' });
    expect(socket.messages.at(-1)).toMatchObject({ type: 'exit', stage: 'run', code: 0, signal: null });
  });

  it('reads messages sent as binary frames like text frames, as Piston does', async () => {
    const socket = await session();
    socket.send({ type: 'init', language: 'python', version: '3.x', files: [{ content: ECHO }] }, true);
    await socket.until(() => socket.messages.some((m) => m.type === 'stage'));
    socket.send({ type: 'data', stream: 'stdin', data: 'bytes\nbye\n' }, true);
    expect(await socket.closed).toEqual({ code: 4999, reason: 'Job Completed' });
    expect(socket.stdout()).toBe('BYTES\nBYE\n');
  });

  it('delivers a signal to the sleeping program: its SIGINT handler runs long before the 30 s sleep ends', async () => {
    const startedMs = Date.now();
    const socket = await session({ language: 'py', version: '*', files: [{ content: SLEEPER }], run_timeout: 20_000 });
    await socket.until(() => socket.stdout().includes('sleeping'));
    socket.send({ type: 'signal', signal: 'SIGINT' });
    expect((await socket.closed).code).toBe(4999);
    expect(Date.now() - startedMs).toBeLessThan(15_000);
    expect(socket.stdout()).toBe('sleeping\ninterrupted by SIGINT\n');
    expect(socket.messages.at(-1)).toMatchObject({ type: 'exit', stage: 'run', code: 7, signal: null, status: 'RE' });
  });

  it('SIGKILL ends the program with the signal reported in exit', async () => {
    const socket = await session({ language: 'python', version: '*', files: [{ content: SLEEPER }] });
    await socket.until(() => socket.stdout().includes('sleeping'));
    socket.send({ type: 'signal', signal: 'SIGKILL' });
    expect((await socket.closed).code).toBe(4999);
    expect(socket.messages.at(-1)).toMatchObject({ type: 'exit', stage: 'run', code: null, signal: 'SIGKILL' });
  });

  it("answers a bad init with Piston's error message and close 4002", async () => {
    const unknown = await session({ language: 'nope', version: '*', files: [{ content: 'x' }] });
    expect(await unknown.closed).toEqual({ code: 4002, reason: 'Notified Error' });
    expect(unknown.messages).toEqual([{ type: 'error', message: 'nope-* runtime is unknown' }]);
    const noFiles = await session({ language: 'python', version: '*' });
    expect((await noFiles.closed).code).toBe(4002);
    expect(noFiles.messages).toEqual([{ type: 'error', message: 'files is required as an array' }]);
    const notJson = await session();
    notJson.send('{not json');
    expect((await notJson.closed).code).toBe(4002);
  });

  it("closes with Piston's codes: 4003 data before init, 4001 no init within 1 s, 4000 a second init, 4004 not stdin, 4005 an invalid signal", async () => {
    const early = await session();
    early.send({ type: 'data', stream: 'stdin', data: 'x' });
    expect(await early.closed).toEqual({ code: 4003, reason: 'Not yet initialized' });
    const idle = await session();
    expect(await idle.closed).toEqual({ code: 4001, reason: 'Initialization Timeout' });
    const init = { language: 'python', version: '*', files: [{ content: SLEEPER }], run_timeout: 5000 };
    const twice = await session(init);
    twice.send({ type: 'init', ...init });
    expect((await twice.closed).code).toBe(4000);
    const wrongStream = await session(init);
    await wrongStream.until((m) => m.some((x) => x.type === 'runtime'));
    wrongStream.send({ type: 'data', stream: 'stdout', data: 'x' });
    expect((await wrongStream.closed).code).toBe(4004);
    const badSignal = await session(init);
    await badSignal.until((m) => m.some((x) => x.type === 'runtime'));
    badSignal.send({ type: 'signal', signal: 'SIGBANANA' });
    expect(await badSignal.closed).toEqual({ code: 4005, reason: 'Invalid signal' });
  });
});
