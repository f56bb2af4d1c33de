import { readFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { LanguageSchema } from '../../api/routes/languages.js';
import { RunRequestSchema } from '../../api/schemas/run.js';
import { CeilingsSchema, CheckerLimitsSchema, limitEnvName, loadWorkerConfig } from '../../worker/config.js';
import { RuntimeInfoSchema } from '../../worker/contract/heartbeat.js';
import { SubmissionJobSchema } from '../../worker/contract/job.js';
import {
  LIMIT_NAMES,
  LIMITS,
  LimitsSchema,
  ManifestLimitsSchema,
  ResolvedLimitsSchema,
  withManifestFallbacks,
  type LimitName,
  type ResolvedLimits,
} from '../../worker/contract/limits.js';
import { ManifestSchema } from '../../worker/runtimes/image-format.js';
import type { NativeLimits } from '../../native/index.js';
import type { SandboxFixedLimits, SandboxLimits } from '../../worker/sandbox/spec.js';
import { defaultLimits } from '../helpers/sandbox-run.js';

const HOST = { hostname: 'h', pid: 1, cores: 2 };

/** The JS names of native/include/sbx.h's SBX_LIMIT_FIELDS, in order. */
function headerLimitNames(): string[] {
  const header = readFileSync(new URL('../../native/include/sbx.h', import.meta.url), 'utf8');
  const block = /#define SBX_LIMIT_FIELDS\(X\)((?:.*\\\n)*.*\n)/.exec(header)?.[1] ?? '';
  return [...block.matchAll(/X\((\w+), "(\w+)"\)/g)].map((m) => {
    // The C field is the JS name in snake case, so the two lists cannot drift apart silently.
    expect(m[1]).toBe((m[2] ?? '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    return m[2] ?? '';
  });
}

const keysOf = (schema: { properties: object }) => Object.keys(schema.properties);

describe('the limit record', () => {
  it('gives every derived schema exactly its limits, in its order', () => {
    for (const schema of [LimitsSchema, ResolvedLimitsSchema, ManifestLimitsSchema, CeilingsSchema, CheckerLimitsSchema]) {
      expect(keysOf(schema)).toEqual([...LIMIT_NAMES]);
    }
    expect(keysOf(RunRequestSchema.properties.limits)).toEqual([...LIMIT_NAMES]);
    expect(keysOf(RuntimeInfoSchema.properties.limits.properties.max)).toEqual([...LIMIT_NAMES]);
    expect(keysOf(LanguageSchema.properties.limits.properties.default)).toEqual([...LIMIT_NAMES]);
    expect(keysOf(SubmissionJobSchema.properties.limits)).toEqual([...LIMIT_NAMES]);
    expect(RunRequestSchema.properties.limits.properties.cpuTimeMs).toEqual(LimitsSchema.properties.cpuTimeMs);
  });

  it('is the C core list too: the contract limits and the fixed ones', () => {
    // defaultLimits is a complete SandboxLimits; the addon takes the cpu quota in millicores.
    const sandboxNames = Object.keys(defaultLimits).map((name) => (name === 'cpuCores' ? 'cpuMillicores' : name));
    expect(headerLimitNames().sort()).toEqual(sandboxNames.sort());
    expect(sandboxNames).toEqual(expect.arrayContaining([...LIMIT_NAMES]));
    type NativeFixed = Exclude<keyof SandboxFixedLimits, 'cpuCores'> | 'cpuMillicores';
    expectTypeOf<LimitName | NativeFixed>().toEqualTypeOf<keyof NativeLimits>();
    expectTypeOf<SandboxLimits>().toMatchTypeOf<ResolvedLimits>();
  });

  it('takes every value as a positive integer, and a request only known limits', () => {
    expect(Value.Check(LimitsSchema, { cpuTimeMs: 1 })).toBe(true);
    expect(Value.Check(LimitsSchema, { cpuTimeMs: 0 })).toBe(false);
    expect(Value.Check(LimitsSchema, { pids: 1.5 })).toBe(false);
    expect(Value.Check(LimitsSchema, { stackBytes: 1 })).toBe(Object.hasOwn(LIMITS, 'stackBytes'));
    expect(Value.Check(LimitsSchema, { nonsense: 1 })).toBe(false);
    expect(JSON.stringify(LimitsSchema.properties.memoryBytes)).toContain(LIMITS.memoryBytes.description);
  });

  it('requires every limit of a manifest that has no fallback', () => {
    const full = Object.fromEntries(LIMIT_NAMES.map((name) => [name, 1]));
    expect(Value.Check(ManifestLimitsSchema, full)).toBe(true);
    for (const name of LIMIT_NAMES) {
      const partial: Record<string, number> = { ...full };
      delete partial[name];
      const hasFallback = 'manifestFallback' in LIMITS[name];
      expect(Value.Check(ManifestLimitsSchema, partial)).toBe(hasFallback);
    }
    expect(withManifestFallbacks(full as ResolvedLimits, 'max')).toEqual(full);
    expect(ManifestSchema.properties.compileLimits).toBe(ManifestLimitsSchema);
  });

  it('names the ceilings and checker variables after the limit, with the record defaults', () => {
    expect(limitEnvName('SBX_MAX_', 'cpuTimeMs')).toBe('SBX_MAX_CPU_TIME_MS');
    expect(limitEnvName('SBX_CHECKER_', 'pids')).toBe('SBX_CHECKER_PIDS');
    const config = loadWorkerConfig({ SBX_MAX_OUTPUT_BYTES: '4096', SBX_CHECKER_WALL_TIME_MS: '777' }, HOST);
    for (const name of LIMIT_NAMES) {
      expect(config.ceilings[name]).toBe(name === 'outputBytes' ? 4096 : LIMITS[name].ceiling);
      expect(config.checker[name]).toBe(name === 'wallTimeMs' ? 777 : LIMITS[name].checker);
    }
    expect(() => loadWorkerConfig({ SBX_MAX_PIDS: '0' }, HOST)).toThrow(/SBX_ERR_CONFIG|ceilings\/pids/);
  });

  it('refuses the retired fixed stack variable, naming what replaced it', () => {
    expect(() => loadWorkerConfig({ SBX_STACK_BYTES: '8388608' }, HOST)).toThrow(/SBX_STACK_BYTES is retired.*limits\.stackBytes.*SBX_MAX_STACK_BYTES/);
    expect(loadWorkerConfig({ SBX_MAX_STACK_BYTES: '8388608' }, HOST).ceilings.stackBytes).toBe(8 * 1024 * 1024);
  });
});
