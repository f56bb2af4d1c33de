/**
 * Turns a load result into the figures the reports print and the thresholds check (pure).
 */
import type { Thresholds } from '../scenarios.js';
import type { LoadResult } from './open-loop.js';
import { meanServiceOverheadMs, medianDeliveryMs, medianOverheadMs, medianServiceOverheadMs, summarizeByOutcome, type LatencySummary } from './stats.js';

/** The figures of one load run. */
export interface LoadFigures {
  scheduled: number;
  answered: number;
  dropped: number;
  /** Requests with no usable answer: HTTP errors, network errors, timeouts, unreadable bodies. */
  failed: number;
  /** Answered with a status other than the program's expected one. */
  unexpected: number;
  /** (dropped + failed + unexpected) / scheduled, 0..1. */
  errorRate: number;
  /** Answered runs per second, from the first start to the last answer. */
  runsPerSecond: number;
  /** Latency by outcome, plus `ALL`. */
  latencyByOutcome: Map<string, LatencySummary>;
  /** Median of end-to-end latency minus the sandbox's reported wall time, OK runs, ms. */
  overheadP50Ms: number;
  /**
   * Median of end-to-end latency minus the time inside containers (`timings.sandboxMs`: setup,
   * program and teardown), OK runs, ms: HTTP + queue + result delivery, the service's own part.
   */
  serviceOverheadP50Ms: number;
  /** Mean of the same, ms. */
  serviceOverheadMeanMs: number;
  /** Median result delivery: the worker's finish → the answer's last byte at the client, OK runs, ms. */
  deliveryP50Ms: number;
  startLagP99Ms: number;
}

/** Outcomes that mean the service gave no result (as opposed to a verdict); PENDING: not done within the API's wait bound. */
export function isFailureOutcome(outcome: string): boolean {
  return outcome.startsWith('HTTP_') || ['NETWORK_ERROR', 'TIMEOUT', 'BAD_RESPONSE', 'PENDING'].includes(outcome);
}

/** Figures of one result. */
export function evaluateLoad(result: LoadResult): LoadFigures {
  const failed = result.samples.filter((s) => isFailureOutcome(s.outcome)).length;
  const unexpected = result.samples.filter((s) => !isFailureOutcome(s.outcome) && !s.isExpected).length;
  const answered = result.samples.length - failed;
  const bad = result.dropped + failed + unexpected;
  return {
    scheduled: result.scheduled,
    answered,
    dropped: result.dropped,
    failed,
    unexpected,
    errorRate: result.scheduled === 0 ? 0 : bad / result.scheduled,
    runsPerSecond: result.elapsedMs > 0 ? (answered * 1000) / result.elapsedMs : 0,
    latencyByOutcome: summarizeByOutcome(result.samples),
    overheadP50Ms: medianOverheadMs(result.samples),
    serviceOverheadP50Ms: medianServiceOverheadMs(result.samples),
    serviceOverheadMeanMs: meanServiceOverheadMs(result.samples),
    deliveryP50Ms: medianDeliveryMs(result.samples),
    startLagP99Ms: result.startLagP99Ms,
  };
}

/** Threshold failures as readable lines; empty when every threshold holds. */
export function thresholdFailures(figures: LoadFigures, thresholds: Thresholds): string[] {
  const failures: string[] = [];
  if (figures.errorRate > thresholds.maxErrorRate) {
    failures.push(`error rate ${(figures.errorRate * 100).toFixed(2)}% > ${(thresholds.maxErrorRate * 100).toFixed(2)}%`);
  }
  const okP99Ms = figures.latencyByOutcome.get('OK')?.p99Ms;
  if (okP99Ms !== undefined && okP99Ms > thresholds.p99LatencyMs) {
    failures.push(`p99 of OK runs ${okP99Ms.toFixed(1)} ms > ${thresholds.p99LatencyMs} ms`);
  }
  return failures;
}

/** What the maximum-rate search calls a sustained step. */
export interface SustainCriteria {
  /** Highest share of failed/dropped/unexpected requests, 0..1. @defaultValue 0.01 */
  maxErrorRate: number;
  /** Lowest achieved/offered rate ratio (below it, the queue is growing). @defaultValue 0.95 */
  minAchievedRatio: number;
  /** Highest p99 latency of all answers, ms: queueing beyond this is not "sustained". @defaultValue 500 */
  maxP99Ms: number;
}

/** Default criteria of the maximum-rate search. */
export const DEFAULT_SUSTAIN: Readonly<SustainCriteria> = Object.freeze({
  maxErrorRate: 0.01,
  minAchievedRatio: 0.95,
  maxP99Ms: 500,
});

/** Whether a step at `offeredPerSecond` was sustained, and if not, why. */
export function judgeStep(figures: LoadFigures, offeredPerSecond: number, criteria: SustainCriteria): { isSustained: boolean; reason: string } {
  if (figures.errorRate >= criteria.maxErrorRate) {
    return { isSustained: false, reason: `errors ${(figures.errorRate * 100).toFixed(1)}%` };
  }
  if (figures.runsPerSecond < offeredPerSecond * criteria.minAchievedRatio) {
    return { isSustained: false, reason: `achieved ${figures.runsPerSecond.toFixed(1)}/s` };
  }
  const p99Ms = figures.latencyByOutcome.get('ALL')?.p99Ms ?? Number.NaN;
  if (!(p99Ms <= criteria.maxP99Ms)) return { isSustained: false, reason: `p99 ${p99Ms.toFixed(0)} ms` };
  return { isSustained: true, reason: 'ok' };
}
