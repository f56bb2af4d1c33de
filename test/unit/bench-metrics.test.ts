import { describe, expect, it } from 'vitest';
import { cpuBetween, parseProcStat, parseRssBytes, processTree, type ProcCounters } from '../../bench/load/procstat.js';
import { histogramTotals, meanBetween, parsePrometheusText, STAGE_HISTOGRAM } from '../../bench/load/prometheus.js';
import { readRunResponse, assertLoopback } from '../../bench/load/open-loop.js';

const SCRAPE = (runSum: number, runCount: number): string => `# HELP bulkhead_stage_duration_ms Stage durations
# TYPE bulkhead_stage_duration_ms histogram
bulkhead_stage_duration_ms_bucket{stage="run",le="5"} 3
bulkhead_stage_duration_ms_bucket{stage="run",le="+Inf"} ${runCount}
bulkhead_stage_duration_ms_sum{stage="run"} ${runSum}
bulkhead_stage_duration_ms_count{stage="run"} ${runCount}
bulkhead_stage_duration_ms_sum{stage="queue"} 4
bulkhead_stage_duration_ms_count{stage="queue"} 4
bulkhead_runs_total{language="bash",status="OK",note="a \\"quoted\\" value"} 12
`;

describe('Prometheus text', () => {
  it('parses names, labels with escapes, +Inf and skips comments', () => {
    const samples = parsePrometheusText(SCRAPE(10, 4));
    expect(samples).toHaveLength(7);
    expect(samples[1]?.labels).toEqual({ stage: 'run', le: '+Inf' });
    expect(samples[6]).toEqual({ name: 'bulkhead_runs_total', labels: { language: 'bash', status: 'OK', note: 'a "quoted" value' }, value: 12 });
    expect(parsePrometheusText('x_total{le="+Inf"} +Inf\nnot a sample\n')[0]?.value).toBe(Number.POSITIVE_INFINITY);
  });

  it('gives the mean per stage of what was observed between two scrapes', () => {
    const before = histogramTotals(parsePrometheusText(SCRAPE(10, 4)), STAGE_HISTOGRAM, 'stage');
    const after = histogramTotals(parsePrometheusText(SCRAPE(40, 14)), STAGE_HISTOGRAM, 'stage');
    const means = meanBetween(before, after);
    expect(means.get('run')).toEqual({ meanMs: 3, count: 10 });
    expect(means.has('queue')).toBe(false);
  });
});

describe('/proc parsing', () => {
  it('reads CPU ticks from a stat line whose command holds spaces and parentheses', () => {
    const line = '42 (node (tsx) x) S 7 42 42 0 -1 4194560 100 0 0 0 150 25 3 4 20 0 11 0 123 456 789';
    expect(parseProcStat(line)).toEqual({ pid: 42, ppid: 7, selfTicks: 175, childrenTicks: 7 });
    expect(parseProcStat('garbage')).toBeNull();
  });

  it('reads VmRSS in bytes', () => {
    expect(parseRssBytes('Name:\tnode\nVmRSS:\t  2048 kB\nThreads: 7\n')).toBe(2048 * 1024);
    expect(parseRssBytes('Name:\tkthreadd\n')).toBe(0);
  });

  it('follows descendants and counts CPU only of processes seen at both ends', () => {
    const p = (pid: number, ppid: number, selfTicks: number, childrenTicks = 0): ProcCounters => ({ pid, ppid, selfTicks, childrenTicks });
    const all = [p(1, 0, 0), p(10, 1, 5), p(11, 10, 7), p(12, 11, 1), p(20, 1, 9)];
    expect(
      processTree(10, all)
        .map((x) => x.pid)
        .sort(),
    ).toEqual([10, 11, 12]);
    const before = new Map([
      [
        'worker',
        new Map([
          [10, p(10, 1, 5, 0)],
          [11, p(11, 10, 7, 0)],
        ]),
      ],
    ]);
    const after = new Map([
      [
        'worker',
        new Map([
          [10, p(10, 1, 6, 0)],
          [11, p(11, 10, 9, 30)],
          [13, p(13, 11, 50)],
        ]),
      ],
    ]);
    expect(cpuBetween(before, after, 100).get('worker')).toEqual({ selfMs: 30, childrenMs: 300 });
  });
});

describe('run responses and targets', () => {
  it('reads status and the sandbox wall time of compile plus run', () => {
    const timings = { workerMs: 60, sandboxMs: 55.5, finishedAtMs: 1_795_000_000_000.25 };
    expect(readRunResponse({ status: 'OK', compile: { wallTimeMs: 40 }, run: { wallTimeMs: 2.5 }, timings })).toEqual({
      status: 'OK',
      sandboxWallMs: 42.5,
      sandboxMs: 55.5,
      finishedAtMs: 1_795_000_000_000.25,
    });
    const none = { sandboxWallMs: null, sandboxMs: null, finishedAtMs: null };
    expect(readRunResponse({ result: { status: 'TIME_LIMIT' } })).toEqual({ status: 'TIME_LIMIT', ...none });
    expect(readRunResponse({ id: 'r', state: 'queued' })).toEqual({ status: 'PENDING', ...none });
    expect(readRunResponse('nope')).toEqual({ status: null, ...none });
  });

  it('sends load only to loopback', () => {
    expect(() => assertLoopback('http://127.0.0.1:3000')).not.toThrow();
    expect(() => assertLoopback('http://[::1]:3000')).not.toThrow();
    expect(() => assertLoopback('http://10.0.0.1:3000')).toThrow(/refusing/);
    expect(() => assertLoopback('https://localhost:3000')).toThrow(/refusing/);
  });
});
