import { describe, expect, it } from 'vitest';
import { minLimits, resolveLimits, type ResolvedLimits } from '../../worker/contract/limits.js';
import { limitsWith } from '../helpers/limits.js';

const defaults: ResolvedLimits = limitsWith({ cpuTimeMs: 1000, wallTimeMs: 3000, memoryBytes: 256, pids: 16, outputBytes: 1024 });
const maximum: ResolvedLimits = limitsWith({ cpuTimeMs: 5000, wallTimeMs: 10_000, memoryBytes: 512, pids: 8, outputBytes: 4096 });

describe('resolveLimits', () => {
  it('uses defaults for unset fields, lowered to the maximum', () => {
    expect(resolveLimits(undefined, defaults, maximum)).toEqual({ ok: true, limits: { ...defaults, pids: 8 } });
  });
  it('uses requested values up to and including the maximum', () => {
    const result = resolveLimits({ cpuTimeMs: 5000, memoryBytes: 100 }, defaults, maximum);
    expect(result).toEqual({ ok: true, limits: { ...defaults, pids: 8, cpuTimeMs: 5000, memoryBytes: 100 } });
  });
  it('refuses a request above the maximum, naming the limit', () => {
    expect(resolveLimits({ wallTimeMs: 10_001 }, defaults, maximum)).toEqual({ ok: false, limit: 'wallTimeMs', requested: 10_001, maximum: 10_000 });
  });
});

describe('minLimits', () => {
  it('takes the lower value of every field', () => {
    expect(minLimits(defaults, maximum)).toEqual(limitsWith({ cpuTimeMs: 1000, wallTimeMs: 3000, memoryBytes: 256, pids: 8, outputBytes: 1024 }));
  });
});
