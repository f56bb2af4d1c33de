/**
 * Shared by the k6 scripts: the scenario document (generated from bench/scenarios.ts), the k6
 * options of a scenario, one iteration (POST /run, wait for the result) and the end-of-test
 * summary of runs/s and p50/p95/p99 by status, the same figures the Node driver prints.
 *
 * Environment: BASE_URL (default http://127.0.0.1:3000, loopback only), RATE (runs/s),
 * DURATION (seconds), COUNT (burst size). Each scenario's script is bench/k6/<name>.ts:
 *   k6 run bench/k6/<name>.ts                                 # the scenario's default arrival
 *   k6 run -e BASE_URL=http://127.0.0.1:3000 -e RATE=100 -e DURATION=30 -e COUNT=200 bench/k6/<name>.ts
 */
import http from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';

interface K6Program {
  id: string;
  language: string;
  body: Record<string, unknown>;
  expectedStatus: string;
}

type Arrival = { kind: 'constant-rate'; ratePerSecond: number; durationS: number } | { kind: 'burst'; count: number };

interface K6Scenario {
  name: string;
  description: string;
  mix: Array<{ programId: string; weight: number }>;
  arrival: Arrival;
  thresholds: { p99LatencyMs: number; maxErrorRate: number };
  maxInFlight: number;
}

interface K6Document {
  runPath: string;
  programs: Record<string, K6Program>;
  scenarios: K6Scenario[];
}

// open() is only allowed in the init context, which a module's top level is.
const DOCUMENT = JSON.parse(open('./scenarios.json')) as K6Document;

const BASE_URL = __ENV['BASE_URL'] ?? 'http://127.0.0.1:3000';
if (!/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(:\d+)?$/.test(BASE_URL)) {
  throw new Error(`refusing to load ${BASE_URL}: only http://127.0.0.1, http://[::1] or http://localhost`);
}

/** End-to-end latency of each answered run, ms, tagged with its status. */
const runLatency = new Trend('run_latency_ms', true);
/**
 * The service's own part of each OK run, ms: end-to-end latency minus the time inside
 * containers the result reports (`timings.sandboxMs`: setup + program + teardown).
 */
const serviceOverhead = new Trend('service_overhead_ms', true);
/** Answered runs (any status). */
const runs = new Counter('runs');
/** Share of requests that failed: no result, HTTP error, or a status other than the expected one. */
const runErrors = new Rate('run_errors');

/** Every status a run may end with (worker/contract/result.ts) plus the driver's failure outcomes. */
const OUTCOMES = ['OK', 'RUNTIME_ERROR', 'TIME_LIMIT', 'MEMORY_LIMIT', 'OUTPUT_LIMIT', 'COMPILE_ERROR', 'WRONG_ANSWER', 'INTERNAL_ERROR', 'PENDING', 'HTTP_ERROR'];

/** The named scenario from the generated document. */
export function scenarioNamed(name: string): K6Scenario {
  const found = DOCUMENT.scenarios.find((s) => s.name === name);
  if (found === undefined) throw new Error(`scenario ${name} is not in scenarios.json; regenerate it`);
  return found;
}

/** k6 options: the scenario's arrival (with RATE/DURATION/COUNT overrides) and thresholds. */
export function optionsFor(scenario: K6Scenario): Options {
  const thresholds: Record<string, string[]> = {
    run_errors: [`rate<${scenario.thresholds.maxErrorRate}`],
    'run_latency_ms{status:OK}': [`p(99)<${scenario.thresholds.p99LatencyMs}`],
  };
  // A threshold per status makes k6 keep that sub-metric, so the summary can show it.
  for (const outcome of OUTCOMES) thresholds[`run_latency_ms{status:${outcome}}`] ??= ['max>=0'];
  const arrival = scenario.arrival;
  const executor =
    arrival.kind === 'constant-rate'
      ? {
          executor: 'constant-arrival-rate' as const,
          rate: Number(__ENV['RATE'] ?? arrival.ratePerSecond),
          timeUnit: '1s',
          duration: `${Number(__ENV['DURATION'] ?? arrival.durationS)}s`,
          preAllocatedVUs: Math.min(50, scenario.maxInFlight),
          maxVUs: scenario.maxInFlight,
        }
      : {
          executor: 'shared-iterations' as const,
          vus: scenario.maxInFlight,
          iterations: Number(__ENV['COUNT'] ?? arrival.count),
          maxDuration: '10m',
        };
  return {
    scenarios: { [scenario.name]: executor },
    thresholds,
    summaryTrendStats: ['avg', 'p(50)', 'p(95)', 'p(99)', 'max', 'count'],
    discardResponseBodies: false,
  };
}

