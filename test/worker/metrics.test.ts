import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_KEY, runsTotalField, stageBucketField, stageCountField, stageSumField } from '../../worker/contract/metrics.js';
import { RedisMetrics } from '../../worker/metrics.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { silentLog } from './helpers.js';

let redis: TestRedis;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});
afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

async function commandsSince(before: number): Promise<number> {
  const info = await client.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1]) - before - 1;
}

describe('RedisMetrics (real Redis)', () => {
  it('sums many runs in memory and writes them in one pipeline after the interval', async () => {
    await client.del(METRICS_KEY);
    const metrics = new RedisMetrics(client, silentLog, 100);
    for (let i = 0; i < 50; i++) {
      metrics.recordStageMs('run', 7);
      metrics.recordRun('python', 'OK');
    }
    expect(await client.exists(METRICS_KEY)).toBe(0);
    const before = Number(/total_commands_processed:(\d+)/.exec(await client.info('stats'))?.[1]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // One HINCRBY per field (11 buckets from le=10 up, +Inf, count, runs_total) and one HINCRBYFLOAT (sum).
    expect(await commandsSince(before)).toBeLessThanOrEqual(16);
    expect(await client.hget(METRICS_KEY, runsTotalField('python', 'OK'))).toBe('50');
    expect(await client.hget(METRICS_KEY, stageCountField('run'))).toBe('50');
    expect(await client.hget(METRICS_KEY, stageBucketField('run', 5))).toBeNull();
    expect(await client.hget(METRICS_KEY, stageBucketField('run', 10))).toBe('50');
    expect(await client.hget(METRICS_KEY, stageBucketField('run', '+Inf'))).toBe('50');
    expect(Number(await client.hget(METRICS_KEY, stageSumField('run')))).toBe(350);
  });

  it('writes what is recorded at once on flush, adding to the counts already in Redis', async () => {
    await client.del(METRICS_KEY);
    await client.hset(METRICS_KEY, runsTotalField('bash', 'OK'), '3');
    const metrics = new RedisMetrics(client, silentLog, 60_000);
    metrics.recordRun('bash', 'OK');
    metrics.recordRun('bash', 'OK');
    await metrics.flush();
    expect(await client.hget(METRICS_KEY, runsTotalField('bash', 'OK'))).toBe('5');
    await metrics.flush();
    expect(await client.hget(METRICS_KEY, runsTotalField('bash', 'OK'))).toBe('5');
  });
});
