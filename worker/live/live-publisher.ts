/**
 * The worker's side of the live channel (worker/contract/live.ts): appends a run's events to its
 * events stream, and for a live run stage hands the sandbox a LiveIO whose output goes to that
 * stream and whose controls come from the run's control stream.
 *
 * Cost on the one-shot path: three XADD and one EXPIRE per run, never awaited by the run, in
 * two writes: the events of one turn of the event loop (every run's `state` and `stage`, a live
 * run's output chunks) go out in one pipeline (bench/README.md, live section). Memory: output is
 * written as it arrives (bounded in total by the output limit); the control reader holds one
 * entry batch at a time.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  LIVE_STDIN_MAX_BYTES,
  LIVE_STREAM_MAX_ENTRIES,
  liveControlKey,
  liveEventsKey,
  type LiveControlPayloads,
  type LiveEventPayloads,
  type LiveEventType,
} from '../contract/live.js';
import type { LiveControl, LiveIO } from '../sandbox/live.js';
import { LIVE_SIGNALS } from '../sandbox/live.js';
import { Utf8Chunks } from './utf8-chunks.js';

/** How long a failed control read waits before it tries again, ms. */
const CONTROL_RETRY_MS = 200;

/** One pipeline of events; `events[i]` names the run and type behind the pipeline's i-th command. */
interface Batch {
  pipeline: ChainableCommander;
  events: { runId: string; type: LiveEventType }[];
  sent: boolean;
}

export class LivePublisher {
  /** Events appended in this turn of the event loop and not yet sent; see emit. Mutated only from the event loop. */
  private batch: Batch | undefined;

  constructor(
    private readonly redis: Redis,
    /** Expiry of every stream, renewed on each write: the result TTL. */
    private readonly ttlS: number,
    private readonly log: Logger,
  ) {}

  /**
   * Appends one event. Not awaited by callers: a failure is logged and the run goes on. Only the
   * first event of each attempt (`state`) sets the expiry: XADD keeps a key's TTL, so the
   * later ones are a bare XADD. Events are queued in one pipeline sent at the end of this turn
   * of the event loop (setImmediate), so a run's `state` and `stage`, emitted before its sandbox
   * starts, cost one write; order is kept because one connection carries them in turn. `end`
   * sends the batch at once: the processor returns right after it, and everything up to `end`
   * (a live run's last output) must reach Redis before the job completes, for a reader that
   * stops at the queue's answer. The EXPIRE follows its XADD in the same write, as the API's
   * control writes do.
   */
  emit<T extends LiveEventType>(runId: string, type: T, payload: LiveEventPayloads[T]): void {
    const key = liveEventsKey(runId);
    const batch = (this.batch ??= this.startBatch());
    batch.pipeline.xadd(key, 'MAXLEN', '~', LIVE_STREAM_MAX_ENTRIES, '*', 'type', type, 'data', JSON.stringify(payload));
    batch.events.push({ runId, type });
    if (type === 'state') {
      batch.pipeline.expire(key, this.ttlS);
      batch.events.push({ runId, type });
    }
    if (type === 'end') this.send(batch);
  }

  private startBatch(): Batch {
    const batch: Batch = { pipeline: this.redis.pipeline(), events: [], sent: false };
    setImmediate(() => this.send(batch));
    return batch;
  }

  /** Sends a batch once (its turn ended, or `end` was queued); later events start a new one. */
  private send(batch: Batch): void {
    if (batch.sent) return;
    batch.sent = true;
    if (this.batch === batch) this.batch = undefined;
    batch.pipeline
      .exec()
      .then((replies) => {
        replies?.forEach(([err], i) => {
          if (err !== null) this.log.warn({ err, ...batch.events[i] }, 'live event not written');
        });
      })
      .catch((err: unknown) => this.log.warn({ err, runIds: batch.events.map((e) => e.runId) }, 'live events not written'));
  }

  /**
   * The LiveIO of a live run stage. With `stdin` the program's stdin stays open for the control
   * stream's entries; without, it is closed after the job's own stdin (output streaming only).
   */
  session(runId: string, stdin: boolean): LiveIO {
    const encoders = { stdout: new Utf8Chunks(), stderr: new Utf8Chunks() };
    return {
      onOutput: (stream, chunk) => {
        const out = encoders[stream].push(chunk);
        if (out !== undefined) this.emit(runId, stream, out);
      },
      attach: (control) => {
        const stop = stdin ? this.followControl(runId, control) : (control.eof(), () => undefined);
        return () => {
          stop();
          for (const stream of ['stdout', 'stderr'] as const) {
            const rest = encoders[stream].flush();
            if (rest !== undefined) this.emit(runId, stream, rest);
          }
        };
      },
    };
  }

  /**
   * Reads the control stream from its start (entries sent before the run started are waiting
   * there) on a connection of its own, blocked in XREAD until an entry comes; the returned stop
   * closes it, which also ends the blocked read. Stdin beyond LIVE_STDIN_MAX_BYTES is dropped (the
   * API refuses it first; this is the worker's own bound).
   */
  private followControl(runId: string, control: LiveControl): () => void {
    const conn = this.redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true });
    conn.on('error', (err) => this.log.debug({ err, runId }, 'live control connection error'));
    const key = liveControlKey(runId);
    let stopped = false;
    let lastId = '0-0';
    let stdinBytes = 0;
    const apply = (type: string, data: string): void => {
      const payload = JSON.parse(data) as Partial<LiveControlPayloads['stdin'] & LiveControlPayloads['signal']>;
      if (type === 'stdin' && typeof payload.data === 'string') {
        const bytes = Buffer.from(payload.data, 'base64');
        stdinBytes += bytes.length;
        if (stdinBytes <= LIVE_STDIN_MAX_BYTES) control.write(bytes);
      } else if (type === 'eof') {
        control.eof();
      } else if (type === 'signal' && LIVE_SIGNALS.includes(payload.signal as never)) {
        control.signal(payload.signal as LiveControlPayloads['signal']['signal']);
      }
    };
    const loop = async (): Promise<void> => {
      while (!stopped) {
        try {
          const reply = await conn.xread('BLOCK', 0, 'STREAMS', key, lastId);
          for (const [, entries] of reply ?? []) {
            for (const [id, fields] of entries) {
              lastId = id;
              apply(fields[1] ?? '', fields[3] ?? '{}');
            }
          }
        } catch (err) {
          if (stopped) return;
          this.log.warn({ err, runId }, 'live control read failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, CONTROL_RETRY_MS));
        }
      }
    };
    void loop();
    return () => {
      stopped = true;
      conn.disconnect();
    };
  }
}
