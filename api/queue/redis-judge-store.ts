import type { Redis } from 'ioredis';
import { Value } from 'typebox/value';
import { BatchRunSummarySchema, batchCountField, batchKeys, type BatchRunSummary } from '../../worker/contract/batch.js';
import { STATUSES } from '../../worker/contract/result.js';
import { runWebhookKey } from '../../worker/contract/run-webhook.js';
import { TestsetManifestSchema, blobKey, testsetKey, type TestsetManifest } from '../../worker/contract/testset.js';
import type { BatchMember, BatchRow, BatchState, JudgeStore, NewBatch } from '../judging/judge-store.js';

/** Runs one Redis operation within the adapter's bound, mapping failures to SBX_ERR_QUEUE_UNAVAILABLE. */
export type Guarded = <T>(what: string, operation: () => Promise<T>) => Promise<T>;

/** Blobs written per round trip when storing a test set (bounds one pipeline's size). */
const BLOBS_PER_ROUND_TRIP = 16;

/**
 * JudgeStore over the API's Redis connection (shared with BullmqSubmissionQueue, which passes its
 * own `guarded`). Layouts: worker/contract/testset.ts and worker/contract/batch.ts.
 */
export class RedisJudgeStore implements JudgeStore {
  async saveRunWebhook(runId: string, webhook: { url: string; secret?: string }, ttlS: number): Promise<void> {
    const key = runWebhookKey(runId);
    const fields = webhook.secret === undefined ? { url: webhook.url } : { url: webhook.url, secret: webhook.secret };
    await this.guarded('saveRunWebhook', () => this.client.multi().hset(key, fields).expire(key, ttlS).exec());
  }

  constructor(
    private readonly client: Redis,
    private readonly guarded: Guarded,
  ) {}

  async saveTestset(manifest: TestsetManifest, blobs: ReadonlyMap<string, Buffer>, ttlS: number): Promise<TestsetManifest> {
    const refs = [...blobs.keys()];
    for (let i = 0; i < refs.length; i += BLOBS_PER_ROUND_TRIP) {
      const chunk = refs.slice(i, i + BLOBS_PER_ROUND_TRIP);
      await this.guarded('saveBlobs', async () => {
        // Skip sending bytes Redis already has (identical content stored once); refresh every TTL.
        const present = await this.client.pipeline(chunk.map((ref) => ['exists', blobKey(ref)])).exec();
        const write = this.client.pipeline();
        chunk.forEach((ref, index) => {
          const key = blobKey(ref);
          if (present?.[index]?.[1] !== 1) write.set(key, blobs.get(ref) ?? Buffer.alloc(0), 'EX', ttlS, 'NX');
          write.expire(key, ttlS);
        });
        await write.exec();
      });
    }
    const key = testsetKey(manifest.id);
    const stored = await this.guarded('saveTestset', async () => {
      const [, , get] = (await this.client.multi().set(key, JSON.stringify(manifest), 'EX', ttlS, 'NX').expire(key, ttlS).get(key).exec()) ?? [];
      return get?.[1];
    });
    return parseManifest(stored) ?? manifest;
  }

  async getTestset(id: string, refreshTtlS?: number): Promise<TestsetManifest | undefined> {
    const manifest = parseManifest(await this.guarded('getTestset', () => this.client.get(testsetKey(id))));
    if (manifest === undefined || refreshTtlS === undefined) return manifest;
    const refs = new Set(manifest.tests.flatMap((t) => (t.expectedRef === undefined ? [t.stdinRef] : [t.stdinRef, t.expectedRef])));
    await this.guarded('touchTestset', () =>
      this.client.pipeline([['expire', testsetKey(id), refreshTtlS], ...[...refs].map((ref) => ['expire', blobKey(ref), refreshTtlS])]).exec(),
    );
    return manifest;
  }

  async deleteTestset(id: string): Promise<boolean> {
    return (await this.guarded('deleteTestset', () => this.client.del(testsetKey(id)))) === 1;
  }

