/**
 * Just enough of the Prometheus text exposition format to read GET /metrics (pure):
 * samples with labels, and the mean of each stage histogram between two scrapes.
 */

/** One sample line: `name{label="value",…} value`. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses exposition text; comments, blank and malformed lines are skipped. */
export function parsePrometheusText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (match === null) continue;
    const [, name, labelText, valueText] = match;
    if (name === undefined || valueText === undefined) continue;
    const value = parsePromNumber(valueText);
    if (Number.isNaN(value) && valueText !== 'NaN') continue;
    const labels: Record<string, string> = {};
    for (const pair of (labelText ?? '').matchAll(LABEL_PAIR)) {
      const [, key, escaped] = pair;
      if (key !== undefined && escaped !== undefined) labels[key] = unescapeLabel(escaped);
    }
    samples.push({ name, labels, value });
  }
  return samples;
}

function parsePromNumber(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

function unescapeLabel(escaped: string): string {
  return escaped.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Sum and count of one histogram series. */
export interface HistogramTotals {
  sum: number;
  count: number;
}

/** `<name>_sum` and `<name>_count` per value of `label`, e.g. per stage. */
export function histogramTotals(samples: readonly PromSample[], name: string, label: string): Map<string, HistogramTotals> {
  const totals = new Map<string, HistogramTotals>();
  for (const s of samples) {
    const key = s.labels[label];
    if (key === undefined) continue;
    const entry = totals.get(key) ?? { sum: 0, count: 0 };
    if (s.name === `${name}_sum`) entry.sum += s.value;
    else if (s.name === `${name}_count`) entry.count += s.value;
    else continue;
    totals.set(key, entry);
  }
  return totals;
}

/** Mean per key of what was observed between two scrapes, ms; keys with no new observation are left out. */
export function meanBetween(before: ReadonlyMap<string, HistogramTotals>, after: ReadonlyMap<string, HistogramTotals>): Map<string, { meanMs: number; count: number }> {
  const means = new Map<string, { meanMs: number; count: number }>();
  for (const [key, end] of after) {
    const start = before.get(key) ?? { sum: 0, count: 0 };
    const count = end.count - start.count;
    if (count > 0) means.set(key, { meanMs: (end.sum - start.sum) / count, count });
  }
  return means;
}

/** Name of the worker's stage histogram on GET /metrics (see worker/contract/metrics.ts). */
export const STAGE_HISTOGRAM = 'bulkhead_stage_duration_ms';
