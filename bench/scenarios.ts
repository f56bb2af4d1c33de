/**
 * The one definition of the load scenarios, shared by the Node driver (bench/load/) and the k6
 * scripts (bench/k6/, through the generated bench/k6/scenarios.json; a unit test fails on drift).
 *
 * A scenario is a weighted set of programs plus how they arrive: at a constant rate (open model)
 * or all at once (a grading batch). Each program names the status it must end with, so a load
 * run also checks that the service still gives the right verdict under load.
 *
 * This module is data plus pure helpers: no imports with side effects, no I/O.
 */
import type { Limits } from '../worker/contract/limits.js';
import type { Status } from '../worker/contract/result.js';

/** Limits a benchmark program asks for: the request's own. */
export type BenchLimits = Limits;

/** One program the load generator submits. */
export interface BenchProgram {
  /** Stable id used in reports and as a k6 tag. */
  id: string;
  /** Canonical language name as GET /languages lists it. */
  language: string;
  /** The whole source of the main file. */
  source: string;
  /** Limits sent with the request; unset fields take the language defaults. */
  limits?: BenchLimits;
  /** The status the service must answer with; anything else counts as an unexpected verdict. */
  expectedStatus: Status;
}

/** How requests of a scenario arrive. */
export type ArrivalModel =
  /** `ratePerSecond` requests started per second for `durationS`, whether or not earlier ones finished. */
  | { kind: 'constant-rate'; ratePerSecond: number; durationS: number }
  /** `count` requests started at once, at most `maxInFlight` outstanding (a batch being graded). */
  | { kind: 'burst'; count: number };

/** Pass/fail thresholds checked by both drivers. */
export interface Thresholds {
  /** Highest allowed p99 end-to-end latency of OK runs, ms. */
  p99LatencyMs: number;
  /** Highest allowed share of failed requests (HTTP error, network error, dropped, wrong status), 0..1. */
  maxErrorRate: number;
}

/** One load scenario. */
export interface Scenario {
  name: string;
  description: string;
  /** Program ids with relative weights (positive numbers; they need not sum to 1). */
  mix: ReadonlyArray<{ programId: string; weight: number }>;
  /** Default arrival; both drivers let the operator override rate, duration and count. */
  arrival: ArrivalModel;
  thresholds: Thresholds;
  /** Upper bound on requests outstanding at once; more are dropped and counted. */
  maxInFlight: number;
}

/** Bytes in one mebibyte. */
const MIB_BYTES = 1024 * 1024;

/** The programs, keyed by id. Sources are minimal on purpose: they measure the service, not the language. */
export const PROGRAMS: Readonly<Record<string, BenchProgram>> = Object.freeze({
  'bash-echo': { id: 'bash-echo', language: 'bash', source: 'echo hello\n', expectedStatus: 'OK' },
  'python-hello': { id: 'python-hello', language: 'python', source: 'print("hello")\n', expectedStatus: 'OK' },
  'javascript-hello': {
    id: 'javascript-hello',
    language: 'javascript',
    source: 'console.log("hello");\n',
    expectedStatus: 'OK',
  },
  'c-hello': {
    id: 'c-hello',
    language: 'c',
    source: '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n',
    expectedStatus: 'OK',
  },
  'bash-exit-3': { id: 'bash-exit-3', language: 'bash', source: 'exit 3\n', expectedStatus: 'RUNTIME_ERROR' },
  'python-spin': {
    id: 'python-spin',
    language: 'python',
    source: 'while True:\n    pass\n',
    limits: { cpuTimeMs: 100, wallTimeMs: 400 },
    expectedStatus: 'TIME_LIMIT',
  },
  'python-memhog': {
    id: 'python-memhog',
    language: 'python',
    // Multiplying a bytes object writes every page, so the memory is really used (a bare
    // bytearray(n) may be backed by untouched zero pages and never reach the limit).
    source: 'b = b"x" * (256 * 1024 * 1024)\nprint(len(b))\n',
    limits: { memoryBytes: 64 * MIB_BYTES, wallTimeMs: 2000 },
    expectedStatus: 'MEMORY_LIMIT',
  },
  'bash-flood': {
    id: 'bash-flood',
    language: 'bash',
    source: 'line=$(printf "%0100d" 0)\nwhile :; do echo "$line"; done\n',
    limits: { outputBytes: 64 * 1024, wallTimeMs: 2000 },
    expectedStatus: 'OUTPUT_LIMIT',
  },
});

