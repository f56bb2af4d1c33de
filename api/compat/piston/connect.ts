/**
 * Piston v2's WebSocket `/api/v2/connect`, one session message by message, as a thin layer over
 * Bulkhead's live runs: the `init` body becomes a job exactly as `POST /execute` builds it
 * (execute.ts), queued as a live run with stdin kept open, and the run's events come from
 * followRun (api/live/follow-run.ts), the same reader as GET /run/ws and SSE. Stdin and signals go
 * through the live channel's control stream to the worker, which writes or signals for real.
 *
 * client → server: `{"type":"init", …the execute body}` within 1 s, then
 *   `{"type":"data","stream":"stdin","data"}` and `{"type":"signal","signal":"SIGINT"}`.
 * server → client: `{"type":"runtime","language","version"}`, `{"type":"stage","stage"}`,
 *   `{"type":"data","stream":"stdout"|"stderr","data"}`, `{"type":"exit","stage","code","signal",…}`,
 *   `{"type":"error","message"}`.
 * Piston's close codes: 4000 already initialized, 4001 no init within 1 s, 4002 after an error
 * message, 4003 not yet initialized, 4004 data not for stdin, 4005 invalid signal, 4999 job completed.
 *
 * The run stage's output is streamed as it is written; the compile stage's output and both
 * `exit` messages come when the run is over (the worker streams the run stage only).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { LIVE_STDIN_MAX_BYTES } from '../../../worker/contract/live.js';
import { BulkheadError } from '../../../worker/contract/errors.js';
import { PRIORITY_INTERACTIVE, type SubmissionJob } from '../../../worker/contract/job.js';
import type { RuntimeInfo } from '../../../worker/contract/heartbeat.js';
import type { StageResult } from '../../../worker/contract/result.js';
import { toErrorAnswer } from '../../http/errors.js';
import { followRun } from '../../live/follow-run.js';
import { endStdinOfAbandoned, parseLiveMessage } from '../../live/ws-session.js';
import type { LiveChannel } from '../../plugins/live-channel.js';
import type { SubmissionQueue } from '../../plugins/submission-queue.js';
import type { RunResponse } from '../../schemas/run.js';
import { utf8ToBase64 } from '../../runs/run-job.js';
import { pistonStage } from './execute.js';
import { pistonRuntime } from './runtimes.js';

/** How long a socket may stay open without `init` (Piston's own bound), ms. */
export const PISTON_INIT_TIMEOUT_MS = 1000;
/** The signals the sandbox delivers to a live run; Piston's other names are refused as not deliverable. */
const DELIVERABLE = ['SIGINT', 'SIGTERM', 'SIGKILL'] as const;
/** Piston's signal names (globals.SIGNALS), for telling "not deliverable" from "not a signal". */
const PISTON_SIGNALS = new Set([
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGILL',
  'SIGTRAP',
  'SIGABRT',
  'SIGBUS',
  'SIGFPE',
  'SIGKILL',
  'SIGUSR1',
  'SIGSEGV',
  'SIGUSR2',
  'SIGPIPE',
  'SIGALRM',
  'SIGTERM',
  'SIGSTKFLT',
  'SIGCHLD',
  'SIGCONT',
  'SIGSTOP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGURG',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGVTALRM',
  'SIGPROF',
  'SIGWINCH',
  'SIGIO',
  'SIGPWR',
  'SIGSYS',
]);

/** Piston's admission (routes.ts): the job for an execute body, not yet queued. */
export type PistonJobFactory = (body: Record<string, unknown>) => Promise<{ job: SubmissionJob; runtime: RuntimeInfo }>;

export interface PistonSessionDeps {
  queue: SubmissionQueue;
  live: LiveChannel;
  /** The execute path's validation and job building (runtime, files, limits, backpressure). */
  admit: PistonJobFactory;
  /** Counts the queued job into the backlog estimate. */
  admitted: () => void;
  log: FastifyBaseLogger;
}

/** A Piston client's mistake: Piston's close code and reason, sent without an error message. */
class PistonClose extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const lenientUtf8 = new TextDecoder('utf-8');

