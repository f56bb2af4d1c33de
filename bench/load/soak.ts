/**
 * Soak: a steady rate for a long time while the resident memory of API, worker and Redis is
 * sampled, to catch leaks. The load runs in windows of `sampleEveryS`; RSS is read after each.
 */
import type { Scenario } from '../scenarios.js';
import { measureScenario, type MeasureContext } from './measure.js';
import { rssByRole } from './procstat.js';

/** RSS over time of one role. */
export interface RssSeries {
  role: string;
  samplesBytes: number[];
}

/** Verdict on one series. */
export interface GrowthVerdict {
  role: string;
  firstBytes: number;
  lastBytes: number;
  maxBytes: number;
  /** Median of the last quarter minus median of the first quarter (after warm-up), bytes. */
  growthBytes: number;
  isGrowing: boolean;
}

/** Growth below both of these is noise: 16 MiB and 10 % of the starting size. */
const GROWTH_FLOOR_BYTES = 16 * 1024 * 1024;
const GROWTH_FLOOR_RATIO = 0.1;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

/**
 * Judges a series (pure). The first sample is warm-up (JIT, pools, Redis buffers) and is ignored;
 * the medians of the first and last quarters of the rest are compared, so one GC pause or one
 * burst of buffers does not flag a leak.
 */
export function judgeGrowth(series: RssSeries): GrowthVerdict {
  const all = series.samplesBytes;
  const steady = all.length > 2 ? all.slice(1) : all;
  const quarter = Math.max(1, Math.floor(steady.length / 4));
  const startBytes = median(steady.slice(0, quarter));
  const endBytes = median(steady.slice(-quarter));
  const growthBytes = endBytes - startBytes;
  return {
    role: series.role,
    firstBytes: all[0] ?? 0,
    lastBytes: all[all.length - 1] ?? 0,
    maxBytes: all.reduce((a, b) => Math.max(a, b), 0),
    growthBytes,
    isGrowing: growthBytes > GROWTH_FLOOR_BYTES && growthBytes > startBytes * GROWTH_FLOOR_RATIO,
  };
}

/** Runs the soak and returns one verdict per role. */
export async function soak(
  ctx: MeasureContext,
  scenario: Scenario,
  ratePerSecond: number,
  durationS: number,
  sampleEveryS: number,
  log: (line: string) => void,
): Promise<GrowthVerdict[]> {
  const series = new Map<string, number[]>();
  const record = (): void => {
    for (const [role, bytes] of rssByRole(ctx.roots)) series.set(role, [...(series.get(role) ?? []), bytes]);
  };
  record();
  const windows = Math.max(1, Math.round(durationS / sampleEveryS));
  for (let i = 0; i < windows; i++) {
    const m = await measureScenario(ctx, scenario, { ratePerSecond, durationS: sampleEveryS });
    record();
    const rss = [...series].map(([role, s]) => `${role} ${((s[s.length - 1] ?? 0) / 2 ** 20).toFixed(0)} MiB`).join(', ');
    log(`  soak ${i + 1}/${windows}: ${m.figures.runsPerSecond.toFixed(1)} runs/s, errors ${(m.figures.errorRate * 100).toFixed(2)}%, ${rss}`);
  }
  return [...series].map(([role, samplesBytes]) => judgeGrowth({ role, samplesBytes }));
}
