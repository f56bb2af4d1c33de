/**
 * One WebSocket session of GET /run/ws (issue 15 item 4), message by message:
 *
 * client → server: first `{"type":"start", …the POST /run body}`; then any number of
 *   `{"type":"stdin","data":"…"}`, `{"type":"eof"}`, `{"type":"signal","signal":"SIGINT"|"SIGTERM"|"SIGKILL"}`.
 * server → client: `{"type":"accepted","id"}`, `{"type":"stage","stage","test"?}`,
 *   `{"type":"stdout"|"stderr","data","encoding"?}`, then `{"type":"result", …the GET /runs/:id body}`
 *   and a normal close (1000).
 * errors: `{"type":"error","error":{"code","message","details"?}}`, then a close with 4000 + the HTTP status
 *   POST /run would have answered (4400 validation, 4413 too much stdin, 4503 queue full, 4500
 *   ours; the key and the rate limit are checked on the upgrade, which answers 401 or 429 before
 *   any session). Stdin or a signal after the run finished gets SBX_ERR_RUN_FINISHED without a close.
 *
 * Messages are handled one at a time in arrival order (a `stdin` sent right after `start` waits
 * for the run to be queued). A client that leaves closes the run's stdin; its limits end it.
 */
import type { FastifyBaseLogger } from 'fastify';
import { Compile } from 'typebox/compile';
import type { WebSocket } from 'ws';
import { BulkheadError, type ErrorCode } from '../../worker/contract/errors.js';
import { PRIORITY_INTERACTIVE, type SubmissionJob } from '../../worker/contract/job.js';
import { LIVE_STDIN_MAX_BYTES, type LiveControlPayloads } from '../../worker/contract/live.js';
import { toErrorAnswer } from '../http/errors.js';
import { parseStrictJson } from '../plugins/json-body.js';
import type { LiveChannel } from '../plugins/live-channel.js';
import type { SubmissionQueue } from '../plugins/submission-queue.js';
import type { RunAdmission } from '../runs/admission.js';
import { RunRequestSchema, type RunRequest } from '../schemas/run.js';
import { followRun } from './follow-run.js';

const SIGNALS: readonly string[] = ['SIGINT', 'SIGTERM', 'SIGKILL'];
let requestValidator: { Check(value: unknown): boolean; Errors(value: unknown): { instancePath: string; message: string }[] } | undefined;

/**
 * A live run's stdin ends with its client (its limits then end the program). A session calls it
 * when the client leaves, and after queueing if the client left while the run was being queued.
 */
export async function endStdinOfAbandoned(live: LiveChannel, runId: string, log: FastifyBaseLogger): Promise<void> {
  await live.control(runId, 'eof', {}).catch((err: unknown) => log.warn({ err, runId }, 'eof after the client left not written'));
}

/**
 * One WebSocket message's JSON under the request bodies' rules (plugins/json-body.ts): a lone
 * surrogate escape or, in a binary frame, invalid UTF-8 is SBX_ERR_BAD_UTF8 (never U+FFFD in a
 * program's input); text that is no JSON is undefined, for the session's own message error.
 */
export function parseLiveMessage(raw: unknown): unknown {
  const bytes = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw as Buffer[]) : Buffer.from(raw as ArrayBuffer);
  try {
    return parseStrictJson(bytes);
  } catch (err) {
    if (err instanceof BulkheadError && err.code === 'SBX_ERR_BAD_UTF8') throw err;
    return undefined;
  }
}

export interface WsSessionDeps {
  queue: SubmissionQueue;
  live: LiveChannel;
  admission: RunAdmission;
  log: FastifyBaseLogger;
  /** Called with each admitted job before it is queued (e.g. to log it). */
  onSubmitted?: (job: SubmissionJob, body: RunRequest) => void;
}

function fail(code: ErrorCode, message: string): never {
  throw new BulkheadError(code, message);
}

function validateStart(message: Record<string, unknown>): RunRequest {
  const { type: _type, ...body } = message;
  const validator = (requestValidator ??= Compile(RunRequestSchema));
  if (validator.Check(body)) return body as RunRequest;
  const errors = [...validator.Errors(body)].slice(0, 3).map((e) => `start${e.instancePath} ${e.message}`);
  return fail('SBX_ERR_VALIDATION', errors.join('; ') || 'start message is invalid');
}

export class WsRunSession {
  private runId: string | undefined;
  private finished = false;
  private closed = false;
  private clientGone = false;
  private stdinBytes = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly aborter = new AbortController();

