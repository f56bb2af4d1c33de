import type { FastifyInstance } from 'fastify';
import type { SubmissionJob } from '../../worker/contract/job.js';
import type { RunResult } from '../../worker/contract/result.js';
import type { WorkerHeartbeat } from '../../worker/contract/heartbeat.js';

/** Where a run is, as clients see it. */
export type RunState = 'queued' | 'running' | 'done';

/** A run as the queue knows it. */
export interface RunSnapshot {
  state: RunState;
  /** Set when the job completed: the worker's RunResult. */
  result?: RunResult;
  /** Set when the job failed after all attempts: a catalogue code (never the raw failure text). */
  failedCode?: string;
  /** Language and version from the payload (used to describe failed runs). */
  language?: string;
  version?: string;
  /** The payload as queued, when the adapter has it (compatibility APIs echo parts of it). */
  job?: SubmissionJob;
}

/** Jobs counted by BullMQ state. `waiting + prioritized + delayed` is the backpressure depth. */
export interface QueueDepth {
  waiting: number;
  prioritized: number;
  delayed: number;
  active: number;
  completed: number;
  failed: number;
  /**
   * Of `prioritized`, the batch members waiting (priority PRIORITY_BATCH). POST /run leaves them
   * out of its backpressure check: a large batch must not make interactive runs answer 503.
   * @defaultValue 0 when the adapter does not count them
   */
  batchWaiting?: number;
}

/** A run submitted with {@link SubmissionQueue.submitAndWait}. */
export interface PendingRun {
  /**
   * Resolves when the run is done or its wait bound is over, with the snapshot at that moment (as
   * `waitForResult`); never rejects: losing Redis while waiting answers with what was known.
   */
  result: Promise<RunSnapshot | undefined>;
}

/** Options for one submission. */
export interface SubmitOptions {
  /** BullMQ priority (lower runs first). @defaultValue PRIORITY_INTERACTIVE */
  priority?: number;
}

/**
 * The API's only door to the queue (a port: BullMQ in production, an in-memory fake in tests).
 * Every method rejects with BulkheadError `SBX_ERR_QUEUE_UNAVAILABLE` when Redis cannot be reached,
 * and never with anything carrying Redis' own text to a client.
 */
export interface SubmissionQueue {
  /** Enqueues the job under `job.runId` as the job id. */
  submit(job: SubmissionJob, opts?: SubmitOptions): Promise<void>;
  /**
   * Enqueues like `submit`, having started to wait for the result before the job existed: the
   * wait bound `timeoutMs` runs from the call. Resolves once the job is queued.
   */
  submitAndWait(job: SubmissionJob, opts: SubmitOptions | undefined, timeoutMs: number): Promise<PendingRun>;
  /** Enqueues many jobs (a batch) in bulk, each under its `runId`, all with the same options. */
  submitMany(jobs: readonly SubmissionJob[], opts?: SubmitOptions): Promise<void>;
  /**
   * Removes the runs that have not started (waiting, prioritized or delayed); started and finished
   * ones are left as they are. Answers how many were removed.
   */
  discardWaiting(runIds: readonly string[]): Promise<number>;
  /** The run's state, or undefined when the id is unknown or its result expired. */
  get(runId: string): Promise<RunSnapshot | undefined>;
  /** Resolves when the run is done or after `timeoutMs`, with the snapshot at that moment. */
  waitForResult(runId: string, timeoutMs: number): Promise<RunSnapshot | undefined>;
  depth(): Promise<QueueDepth>;
  /** Heartbeats of the workers alive now (expired keys are gone; malformed ones are skipped). */
  liveWorkers(): Promise<WorkerHeartbeat[]>;
  /** The raw service-wide metrics hash (fields described in worker/contract/metrics.ts). */
  metrics(): Promise<Record<string, string>>;
  /** Resolves when Redis answers. */
  ping(): Promise<void>;
  /**
   * Shutdown, step one: every pending `waitForResult` returns its snapshot now and later ones
   * return at once, so callers waiting on POST /run get their run id (202 + Location) instead of
   * a cut connection. Idempotent.
   */
  stopWaiting(): void;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The submission queue port (see api/plugins/submission-queue.ts). */
    submissions: SubmissionQueue;
  }
}

/** Makes the port available to every route as `app.submissions`. */
export function decorateSubmissionQueue(app: FastifyInstance, queue: SubmissionQueue): void {
  app.decorate('submissions', queue);
}
