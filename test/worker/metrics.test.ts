import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_KEY, runsTotalField, stageBinField, stageCountField, stageSumField } from '../../worker/contract/metrics.js';
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

/** Script calls so far (INFO commandstats). */
async function evalCalls(): Promise<number> {
  return Number(/cmdstat_eval:calls=(\d+)/.exec(await client.info('commandstats'))?.[1] ?? 0);
}

describe('RedisMetrics (real Redis)', () => {
  it('sums many runs in memory and writes them in one command after the interval, one bin per duration', async () => {
    await client.del(METRICS_KEY);
    const metrics = new RedisMetrics(client, silentLog, 100);
    for (let i = 0; i < 50; i++) {
      metrics.recordStageMs('run', 7);
      metrics.recordRun('python', 'OK');
    }
    metrics.recordStageMs('run', 10);
    metrics.recordStageMs('run', 40_000);
    // Not counted (and logged), so it cannot fail the flush that carries the rest.
    metrics.recordStageMs('run', Number.NaN);
    expect(await client.exists(METRICS_KEY)).toBe(0);
    const evalsBefore = await evalCalls();
    // Read last: a read of the stats is a command too.
    const before = Number(/total_commands_processed:(\d+)/.exec(await client.info('stats'))?.[1]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // One script call; Redis also counts the five writes it makes (the 10 and +Inf bins, count,
    // runs_total, sum): one per field, where cumulative buckets would need one per bucket.
    expect(await commandsSince(before)).toBe(6);
    expect((await evalCalls()) - evalsBefore).toBe(1);
    expect(await client.hget(METRICS_KEY, runsTotalField('python', 'OK'))).toBe('50');
    expect(await client.hget(METRICS_KEY, stageCountField('run'))).toBe('52');
    // A duration on a bound falls in that bound's bin; past the last bound, in +Inf.
    expect(await client.hget(METRICS_KEY, stageBinField('run', 5))).toBeNull();
    expect(await client.hget(METRICS_KEY, stageBinField('run', 10))).toBe('51');
    expect(await client.hget(METRICS_KEY, stageBinField('run', 25))).toBeNull();
    expect(await client.hget(METRICS_KEY, stageBinField('run', '+Inf'))).toBe('1');
    expect(Number(await client.hget(METRICS_KEY, stageSumField('run')))).toBe(40_360);
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
