/**
 * Clients of the live routes for service tests: an SSE reader over fetch (events with their
 * arrival time) and a WebSocket session that records every server message.
 */
import WebSocket from 'ws';

export interface SseEvent {
  id?: string;
  event: string;
  data: Record<string, unknown>;
  atMs: number;
}

/** Reads GET /runs/:id/events to its end; `onEvent` sees each event as it arrives. */
export async function readSse(
  url: string,
  headers: Record<string, string> = {},
  onEvent?: (e: SseEvent) => void,
): Promise<{ status: number; events: SseEvent[]; contentType: string | null }> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers } });
  const events: SseEvent[] = [];
  if (response.status !== 200 || response.body === null) return { status: response.status, events, contentType: response.headers.get('content-type') };
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const i = line.indexOf(': ');
        if (i > 0) fields[line.slice(0, i)] = line.slice(i + 2);
      }
      if (fields.event === undefined) continue;
      const event: SseEvent = { event: fields.event, data: JSON.parse(fields.data ?? '{}') as Record<string, unknown>, atMs: performance.now() };
      if (fields.id !== undefined) event.id = fields.id;
      events.push(event);
      onEvent?.(event);
    }
  }
  return { status: response.status, events, contentType: response.headers.get('content-type') };
}

export interface WsMessage {
  type: string;
  [key: string]: unknown;
}

/** One WebSocket session of GET /run/ws. */
export class LiveSocket {
  readonly messages: WsMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly ws: WebSocket;
  private waiters: (() => void)[] = [];

  constructor(baseUrl: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/run/ws`, { headers });
    this.ws.on('message', (raw) => {
      this.messages.push(JSON.parse(String(raw)) as WsMessage);
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const w of this.waiters.splice(0)) w();
      });
    });
  }

  async open(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN) return;
    await new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Resolves with the first message (from index `from`) matching `match`. */
  async next(match: (m: WsMessage) => boolean, from = 0, timeoutMs = 20_000): Promise<WsMessage> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find(match);
      if (found !== undefined) return found;
      if (this.ws.readyState === WebSocket.CLOSED || Date.now() > end) {
        throw new Error(`no matching message; got ${JSON.stringify(this.messages).slice(0, 2000)}`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** Concatenated `stdout` data so far. */
  stdout(): string {
    return this.messages
      .filter((m) => m.type === 'stdout')
      .map((m) => String(m.data))
      .join('');
  }

  close(): void {
    this.ws.close();
  }
}