export class PistonSession {
  private runId: string | undefined;
  private initialized = false;
  private closed = false;
  private clientGone = false;
  private stdinBytes = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly aborter = new AbortController();
  private readonly initTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    private readonly deps: PistonSessionDeps,
  ) {
    socket.on('message', (raw) => {
      this.chain = this.chain.then(() => this.handle(raw)).catch((err: unknown) => this.refuse(err));
    });
    socket.on('close', () => this.onClientGone());
    this.initTimer = setTimeout(() => {
      if (!this.initialized) this.close(4001, 'Initialization Timeout');
    }, PISTON_INIT_TIMEOUT_MS);
  }

  private send(message: Record<string, unknown>): void {
    if (!this.closed && this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.initTimer);
    this.socket.close(code, reason);
  }

  /** Piston's answers to a bad message: its close code alone, or an error message then 4002. */
  private refuse(err: unknown): void {
    if (err instanceof PistonClose) return this.close(err.code, err.reason);
    const answer = toErrorAnswer(err);
    if (answer.isServiceFault) this.deps.log.error({ err, code: answer.code, runId: this.runId }, 'piston session failed (service fault)');
    else this.deps.log.info({ code: answer.code, runId: this.runId }, 'piston session refused');
    this.send({ type: 'error', message: answer.message });
    this.close(4002, 'Notified Error');
  }

  private async handle(raw: unknown): Promise<void> {
    if (this.closed) return;
    // Piston parses a binary frame's bytes as JSON like a text frame's; clients that send their
    // messages as bytes (Python's websockets with b'…') rely on it.
    const parsed = parseLiveMessage(raw);
    if (parsed === undefined) throw new BulkheadError('SBX_ERR_LIVE_MESSAGE', 'Each message must be a JSON object');
    const msg = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    if (msg.type === 'init') {
      if (this.initialized) throw new PistonClose(4000, 'Already Initialized');
      this.initialized = true;
      clearTimeout(this.initTimer);
      return this.start(msg);
    }
    // Piston ignores other types; data and signals need a run.
    if (msg.type !== 'data' && msg.type !== 'signal') return;
    if (this.runId === undefined) throw new PistonClose(4003, 'Not yet initialized');
    if (msg.type === 'data') return this.stdin(this.runId, msg);
    return this.signal(this.runId, msg.signal);
  }

  private async stdin(runId: string, msg: Record<string, unknown>): Promise<void> {
    if (msg.stream !== 'stdin') throw new PistonClose(4004, 'Can only write to stdin');
    const bytes = Buffer.from(typeof msg.data === 'string' ? msg.data : '', 'utf8');
    this.stdinBytes += bytes.length;
    // The same bound as GET /run/ws: the control stream is kept in Redis until the run ends.
    if (this.stdinBytes > LIVE_STDIN_MAX_BYTES) throw new BulkheadError('SBX_ERR_LIVE_STDIN_TOO_LARGE', `A live run takes at most ${LIVE_STDIN_MAX_BYTES} bytes of stdin`);
    await this.deps.live.control(runId, 'stdin', { data: bytes.toString('base64') });
  }

  private async signal(runId: string, signal: unknown): Promise<void> {
    if (typeof signal !== 'string' || !PISTON_SIGNALS.has(signal)) throw new PistonClose(4005, 'Invalid signal');
    const deliverable = DELIVERABLE.find((s) => s === signal);
    if (deliverable === undefined) {
      this.send({ type: 'error', message: `${signal} cannot be sent to a run here; send SIGINT, SIGTERM or SIGKILL` });
      return;
    }
    await this.deps.live.control(runId, 'signal', { signal: deliverable });
  }

  private async start(body: Record<string, unknown>): Promise<void> {
    const { job, runtime } = await this.deps.admit(body);
    // Interactive: the init's stdin is written as sent (no newline added, unlike execute) and
    // stdin stays open for `data` messages.
    job.stdinBase64 = utf8ToBase64(typeof body.stdin === 'string' ? body.stdin : '');
    job.live = true;
    job.liveStdin = true;
    await this.deps.queue.submit(job, { priority: PRIORITY_INTERACTIVE });
    this.deps.admitted();
    this.runId = job.runId;
    this.deps.log.info({ runId: job.runId, language: job.language, version: job.version, api: 'piston-ws' }, 'run submitted');
    // A client that left while its run was being queued found no run to close the stdin of.
    if (this.clientGone) return endStdinOfAbandoned(this.deps.live, job.runId, this.deps.log);
    const named = pistonRuntime(runtime);
    this.send({ type: 'runtime', language: named.language, version: runtime.version });
    void this.forward(job.runId);
  }

  /** The run's events as Piston's messages until the result, then Piston's 4999. */
  private async forward(runId: string): Promise<void> {
    try {
      for await (const event of followRun({ queue: this.deps.queue, live: this.deps.live }, runId, '0-0', this.aborter.signal)) {
        if (event.type === 'stage') this.send({ type: 'stage', stage: event.data.stage });
        else if (event.type === 'stdout' || event.type === 'stderr') this.send({ type: 'data', stream: event.type, data: decoded(event.data) });
        else if (event.type === 'result') return this.finish(event.data);
      }
    } catch (err) {
      this.refuse(err);
    }
  }

  private finish(result: RunResponse): void {
    if (result.compile !== undefined) this.exit('compile', result.compile, true);
    if (result.run !== undefined) this.exit('run', result.run, false);
    if (result.compile === undefined && result.run === undefined) this.send({ type: 'error', message: `Internal error (${result.errorCode ?? 'SBX_ERR_INTERNAL'})` });
    this.close(4999, 'Job Completed');
  }

  private exit(stage: 'compile' | 'run', result: StageResult, withOutput: boolean): void {
    const piston = pistonStage(result);
    if (withOutput) {
      if (piston.stdout !== '') this.send({ type: 'data', stream: 'stdout', data: piston.stdout });
      if (piston.stderr !== '') this.send({ type: 'data', stream: 'stderr', data: piston.stderr });
    }
    this.send({ type: 'exit', stage, code: piston.code, signal: piston.signal, status: piston.status, message: piston.message });
  }

  private onClientGone(): void {
    this.closed = true;
    this.clientGone = true;
    clearTimeout(this.initTimer);
    this.aborter.abort();
    if (this.runId !== undefined) void endStdinOfAbandoned(this.deps.live, this.runId, this.deps.log);
  }
}

/** A live output entry's text: base64 entries (output that is not UTF-8 on its own) decoded leniently. */
function decoded(data: Record<string, unknown>): string {
  const text = typeof data.data === 'string' ? data.data : '';
  return data.encoding === 'base64' ? lenientUtf8.decode(Buffer.from(text, 'base64')) : text;
}
