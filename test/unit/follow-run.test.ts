/**
 * followRun when the queue fails while a follower waits: the failure reaches that follower as
 * SBX_ERR_QUEUE_UNAVAILABLE after the events read so far, and never as an unhandled rejection
 * (which ends the API process). The ports are stand-ins: a queue whose waits fail as the Redis
 * adapter's do when Redis is out of reach, and an events stream that holds one stdout entry.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BulkheadError } from '../../worker/contract/errors.js';
import { followRun, type FollowDeps, type RunEvent } from '../../api/live/follow-run.js';
import type { LiveEntry } from '../../api/plugins/live-channel.js';

const unavailable = (): BulkheadError => new BulkheadError('SBX_ERR_QUEUE_UNAVAILABLE', 'The queue (Redis) cannot be reached');

function deps(getAnswers: Array<'queued' | 'fail'>): FollowDeps {
  const entries: LiveEntry[] = [{ id: '1-0', type: 'stdout', data: { data: 'hi\n' } }];
  return {
    queue: {
      get: async () => {
        if (getAnswers.shift() === 'fail') throw unavailable();
        return { state: 'queued', language: 'bash' };
      },
      waitForResult: async () => {
        throw unavailable();
      },
    } as unknown as FollowDeps['queue'],
    live: {
      reader: () => ({
        read: async (_runId: string, afterId: string, blockMs: number) => {
          const next = entries.filter((e) => e.id > afterId);
          if (next.length === 0) await new Promise((resolve) => setTimeout(resolve, Math.min(blockMs, 50)));
          return next;
        },
        close: () => undefined,
      }),
    } as unknown as FollowDeps['live'],
  };
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
afterEach(() => {
  expect(unhandled).toEqual([]);
});

describe('following a run when the queue fails', () => {
  it('yields what the stream holds, then throws SBX_ERR_QUEUE_UNAVAILABLE, with no unhandled rejection', async () => {
    const seen: RunEvent[] = [];
    const follow = followRun(deps(['queued', 'fail']), 'r1', '0-0', new AbortController().signal);
    const failure = await (async () => {
      for await (const event of follow) seen.push(event);
    })().catch((err: unknown) => err);
    expect(seen.map((e) => e.type)).toEqual(['state', 'stdout']);
    expect(failure).toBeInstanceOf(BulkheadError);
    expect((failure as BulkheadError).code).toBe('SBX_ERR_QUEUE_UNAVAILABLE');
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('throws the failure when the queue answers again but the run is not done yet, never ending without a result', async () => {
    const follow = followRun(deps(['queued', 'queued']), 'r1', '0-0', new AbortController().signal);
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const event of follow) seen.push(event.type);
    })().catch((err: unknown) => err);
    expect(seen).toEqual(['state', 'stdout']);
    expect((failure as BulkheadError).code).toBe('SBX_ERR_QUEUE_UNAVAILABLE');
  });

  it('leaves no unhandled rejection when the follower leaves before the queue fails', async () => {
    const follow = followRun(deps(['queued', 'queued']), 'r1', '0-0', new AbortController().signal);
    expect((await follow.next()).value).toMatchObject({ type: 'state' });
    await follow.return(undefined);
    // The queue's wait rejects on the next turns; give it time to.
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
});
