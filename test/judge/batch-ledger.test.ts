/**
 * The worker's batch ledger against a real Redis: one atomic script per finished run, counted once
 * however often the same job is recorded, members of an older generation ignored, the batch
 * finished exactly once, and webhooks enqueued under stable delivery ids.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisJudgeStore } from '../../api/queue/redis-judge-store.js';
import { batchKeys, type BatchRunSummary, type WebhookJob } from '../../worker/contract/batch.js';
import { createBatchLedger } from '../../worker/judge/batch-ledger.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
let client: Redis;
let store: RedisJudgeStore;
let outbox: { job: WebhookJob; deliveryId: string }[];

const summary = (runId: string, status: BatchRunSummary['status']): BatchRunSummary => ({ externalId: `x-${runId}`, runId, status, passed: 1, total: 1, finishedAt: 't' });

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  store = new RedisJudgeStore(client, (_what, operation) => operation());
});
afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});
beforeEach(() => {
  outbox = [];
});

function ledger() {
  return createBatchLedger(client, async (job, deliveryId) => {
    outbox.push({ job, deliveryId });
  });
}

async function newBatch(id: string, runIds: string[], webhook = true): Promise<void> {
  const members = runIds.map((runId) => ({ runId, externalId: `x-${runId}` }));
  await store.createBatch(
    { id, createdAt: 'c', testsetId: 't', members, templates: runIds.map(() => '{}'), ...(webhook ? { webhook: { url: 'http://127.0.0.1/h', secret: 's' } } : {}) },
    600,
  );
}

describe('batch ledger', () => {
  it('counts each run once, however often it is recorded, and finishes the batch exactly once', async () => {
    await newBatch('b1', ['r1', 'r2']);
    const l = ledger();
    await l.record('b1', summary('r1', 'OK'));
    await l.record('b1', summary('r1', 'WRONG_ANSWER'));
    expect(await store.getBatch('b1')).toMatchObject({ done: 1, total: 2, counts: { OK: 1 } });
    await Promise.all([l.record('b1', summary('r2', 'TIME_LIMIT')), l.record('b1', summary('r2', 'TIME_LIMIT'))]);
    const state = await store.getBatch('b1');
    expect(state).toMatchObject({ done: 2, counts: { OK: 1, TIME_LIMIT: 1 }, finishedAt: expect.any(String) });
    const rows = await store.batchRows('b1', 0, 10);
    expect(rows.map((r) => r.summary?.status)).toEqual(['OK', 'TIME_LIMIT']);

    const ids = outbox.map((o) => o.deliveryId);
    expect(ids.filter((id) => id === 'run.finished-r1')).toHaveLength(2);
    expect(outbox.find((o) => o.deliveryId === 'run.finished-r1')?.job.event).toMatchObject({ event: 'run.finished', status: 'OK' });
    expect(new Set(ids.filter((id) => id.startsWith('batch.finished-')))).toEqual(new Set(['batch.finished-b1-1']));
    const finished = outbox.find((o) => o.deliveryId === 'batch.finished-b1-1')?.job.event;
    expect(finished).toMatchObject({ event: 'batch.finished', total: 2, done: 2, counts: { OK: 1, TIME_LIMIT: 1 } });
    expect(await client.pttl('bulkhead:batch:b1:results')).toBeGreaterThan(0);
  });

  it('ignores runs of an older generation after a rejudge, and finishes the new one under its own delivery id', async () => {
    await newBatch('b2', ['old']);
    const l = ledger();
    expect(await store.rejudgeBatch('b2', [{ runId: 'new', externalId: 'x-new' }], 600)).toBe(2);
    await l.record('b2', summary('old', 'OK'));
    expect(await store.getBatch('b2')).toMatchObject({ done: 0, generation: 2, counts: {} });
    await l.record('b2', summary('new', 'RUNTIME_ERROR'));
    expect(await store.getBatch('b2')).toMatchObject({ done: 1, total: 1, counts: { RUNTIME_ERROR: 1 } });
    expect(outbox.map((o) => o.deliveryId)).toEqual(['run.finished-new', 'batch.finished-b2-2']);
  });

  it('reports nothing for the runs of a deleted batch (one whose submission failed)', async () => {
    await newBatch('b5', ['r5']);
    await store.deleteBatch('b5');
    for (const key of Object.values(batchKeys('b5'))) expect(await client.exists(key), key).toBe(0);
    await ledger().record('b5', summary('r5', 'OK'));
    expect(outbox).toEqual([]);
    expect(await store.getBatch('b5')).toBeUndefined();
  });

  it('enqueues no webhook for a batch without one, and ignores unknown batches', async () => {
    await newBatch('b3', ['r'], false);
    await ledger().record('b3', summary('r', 'OK'));
    await ledger().record('nope', summary('r', 'OK'));
    expect(outbox).toEqual([]);
    expect(await store.getBatch('b3')).toMatchObject({ done: 1 });
  });

  it('writes a batch larger than one script slice in order, with every key under its TTL, and resets it for a rejudge', async () => {
    const runIds = Array.from({ length: 1234 }, (_, i) => `big-${i}`);
    await newBatch('b4', runIds);
    const keys = batchKeys('b4');
    expect(await client.lrange(keys.runs, 0, -1)).toEqual(runIds);
    expect(await client.hget(keys.members, 'big-1233')).toBe('x-big-1233');
    expect(await client.llen(keys.submissions)).toBe(1234);
    for (const key of [keys.meta, keys.runs, keys.members, keys.submissions]) expect(await client.ttl(key)).toBeGreaterThan(590);
    expect(await client.hgetall(keys.meta)).toMatchObject({ total: '1234', done: '0', generation: '1', webhookUrl: 'http://127.0.0.1/h', webhookSecret: 's' });

    const l = ledger();
    await l.record('b4', summary('big-0', 'OK'));
    await client.hset(keys.meta, 'finishedAt', 'then');
    expect(await store.rejudgeBatch('b4', [{ runId: 'again', externalId: 'x-again' }], 300)).toBe(2);
    const meta = await client.hgetall(keys.meta);
    expect(meta).toMatchObject({ total: '1', done: '0', generation: '2' });
    expect(Object.keys(meta).filter((field) => field.startsWith('count:') || field === 'finishedAt')).toEqual([]);
    expect(await client.lrange(keys.runs, 0, -1)).toEqual(['again']);
    expect(await client.exists(keys.results)).toBe(0);
    expect(await client.ttl(keys.submissions)).toBeLessThanOrEqual(300);
    expect(await store.rejudgeBatch('never-made', [], 300)).toBeUndefined();
    expect(await client.exists(batchKeys('never-made').meta)).toBe(0);
  });
});
