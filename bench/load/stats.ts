/**
 * Latency statistics (pure): percentiles and per-status summaries of load samples.
 */

/** What one request ended as. */
export interface RunSample {
  programId: string;
  /**
   * The run's status (`OK`, `TIME_LIMIT`, …) when the service answered 2xx with a result;
   * `PENDING` for a 202 (not done within the API's wait bound); `HTTP_<code>` for another HTTP
   * status; `NETWORK_ERROR` or `TIMEOUT` when no answer came; `BAD_RESPONSE` for an unreadable body.
   */
  outcome: string;
  /** True when `outcome` equals the program's expected status. */
  isExpected: boolean;
  /** End-to-end latency from the request's start to the last byte of the response, ms. */
  latencyMs: number;
  /** Sandbox wall time reported in the response (compile + run stages), ms; null when absent. */
  sandboxWallMs: number | null;
  /** Time inside containers (setup + program + teardown, `timings.sandboxMs`), ms; null when absent. */
  sandboxMs?: number | null;
  /** The worker's finish → the answer's last byte at the client (`timings.finishedAtMs`), ms; null when absent. */
  deliveryMs?: number | null;
  /** Time the request was started, ms since the driver's start. */
  startedAtMs: number;
}

/** Percentiles of one set of latencies, ms. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/**
 * The p-th percentile (0 < p <= 100) by the nearest-rank method on an ascending array;
 * NaN for an empty array. Nearest rank always returns an observed value, as k6 and HdrHistogram
 * report, rather than an interpolation between two.
 */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[Math.min(rank, sortedAscending.length) - 1] ?? Number.NaN;
}

/** The median of any numbers (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? Number.NaN) + (s[mid] ?? Number.NaN)) / 2;
}

/** Summary of a set of latencies (any order), ms. */
export function summarizeLatencies(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const total = sorted.reduce((sum, x) => sum + x, 0);
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] ?? Number.NaN),
    meanMs: sorted.length === 0 ? Number.NaN : total / sorted.length,
  };
}

/** Latency summaries keyed by outcome, plus `ALL` for every answered request. */
export function summarizeByOutcome(samples: readonly RunSample[]): Map<string, LatencySummary> {
  const groups = new Map<string, number[]>();
  for (const s of samples) {
    const list = groups.get(s.outcome) ?? [];
    list.push(s.latencyMs);
    groups.set(s.outcome, list);
  }
  const result = new Map<string, LatencySummary>();
  result.set('ALL', summarizeLatencies(samples.map((s) => s.latencyMs)));
  for (const [outcome, latencies] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    result.set(outcome, summarizeLatencies(latencies));
  }
  return result;
}

/**
 * Median of (end-to-end latency − time inside containers) over OK samples that report it: the
 * service's own overhead (HTTP, queue, result delivery), ms. NaN when no sample carries it.
 */
export function medianServiceOverheadMs(samples: readonly RunSample[]): number {
  return percentile(
    serviceOverheads(samples).sort((a, b) => a - b),
    50,
  );
}

/** Median result delivery (worker's finish → client) over OK samples that carry it, ms; NaN when none do. */
export function medianDeliveryMs(samples: readonly RunSample[]): number {
  const delivery = samples.flatMap((s) => (typeof s.deliveryMs === 'number' && s.outcome === 'OK' ? [s.deliveryMs] : []));
  return percentile(
    delivery.sort((a, b) => a - b),
    50,
  );
}

/** Mean of the same per-request service overheads, ms; NaN when no sample carries it. */
export function meanServiceOverheadMs(samples: readonly RunSample[]): number {
  const overheads = serviceOverheads(samples);
  return overheads.length === 0 ? NaN : overheads.reduce((sum, v) => sum + v, 0) / overheads.length;
}

function serviceOverheads(samples: readonly RunSample[]): number[] {
  return samples.filter((s) => typeof s.sandboxMs === 'number' && s.outcome === 'OK').map((s) => s.latencyMs - (s.sandboxMs ?? 0));
}

/**
 * Median of (end-to-end latency − sandbox wall time) over samples that report a wall time:
 * everything a run costs beyond the program itself (HTTP, queue, sandbox setup and teardown,
 * result delivery), ms. NaN when no sample carries a wall time.
 */
export function medianOverheadMs(samples: readonly RunSample[]): number {
  const overheads = samples
    .filter((s) => s.sandboxWallMs !== null && s.outcome === 'OK')
    .map((s) => s.latencyMs - (s.sandboxWallMs ?? 0))
    .sort((a, b) => a - b);
  return percentile(overheads, 50);
}
