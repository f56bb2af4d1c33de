/**
 * Arrival schedules and program choice for the open-model driver (pure).
 */

/**
 * Start times, ms from the start, of a constant arrival rate: request i starts at i / rate
 * seconds, for every i whose start falls before `durationMs`.
 */
export function constantRateOffsetsMs(ratePerSecond: number, durationMs: number): number[] {
  if (!(ratePerSecond > 0) || !(durationMs > 0)) return [];
  const intervalMs = 1000 / ratePerSecond;
  const count = Math.ceil((durationMs * ratePerSecond) / 1000 - 1e-9);
  return Array.from({ length: count }, (_, i) => i * intervalMs);
}

/** A small deterministic PRNG (mulberry32) so two runs with one seed send the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Index chosen by `u` in [0, 1) with probability proportional to its weight. */
export function pickWeighted(weights: readonly number[], u: number): number {
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (!(total > 0)) throw new RangeError('weights must have a positive sum');
  let threshold = u * total;
  for (let i = 0; i < weights.length; i++) {
    threshold -= weights[i] ?? 0;
    if (threshold < 0) return i;
  }
  return weights.length - 1;
}

/** `count` program ids drawn from a weighted mix with a fixed seed. */
export function programSequence(mix: ReadonlyArray<{ programId: string; weight: number }>, count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const weights = mix.map((m) => m.weight);
  return Array.from({ length: count }, () => mix[pickWeighted(weights, random())]?.programId ?? '');
}

/**
 * Rates tried by the maximum-rate search: from `startPerSecond`, each `factor` times the last
 * (rounded), never above `ceilingPerSecond`, at most `maxSteps` of them.
 */
export function rampRates(startPerSecond: number, factor: number, ceilingPerSecond: number, maxSteps: number): number[] {
  const rates: number[] = [];
  let rate = startPerSecond;
  while (rates.length < maxSteps && rate <= ceilingPerSecond) {
    rates.push(Math.round(rate));
    const next = Math.max(rate * factor, rate + 1);
    rate = next;
  }
  return rates;
}
