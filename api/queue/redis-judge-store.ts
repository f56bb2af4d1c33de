import type { Redis } from 'ioredis';
import { Value } from 'typebox/value';
import { BatchRunSummarySchema, batchKeys, type BatchRunSummary } from '../../worker/contract/batch.js';
import { countsOf, createBatchCall, rejudgeBatchCall, type BatchScriptCall } from '../../worker/contract/batch-state.js';
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
    await this.guarded('createBatch', () => this.eval(createBatchCall(batch, ttlS)));
  }

  async getBatch(id: string): Promise<BatchState | undefined> {
    const meta = await this.guarded('getBatch', () => this.client.hgetall(batchKeys(id).meta));
    if (meta.total === undefined) return undefined;
    const state: BatchState = {
      id,
      total: Number(meta.total),
      done: Number(meta.done ?? 0),
      generation: Number(meta.generation ?? 1),
      createdAt: meta.createdAt ?? '',
      testsetId: meta.testsetId ?? '',
      counts: countsOf(meta),
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

  async deleteBatch(id: string): Promise<void> {
    await this.guarded('deleteBatch', () => this.client.del(...Object.values(batchKeys(id))));
  }

  async rejudgeBatch(id: string, members: readonly BatchMember[], ttlS: number): Promise<number | undefined> {
    const generation = Number(await this.guarded('rejudgeBatch', () => this.eval(rejudgeBatchCall(id, members, ttlS))));
    return generation > 0 ? generation : undefined;
  }

  /** Runs one of the batch writes of worker/contract/batch-state.ts (their only writer). */
  private async eval(call: BatchScriptCall): Promise<unknown> {
    return this.client.eval(call.script, call.keys.length, ...call.keys, ...call.args);
  }
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
