import { describe, expect, it } from 'vitest';
import { evaluateLoad, judgeStep, thresholdFailures, DEFAULT_SUSTAIN } from '../../bench/load/evaluate.js';
import {
  meanServiceOverheadMs,
  median,
  medianDeliveryMs,
  medianOverheadMs,
  medianServiceOverheadMs,
  percentile,
  summarizeByOutcome,
  summarizeLatencies,
  type RunSample,
} from '../../bench/load/stats.js';
import { judgeGrowth } from '../../bench/load/soak.js';

function sample(outcome: string, latencyMs: number, sandboxWallMs: number | null = null, isExpected = true): RunSample {
  return { programId: 'p', outcome, isExpected, latencyMs, sandboxWallMs, startedAtMs: 0 };
}

describe('median', () => {
  it('takes the middle value, or the mean of the middle two, of unsorted input', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([0.7])).toBe(0.7);
  });

  it('returns NaN for no values', () => {
    expect(median([])).toBeNaN();
  });
});

describe('percentile', () => {
  it('returns the nearest-rank value, always an observed one', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3], 50)).toBe(2);
  });

  it('returns NaN for no values and rejects percentiles outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('summarizes unsorted input', () => {
    const s = summarizeLatencies([5, 1, 4, 2, 3]);
    expect(s).toMatchObject({ count: 5, p50Ms: 3, maxMs: 5, meanMs: 3 });
  });
});

describe('load figures', () => {
  it('groups latency by outcome with an ALL row first', () => {
    const byOutcome = summarizeByOutcome([sample('OK', 1), sample('TIME_LIMIT', 100), sample('OK', 3)]);
    expect([...byOutcome.keys()]).toEqual(['ALL', 'OK', 'TIME_LIMIT']);
    expect(byOutcome.get('OK')?.count).toBe(2);
  });

  it('takes the overhead from OK runs that report a sandbox wall time', () => {
    expect(medianOverheadMs([sample('OK', 10, 8), sample('OK', 20, 17), sample('OK', 5, null), sample('TIME_LIMIT', 500, 100)])).toBe(2);
    // The service's own part: latency minus the time inside containers, OK runs that carry it.
    const inContainers = (latencyMs: number, sandboxMs: number | null, outcome = 'OK'): RunSample => ({ ...sample(outcome, latencyMs), sandboxMs });
    expect(medianServiceOverheadMs([inContainers(10, 7), inContainers(12, 11), inContainers(30, 20), inContainers(9, null), inContainers(900, 100, 'TIME_LIMIT')])).toBe(3);
    expect(medianServiceOverheadMs([sample('OK', 10, 8)])).toBeNaN();
    expect(meanServiceOverheadMs([inContainers(10, 7), inContainers(12, 11), inContainers(30, 20), inContainers(900, 100, 'TIME_LIMIT')])).toBeCloseTo(14 / 3, 9);
    expect(meanServiceOverheadMs([])).toBeNaN();
    const delivered = (deliveryMs: number | null, outcome = 'OK'): RunSample => ({ ...sample(outcome, 10), deliveryMs });
    expect(medianDeliveryMs([delivered(1.5), delivered(0.5), delivered(null), delivered(2), delivered(50, 'TIME_LIMIT')])).toBe(1.5);
    expect(medianDeliveryMs([delivered(null)])).toBeNaN();
  });

  it('counts dropped, failed and unexpected requests as errors', () => {
    const figures = evaluateLoad({
      samples: [sample('OK', 2), sample('HTTP_503', 1), sample('RUNTIME_ERROR', 2, null, false), sample('OK', 2)],
      scheduled: 5,
      dropped: 1,
      elapsedMs: 1000,
      startLagP99Ms: 0,
    });
    expect(figures).toMatchObject({ answered: 3, failed: 1, unexpected: 1, dropped: 1, runsPerSecond: 3 });
    expect(figures.errorRate).toBeCloseTo(0.6);
    expect(thresholdFailures(figures, { p99LatencyMs: 50, maxErrorRate: 0.01 })).toHaveLength(1);
  });

  it('calls a step unsustained when the achieved rate falls behind the offered one', () => {
    const figures = evaluateLoad({ samples: [sample('OK', 2), sample('OK', 2)], scheduled: 2, dropped: 0, elapsedMs: 1000, startLagP99Ms: 0 });
    expect(judgeStep(figures, 2, DEFAULT_SUSTAIN).isSustained).toBe(true);
    expect(judgeStep(figures, 10, DEFAULT_SUSTAIN)).toMatchObject({ isSustained: false });
  });
});

describe('memory growth', () => {
  const MIB = 2 ** 20;
  it('ignores the warm-up sample and noise', () => {
    const verdict = judgeGrowth({ role: 'api', samplesBytes: [50, 100, 101, 99, 102, 100, 101, 100, 102].map((x) => x * MIB) });
    expect(verdict.isGrowing).toBe(false);
    expect(verdict.firstBytes).toBe(50 * MIB);
  });

  it('flags a steady climb', () => {
    const verdict = judgeGrowth({ role: 'worker', samplesBytes: Array.from({ length: 12 }, (_, i) => (100 + 10 * i) * MIB) });
    expect(verdict.isGrowing).toBe(true);
    expect(verdict.maxBytes).toBe(210 * MIB);
  });
});
