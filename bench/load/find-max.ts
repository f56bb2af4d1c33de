/**
 * The maximum sustained rate of a scenario: ramp the offered rate geometrically until a step is
 * not sustained (errors, a falling-behind queue, or unbounded latency), bisect between the last
 * good and the first bad rate, then measure latency at half of the maximum.
 */
import type { Scenario } from '../scenarios.js';
import { judgeStep, type SustainCriteria } from './evaluate.js';
import { measureScenario, type MeasureContext, type ScenarioMeasurement } from './measure.js';
import { rampRates } from './schedule.js';

/** Search settings. */
export interface FindMaxOptions {
  /** First rate tried, requests/s. @defaultValue 25 */
  startPerSecond: number;
  /** Each step's rate over the last. @defaultValue 1.5 */
  factor: number;
  /** Never offer more than this, requests/s. @defaultValue 2000 */
  ceilingPerSecond: number;
  /** Steps of the ramp at most (bisection adds `bisectSteps`). @defaultValue 10 */
  maxSteps: number;
  /** Bisection steps after the first failing step. @defaultValue 2 */
  bisectSteps: number;
  /** Length of each step, s. @defaultValue 5 */
  stepDurationS: number;
  /** Length of the measurement at half the maximum, s. @defaultValue 15 */
  measureDurationS: number;
  criteria: SustainCriteria;
}

/** One step of the search. */
export interface FindMaxStep {
  offeredPerSecond: number;
  achievedPerSecond: number;
  isSustained: boolean;
  reason: string;
}

/** The search's outcome. */
export interface FindMaxResult {
  scenario: string;
  steps: FindMaxStep[];
  /** Highest sustained offered rate, requests/s; 0 when even the first step failed. */
  maxPerSecond: number;
  /** The measurement at half of `maxPerSecond`; null when no step was sustained. */
  atHalf: ScenarioMeasurement | null;
}

/** Runs the search; `log` receives one line per step. */
export async function findMaxRate(ctx: MeasureContext, scenario: Scenario, options: FindMaxOptions, log: (line: string) => void): Promise<FindMaxResult> {
  const steps: FindMaxStep[] = [];
  const tryRate = async (ratePerSecond: number): Promise<boolean> => {
    const m = await measureScenario(ctx, scenario, { ratePerSecond, durationS: options.stepDurationS });
    const verdict = judgeStep(m.figures, ratePerSecond, options.criteria);
    steps.push({ offeredPerSecond: ratePerSecond, achievedPerSecond: m.figures.runsPerSecond, ...verdict });
    log(
      `  ${scenario.name} @ ${ratePerSecond}/s: achieved ${m.figures.runsPerSecond.toFixed(1)}/s, ` +
        `p99 ${(m.figures.latencyByOutcome.get('ALL')?.p99Ms ?? Number.NaN).toFixed(1)} ms, ${verdict.reason}`,
    );
    return verdict.isSustained;
  };

  let good = 0;
  let bad = 0;
  for (const rate of rampRates(options.startPerSecond, options.factor, options.ceilingPerSecond, options.maxSteps)) {
    if (await tryRate(rate)) good = rate;
    else {
      bad = rate;
      break;
    }
  }
  for (let i = 0; i < options.bisectSteps && bad > 0 && bad - good > Math.max(2, good * 0.05); i++) {
    const mid = Math.round((good + bad) / 2);
    if (await tryRate(mid)) good = mid;
    else bad = mid;
  }
  const halfPerSecond = Math.max(1, Math.round(good / 2));
  const atHalf = good === 0 ? null : await measureScenario(ctx, scenario, { ratePerSecond: halfPerSecond, durationS: options.measureDurationS }, `${scenario.name} @ max/2`);
  return { scenario: scenario.name, steps, maxPerSecond: good, atHalf };
}