  async createBatch(batch: NewBatch, ttlS: number): Promise<void> {
    const keys = batchKeys(batch.id);
    const meta: Record<string, string> = { total: String(batch.members.length), done: '0', generation: '1', createdAt: batch.createdAt, testsetId: batch.testsetId };
    if (batch.webhook !== undefined) {
      meta.webhookUrl = batch.webhook.url;
      if (batch.webhook.secret !== undefined) meta.webhookSecret = batch.webhook.secret;
    }
    await this.guarded('createBatch', async () => {
      const multi = this.client.multi().hset(keys.meta, meta);
      addMembers(multi, keys, batch.members);
      if (batch.templates.length > 0) multi.rpush(keys.submissions, ...batch.templates);
      for (const key of [keys.meta, keys.runs, keys.members, keys.submissions]) multi.expire(key, ttlS);
      await multi.exec();
    });
  }

  async getBatch(id: string): Promise<BatchState | undefined> {
    const meta = await this.guarded('getBatch', () => this.client.hgetall(batchKeys(id).meta));
    if (meta.total === undefined) return undefined;
    const counts: Record<string, number> = {};
    for (const status of STATUSES) {
      const n = Number(meta[batchCountField(status)] ?? 0);
      if (n > 0) counts[status] = n;
    }
    const state: BatchState = {
      id,
      total: Number(meta.total),
      done: Number(meta.done ?? 0),
      generation: Number(meta.generation ?? 1),
      createdAt: meta.createdAt ?? '',
      testsetId: meta.testsetId ?? '',
      counts,
      hasWebhook: (meta.webhookUrl ?? '') !== '',
    };
    if (meta.finishedAt !== undefined) state.finishedAt = meta.finishedAt;
    return state;
  }

  async batchRows(id: string, offset: number, limit: number): Promise<BatchRow[]> {
    const keys = batchKeys(id);
    return this.guarded('batchRows', async () => {
      const runIds = await this.client.lrange(keys.runs, offset, offset + limit - 1);
      if (runIds.length === 0) return [];
      const [externalIds, summaries] = await Promise.all([this.client.hmget(keys.members, ...runIds), this.client.hmget(keys.results, ...runIds)]);
      return runIds.map((runId, index) => {
        const row: BatchRow = { runId, externalId: externalIds[index] ?? '' };
        const summary = parseSummary(summaries[index] ?? null);
        if (summary !== undefined) row.summary = summary;
        return row;
      });
    });
  }

  async batchTemplates(id: string): Promise<string[]> {
    return this.guarded('batchTemplates', () => this.client.lrange(batchKeys(id).submissions, 0, -1));
  }

  async rejudgeBatch(id: string, members: readonly BatchMember[], ttlS: number): Promise<boolean> {
    const keys = batchKeys(id);
    return this.guarded('rejudgeBatch', async () => {
      if ((await this.client.exists(keys.meta)) === 0) return false;
      // One transaction: a worker finishing an old-generation run sees either the old members
      // (and counts into the old generation, then wiped here) or the new ones (and is ignored).
      const multi = this.client.multi().del(keys.runs, keys.members, keys.results);
      multi.hdel(keys.meta, 'finishedAt', ...STATUSES.map(batchCountField));
      multi.hset(keys.meta, { done: '0', total: String(members.length) }).hincrby(keys.meta, 'generation', 1);
      addMembers(multi, keys, members);
      for (const key of [keys.meta, keys.runs, keys.members, keys.submissions]) multi.expire(key, ttlS);
      await multi.exec();
      return true;
    });
  }
}

function addMembers(multi: ReturnType<Redis['multi']>, keys: ReturnType<typeof batchKeys>, members: readonly BatchMember[]): void {
  if (members.length === 0) return;
  multi.rpush(keys.runs, ...members.map((m) => m.runId));
  multi.hset(keys.members, Object.fromEntries(members.map((m) => [m.runId, m.externalId])));
}

function parseManifest(raw: unknown): TestsetManifest | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return Value.Check(TestsetManifestSchema, value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function parseSummary(raw: string | null): BatchRunSummary | undefined {
  if (raw === null) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return Value.Check(BatchRunSummarySchema, value) ? value : undefined;
  } catch {
    return undefined;
  }
}
