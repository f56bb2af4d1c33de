/**
 * One live run over `GET /run/ws` (issue 15 item 4), message by message:
 *   client → server: `{type:"start", …POST /run body}` first, then any of `{type:"stdin", data}`,
 *                    `{type:"eof"}`, `{type:"signal", signal:"SIGINT"|"SIGTERM"|"SIGKILL"}`;
 *   server → client: `{type:"accepted", id}`, `{type:"stage", stage}`, `{type:"stdout"|"stderr",
 *                    data}` while the program writes, then `{type:"result", …the run result}` and a
 *                    normal close (1000); a refused message gets `{type:"error", error:{code,
 *                    message}}` and a 4xxx close.
 */
import type { RunResult } from '../../../worker/contract/result.js';

/** What the page hears about a live run. */
export interface LiveRunHandlers {
  accepted(id: string): void;
  stage(stage: string): void;
  output(stream: 'stdout' | 'stderr', text: string): void;
  result(result: RunResult): void;
  /** The server refused the run, or the connection failed before a result. */
  failed(code: string, message: string): void;
}

type ServerMessage =
  | { type: 'accepted'; id: string }
  | { type: 'stage'; stage: string }
  | { type: 'stdout' | 'stderr'; data: string; encoding?: string }
  | ({ type: 'result' } & RunResult)
  | { type: 'error'; error: { code: string; message: string } };

/** Bytes that were not UTF-8 come base64-encoded; show them decoded with replacement characters. */
function decodeChunk(data: string, encoding: string | undefined): string {
  if (encoding !== 'base64') return data;
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/** The WebSocket URL of the live endpoint on this page's origin (ws: or wss: to match). */
export function liveRunUrl(location: Location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/run/ws`;
}

/** A live run: started on construction, fed and signalled until its result arrives. */
export class LiveRun {
  private readonly socket: WebSocket;
  private finished = false;
  private opened = false;
  private readonly pending: string[] = [];

  /**
   * Opens the session. A browser cannot set headers on a WebSocket, so an API key travels as the
   * `bulkhead.key.<key>` subprotocol (api/plugins/auth.ts), after `bulkhead`, the one the server echoes.
   * Throws a SyntaxError when the key holds characters a subprotocol cannot carry.
   */
  constructor(
    url: string,
    start: Record<string, unknown>,
    apiKey: string,
    private readonly handlers: LiveRunHandlers,
  ) {
    this.socket = apiKey === '' ? new WebSocket(url) : new WebSocket(url, ['bulkhead', `bulkhead.key.${apiKey}`]);
    this.socket.addEventListener('open', () => {
      this.opened = true;
      // The start message must be the first one; anything queued before the socket opened follows it.
      this.socket.send(JSON.stringify({ type: 'start', ...start }));
      for (const message of this.pending.splice(0)) this.socket.send(message);
    });
    this.socket.addEventListener('message', (event) => this.onMessage(event.data));
    this.socket.addEventListener('close', (event) => this.onClose(event.code, event.reason));
  }

  private send(message: Record<string, unknown>): void {
    if (this.finished) return;
    const text = JSON.stringify(message);
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
    else if (this.socket.readyState === WebSocket.CONNECTING) this.pending.push(text);
  }

  /** Types `data` into the running program's stdin. */
  stdin(data: string): void {
    this.send({ type: 'stdin', data });
  }

  /** Closes the program's stdin. */
  eof(): void {
    this.send({ type: 'eof' });
  }

  /** Sends a signal to the whole run (Stop sends SIGKILL). */
  signal(signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL'): void {
    this.send({ type: 'signal', signal });
  }

  get isFinished(): boolean {
    return this.finished;
  }

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: ServerMessage;
    try {
      message = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    switch (message.type) {
      case 'accepted':
        return this.handlers.accepted(message.id);
      case 'stage':
        return this.handlers.stage(message.stage);
      case 'stdout':
      case 'stderr':
        return this.handlers.output(message.type, decodeChunk(message.data, message.encoding));
      case 'result': {
        this.finished = true;
        const { type: _type, ...result } = message;
        return this.handlers.result(result);
      }
      case 'error':
        this.finished = true;
        return this.handlers.failed(message.error.code, message.error.message);
    }
  }

  private onClose(code: number, reason: string): void {
    if (this.finished) return;
    this.finished = true;
    const why = reason === '' ? `code ${code}` : `${reason}, code ${code}`;
    if (!this.opened)
      this.handlers.failed(
        'LIVE_UNAVAILABLE',
        `Live runs are not available: the WebSocket GET /run/ws could not be opened (${why}); the service refused it or does not offer live runs.`,
      );
    else this.handlers.failed('LIVE_CLOSED', `The live run ended without a result: the connection closed (${why}).`);
  }
}
