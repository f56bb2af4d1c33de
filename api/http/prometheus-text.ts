import { legacyStageBucketField, STAGE_BUCKETS_MS, stageBinField, stageCountField, stageSumField } from '../../worker/contract/metrics.js';
import type { WorkerHeartbeat } from '../../worker/contract/heartbeat.js';
import type { QueueDepth } from '../plugins/submission-queue.js';

/** What one scrape renders. */
export interface MetricsSnapshot {
  depth: QueueDepth;
  /** HGETALL of METRICS_KEY (fields described in worker/contract/metrics.ts). */
  hash: Readonly<Record<string, string>>;
  workers: readonly WorkerHeartbeat[];
}

/** Escapes a label value per the Prometheus text format (backslash, quote, newline). */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  const inner = Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',');
  return inner === '' ? '' : `{${inner}}`;
}

function numberOf(raw: string | undefined): number {
  const value = Number(raw);
  return Number.isFinite(value) ? value : 0;
}

/** Hash fields `<prefix>|a|b…` split into their label values, with the parsed value. */
function fieldsWith(hash: Readonly<Record<string, string>>, prefix: string): Array<{ parts: string[]; value: number }> {
  return Object.entries(hash)
    .filter(([field]) => field.startsWith(`${prefix}|`))
    .map(([field, raw]) => ({ parts: field.split('|').slice(1), value: numberOf(raw) }))
    .sort((a, b) => a.parts.join('|').localeCompare(b.parts.join('|')));
}

function header(name: string, type: 'gauge' | 'counter' | 'histogram', help: string): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
}

function histogramLines(hash: Readonly<Record<string, string>>): string[] {
  const name = 'bulkhead_stage_duration_ms';
  const lines = header(
    name,
    'histogram',
    'Duration of each stage in milliseconds (queue wait; compile, run, test, checker; every sandbox call split into setup, program, teardown; total).',
  );
  const stages = [...new Set(fieldsWith(hash, 'stage_duration_ms_count').map((f) => f.parts[0] ?? ''))];
  for (const stage of stages) {
    // Prometheus buckets are cumulative: each is the sum of its bin and every bin below it, plus
    // the same bucket as older workers counted it (already cumulative), so `+Inf` equals `_count`.
    let binned = 0;
    for (const le of [...STAGE_BUCKETS_MS, '+Inf' as const]) {
      binned += numberOf(hash[stageBinField(stage, le)]);
      lines.push(`${name}_bucket${labels({ stage, le: String(le) })} ${binned + numberOf(hash[legacyStageBucketField(stage, le)])}`);
    }
    lines.push(`${name}_sum${labels({ stage })} ${numberOf(hash[stageSumField(stage)])}`);
    lines.push(`${name}_count${labels({ stage })} ${numberOf(hash[stageCountField(stage)])}`);
  }
  return lines;
}

/**
 * Renders the Prometheus text exposition format (version 0.0.4). Counters come from the shared
 * Redis hash, so every API instance reports the same service-wide numbers.
 */
export function renderMetrics(snapshot: MetricsSnapshot): string {
  const { depth, hash, workers } = snapshot;
  const lines: string[] = [];
  lines.push(...header('bulkhead_queue_jobs', 'gauge', 'Jobs in the queue by BullMQ state.'));
  for (const state of ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'] as const) {
    lines.push(`bulkhead_queue_jobs${labels({ state })} ${depth[state]}`);
  }
  lines.push(...header('bulkhead_runs_total', 'counter', 'Runs finished, by language and status.'));
  for (const { parts, value } of fieldsWith(hash, 'runs_total')) {
    lines.push(`bulkhead_runs_total${labels({ language: parts[0] ?? '', status: parts[1] ?? '' })} ${value}`);
  }
  lines.push(...header('bulkhead_internal_failures_total', 'counter', 'Our own failures (each attempt), by error code.'));
  for (const { parts, value } of fieldsWith(hash, 'internal_failures_total')) {
    lines.push(`bulkhead_internal_failures_total${labels({ code: parts[0] ?? '' })} ${value}`);
  }
  lines.push(...histogramLines(hash));
  lines.push(...header('bulkhead_live_workers', 'gauge', 'Workers with a live heartbeat.'));
  lines.push(`bulkhead_live_workers ${workers.length}`);
  lines.push(...header('bulkhead_worker_slots', 'gauge', 'Run slots of the live workers.'));
  lines.push(`bulkhead_worker_slots${labels({ state: 'busy' })} ${workers.reduce((n, w) => n + w.busySlots, 0)}`);
  lines.push(`bulkhead_worker_slots${labels({ state: 'total' })} ${workers.reduce((n, w) => n + w.slots, 0)}`);
  return `${lines.join('\n')}\n`;
}
