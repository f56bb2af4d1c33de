/**
 * Per-test Redis and queue for the worker tests (kept apart from ./helpers.ts, which the spawned
 * worker fixture imports: this file imports vitest, which only loads inside a test run).
 */
import type { Queue } from 'bullmq';
import { afterEach, beforeEach } from 'vitest';
import { startRedis, uniqueQueueName, type TestRedis } from '../helpers/redis.js';
import { makeQueue } from './helpers.js';

/** What each test of a file gets from {@link redisAndQueuePerTest}. */
export interface PerTestQueue {
  redis: TestRedis;
  queue: Queue;
  queueName: string;
}

/**
 * A fresh Redis and a uniquely named queue for every test (BullMQ's own test pattern), handed to
 * `use` before the test; after it, `cleanup` runs first (workers still hold connections), then
 * the queue and Redis are closed.
 */
export function redisAndQueuePerTest(use: (made: PerTestQueue) => void, cleanup: () => Promise<unknown> | void = () => undefined): void {
  let made: PerTestQueue | undefined;
  beforeEach(async () => {
    const redis = await startRedis();
    const queueName = uniqueQueueName();
    made = { redis, queue: makeQueue(redis.url, queueName), queueName };
    use(made);
  });
  afterEach(async () => {
    await cleanup();
    await made?.queue.close();
    await made?.redis.stop();
  });
}
