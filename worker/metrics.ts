/**
 * Worker-side writer of the service-wide counters (fields defined in worker/contract/metrics.ts).
 * Writes are fire-and-forget: a metrics failure is logged and never changes a run's result.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { METRICS_KEY, STAGE_BUCKETS_MS, internalFailuresField, runsTotalField, stageBucketField, stageCountField, stageSumField, type MetricsStage } from './contract/metrics.js';

/** What the processor reports; the port lets tests record in memory or in a real Redis. */
export interface WorkerMetrics {
  /** One finished run, by language and final status. */
  recordRun(language: string, status: string): void;
  /** One timed stage, in milliseconds. */
  recordStageMs(stage: MetricsStage, durationMs: number): void;
  /** One of our own failures (each attempt), by error code. */
  recordInternalFailure(code: string): void;
  /** Writes what is recorded so far and resolves once every write issued so far has settled. */
  flush(): Promise<void>;
}

/**
 * How long increments wait in memory before they are written, milliseconds. Short, so that a
 * scrape right after a burst (the bench reads GET /metrics before and after each step) sees
 * nearly all of it; even at 300 runs/s this is one write per ~15 runs.
 * @defaultValue 50
 */
export const METRICS_FLUSH_MS = 50;

/**
 * WorkerMetrics over HINCRBY / HINCRBYFLOAT on METRICS_KEY. Increments are summed in memory and
 * written in one pipeline at most every `flushMs`: a run records up to 45 histogram fields, and
 * writing each run's at once cost more Redis and worker CPU than the rest of its queue traffic.
 * The hash reads as before, up to `flushMs` late; a killed worker loses at most that much of
 * its counts (a graceful shutdown flushes them).
 * Mutated only from the event loop.
 */
export class RedisMetrics implements WorkerMetrics {
  /** Writes in flight; each removes itself when settled. */
  private readonly pending = new Set<Promise<unknown>>();
  /** Integer increments not yet written, by hash field. */
  private counts = new Map<string, number>();
  /** Float increments (stage sums, ms) not yet written, by hash field. */
  private sums = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    private readonly flushMs: number = METRICS_FLUSH_MS,
  ) {}

  recordRun(language: string, status: string): void {
    this.add(this.counts, runsTotalField(sanitizeLabel(language), status), 1);
  }

  recordStageMs(stage: MetricsStage, durationMs: number): void {
    const ms = Math.max(0, durationMs);
    for (const le of STAGE_BUCKETS_MS) {
      if (ms <= le) this.add(this.counts, stageBucketField(stage, le), 1);
    }
    this.add(this.counts, stageBucketField(stage, '+Inf'), 1);
    this.add(this.sums, stageSumField(stage), ms);
    this.add(this.counts, stageCountField(stage), 1);
  }

  recordInternalFailure(code: string): void {
    this.add(this.counts, internalFailuresField(sanitizeLabel(code)), 1);
  }

  async flush(): Promise<void> {
    this.write();
    await Promise.allSettled([...this.pending]);
  }

  private add(into: Map<string, number>, field: string, by: number): void {
    into.set(field, (into.get(field) ?? 0) + by);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.write(), this.flushMs);
      // A pending flush must not keep a stopping process alive; shutdown calls flush() itself.
      this.timer.unref();
    }
  }

  /** Sends everything recorded so far in one pipeline (nothing when nothing was recorded). */
  private write(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.counts.size === 0 && this.sums.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [field, by] of this.counts) pipeline.hincrby(METRICS_KEY, field, by);
    for (const [field, by] of this.sums) pipeline.hincrbyfloat(METRICS_KEY, field, by);
    this.counts = new Map();
    this.sums = new Map();
    this.track(pipeline.exec());
  }

  private track(write: Promise<unknown>): void {
    const tracked = write.catch((err: unknown) => this.log.warn({ err }, 'metrics write failed')).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}

/** Label values must not contain the field separator `|`. */
function sanitizeLabel(value: string): string {
  return value.replaceAll('|', '_');
}
