/**
 * Worker-side writer of the service-wide counters (fields defined in worker/contract/metrics.ts).
 * Writes are fire-and-forget: a metrics failure is logged and never changes a run's result.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  METRICS_KEY,
  STAGE_BUCKETS_MS,
  internalFailuresField,
  runsTotalField,
  stageBucketField,
  stageCountField,
  stageSumField,
  type MetricsStage,
} from './contract/metrics.js';

/** What the processor reports; the port lets tests record in memory or in a real Redis. */
export interface WorkerMetrics {
  /** One finished run, by language and final status. */
  recordRun(language: string, status: string): void;
  /** One timed stage, in milliseconds. */
  recordStageMs(stage: MetricsStage, durationMs: number): void;
  /** One of our own failures (each attempt), by error code. */
  recordInternalFailure(code: string): void;
  /** Resolves once every write issued so far has settled. */
  flush(): Promise<void>;
}

/** WorkerMetrics over HINCRBY / HINCRBYFLOAT on METRICS_KEY. */
export class RedisMetrics implements WorkerMetrics {
  /** Writes in flight; each removes itself when settled. */
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
  ) {}

  recordRun(language: string, status: string): void {
    this.track(this.redis.hincrby(METRICS_KEY, runsTotalField(sanitizeLabel(language), status), 1));
  }

  recordStageMs(stage: MetricsStage, durationMs: number): void {
    const ms = Math.max(0, durationMs);
    const pipeline = this.redis.pipeline();
    for (const le of STAGE_BUCKETS_MS) {
      if (ms <= le) pipeline.hincrby(METRICS_KEY, stageBucketField(stage, le), 1);
    }
    pipeline.hincrby(METRICS_KEY, stageBucketField(stage, '+Inf'), 1);
    pipeline.hincrbyfloat(METRICS_KEY, stageSumField(stage), ms);
    pipeline.hincrby(METRICS_KEY, stageCountField(stage), 1);
    this.track(pipeline.exec());
  }

  recordInternalFailure(code: string): void {
    this.track(this.redis.hincrby(METRICS_KEY, internalFailuresField(sanitizeLabel(code)), 1));
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private track(write: Promise<unknown>): void {
    const tracked = write
      .catch((err: unknown) => this.log.warn({ err }, 'metrics write failed'))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}

/** Label values must not contain the field separator `|`. */
function sanitizeLabel(value: string): string {
  return value.replaceAll('|', '_');
}
