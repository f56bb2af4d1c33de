/**
 * The live channel between the worker that executes a run and any API process serving it, all in
 * Redis (issue 15). Two Redis Streams per run:
 *
 * - `liveEventsKey(runId)`, worker → API: what a client sees, in order. Every run gets `state`
 *   (running), `stage` and a final `end`; a live run (`job.live`) also gets `stdout`/`stderr`.
 *   Stream ids double as Server-Sent Events ids, so `Last-Event-ID` resumes exactly and a late
 *   client replays what it missed. Streams rather than pub/sub for this reason, and because
 *   nothing is lost while no reader is attached.
 * - `liveControlKey(runId)`, API → worker: `stdin`, `eof` and `signal` for an interactive run.
 *   Entries written before the run starts wait in the stream; the worker reads it from the start.
 *
 * Bounds: the events stream is trimmed to about LIVE_STREAM_MAX_ENTRIES (`XADD MAXLEN ~`); the
 * control stream is never trimmed (the worker reads it from the start, so a trim would drop stdin
 * it has not read yet): a run takes at most LIVE_CONTROL_MAX_MESSAGES control messages, and the
 * one past it is refused. Every write renews the stream's expiry to the result TTL, so nothing of
 * a run outlives its result in Redis; output chunks are bounded in total by the run's output
 * limit, stdin by LIVE_STDIN_MAX_BYTES.
 * Each entry has two fields: `type` and `data` (JSON of the payload types below).
 */

/** Prefix of every live-channel key. */
export const LIVE_KEY_PREFIX = 'bulkhead:live:';

/** Entries kept per stream (approximately: `MAXLEN ~`). A client later than that misses the oldest output; `result` still has all of it. */
export const LIVE_STREAM_MAX_ENTRIES = 4096;

/** Stdin and signal messages one live run may be sent in all, across every client (one `eof` more is kept). */
export const LIVE_CONTROL_MAX_MESSAGES = 4096;

/** Stdin bytes one live run may be sent in all, across every client message. */
export const LIVE_STDIN_MAX_BYTES = 1024 * 1024;

export function liveEventsKey(runId: string): string {
  return `${LIVE_KEY_PREFIX}${runId}:events`;
}

export function liveControlKey(runId: string): string {
  return `${LIVE_KEY_PREFIX}${runId}:control`;
}

/** `stage` payload: which part of the run started. */
export interface LiveStage {
  stage: 'compile' | 'run' | 'test';
  /** For `test`: the test's id. */
  test?: string;
}

/** `stdout` / `stderr` payload: UTF-8 text, or base64 for bytes that are not UTF-8. */
export interface LiveOutput {
  data: string;
  encoding?: 'base64';
}

/** Worker → API events, by type. `end`: the worker has the run's result (the job completes next). */
export interface LiveEventPayloads {
  state: { state: 'running' };
  stage: LiveStage;
  stdout: LiveOutput;
  stderr: LiveOutput;
  end: Record<string, never>;
}
export type LiveEventType = keyof LiveEventPayloads;
export const LIVE_EVENT_TYPES: readonly LiveEventType[] = Object.freeze(['state', 'stage', 'stdout', 'stderr', 'end']);

/** API → worker control entries, by type. `stdin.data` is base64. */
export interface LiveControlPayloads {
  stdin: { data: string };
  eof: Record<string, never>;
  signal: { signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL' };
}
export type LiveControlType = keyof LiveControlPayloads;
