import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { K6_DOCUMENT_PATH, renderK6Document } from '../../bench/k6-document.js';
import { PROGRAMS, SCENARIOS, findProgram, runRequestBody } from '../../bench/scenarios.js';
import { STATUSES } from '../../worker/contract/result.js';

describe('bench scenarios', () => {
  it('bench/k6/scenarios.json matches bench/scenarios.ts (regenerate with npx tsx bench/gen-k6.ts)', () => {
    expect(readFileSync(K6_DOCUMENT_PATH, 'utf8')).toBe(renderK6Document());
  });

  it('has a k6 script per scenario', () => {
    for (const scenario of SCENARIOS) expect(existsSync(`bench/k6/${scenario.name}.ts`), scenario.name).toBe(true);
  });

  it('gives every program a known expected status and a key equal to its id', () => {
    for (const [key, program] of Object.entries(PROGRAMS)) {
      expect(program.id).toBe(key);
      expect(STATUSES).toContain(program.expectedStatus);
      expect(program.source.length).toBeGreaterThan(0);
    }
  });

  it('uses unique scenario names, known programs and positive weights and bounds', () => {
    expect(new Set(SCENARIOS.map((s) => s.name)).size).toBe(SCENARIOS.length);
    for (const scenario of SCENARIOS) {
      expect(scenario.mix.length).toBeGreaterThan(0);
      for (const entry of scenario.mix) {
        expect(() => findProgram(entry.programId)).not.toThrow();
        expect(entry.weight).toBeGreaterThan(0);
      }
      expect(scenario.maxInFlight).toBeGreaterThan(0);
      expect(scenario.thresholds.maxErrorRate).toBeGreaterThanOrEqual(0);
      expect(scenario.thresholds.maxErrorRate).toBeLessThan(1);
      const arrival = scenario.arrival;
      if (arrival.kind === 'constant-rate') {
        expect(arrival.ratePerSecond).toBeGreaterThan(0);
        expect(arrival.durationS * arrival.ratePerSecond).toBeLessThanOrEqual(100_000);
      } else {
        expect(arrival.count).toBeLessThanOrEqual(scenario.maxInFlight);
      }
    }
  });

  it('covers the time, memory and output limits in the limits mix', () => {
    const mix = SCENARIOS.find((s) => s.name === 'limits-mix');
    const statuses = new Set(mix?.mix.map((m) => findProgram(m.programId).expectedStatus));
    for (const status of ['OK', 'TIME_LIMIT', 'MEMORY_LIMIT', 'OUTPUT_LIMIT'] as const) expect(statuses).toContain(status);
  });

  it('puts limits in the request body only when the program sets some', () => {
    expect(runRequestBody(findProgram('bash-echo'))).toEqual({ language: 'bash', source: 'echo hello\n', wait: true });
    expect(runRequestBody(findProgram('python-spin'))['limits']).toEqual({ cpuTimeMs: 100, wallTimeMs: 400 });
  });
});
