/**
 * One client's view of a run, as an async sequence of events: `state` (now), then the run's
 * events stream from `afterId` (stage, stdout, stderr, as the worker appends them), then `result`
 * (the same body as GET /runs/:id). Used by GET /runs/:id/events (SSE) and GET /run/ws; an adapter
 * that needs a run's live events (e.g. another WebSocket protocol) should use this too.
 *
 * The run is over when the worker's `end` entry is read (it is written just before the job
 * completes) or when the queue says the job is done (a job that failed for good writes no `end`).
 * Then what is left in the stream is read without waiting, and `result` comes last.
 */
import { BulkheadError } from '../../worker/contract/errors.js';
import type { LiveChannel } from '../plugins/live-channel.js';
import type { RunSnapshot, SubmissionQueue } from '../plugins/submission-queue.js';
import { toRunResponse } from '../runs/run-response.js';
import type { RunResponse } from '../schemas/run.js';

/** How long one blocked read waits before the loop looks at the queue's answer again, ms. */
const READ_BLOCK_MS = 1000;
/** How long one queue wait lasts before it is renewed, ms. */
const DONE_WAIT_MS = 10_000;
/** The `id` of the `result` event: a client resuming after it (Last-Event-ID) has seen everything. */
export const RESULT_EVENT_ID = 'end';
const STREAM_ID_PATTERN = /^\d{1,20}-\d{1,20}$/;

export type RunEvent =
  | { id?: string; type: 'state'; data: { state: RunSnapshot['state'] } }
  | { id: string; type: 'stage' | 'stdout' | 'stderr'; data: Record<string, unknown> }
  | { id: string; type: 'result'; data: RunResponse };

/** A client's Last-Event-ID as a stream position: a stream id, else the start. */
export function resumePoint(lastEventId: string | undefined): string {
  return lastEventId !== undefined && STREAM_ID_PATTERN.test(lastEventId) ? lastEventId : '0-0';
}

export interface FollowDeps {
  queue: SubmissionQueue;
  live: LiveChannel;
}

/** Resolves with the done snapshot, waiting in rounds until the run is done or `signal` aborts. */
async function whenDone(queue: SubmissionQueue, runId: string, signal: AbortSignal): Promise<RunSnapshot | undefined> {
  while (!signal.aborted) {
    const snapshot = await queue.waitForResult(runId, DONE_WAIT_MS);
    if (snapshot === undefined || snapshot.state === 'done') return snapshot;
    // A wait can end early (the API is shutting down and waits no longer block): never spin.
    await new Promise((resolve) => setTimeout(resolve, READ_BLOCK_MS));
  }
  return undefined;
}

/**
 * The events of run `runId` from stream position `afterId`. Throws SBX_ERR_RUN_UNKNOWN before
 * the first event when no such run exists. Stops early when `signal` aborts (the client left).
 */
export async function* followRun(deps: FollowDeps, runId: string, afterId: string, signal: AbortSignal): AsyncGenerator<RunEvent> {
  const first = await deps.queue.get(runId);
  if (first === undefined) throw new BulkheadError('SBX_ERR_RUN_UNKNOWN', 'No run has this id (it never existed or its result expired)');
  yield { type: 'state', data: { state: first.state } };
  const reader = deps.live.reader();
  const stop = (): void => reader.close();
  signal.addEventListener('abort', stop, { once: true });
  let final: RunSnapshot | undefined = first.state === 'done' ? first : undefined;
  let queueDone = false;
  let queueFailure: unknown;
  const done =
    final === undefined
      ? whenDone(deps.queue, runId, signal).then(
          (s) => {
            final = s;
            queueDone = true;
          },
          // Handled here, at once: the loop below may sit in a blocked read (or the client may have
          // left) when the queue fails, and an unhandled rejection would end the whole API process.
          // The failure is not lost: with `final` unset, the read after the loop asks the queue
          // again, and a follower whose run is not done by then gets this failure.
          (err: unknown) => {
            queueFailure = err;
            queueDone = true;
          },
        )
      : undefined;
  try {
    let position = afterId;
    let over = final !== undefined;
    for (;;) {
      const entries = await reader.read(runId, position, over ? 0 : READ_BLOCK_MS);
      let sawEnd = false;
      for (const entry of entries) {
        position = entry.id;
        if (entry.type === 'end') sawEnd = true;
        else if (entry.type === 'state') yield { id: entry.id, type: 'state', data: entry.data as { state: 'running' } };
        else if (entry.type === 'stage' || entry.type === 'stdout' || entry.type === 'stderr') {
          yield { id: entry.id, type: entry.type, data: entry.data as Record<string, unknown> };
        }
      }
      if (over && entries.length === 0) break;
      over ||= sawEnd || queueDone;
    }
    if (final === undefined) {
      await done;
      final ??= await deps.queue.get(runId);
    }
    if (final !== undefined && final.state === 'done') yield { id: RESULT_EVENT_ID, type: 'result', data: toRunResponse(runId, final) };
    // Never a quiet end without a result: the client learns why and may resume from its last id.
    else if (queueFailure !== undefined) throw queueFailure;
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    signal.removeEventListener('abort', stop);
    reader.close();
  }
}
