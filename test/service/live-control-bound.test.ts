/**
 * The live control stream over a real Redis (api/queue/redis-live-channel.ts): it is never
 * trimmed, so stdin a worker has not read yet cannot be dropped, and the message past
 * LIVE_CONTROL_MAX_MESSAGES is refused with SBX_ERR_LIVE_STDIN_TOO_LARGE instead.
 */
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLiveChannel } from '../../api/queue/redis-live-channel.js';
import { redisConnectionFromUrl } from '../../api/queue/redis-options.js';
import { BulkheadError } from '../../worker/contract/errors.js';
import { LIVE_CONTROL_MAX_MESSAGES, liveControlKey } from '../../worker/contract/live.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
let channel: RedisLiveChannel;
let client: Redis;

describe('live control stream bound', () => {
  beforeAll(async () => {
    redis = await startRedis();
    channel = new RedisLiveChannel({ connection: redisConnectionFromUrl(redis.url), resultTtlS: 60, redisTimeoutMs: 5000, log: pino({ level: 'silent' }) });
    client = new Redis(redis.url);
    // The channel's connection fails fast while it connects (no offline queue): wait until it writes.
    const end = Date.now() + 10_000;
    for (;;) {
      try {
        await channel.control('warm-up', 'eof', {});
        break;
      } catch (err) {
        if (Date.now() > end) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });
  afterAll(async () => {
    client?.disconnect();
    await channel?.close();
    await redis?.stop();
  });

  it('keeps every message up to the bound and refuses the one past it', async () => {
    const runId = 'bound-run';
    // Sent as fast as a client could, before any worker reads: all of them must stay.
    for (let i = 0; i < LIVE_CONTROL_MAX_MESSAGES; i += 256) {
      await Promise.all(Array.from({ length: 256 }, (_, j) => channel.control(runId, 'stdin', { data: Buffer.from(`${i + j}\n`).toString('base64') })));
    }
    const refused = await channel.control(runId, 'stdin', { data: 'eA==' }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(BulkheadError);
    expect((refused as BulkheadError).code).toBe('SBX_ERR_LIVE_STDIN_TOO_LARGE');
    // One eof still closes the run's stdin; a second is refused like any message past the bound.
    await channel.control(runId, 'eof', {});
    expect(await channel.control(runId, 'eof', {}).catch((err: unknown) => (err as BulkheadError).code)).toBe('SBX_ERR_LIVE_STDIN_TOO_LARGE');
    const entries = (await client.xrange(liveControlKey(runId), '-', '+')) as [string, string[]][];
    expect(entries).toHaveLength(LIVE_CONTROL_MAX_MESSAGES + 1);
    expect(entries.slice(0, -1).every(([, fields]) => fields[1] === 'stdin')).toBe(true);
    expect(entries.at(-1)?.[1][1]).toBe('eof');
    const ttl = await client.ttl(liveControlKey(runId));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });
});