function pickProgram(scenario: K6Scenario): K6Program {
  const total = scenario.mix.reduce((sum, m) => sum + m.weight, 0);
  let threshold = Math.random() * total;
  for (const m of scenario.mix) {
    threshold -= m.weight;
    if (threshold < 0) return DOCUMENT.programs[m.programId] as K6Program;
  }
  return DOCUMENT.programs[scenario.mix[scenario.mix.length - 1]?.programId ?? ''] as K6Program;
}

/** One iteration: submit one program of the mix and record its outcome. */
export function runOne(scenario: K6Scenario): void {
  const program = pickProgram(scenario);
  const res = http.post(`${BASE_URL}${DOCUMENT.runPath}`, JSON.stringify(program.body), {
    headers: { 'content-type': 'application/json' },
    tags: { program: program.id },
    timeout: '30s',
  });
  let outcome = 'HTTP_ERROR';
  if (res.status === 202) outcome = 'PENDING';
  else if (res.status === 200) {
    const body = res.json() as { status?: unknown; timings?: { sandboxMs?: unknown } } | null;
    outcome = typeof body?.status === 'string' ? body.status : 'HTTP_ERROR';
    const sandboxMs = body?.timings?.sandboxMs;
    if (outcome === 'OK' && typeof sandboxMs === 'number') serviceOverhead.add(res.timings.duration - sandboxMs);
  }
  const isFailure = outcome === 'HTTP_ERROR' || outcome === 'PENDING';
  if (!isFailure) {
    runs.add(1);
    runLatency.add(res.timings.duration, { status: outcome });
  }
  runErrors.add(isFailure || outcome !== program.expectedStatus);
}

interface SummaryMetric {
  values: Record<string, number>;
}

/** The end-of-test text: runs/s, error rate, and latency percentiles by status. */
export function summaryText(scenario: K6Scenario, data: { metrics: Record<string, SummaryMetric | undefined> }): string {
  const lines = [`${scenario.name}: ${scenario.description}`];
  const rate = data.metrics['runs']?.values['rate'] ?? 0;
  const errors = data.metrics['run_errors']?.values['rate'] ?? 0;
  lines.push(`runs/s ${rate.toFixed(1)}   errors ${(errors * 100).toFixed(2)}%`);
  const overhead = data.metrics['service_overhead_ms']?.values;
  if (overhead !== undefined && Number(overhead['count']) > 0) {
    lines.push(`service overhead (latency − time in containers), OK runs: p50 ${Number(overhead['p(50)']).toFixed(2)} ms`);
  }
  lines.push('status           n      p50 ms   p95 ms   p99 ms');
  for (const outcome of OUTCOMES) {
    const v = data.metrics[`run_latency_ms{status:${outcome}}`]?.values;
    if (v === undefined || !(Number(v['count']) > 0)) continue;
    const f = (key: string): string => Number(v[key]).toFixed(1).padStart(8);
    lines.push(`${outcome.padEnd(14)} ${String(v['count']).padStart(6)} ${f('p(50)')} ${f('p(95)')} ${f('p(99)')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** What a scenario's k6 script exports: its options, one iteration (the default export) and the summary. */
export interface ScenarioScript {
  options: Options;
  iteration: () => void;
  handleSummary: (data: Parameters<typeof summaryText>[1]) => Record<string, string>;
}

/** Everything the k6 script of scenario `name` exports (bench/k6/<name>.ts re-exports it). */
export function scenarioScript(name: string): ScenarioScript {
  const scenario = scenarioNamed(name);
  return {
    options: optionsFor(scenario),
    iteration: () => runOne(scenario),
    handleSummary: (data) => ({ stdout: summaryText(scenario, data) }),
  };
}