/** The scenarios operators run. */
export const SCENARIOS: readonly Scenario[] = Object.freeze([
  {
    name: 'hello-bash',
    description: 'Bash echo at a constant arrival rate (target: >= 300 runs/s on 2 cores)',
    mix: [{ programId: 'bash-echo', weight: 1 }],
    arrival: { kind: 'constant-rate', ratePerSecond: 150, durationS: 20 },
    thresholds: { p99LatencyMs: 30, maxErrorRate: 0.01 },
    maxInFlight: 256,
  },
  {
    name: 'hello-python',
    description: 'Python hello world at a constant arrival rate (target: >= 100 runs/s on 2 cores)',
    mix: [{ programId: 'python-hello', weight: 1 }],
    arrival: { kind: 'constant-rate', ratePerSecond: 50, durationS: 20 },
    thresholds: { p99LatencyMs: 50, maxErrorRate: 0.01 },
    maxInFlight: 256,
  },
  {
    name: 'hello-languages',
    description: 'Hello worlds in bash, python, javascript and C (compiled) in equal shares',
    mix: [
      { programId: 'bash-echo', weight: 1 },
      { programId: 'python-hello', weight: 1 },
      { programId: 'javascript-hello', weight: 1 },
      { programId: 'c-hello', weight: 1 },
    ],
    arrival: { kind: 'constant-rate', ratePerSecond: 20, durationS: 20 },
    thresholds: { p99LatencyMs: 500, maxErrorRate: 0.01 },
    maxInFlight: 256,
  },
  {
    name: 'limits-mix',
    description: 'Mostly hello worlds with time-limit, memory-limit, output-flood and failing programs',
    mix: [
      { programId: 'bash-echo', weight: 4 },
      { programId: 'python-hello', weight: 2 },
      { programId: 'bash-exit-3', weight: 1 },
      { programId: 'python-spin', weight: 1 },
      { programId: 'python-memhog', weight: 1 },
      { programId: 'bash-flood', weight: 1 },
    ],
    arrival: { kind: 'constant-rate', ratePerSecond: 20, durationS: 20 },
    thresholds: { p99LatencyMs: 2500, maxErrorRate: 0.01 },
    maxInFlight: 256,
  },
  {
    name: 'batch',
    description: 'A grading batch: 500 bash and python runs submitted at once, drained as fast as possible',
    mix: [
      { programId: 'bash-echo', weight: 1 },
      { programId: 'python-hello', weight: 1 },
    ],
    arrival: { kind: 'burst', count: 500 },
    thresholds: { p99LatencyMs: 30_000, maxErrorRate: 0.01 },
    maxInFlight: 500,
  },
]);

/** The scenario with this name, or a thrown Error listing the known names. */
export function findScenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (found === undefined) {
    throw new Error(`unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  return found;
}

/** The program with this id, or a thrown Error. */
export function findProgram(id: string): BenchProgram {
  const found = PROGRAMS[id];
  if (found === undefined) throw new Error(`unknown program "${id}"`);
  return found;
}

/**
 * The JSON body of POST /run for a program. The one place that knows the request shape, so a
 * change of the wire format is a change here (the k6 scripts receive the bodies pre-built).
 */
export function runRequestBody(program: BenchProgram): Record<string, unknown> {
  const body: Record<string, unknown> = { language: program.language, source: program.source, wait: true };
  if (program.limits !== undefined) body['limits'] = { ...program.limits };
  return body;
}

/**
 * Path of the run endpoint. With `wait: true` in the body it answers 200 with the finished run,
 * or 202 with only `id` and `state` when the result took longer than the API's wait bound.
 */
export const RUN_PATH = '/run';
