/**
 * Runs one scenario against a service and gathers everything the summary prints about it:
 * the load figures, per-stage means from GET /metrics, and CPU per run of API, worker and Redis.
 */
import { findProgram, type Scenario } from '../scenarios.js';
import { evaluateLoad, thresholdFailures, type LoadFigures } from './evaluate.js';
import { runLoad, type LoadPlan } from './open-loop.js';
import { cpuBetween, snapshotRoles, stealMeter, type RoleCpu } from './procstat.js';
import { histogramTotals, meanBetween, parsePrometheusText, STAGE_HISTOGRAM, type HistogramTotals } from './prometheus.js';
import { constantRateOffsetsMs, programSequence } from './schedule.js';

/** Where the service is and how to watch it. */
export interface MeasureContext {
  baseUrl: string;
  /** Root pid per role (api, worker, redis); roles missing here get no CPU figure. */
  roots: ReadonlyMap<string, number>;
  ticksPerSecond: number;
  /** @defaultValue 30000 */
  requestTimeoutMs: number;
  /** Seed of the program sequence. */
  seed: number;
}

/** Operator overrides of a scenario's arrival. */
export interface ArrivalOverride {
  ratePerSecond?: number;
  durationS?: number;
  count?: number;
}

/** Everything measured for one scenario run. */
export interface ScenarioMeasurement {
  label: string;
  /** Offered rate, requests/s; null for a burst. */
  offeredPerSecond: number | null;
  figures: LoadFigures;
  /** Mean duration per worker stage over this run, ms (empty when /metrics has no histogram). */
  stageMeansMs: Map<string, { meanMs: number; count: number }>;
  /** CPU per answered run, by role, ms. */
  cpuPerRunMs: Map<string, RoleCpu>;
  thresholdFailures: string[];
  /** Share of the machine's time the hypervisor gave other guests while the load ran (0-1). */
  stealShare: number;
}

/** The load plan of a scenario with overrides applied (pure). */
export function planFor(scenario: Scenario, override: ArrivalOverride, baseUrl: string, seed: number, requestTimeoutMs: number): LoadPlan {
  const arrival = scenario.arrival;
  let offsetsMs: number[];
  if (arrival.kind === 'constant-rate') {
    const ratePerSecond = override.ratePerSecond ?? arrival.ratePerSecond;
    offsetsMs = constantRateOffsetsMs(ratePerSecond, (override.durationS ?? arrival.durationS) * 1000);
  } else {
    offsetsMs = new Array<number>(override.count ?? arrival.count).fill(0);
  }
  return {
    baseUrl,
    programs: programSequence(scenario.mix, offsetsMs.length, seed).map(findProgram),
    offsetsMs,
    maxInFlight: scenario.maxInFlight,
    dropWhenFull: arrival.kind === 'constant-rate',
    requestTimeoutMs,
  };
}

/** Stage histogram totals from GET /metrics, or null when the endpoint or histogram is missing. */
export async function scrapeStageTotals(baseUrl: string): Promise<Map<string, HistogramTotals> | null> {
  try {
    const res = await fetch(new URL('/metrics', baseUrl), { signal: AbortSignal.timeout(5000) });
    if (!res.ok) return null;
    const totals = histogramTotals(parsePrometheusText(await res.text()), STAGE_HISTOGRAM, 'stage');
    return totals.size === 0 ? null : totals;
  } catch {
    return null;
  }
}

/** Requests/s and length of the unrecorded warm-up before a scenario (JIT, connections, caches). */
const WARM_UP_RATE_PER_SECOND = 20;
const WARM_UP_DURATION_S = 1;

/** Sends the scenario's mix briefly without recording anything, so start-up costs stay out of the figures. */
export async function warmUp(ctx: MeasureContext, scenario: Scenario): Promise<void> {
  const plan = planFor(
    { ...scenario, arrival: { kind: 'constant-rate', ratePerSecond: WARM_UP_RATE_PER_SECOND, durationS: WARM_UP_DURATION_S } },
    {},
    ctx.baseUrl,
    ctx.seed + 1,
    ctx.requestTimeoutMs,
  );
  await runLoad(plan);
}

/** Runs the scenario once and measures it. */
export async function measureScenario(ctx: MeasureContext, scenario: Scenario, override: ArrivalOverride, label = scenario.name): Promise<ScenarioMeasurement> {
  const plan = planFor(scenario, override, ctx.baseUrl, ctx.seed, ctx.requestTimeoutMs);
  const stagesBefore = await scrapeStageTotals(ctx.baseUrl);
  const cpuBefore = snapshotRoles(ctx.roots);
  const steal = stealMeter();
  const result = await runLoad(plan);
  const stealShare = steal();
  const cpuAfter = snapshotRoles(ctx.roots);
  const stagesAfter = await scrapeStageTotals(ctx.baseUrl);
  const figures = evaluateLoad(result);
  const runs = Math.max(1, figures.answered);
  const cpuPerRunMs = new Map<string, RoleCpu>();
  for (const [role, cpu] of cpuBetween(cpuBefore, cpuAfter, ctx.ticksPerSecond)) {
    cpuPerRunMs.set(role, { selfMs: cpu.selfMs / runs, childrenMs: cpu.childrenMs / runs });
  }
  return {
    label,
    offeredPerSecond: scenario.arrival.kind === 'constant-rate' ? (override.ratePerSecond ?? scenario.arrival.ratePerSecond) : null,
    figures,
    stageMeansMs: stagesBefore === null || stagesAfter === null ? new Map() : meanBetween(stagesBefore, stagesAfter),
    cpuPerRunMs,
    thresholdFailures: thresholdFailures(figures, scenario.thresholds),
    stealShare,
  };
}
