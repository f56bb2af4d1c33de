/**
 * A batch as clients see it, read through the JudgeStore port: its status fields, its result rows
 * (one page, or all for the downloads), and the test set a new batch is judged against.
 */
import { BulkheadError } from '../../worker/contract/errors.js';
import type { ApiConfig } from '../config.js';
import type { BatchRequest, BatchResultRow } from '../schemas/batch.js';
import { buildTestset, resolveTestset } from './judge-job.js';
import type { BatchRow, BatchState, JudgeStore } from './judge-store.js';

/** Rows read per Redis round trip for the downloads, and the largest page GET /batches/:id answers. */
export const PAGE_ROWS = 1000;

/** One member as GET /batches/:id answers it. */
export function toRow(row: BatchRow): BatchResultRow {
  const base = { externalId: row.externalId, runId: row.runId };
  if (row.summary === undefined) return { ...base, state: 'pending' };
  const { externalId: _e, runId: _r, ...summary } = row.summary;
  return { ...base, state: 'done', ...summary };
}

/** The status fields of a batch's answers. */
export function summaryOf(state: BatchState) {
  return {
    id: state.id,
    state: state.done >= state.total ? ('done' as const) : ('running' as const),
    total: state.total,
    done: state.done,
    generation: state.generation,
    counts: state.counts,
    testset: state.testsetId,
    createdAt: state.createdAt,
    ...(state.finishedAt === undefined ? {} : { finishedAt: state.finishedAt }),
  };
}

/** The batch's state. @throws BulkheadError SBX_ERR_BATCH_UNKNOWN (404) when unknown or expired */
export async function batchOr404(store: JudgeStore, id: string): Promise<BatchState> {
  const state = await store.getBatch(id);
  if (state === undefined) throw new BulkheadError('SBX_ERR_BATCH_UNKNOWN', `No batch has the id ${id} (never created or expired)`);
  return state;
}

/** Every current member's row, in submission order (the downloads). */
export async function allRows(store: JudgeStore, id: string, total: number): Promise<BatchResultRow[]> {
  const rows: BatchResultRow[] = [];
  for (let offset = 0; offset < total; offset += PAGE_ROWS) rows.push(...(await store.batchRows(id, offset, PAGE_ROWS)).map(toRow));
  return rows;
}

/** The batch's test set: the named one (refreshed), or the inline tests stored as one owned by `owner`. */
export async function testsetFor(body: BatchRequest, store: JudgeStore, config: Readonly<ApiConfig>, owner: string | undefined) {
  if ((body.tests === undefined) === (body.testset === undefined)) {
    throw new BulkheadError('SBX_ERR_VALIDATION', 'Give exactly one of "tests" and "testset"');
  }
  if (body.testset !== undefined) return resolveTestset(store, body.testset, config.testsetTtlS);
  const built = buildTestset(body.tests ?? [], config.maxTestsetTests, new Date(), owner);
  return store.saveTestset(built.manifest, built.blobs, config.testsetTtlS);
}
