/**
 * LiveChannel over Redis Streams (keys and bounds: worker/contract/live.ts). Control writes share
 * one fail-fast connection; each reader gets its own, because a blocked XREAD holds its connection
 * (one per SSE or WebSocket client while it follows a run, released when it stops).
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { BulkheadError } from '../../worker/contract/errors.js';
import { LIVE_CONTROL_MAX_MESSAGES, liveControlKey, liveEventsKey, type LiveControlPayloads, type LiveControlType } from '../../worker/contract/live.js';
import type { LiveChannel, LiveEntry, LiveReader } from '../plugins/live-channel.js';

/**
 * Appends one control message unless the run already has LIVE_CONTROL_MAX_MESSAGES (returns 0
 * then), and renews the stream's expiry. Counted and appended in one script, so concurrent
 * clients of one run cannot pass the bound together; never trimmed (see worker/contract/live.ts).
 */
const APPEND_CONTROL = `
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('XADD', KEYS[1], '*', 'type', ARGV[2], 'data', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1`;

/** Entries returned by one read at most. */
const READ_BATCH = 512;

export interface RedisLiveChannelOptions {
  connection: RedisOptions;
  /** Expiry of the control stream, renewed on each write: the result TTL, seconds. */
  resultTtlS: number;
  redisTimeoutMs: number;
  log: Logger;
}

type XReadReply = [string, [string, string[]][]][] | null;

function parseEntries(reply: XReadReply): LiveEntry[] {
  const out: LiveEntry[] = [];
  for (const [, entries] of reply ?? []) {
    for (const [id, fields] of entries) {
      let data: unknown = {};
      try {
        data = JSON.parse(fields[3] ?? '{}');
      } catch {
        // A malformed entry is passed on empty rather than ending the client's stream.
      }
      out.push({ id, type: fields[1] ?? '', data });
    }
  }
  return out;
}

export class RedisLiveChannel implements LiveChannel {
  private readonly client: Redis;
  private readonly readers = new Set<Redis>();

  constructor(private readonly opts: RedisLiveChannelOptions) {
    this.client = new Redis({ ...opts.connection, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: opts.redisTimeoutMs });
    this.client.on('error', (err: Error) => opts.log.warn({ err: err.message }, 'redis live connection error'));
  }

  reader(): LiveReader {
    const conn = new Redis({ ...this.opts.connection, maxRetriesPerRequest: null, lazyConnect: false });
    conn.on('error', (err: Error) => this.opts.log.debug({ err: err.message }, 'redis live reader error'));
    this.readers.add(conn);
    const close = (): void => {
      if (this.readers.delete(conn)) conn.disconnect();
    };
    return {
      read: async (runId, afterId, blockMs) => {
        const key = liveEventsKey(runId);
        const reply = (
          blockMs > 0 ? await conn.xread('COUNT', READ_BATCH, 'BLOCK', blockMs, 'STREAMS', key, afterId) : await conn.xread('COUNT', READ_BATCH, 'STREAMS', key, afterId)
        ) as XReadReply;
        return parseEntries(reply);
      },
      close,
    };
  }

  async control<T extends LiveControlType>(runId: string, type: T, payload: LiveControlPayloads[T]): Promise<void> {
    let appended: unknown;
    try {
      // One place past the bound is kept for `eof`: a client refused at the bound, or gone, still
      // closes the run's stdin, so the run ends now rather than at its wall limit.
      const bound = type === 'eof' ? LIVE_CONTROL_MAX_MESSAGES + 1 : LIVE_CONTROL_MAX_MESSAGES;
      appended = await this.client.eval(APPEND_CONTROL, 1, liveControlKey(runId), bound, type, JSON.stringify(payload), this.opts.resultTtlS);
    } catch (cause) {
      throw new BulkheadError('SBX_ERR_QUEUE_UNAVAILABLE', 'The queue (Redis) cannot be reached or refuses writes; retry later', { cause });
    }
    if (appended !== 1) {
      throw new BulkheadError(
        'SBX_ERR_LIVE_STDIN_TOO_LARGE',
        `A live run takes at most ${LIVE_CONTROL_MAX_MESSAGES} stdin and signal messages; send stdin in fewer, larger messages`,
        {
          details: { maximumMessages: LIVE_CONTROL_MAX_MESSAGES },
        },
      );
    }
  }

  async close(): Promise<void> {
    for (const conn of this.readers) conn.disconnect();
    this.readers.clear();
    await this.client.quit().catch(() => undefined);
  }
}
