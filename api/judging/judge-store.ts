import type { FastifyInstance } from 'fastify';
import type { BatchRunSummary } from '../../worker/contract/batch.js';
import type { BatchCreation, BatchMemberRef } from '../../worker/contract/batch-state.js';
import type { TestsetManifest } from '../../worker/contract/testset.js';

/**
 * The API's door to judging state in Redis: stored test sets (content-addressed blobs and
 * manifests), batches and single runs' webhook targets. A port of its own beside SubmissionQueue,
 * reached by routes as `app.judgeStore`: Redis in production (api/queue/redis-judge-store.ts, over
 * the queue's connection), in memory in tests. Layouts are documented in
 * worker/contract/testset.ts and worker/contract/batch.ts. Every method rejects with
 * `SBX_ERR_QUEUE_UNAVAILABLE` when Redis cannot be reached.
 */
export interface JudgeStore {
  /**
   * Stores each blob once (SET NX) and the manifest, and gives all of them `ttlS`. Answers the
   * stored manifest: for a repeated upload that is the first one (its `createdAt`).
   */
  saveTestset(manifest: TestsetManifest, blobs: ReadonlyMap<string, Buffer>, ttlS: number): Promise<TestsetManifest>;
  /** The manifest, or undefined. With `refreshTtlS`, the manifest and its blobs get that TTL again (a use). */
  getTestset(id: string, refreshTtlS?: number): Promise<TestsetManifest | undefined>;
  /** Removes the manifest (blobs may be shared and expire on their own); false when unknown. */
  deleteTestset(id: string): Promise<boolean>;
  /** Writes a new batch's state (generation 1, nothing done) with `ttlS` on every key. */
  createBatch(batch: NewBatch, ttlS: number): Promise<void>;
  /** Removes every key of a batch: its runs are then no batch's members, and report nothing. */
  deleteBatch(id: string): Promise<void>;
  /** The batch's counters, or undefined when unknown or expired. */
  getBatch(id: string): Promise<BatchState | undefined>;
  /** Current-generation members in submission order, `limit` from `offset`, with their summaries once counted. */
  batchRows(id: string, offset: number, limit: number): Promise<BatchRow[]>;
  /** The kept submissions (JSON job templates, see BATCH_TEMPLATE_OMITTED), in submission order. */
  batchTemplates(id: string): Promise<string[]>;
  /**
   * Starts a new generation with these members: counters, results and `finishedAt` reset. Answers
   * the generation it started (two rejudges at once start two), or undefined when unknown.
   */
  rejudgeBatch(id: string, members: readonly BatchMember[], ttlS: number): Promise<number | undefined>;
  /** Keeps a single run's webhook target (worker/contract/run-webhook.ts) for `ttlS`. */
  saveRunWebhook(runId: string, webhook: { url: string; secret?: string }, ttlS: number): Promise<void>;
}

/** One member run of a batch generation. */
export type BatchMember = BatchMemberRef;

/** What POST /batches stores (`testsetId` is kept so a rejudge can refresh the test set). */
export type NewBatch = BatchCreation;

/** A batch's counters (never the webhook secret). */
export interface BatchState {
  id: string;
  total: number;
  done: number;
  generation: number;
  createdAt: string;
  finishedAt?: string;
  testsetId: string;
  /** Runs by status, zeros left out. */
  counts: Record<string, number>;
  hasWebhook: boolean;
}

/** One member with its summary once its run was counted. */
export interface BatchRow extends BatchMember {
  summary?: BatchRunSummary;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The judge store port (see api/judging/judge-store.ts). */
    judgeStore: JudgeStore;
  }
}

/** Makes the port available to every route as `app.judgeStore`. */
export function decorateJudgeStore(app: FastifyInstance, store: JudgeStore): void {
  app.decorate('judgeStore', store);
}
