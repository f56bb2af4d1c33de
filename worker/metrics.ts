/**
 * Worker-side writer of the service-wide counters (fields defined in worker/contract/metrics.ts).
 * Writes are fire-and-forget: a metrics failure is logged and never changes a run's result.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  METRICS_KEY,
  METRICS_STAGES,
  STAGE_BUCKETS_MS,
  internalFailuresField,
  runsTotalField,
  stageBinField,
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

/** Every stage's field names, built once: a run records six stages, so per run they would be garbage. */
const STAGE_FIELDS = Object.fromEntries(
  METRICS_STAGES.map((stage) => [
    stage,
    {
      bins: STAGE_BUCKETS_MS.map((le) => ({ le, field: stageBinField(stage, le) })),
      overflow: stageBinField(stage, '+Inf'),
      sum: stageSumField(stage),
      count: stageCountField(stage),
    },
  ]),
) as Record<MetricsStage, { bins: Array<{ le: number; field: string }>; overflow: string; sum: string; count: string }>;

/**
 * One flush in one command: ARGV is the count of integer pairs, then (field, increment) pairs,
 * integers first (HINCRBY), then floats (HINCRBYFLOAT). A pipeline of one command per field cost
 * Redis a command each and the worker an ioredis command object each, 20 times a second.
 */
const ADD_METRICS_LUA = `
local ints = tonumber(ARGV[1])
for i = 2, 1 + 2 * ints, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
for i = 2 + 2 * ints, #ARGV, 2 do redis.call('HINCRBYFLOAT', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 0`;

/**
 * WorkerMetrics over HINCRBY / HINCRBYFLOAT on METRICS_KEY. Increments are summed in memory and
 * written in one script call at most every `flushMs`: a run records three fields per stage (its
 * bin, sum and count), and writing each run's at once cost more Redis and worker CPU than the
 * rest of its queue traffic.
 * The hash is up to `flushMs` late; a killed worker loses at most that much of its counts (a
 * graceful shutdown flushes them).
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
    // A flush is one script: a NaN sum would fail its HINCRBYFLOAT and every write after it.
    if (!Number.isFinite(durationMs)) {
      this.log.warn({ stage, durationMs }, 'stage duration not recorded: not a finite number');
      return;
    }
    const ms = Math.max(0, durationMs);
    const fields = STAGE_FIELDS[stage];
    // The bin of the first bound at or above the duration; past the last bound, +Inf.
    this.add(this.counts, fields.bins.find((bin) => ms <= bin.le)?.field ?? fields.overflow, 1);
    this.add(this.sums, fields.sum, ms);
    this.add(this.counts, fields.count, 1);
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

  /** Sends everything recorded so far in one script call (nothing when nothing was recorded). */
  private write(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.counts.size === 0 && this.sums.size === 0) return;
    const args: Array<string | number> = [this.counts.size];
    for (const [field, by] of this.counts) args.push(field, by);
    for (const [field, by] of this.sums) args.push(field, by);
    this.counts = new Map();
    this.sums = new Map();
    this.track(this.redis.eval(ADD_METRICS_LUA, 1, METRICS_KEY, ...args));
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
