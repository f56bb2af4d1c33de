/**
 * Service-wide counters live in Redis so that every API instance reports the same numbers no matter
 * which worker did the work. Workers write (HINCRBY / HINCRBYFLOAT on METRICS_KEY); the API reads
 * the hash and renders Prometheus text on GET /metrics.
 *
 * Hash fields (label values must not contain `|`):
 * - `runs_total|<language>|<status>`                  runs finished, by language and status
 * - `internal_failures_total|<code>`                  our own failures (each attempt), by error code
 * - `stage_duration_ms_bin|<stage>|<le>`              durations in (the bound before `le`, `le`]; the
 *                                                     API sums them into Prometheus's cumulative buckets
 * - `stage_duration_ms_bucket|<stage>|<le>`           cumulative counts, written by workers before the
 *                                                     bins (51120a4); read only, added to the bins' sums
 * - `stage_duration_ms_sum|<stage>` / `..._count|<stage>`
 */
export const METRICS_KEY = 'bulkhead:metrics';

/** Histogram bucket upper bounds, milliseconds (`+Inf` is implied). */
export const STAGE_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000] as const;

/**
 * Stages timed: queue wait; each sandbox call of a job by purpose (compile, run, test, checker:
 * container setup + program + teardown); the same calls split into setup, program and
 * teardown (summed over all of them); and the whole job.
 */
export const METRICS_STAGES = ['queue', 'compile', 'run', 'test', 'checker', 'setup', 'program', 'teardown', 'total'] as const;
export type MetricsStage = (typeof METRICS_STAGES)[number];

export function runsTotalField(language: string, status: string): string {
  return `runs_total|${language}|${status}`;
}
export function internalFailuresField(code: string): string {
  return `internal_failures_total|${code}`;
}
/**
 * Stage fields take a MetricsStage when written, and any stage name when read back from the hash.
 * One bin per stage and bound, not Prometheus's cumulative buckets: a run adds 1 to one field per
 * stage instead of to every bucket at or above its duration (13 fields per stage), so the worker
 * builds and writes a fraction of the fields. The API renders the cumulative sums.
 */
export function stageBinField(stage: string, le: number | '+Inf'): string {
  return `stage_duration_ms_bin|${stage}|${le}`;
}

/**
 * The cumulative bucket of workers older than the bins. Never written now; read so that a hash
 * filled before an upgrade (or by older workers during a rolling one) still renders a histogram
 * whose `+Inf` bucket equals its `_count`, the invariant Prometheus's quantiles rely on.
 */
export function legacyStageBucketField(stage: string, le: number | '+Inf'): string {
  return `stage_duration_ms_bucket|${stage}|${le}`;
}

export function stageSumField(stage: string): string {
  return `stage_duration_ms_sum|${stage}`;
}
export function stageCountField(stage: string): string {
  return `stage_duration_ms_count|${stage}`;
}
