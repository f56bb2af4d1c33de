/**
 * Plain-text tables for the terminal and for pasting into bench/README.md (pure).
 */
import type { FindMaxResult } from './find-max.js';
import type { ScenarioMeasurement } from './measure.js';
import type { GrowthVerdict } from './soak.js';

/** A Markdown table whose columns are padded to line up in a terminal. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** A number with `digits` decimals, or `-` when not finite. */
export function fmt(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

/** One row per scenario and outcome: rate, runs/s, latency percentiles, errors. */
export function latencyTable(measurements: readonly ScenarioMeasurement[]): string {
  const rows: string[][] = [];
  for (const m of measurements) {
    for (const [outcome, s] of m.figures.latencyByOutcome) {
      const isAll = outcome === 'ALL';
      rows.push([
        isAll ? m.label : '',
        isAll ? (m.offeredPerSecond === null ? 'burst' : String(m.offeredPerSecond)) : '',
        isAll ? fmt(m.figures.runsPerSecond) : '',
        outcome,
        String(s.count),
        fmt(s.p50Ms),
        fmt(s.p95Ms),
        fmt(s.p99Ms),
        isAll ? `${fmt(m.figures.errorRate * 100, 2)}%` : '',
        isAll ? fmt(m.figures.startLagP99Ms) : '',
        isAll ? `${fmt(m.stealShare * 100, 0)}%` : '',
        isAll ? (m.thresholdFailures.length === 0 ? 'pass' : `FAIL: ${m.thresholdFailures.join('; ')}`) : '',
      ]);
    }
  }
  return formatTable(['scenario', 'offered/s', 'runs/s', 'status', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'start lag p99 ms', 'steal', 'thresholds'], rows);
}

/** Stage means and the derived overhead, one row per scenario. */
export function stageTable(measurements: readonly ScenarioMeasurement[]): string {
  const rows = measurements.map((m) => {
    const stage = (name: string): number | undefined => m.stageMeansMs.get(name)?.meanMs;
    const e2eMeanMs = m.figures.latencyByOutcome.get('ALL')?.meanMs;
    // Means per stage occurrence: setup / program / teardown per sandbox call (a compiled
    // language makes two a run), compile only over compiled runs. The overhead columns are per
    // request (latency − the run's own time in containers), so they hold for any mix.
    return [
      m.label,
      fmt(e2eMeanMs, 2),
      fmt(stage('queue'), 2),
      fmt(stage('compile'), 2),
      fmt(stage('run'), 2),
      fmt(stage('setup'), 2),
      fmt(stage('program'), 2),
      fmt(stage('teardown'), 2),
      fmt(stage('total'), 2),
      fmt(m.figures.deliveryP50Ms, 2),
      fmt(m.figures.serviceOverheadMeanMs, 2),
      fmt(m.figures.serviceOverheadP50Ms, 2),
      fmt(m.figures.overheadP50Ms, 2),
    ];
  });
  return formatTable(
    ['scenario', 'e2e mean', 'queue', 'compile', 'run', 'setup', 'program', 'teardown', 'job total', 'delivery p50', 'overhead mean', 'overhead p50', 'e2e-program p50'],
    rows,
  );
}

/** CPU per run by role, ms: self (the service's own processes) and children (reaped sandboxes). */
export function cpuTable(measurements: readonly ScenarioMeasurement[]): string {
  const roles = ['api', 'worker', 'redis'];
  const rows = measurements.map((m) => [m.label, ...roles.map((r) => fmt(m.cpuPerRunMs.get(r)?.selfMs, 3)), fmt(m.cpuPerRunMs.get('worker')?.childrenMs, 3)]);
  return formatTable(['scenario', 'api ms/run', 'worker ms/run', 'redis ms/run', 'sandboxes ms/run'], rows);
}

/** The maximum-rate searches. */
export function maxRateTable(results: readonly FindMaxResult[]): string {
  const rows = results.map((r) => {
    const all = r.atHalf?.figures.latencyByOutcome.get('ALL');
    return [
      r.scenario,
      String(r.maxPerSecond),
      r.steps.map((s) => `${s.offeredPerSecond}${s.isSustained ? '' : '✗'}`).join(' '),
      r.atHalf === null ? '-' : String(r.atHalf.offeredPerSecond),
      fmt(all?.p50Ms),
      fmt(all?.p95Ms),
      fmt(all?.p99Ms),
      r.atHalf === null ? '-' : `${fmt(r.atHalf.stealShare * 100, 0)}%`,
    ];
  });
  return formatTable(['scenario', 'max runs/s', 'steps (✗ = not sustained)', 'half rate', 'p50 ms', 'p95 ms', 'p99 ms', 'steal at half'], rows);
}

/** Memory over a soak, MiB. */
export function growthTable(verdicts: readonly GrowthVerdict[]): string {
  const mib = (bytes: number): string => fmt(bytes / 2 ** 20, 1);
  return formatTable(
    ['process', 'first MiB', 'last MiB', 'max MiB', 'growth MiB', 'verdict'],
    verdicts.map((v) => [v.role, mib(v.firstBytes), mib(v.lastBytes), mib(v.maxBytes), mib(v.growthBytes), v.isGrowing ? 'GROWING' : 'flat']),
  );
}
