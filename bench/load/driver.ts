/**
 * The Node load driver: the k6 scenarios without k6.
 *
 *   npx tsx bench/load/driver.ts --url http://127.0.0.1:3000                 # the default suite
 *   npx tsx bench/load/driver.ts --scenario hello-bash --rate 200 --duration 30
 *   npx tsx bench/load/driver.ts --scenario hello-python --find-max
 *   npx tsx bench/load/driver.ts --scenario hello-bash --rate 150 --soak 600
 *
 * The URL comes from --url or BENCH_URL and must be loopback. Exit status 1 when a scenario
 * misses its thresholds, 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { findScenario, PROGRAMS, SCENARIOS } from '../scenarios.js';
import { DEFAULT_SUSTAIN } from './evaluate.js';
import { findMaxRate, type FindMaxOptions, type FindMaxResult } from './find-max.js';
import { measureScenario, warmUp, type ArrivalOverride, type MeasureContext, type ScenarioMeasurement } from './measure.js';
import { assertLoopback } from './open-loop.js';
import { clockTicksPerSecond, findServicePids } from './procstat.js';
import { cpuTable, growthTable, latencyTable, maxRateTable, stageTable } from './report.js';
import { soak } from './soak.js';

const USAGE = `options: --url URL --scenario a,b --rate N --duration S --count N --find-max
  --step-duration S --measure-duration S --soak S --sample-every S --pids api=1,worker=2,redis=3 --seed N
scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`;

/** Scenarios searched for their maximum rate by the default suite. */
const SUITE_FIND_MAX = ['hello-bash', 'hello-python'];
/** Scenarios run once at their default arrival by the default suite. */
const SUITE_FIXED = ['hello-languages', 'limits-mix', 'batch'];

/** Parses the command line (node:util parseArgs; unknown options throw). */
function parseCli(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      scenario: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      count: { type: 'string' },
      'find-max': { type: 'boolean', default: false },
      'step-duration': { type: 'string', default: '5' },
      'measure-duration': { type: 'string', default: '15' },
      soak: { type: 'string' },
      'sample-every': { type: 'string', default: '30' },
      pids: { type: 'string' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  });
}

function positive(text: string | boolean | undefined, name: string): number | undefined {
  if (text === undefined || typeof text === 'boolean') return undefined;
  const value = Number(text);
  if (!(value > 0)) throw new Error(`--${name} must be a positive number, got "${text}"`);
  return value;
}

/** Warns about scenario languages the service does not list on GET /languages. */
async function warnMissingLanguages(baseUrl: string): Promise<void> {
  try {
    const res = await fetch(new URL('/languages', baseUrl), { signal: AbortSignal.timeout(5000) });
    const body: unknown = await res.json();
    const list = Array.isArray(body) ? body : ((body as { languages?: unknown[] } | null)?.languages ?? []);
    // GET /languages answers [{ language, aliases, … }] (api/routes/languages.ts).
    const names = new Set(
      list.flatMap((l) => {
        const entry = l as { language?: unknown; aliases?: unknown };
        return [String(entry.language), ...(Array.isArray(entry.aliases) ? entry.aliases.map(String) : [])];
      }),
    );
    const missing = [...new Set(Object.values(PROGRAMS).map((p) => p.language))].filter((l) => !names.has(l));
    if (missing.length > 0) console.log(`note: GET /languages does not list ${missing.join(', ')}; their runs will fail`);
  } catch {
    console.log('note: GET /languages unreadable; languages not checked');
  }
}

