import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { BulkheadError } from '../../worker/contract/errors.js';
import { DEFAULT_JOB_OPTIONS, PRIORITY_BATCH, PRIORITY_INTERACTIVE, type SubmissionJob } from '../../worker/contract/job.js';
import { METRICS_KEY } from '../../worker/contract/metrics.js';
import type { WorkerHeartbeat } from '../../worker/contract/heartbeat.js';
import type { PendingRun, QueueDepth, RunSnapshot, SubmissionQueue, SubmitOptions } from '../plugins/submission-queue.js';
import { redisConnectionFromUrl } from './redis-options.js';
import { isRunResult, runStateOf, snapshotOf } from './job-snapshot.js';
import { JobWaiters, type JobFinish, type JobWait } from './job-waiters.js';
import { RedisJudgeStore } from './redis-judge-store.js';
import { readLiveWorkers } from './worker-heartbeats.js';

/** Settings of the BullMQ adapter (taken from ApiConfig by main.ts). */
export interface BullmqSubmissionQueueOptions {
  /** See ApiConfig.redisUrl. */
  redisUrl: string;
  queueName: string;
  /** How long finished jobs (results) are kept, seconds. */
  resultTtlS: number;
  /** Bound on every Redis round trip, milliseconds; past it the call fails with SBX_ERR_QUEUE_UNAVAILABLE. */
  redisTimeoutMs: number;
  log: Pick<Logger, 'warn' | 'error'>;
}

/** Jobs per addBulk round trip in submitMany. */
const SUBMIT_CHUNK = 100;

/** Bound on each close step, milliseconds; past it the connections are dropped anyway. */
const CLOSE_TIMEOUT_MS = 2000;