  constructor(
    private readonly socket: WebSocket,
    private readonly deps: WsSessionDeps,
  ) {
    socket.on('message', (raw, isBinary) => {
      this.chain = this.chain.then(() => this.handle(raw, isBinary)).catch((err: unknown) => this.refuse(err));
    });
    socket.on('close', () => this.onClientGone());
  }

  private send(message: Record<string, unknown>): void {
    if (!this.closed && this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close(code, reason.slice(0, 120));
  }

  /** A client mistake or our failure: the error message, then a 4xxx close. */
  private refuse(err: unknown): void {
    const answer = toErrorAnswer(err);
    if (answer.isServiceFault) this.deps.log.error({ err, code: answer.code, runId: this.runId }, 'live session failed (service fault)');
    const details = answer.details === undefined ? {} : { details: answer.details };
    this.send({ type: 'error', error: { code: answer.code, message: answer.message, ...details } });
    this.close(4000 + answer.statusCode, answer.code);
  }

  private async handle(raw: unknown, isBinary: boolean): Promise<void> {
    if (this.closed) return;
    const message = isBinary ? undefined : parseLiveMessage(raw);
    if (typeof message !== 'object' || message === null || Array.isArray(message)) fail('SBX_ERR_LIVE_MESSAGE', 'Each message must be a JSON object with a "type"');
    const msg = message as Record<string, unknown>;
    if (this.runId === undefined) {
      if (msg.type !== 'start') fail('SBX_ERR_LIVE_MESSAGE', 'The first message must be {"type":"start", …the POST /run body}');
      return this.start(validateStart(msg));
    }
    if (msg.type === 'start') fail('SBX_ERR_LIVE_MESSAGE', 'This session already started a run');
    if (msg.type !== 'stdin' && msg.type !== 'eof' && msg.type !== 'signal') fail('SBX_ERR_LIVE_MESSAGE', `Unknown message type ${JSON.stringify(msg.type)}`);
    if (this.finished) {
      this.send({ type: 'error', error: { code: 'SBX_ERR_RUN_FINISHED', message: `The run finished; "${msg.type}" was not delivered` } });
      return;
    }
    await this.control(this.runId, msg);
  }

  private async control(runId: string, msg: Record<string, unknown>): Promise<void> {
    if (msg.type === 'stdin') {
      if (typeof msg.data !== 'string') fail('SBX_ERR_LIVE_MESSAGE', '"stdin" needs "data": a string');
      const bytes = Buffer.from(msg.data, 'utf8');
      this.stdinBytes += bytes.length;
      if (this.stdinBytes > LIVE_STDIN_MAX_BYTES) fail('SBX_ERR_LIVE_STDIN_TOO_LARGE', `A live run takes at most ${LIVE_STDIN_MAX_BYTES} bytes of stdin`);
      await this.deps.live.control(runId, 'stdin', { data: bytes.toString('base64') });
    } else if (msg.type === 'eof') {
      await this.deps.live.control(runId, 'eof', {});
    } else {
      if (typeof msg.signal !== 'string' || !SIGNALS.includes(msg.signal)) fail('SBX_ERR_LIVE_MESSAGE', '"signal" must be SIGINT, SIGTERM or SIGKILL');
      await this.deps.live.control(runId, 'signal', { signal: msg.signal as LiveControlPayloads['signal']['signal'] });
    }
  }

  private async start(body: RunRequest): Promise<void> {
    const job = await this.deps.admission.admit(body);
    job.live = true;
    job.liveStdin = true;
    await this.deps.queue.submit(job, { priority: PRIORITY_INTERACTIVE });
    this.deps.admission.admitted();
    this.runId = job.runId;
    this.deps.onSubmitted?.(job, body);
    // A client that left while its run was being queued found no run to close the stdin of.
    if (this.clientGone) return this.endStdin(job.runId);
    this.send({ type: 'accepted', id: job.runId });
    void this.forward(job.runId);
  }

  /** The run's events to the client until `result`, then the normal close. */
  private async forward(runId: string): Promise<void> {
    try {
      for await (const event of followRun({ queue: this.deps.queue, live: this.deps.live }, runId, '0-0', this.aborter.signal)) {
        if (event.type === 'state') continue;
        if (event.type === 'result') {
          this.finished = true;
          this.send({ ...event.data, type: 'result' });
          this.close(1000, 'done');
          return;
        }
        this.send({ type: event.type, ...event.data });
      }
    } catch (err) {
      this.refuse(err);
    }
  }

  private onClientGone(): void {
    this.closed = true;
    this.clientGone = true;
    this.aborter.abort();
    if (this.runId !== undefined && !this.finished) void this.endStdin(this.runId);
  }

  private endStdin(runId: string): Promise<void> {
    return endStdinOfAbandoned(this.deps.live, runId, this.deps.log);
  }
}