async function main(): Promise<number> {
  const { values } = parseCli(process.argv.slice(2));
  if (values['help'] === true) {
    console.log(USAGE);
    return 0;
  }
  const baseUrl = String(values['url'] ?? process.env['BENCH_URL'] ?? '');
  if (baseUrl === '') throw new Error(`no service: pass --url or set BENCH_URL\n${USAGE}`);
  assertLoopback(baseUrl);
  const roots = findServicePids(typeof values['pids'] === 'string' ? values['pids'] : undefined);
  const ctx: MeasureContext = {
    baseUrl,
    roots,
    ticksPerSecond: clockTicksPerSecond(),
    requestTimeoutMs: 30_000,
    seed: positive(values['seed'], 'seed') ?? 1,
  };
  console.log(`service ${baseUrl}; watching ${[...roots].map(([r, p]) => `${r}=${p}`).join(', ') || 'no local processes'}`);
  await warnMissingLanguages(baseUrl);

  const names = typeof values['scenario'] === 'string' ? values['scenario'].split(',') : undefined;
  const override: ArrivalOverride = {};
  const rate = positive(values['rate'], 'rate');
  const durationS = positive(values['duration'], 'duration');
  const count = positive(values['count'], 'count');
  if (rate !== undefined) override.ratePerSecond = rate;
  if (durationS !== undefined) override.durationS = durationS;
  if (count !== undefined) override.count = Math.round(count);
  const findMaxOptions: FindMaxOptions = {
    startPerSecond: 25,
    factor: 1.5,
    ceilingPerSecond: 2000,
    maxSteps: 10,
    bisectSteps: 2,
    stepDurationS: positive(values['step-duration'], 'step-duration') ?? 5,
    measureDurationS: positive(values['measure-duration'], 'measure-duration') ?? 15,
    criteria: { ...DEFAULT_SUSTAIN },
  };
  const log = (line: string): void => console.log(line);

  const soakS = positive(values['soak'], 'soak');
  if (soakS !== undefined) {
    const scenario = findScenario(names?.[0] ?? 'hello-bash');
    const soakRate = rate ?? (scenario.arrival.kind === 'constant-rate' ? scenario.arrival.ratePerSecond : 50);
    console.log(`soak: ${scenario.name} at ${soakRate}/s for ${soakS} s`);
    await warmUp(ctx, scenario);
    const verdicts = await soak(ctx, scenario, soakRate, soakS, positive(values['sample-every'], 'sample-every') ?? 30, log);
    console.log(`\n${growthTable(verdicts)}`);
    return verdicts.some((v) => v.isGrowing) ? 1 : 0;
  }

  const searches: FindMaxResult[] = [];
  const measurements: ScenarioMeasurement[] = [];
  const searched = values['find-max'] === true ? (names ?? SUITE_FIND_MAX) : names === undefined ? SUITE_FIND_MAX : [];
  const fixed = values['find-max'] === true ? [] : (names ?? SUITE_FIXED);
  for (const name of searched) {
    console.log(`find-max: ${name}`);
    await warmUp(ctx, findScenario(name));
    const result = await findMaxRate(ctx, findScenario(name), findMaxOptions, log);
    searches.push(result);
    if (result.atHalf !== null) measurements.push(result.atHalf);
  }
  for (const name of fixed) {
    console.log(`scenario: ${name}`);
    await warmUp(ctx, findScenario(name));
    measurements.push(await measureScenario(ctx, findScenario(name), override));
  }

  if (searches.length > 0) console.log(`\nMaximum sustained rate (< 1% errors, achieved >= 95% of offered, p99 <= 500 ms)\n${maxRateTable(searches)}`);
  console.log(`\nLatency by status (end to end through HTTP, queue and sandbox)\n${latencyTable(measurements)}`);
  // On a shared VM the tail follows the neighbours: a p99 taken at high steal is theirs.
  console.log("steal: share of the machine's time the hypervisor gave other guests while the scenario ran");
  console.log(`\nStage means, ms (from GET /metrics; '-' when the service does not expose them)\n${stageTable(measurements)}`);
  console.log(`\nCPU per run, ms (api/worker/redis: their own processes; sandboxes: reaped children of the worker)\n${cpuTable(measurements)}`);
  return measurements.some((m) => m.thresholdFailures.length > 0) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
  },
);
