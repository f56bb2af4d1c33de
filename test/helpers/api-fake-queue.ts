import { BulkheadError } from '../../worker/contract/errors.js';
import { PRIORITY_BATCH, type SubmissionJob } from '../../worker/contract/job.js';
import type { WorkerHeartbeat } from '../../worker/contract/heartbeat.js';
import type { RunResult } from '../../worker/contract/result.js';
import type { PendingRun, QueueDepth, RunSnapshot, SubmissionQueue, SubmitOptions } from '../../api/plugins/submission-queue.js';

/**
 * In-memory SubmissionQueue for API tests. Jobs stay queued until a test (or `autoComplete`)
 * finishes them; `redisDown` makes every call reject as the BullMQ adapter does.
 */
export class FakeSubmissionQueue implements SubmissionQueue {
  readonly submitted: Array<{ job: SubmissionJob; opts: SubmitOptions | undefined }> = [];
  readonly runs = new Map<string, RunSnapshot>();
  workers: WorkerHeartbeat[] = [];
  metricsHash: Record<string, string> = {};
  extraDepth: Partial<QueueDepth> = {};
  redisDown = false;
  /** When set, every submitted job completes at once with this result builder's output. */
  autoComplete: ((job: SubmissionJob) => RunSnapshot) | undefined;
  closed = false;

  /** Throws as the BullMQ adapter does while `redisDown` (FakeJudgeStore shares this Redis). */
  check(): void {
    if (this.redisDown) throw new BulkheadError('SBX_ERR_QUEUE_UNAVAILABLE', 'The queue (Redis) cannot be reached');
  }

  async submit(job: SubmissionJob, opts?: SubmitOptions): Promise<void> {
    this.check();
    this.submitted.push({ job, opts });
    this.runs.set(job.runId, { ...(this.autoComplete?.(job) ?? { state: 'queued', language: job.language, version: job.version }), job });
  }

  async discardWaiting(runIds: readonly string[]): Promise<number> {
    this.check();
    const waiting = runIds.filter((id) => this.runs.get(id)?.state === 'queued');
    for (const id of waiting) this.runs.delete(id);
    return waiting.length;
  }

  async submitAndWait(job: SubmissionJob, opts: SubmitOptions | undefined, timeoutMs: number): Promise<PendingRun> {
    await this.submit(job, opts);
    return { result: this.waitForResult(job.runId, timeoutMs) };
  }

  async submitMany(jobs: readonly SubmissionJob[], opts?: SubmitOptions): Promise<void> {
    for (const job of jobs) await this.submit(job, opts);
  }

  async get(runId: string): Promise<RunSnapshot | undefined> {
    this.check();
    return this.runs.get(runId);
  }

  /** Set by stopWaiting(); the fake never blocks, so it only records the call. */
  waitsStopped = false;

  async waitForResult(runId: string, _timeoutMs: number): Promise<RunSnapshot | undefined> {
    return this.get(runId);
  }

  async depth(): Promise<QueueDepth> {
    this.check();
    const queued = [...this.runs.values()].filter((r) => r.state === 'queued').length;
    const batchIds = new Set(this.submitted.filter((s) => s.opts?.priority === PRIORITY_BATCH).map((s) => s.job.runId));
    const batchWaiting = [...this.runs.entries()].filter(([id, r]) => r.state === 'queued' && batchIds.has(id)).length;
    return { waiting: queued - batchWaiting, prioritized: batchWaiting, delayed: 0, active: 0, completed: 0, failed: 0, batchWaiting, ...this.extraDepth };
  }

  async liveWorkers(): Promise<WorkerHeartbeat[]> {
    this.check();
    return this.workers;
  }

  async metrics(): Promise<Record<string, string>> {
    this.check();
    return this.metricsHash;
  }

  async ping(): Promise<void> {
    this.check();
  }

  stopWaiting(): void {
    this.waitsStopped = true;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Finishes a run with a result (the id is set from the run). */
  complete(runId: string, result: Omit<RunResult, 'id'>): void {
    this.runs.set(runId, { state: 'done', result: { ...result, id: runId } });
  }
}
