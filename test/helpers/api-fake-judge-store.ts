import { batchCountField, type BatchRunSummary } from '../../worker/contract/batch.js';
import { countsOf } from '../../worker/contract/batch-state.js';
import type { TestsetManifest } from '../../worker/contract/testset.js';
import type { BatchMember, BatchRow, BatchState, JudgeStore, NewBatch } from '../../api/judging/judge-store.js';

interface FakeBatch {
  batch: NewBatch;
  members: BatchMember[];
  generation: number;
  results: Map<string, BatchRunSummary>;
  finishedAt?: string;
}

/**
 * In-memory JudgeStore for API tests. `record` plays the worker's part: it counts a member's
 * summary the way the batch ledger does. Given a queue, it is down whenever that queue's Redis is
 * (in production both ports share one Redis).
 */
export class FakeJudgeStore implements JudgeStore {
  readonly runWebhooks = new Map<string, { url: string; secret?: string }>();
  readonly blobs = new Map<string, Buffer>();
  readonly testsets = new Map<string, TestsetManifest>();
  readonly batches = new Map<string, FakeBatch>();
  /** TTLs given per key (last one wins), to check refreshes. */
  readonly ttls = new Map<string, number>();

  constructor(private readonly redis?: { check(): void }) {}

  private check(): void {
    this.redis?.check();
  }

  async saveTestset(manifest: TestsetManifest, blobs: ReadonlyMap<string, Buffer>, ttlS: number): Promise<TestsetManifest> {
    this.check();
    for (const [ref, blob] of blobs) {
      if (!this.blobs.has(ref)) this.blobs.set(ref, blob);
      this.ttls.set(`blob:${ref}`, ttlS);
    }
    if (!this.testsets.has(manifest.id)) this.testsets.set(manifest.id, manifest);
    this.ttls.set(`testset:${manifest.id}`, ttlS);
    return this.testsets.get(manifest.id) ?? manifest;
  }

  async getTestset(id: string, refreshTtlS?: number): Promise<TestsetManifest | undefined> {
    this.check();
    const manifest = this.testsets.get(id);
    if (manifest !== undefined && refreshTtlS !== undefined) this.ttls.set(`testset:${id}`, refreshTtlS);
    return manifest;
  }

  async deleteTestset(id: string): Promise<boolean> {
    this.check();
    return this.testsets.delete(id);
  }

  async createBatch(batch: NewBatch, _ttlS: number): Promise<void> {
    this.check();
    this.batches.set(batch.id, { batch, members: [...batch.members], generation: 1, results: new Map() });
  }

  async getBatch(id: string): Promise<BatchState | undefined> {
    this.check();
    const b = this.batches.get(id);
    if (b === undefined) return undefined;
    // The hash's `count:<STATUS>` fields, read as the Redis adapter reads them.
    const countFields: Record<string, string> = {};
    for (const { status } of b.results.values()) countFields[batchCountField(status)] = String(Number(countFields[batchCountField(status)] ?? 0) + 1);
    const state: BatchState = {
      id,
      total: b.members.length,
      done: b.results.size,
      generation: b.generation,
      createdAt: b.batch.createdAt,
      testsetId: b.batch.testsetId,
      counts: countsOf(countFields),
      hasWebhook: b.batch.webhook !== undefined,
    };
    if (b.finishedAt !== undefined) state.finishedAt = b.finishedAt;
    return state;
  }

  async batchRows(id: string, offset: number, limit: number): Promise<BatchRow[]> {
    this.check();
    const b = this.batches.get(id);
    if (b === undefined) return [];
    return b.members.slice(offset, offset + limit).map((m) => {
      const summary = b.results.get(m.runId);
      return summary === undefined ? { ...m } : { ...m, summary };
    });
  }

  async batchTemplates(id: string): Promise<string[]> {
    this.check();
    return [...(this.batches.get(id)?.batch.templates ?? [])];
  }

  async deleteBatch(id: string): Promise<void> {
    this.check();
    this.batches.delete(id);
  }

  async rejudgeBatch(id: string, members: readonly BatchMember[], _ttlS: number): Promise<number | undefined> {
    this.check();
    const b = this.batches.get(id);
    if (b === undefined) return undefined;
    b.members = [...members];
    b.generation++;
    b.results.clear();
    delete b.finishedAt;
    return b.generation;
  }

  /** The worker's part: counts one member's summary (ignored for non-members and repeats). */
  record(batchId: string, summary: BatchRunSummary): void {
    const b = this.batches.get(batchId);
    if (b === undefined || !b.members.some((m) => m.runId === summary.runId) || b.results.has(summary.runId)) return;
    b.results.set(summary.runId, summary);
    if (b.results.size === b.members.length) b.finishedAt = summary.finishedAt;
  }

  async saveRunWebhook(runId: string, webhook: { url: string; secret?: string }, ttlS: number): Promise<void> {
    this.check();
    this.runWebhooks.set(runId, webhook);
    this.ttls.set(`run-webhook:${runId}`, ttlS);
  }
}