/** Runs `operation`, rejecting if it has not settled within `timeoutMs`. */
async function withTimeout<T>(what: string, timeoutMs: number, operation: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([operation(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * SubmissionQueue over one BullMQ queue. One ioredis connection serves the Queue and the plain
 * reads (heartbeats, metrics); it fails fast (no offline queue, a command timeout) so that a Redis
 * outage answers 503 instead of holding requests. A second, blocking connection (owned by
 * QueueEvents) wakes POST /run waiters when their job finishes; a `completed` event carries the
 * job's return value, so a waiter is answered from it without reading the job back.
 */
export class BullmqSubmissionQueue implements SubmissionQueue {
  private readonly client: Redis;
  private readonly queue: Queue;
  /** Created by startEvents once the stream position to read from is known. */
  private events: QueueEvents | undefined;
  /** Resolves once `events` exists; see startEvents. */
  private readonly eventsStarted: Promise<void>;
  /** Blocking connection of `events`; ours to close (BullMQ leaves shared connections open). */
  private readonly eventsClient: Redis;
  private readonly waiters = new JobWaiters();
  /** Set once by stopWaiting(); never cleared (the process is shutting down). */
  private waitsStopped = false;
  private closing: Promise<void> | undefined;
  /** The judge store's adapter over this queue's connection and bounds; main.ts wires it as its own port. */
  readonly judgeStore: RedisJudgeStore;

  constructor(private readonly opts: BullmqSubmissionQueueOptions) {
    const connection = redisConnectionFromUrl(opts.redisUrl);
    this.client = new Redis({ ...connection, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: opts.redisTimeoutMs });
    this.client.on('error', (err: Error) => opts.log.warn({ err: err.message }, 'redis connection error'));
    this.queue = new Queue(opts.queueName, { connection: this.client });
    this.queue.on('error', (err: Error) => opts.log.warn({ err: err.message }, 'queue error'));
    this.eventsClient = new Redis({ ...connection, maxRetriesPerRequest: null });
    this.eventsClient.on('error', (err: Error) => opts.log.warn({ err: err.message }, 'redis events connection error'));
    this.eventsStarted = this.startEvents();
    this.judgeStore = new RedisJudgeStore(this.client, (what, operation) => this.guarded(what, operation));
  }

  /**
   * Starts QueueEvents at the stream's last id as it is now, not at `$`: `$` means "from the
   * loop's first XREAD", issued some time later, and a job finishing in between would never wake
   * its waiter (its POST /run would wait out the whole bound). The read queues on the events
   * connection until Redis answers; waits await it within their time bound.
   */
  private async startEvents(): Promise<void> {
    let lastEventId = '0-0';
    try {
      const [last] = await this.eventsClient.xrevrange(this.queue.toKey('events'), '+', '-', 'COUNT', 1);
      if (last !== undefined) lastEventId = last[0];
    } catch (err) {
      if (this.closing !== undefined) return;
      this.opts.log.warn({ err: String(err) }, 'cannot read the events stream position; reading new events only');
      lastEventId = '$';
    }
    if (this.closing !== undefined) return;
    const events = new QueueEvents(this.opts.queueName, { connection: this.eventsClient, lastEventId });
    events.on('error', (err: Error) => this.opts.log.warn({ err: err.message }, 'queue events error'));
    events.on('completed', ({ jobId, returnvalue }) => this.waiters.wake(jobId, { kind: 'completed', returnvalue }));
    events.on('failed', ({ jobId }) => this.waiters.wake(jobId, { kind: 'failed' }));
    this.events = events;
  }

  /** Resolves once finish events flow (at once after the first time), else SBX_ERR_QUEUE_UNAVAILABLE. */
  private async eventsReady(): Promise<void> {
    if (this.events === undefined) await this.guarded('events', () => this.eventsStarted);
  }

  /** Runs one Redis operation within the time bound, turning any failure into SBX_ERR_QUEUE_UNAVAILABLE. */
  private async guarded<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(`${what}`, this.opts.redisTimeoutMs, async () => {
        await this.connected();
        return operation();
      });
    } catch (cause) {
      if (cause instanceof BulkheadError) throw cause;
      throw new BulkheadError('SBX_ERR_QUEUE_UNAVAILABLE', 'The queue (Redis) cannot be reached or refuses writes; retry later', { cause });
    }
  }

  /**
   * Resolves once the connection is ready. Without an offline queue a command sent while
   * (re)connecting fails at once, so callers wait here instead, within their own time bound;
   * the listener and timer are always released, so a long outage leaks nothing.
   */
  private async connected(): Promise<void> {
    if (this.client.status === 'ready') return;
    if (this.client.status === 'end') throw new Error('redis connection closed');
    await new Promise<void>((resolve, reject) => {
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        if (err === undefined) resolve();
        else reject(err);
      };
      const onReady = (): void => finish();
      const timer = setTimeout(() => finish(new Error('redis not ready')), this.opts.redisTimeoutMs);
      this.client.once('ready', onReady);
    });
  }

  private jobOptions(job: SubmissionJob, opts?: SubmitOptions) {
    return {
      jobId: job.runId,
      attempts: DEFAULT_JOB_OPTIONS.attempts,
      backoff: { ...DEFAULT_JOB_OPTIONS.backoff },
      priority: opts?.priority ?? PRIORITY_INTERACTIVE,
      removeOnComplete: { age: this.opts.resultTtlS },
      removeOnFail: { age: this.opts.resultTtlS },
    };
  }

  async submit(job: SubmissionJob, opts?: SubmitOptions): Promise<void> {
    await this.guarded('submit', () => this.queue.add('run', job, this.jobOptions(job, opts)));
  }

  async submitMany(jobs: readonly SubmissionJob[], opts?: SubmitOptions): Promise<void> {
    // Chunks keep each round trip within the Redis time bound.
    for (let i = 0; i < jobs.length; i += SUBMIT_CHUNK) {
      const chunk = jobs.slice(i, i + SUBMIT_CHUNK).map((job) => ({ name: 'run', data: job, opts: this.jobOptions(job, opts) }));
      await this.guarded('submitMany', () => this.queue.addBulk(chunk));
    }
  }

  async discardWaiting(runIds: readonly string[]): Promise<number> {
    let removed = 0;
    for (let i = 0; i < runIds.length; i += SUBMIT_CHUNK) {
      const chunk = runIds.slice(i, i + SUBMIT_CHUNK);
      const counts = await this.guarded('discardWaiting', () =>
        Promise.all(
          chunk.map(async (runId) => {
            // Only a run not yet taken: BullMQ's remove refuses a locked (active) job but would
            // delete a finished one, whose result a client may still read.
            const state = await this.queue.getJobState(runId);
            return state === 'waiting' || state === 'prioritized' || state === 'delayed' ? this.queue.remove(runId) : 0;
          }),
        ),
      );
      removed += counts.reduce((sum: number, n) => sum + n, 0);
    }
    return removed;
  }

  async get(runId: string): Promise<RunSnapshot | undefined> {
    return this.guarded('get', async () => {
      // State first, then the job: BullMQ writes the result before it moves a job to completed,
      // so a job read after a finished state always carries its result. The other order can
      // read an unfinished job and then a finished state, and report a good run as lost.
      const state = runStateOf(await this.queue.getJobState(runId));
      if (state === undefined) return undefined;
      const job = (await this.queue.getJob(runId)) as Job<SubmissionJob> | undefined;
      return job === undefined ? undefined : snapshotOf(job, state, this.opts.log);
    });
  }

  async submitAndWait(job: SubmissionJob, opts: SubmitOptions | undefined, timeoutMs: number): Promise<PendingRun> {
    const deadlineMs = Date.now() + timeoutMs;
    await this.eventsReady();
    // Listening before the job exists means its finish event cannot be missed, so no read of the
    // job is needed to catch a run that finishes before the caller starts waiting.
    const woken = this.waiters.wait(job.runId, timeoutMs);
    try {
      await this.submit(job, opts);
    } catch (err) {
      woken.cancel();
      throw err;
    }
    const queued: RunSnapshot = { state: 'queued', language: job.language };
    if (job.version !== undefined) queued.version = job.version;
    return { result: this.awaitDone(job.runId, queued, woken, deadlineMs) };
  }

  async waitForResult(runId: string, timeoutMs: number): Promise<RunSnapshot | undefined> {
    const deadlineMs = Date.now() + timeoutMs;
    await this.eventsReady();
    // Subscribe first, then read: a job finishing in between is seen by the read.
    const woken = this.waiters.wait(runId, timeoutMs);
    let first: RunSnapshot | undefined;
    try {
      first = await this.get(runId);
    } catch (err) {
      woken.cancel();
      throw err;
    }
    return this.awaitDone(runId, first, woken, deadlineMs);
  }

  /**
   * Waits (through `woken`, already subscribed) until the run is done, the deadline passes or
   * waits stop. A `completed` event carries the RunResult, so it answers without reading the job;
   * anything else (a failure, a timeout, shutdown) reads the job once more. Never rejects.
   */
  private async awaitDone(runId: string, first: RunSnapshot | undefined, woken: JobWait, deadlineMs: number): Promise<RunSnapshot | undefined> {
    let last = first;
    let wait = woken;
    try {
      while (last !== undefined && last.state !== 'done' && !this.waitsStopped) {
        const finish = await wait.promise;
        const done = this.doneFromEvent(finish, last);
        if (done !== undefined) return done;
        if (Date.now() >= deadlineMs || this.waitsStopped) {
          last = await this.get(runId);
          break;
        }
        // Subscribe first, then re-read: a job finishing in between is seen by the re-read.
        wait = this.waiters.wait(runId, deadlineMs - Date.now());
        last = await this.get(runId);
      }
    } catch {
      // Redis went away while waiting: the job was accepted, so answer with what we knew.
    } finally {
      wait.cancel();
    }
    return last;
  }

  /** The done snapshot a `completed` event carries, or undefined when it carries none. */
  private doneFromEvent(finish: JobFinish | undefined, before: RunSnapshot): RunSnapshot | undefined {
    if (finish?.kind !== 'completed' || !isRunResult(finish.returnvalue)) return undefined;
    const done: RunSnapshot = { state: 'done', result: finish.returnvalue };
    if (before.language !== undefined) done.language = before.language;
    if (before.version !== undefined) done.version = before.version;
    return done;
  }

  async depth(): Promise<QueueDepth> {
    const [counts, perPriority] = await this.guarded('depth', () =>
      Promise.all([this.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'), this.queue.getCountsPerPriority([PRIORITY_BATCH])]),
    );
    const n = (state: string): number => counts[state] ?? 0;
    return {
      waiting: n('waiting'),
      prioritized: n('prioritized'),
      delayed: n('delayed'),
      active: n('active'),
      completed: n('completed'),
      failed: n('failed'),
      batchWaiting: perPriority[String(PRIORITY_BATCH)] ?? 0,
    };
  }

  async liveWorkers(): Promise<WorkerHeartbeat[]> {
    return this.guarded('liveWorkers', () => readLiveWorkers(this.client, this.opts.log));
  }

  async metrics(): Promise<Record<string, string>> {
    return this.guarded('metrics', () => this.client.hgetall(METRICS_KEY));
  }

  async ping(): Promise<void> {
    await this.guarded('ping', () => this.client.ping());
  }

  /** Closes events, queue and connection in that order; each step runs even if one fails. */
  stopWaiting(): void {
    this.waitsStopped = true;
    this.waiters.wakeAll();
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      this.waiters.wakeAll();
      const results = await Promise.allSettled([
        withTimeout('close events', CLOSE_TIMEOUT_MS, async () => this.events?.close()),
        withTimeout('close queue', CLOSE_TIMEOUT_MS, () => this.queue.close()),
      ]);
      for (const r of results) if (r.status === 'rejected') this.opts.log.warn({ err: String(r.reason) }, 'close step failed');
      this.eventsClient.disconnect();
      this.client.disconnect();
    })();
    return this.closing;
  }
}
