import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from '../../worker/config.js';
import { planCompile, planRun, stageLimits, type PlanContext } from '../../worker/plan.js';
import { compileArgv, fillArgv } from '../../worker/runtimes/runtime.js';
import { b64, makeJob, testProfiles, testRuntimes, TEST_LIMITS } from '../worker/helpers.js';

const config = loadWorkerConfig({ SBX_MAX_MEMORY_BYTES: String(128 << 20) }, { hostname: 'h', pid: 1, cores: 2 });
const ctx: PlanContext = { ceilings: config.ceilings, sandbox: config.sandbox, profiles: testProfiles() };
const python = testRuntimes().resolve('python')!;
const c = testRuntimes().resolve('c')!;

describe('planCompile', () => {
  it('returns no compile stage for an interpreted language', () => {
    expect(planCompile(makeJob(), python, ctx)).toBeUndefined();
  });
  it('plans the compile stage with the sources, compile limits and profile, collecting the work dir', () => {
    const job = makeJob({ language: 'c', files: [{ name: 'main.c', contentBase64: b64('int main(){}') }] });
    const spec = planCompile(job, c, ctx)!;
    expect(spec.argv).toEqual(['cc', 'main.c', '-o', 'a.out']);
    expect(spec.files).toEqual([{ path: 'main.c', content: Buffer.from('int main(){}') }]);
    expect(spec.profile.name).toBe('compiler');
    expect(spec.limits.cpuTimeMs).toBe(10_000);
    expect(spec.limits.memoryBytes).toBe(128 << 20);
    expect(spec.collect).toEqual({ maxFiles: config.sandbox.collectMaxFiles, maxTotalBytes: config.sandbox.collectMaxBytes });
    expect(spec.stdin.length).toBe(0);
  });
});

describe('compileArgv', () => {
  const compile = { argv: ['g++', '-std=gnu++17', '-O2', '{flags}', '-o', 'main', 'main.cpp'], flags: ['-std=c++23', '-O3'] };

  it('puts allowed flags in the {flags} slot after the defaults, and removes the slot without flags', () => {
    expect(compileArgv(compile, ['-std=c++23', '-O3'])).toEqual(['g++', '-std=gnu++17', '-O2', '-std=c++23', '-O3', '-o', 'main', 'main.cpp']);
    expect(compileArgv(compile)).toEqual(['g++', '-std=gnu++17', '-O2', '-o', 'main', 'main.cpp']);
  });

  it('refuses a flag outside the allow-list even when the API let it through (SBX_ERR_COMPILE_FLAGS)', () => {
    expect(() => compileArgv(compile, ['-fplugin=/box/x.so'])).toThrow(expect.objectContaining({ code: 'SBX_ERR_COMPILE_FLAGS' }));
    expect(() => compileArgv({ argv: ['gcc', 'main.c'] }, ['-O2'])).toThrow(expect.objectContaining({ code: 'SBX_ERR_COMPILE_FLAGS' }));
  });
});

describe('fillArgv', () => {
  const limits = stageLimits(TEST_LIMITS, TEST_LIMITS, ctx);
  it('fills the memory placeholders from the stage limits, the heap as three quarters of the memory with a floor', () => {
    const MiB = 1024 * 1024;
    expect(fillArgv(['java', '-Xmx{heapMiB}m', '-Dm={memoryMiB}', 'Main'], { ...limits, memoryBytes: 512 * MiB })).toEqual(['java', '-Xmx384m', '-Dm=512', 'Main']);
    expect(fillArgv(['-Xmx{heapMiB}m'], { ...limits, memoryBytes: 20 * MiB })).toEqual(['-Xmx16m']);
  });
  it('fills only the runtime argv: the request args reach the program as typed', () => {
    const runtime = { ...python, run: { argv: ['python3', '-X', 'heap={heapMiB}', 'main.py'] } };
    const spec = planRun(makeJob({ args: ['{heapMiB}'] }), runtime, ctx, { stdin: Buffer.alloc(0) });
    const heapMiB = Math.max(16, Math.floor((Math.floor(spec.limits.memoryBytes / (1024 * 1024)) * 3) / 4));
    expect(spec.argv).toEqual(['python3', '-X', `heap=${heapMiB}`, 'main.py', '{heapMiB}']);
  });
});

describe('planRun', () => {
  it('appends the job args to the runtime argv and passes stdin, env, layers and hostname', () => {
    const spec = planRun(makeJob({ args: ['--x', 'y'] }), python, ctx, { stdin: Buffer.from('in') });
    expect(spec.argv).toEqual(['python3', 'main.py', '--x', 'y']);
    expect(spec.stdin.toString()).toBe('in');
    expect(spec.env).toEqual(python.env);
    expect(spec.layers).toEqual(python.layers);
    expect(spec.hostname).toBe('bulkhead');
    expect(spec.profile.name).toBe('default');
    expect(spec.files.map((f) => f.path)).toEqual(['main.py']);
    expect(spec.readOnlyFiles).toBeUndefined();
    expect(spec.collect).toBeUndefined();
  });
  it('mounts compiled output read-only and writes no sources for a compiled language', () => {
    const compiled = [{ path: 'a.out', content: Buffer.from('elf'), mode: 0o755 }];
    const spec = planRun(makeJob({ language: 'c' }), c, ctx, { stdin: Buffer.alloc(0), compiled });
    expect(spec.files).toEqual([]);
    expect(spec.readOnlyFiles).toEqual(compiled);
  });
  it('lets a test limit replace the job limit but never exceed the runtime maximum or the ceiling', () => {
    const limits = { ...TEST_LIMITS, cpuTimeMs: 60_000, wallTimeMs: 100, memoryBytes: 1 << 30 };
    const spec = planRun(makeJob(), python, ctx, { stdin: Buffer.alloc(0), limits });
    expect(spec.limits).toMatchObject({ cpuTimeMs: 5000, wallTimeMs: 100, memoryBytes: 128 << 20 });
  });
  it('gives a run stage one output stream when the job asks for mergeStderr, and never the compile stage', () => {
    expect(planRun(makeJob({ mergeStderr: true }), python, ctx, { stdin: Buffer.alloc(0) }).mergeStderr).toBe(true);
    expect(planRun(makeJob(), python, ctx, { stdin: Buffer.alloc(0) }).mergeStderr).toBeUndefined();
    expect(planCompile(makeJob({ language: 'c', mergeStderr: true }), c, ctx)?.mergeStderr).toBeUndefined();
  });
  it('refuses to plan with a profile this worker has not loaded', () => {
    const bare: PlanContext = { ...ctx, profiles: new Map() };
    expect(() => planRun(makeJob(), python, bare, { stdin: Buffer.alloc(0) })).toThrow(expect.objectContaining({ code: 'SBX_ERR_PROFILE_INVALID' }));
  });
});

describe('stageLimits', () => {
  it('takes the lowest of request, runtime maximum and ceiling, and adds the fixed extras', () => {
    const limits = stageLimits({ ...TEST_LIMITS, pids: 1000 }, { ...TEST_LIMITS, pids: 500 }, ctx);
    expect(limits.pids).toBe(256);
    expect(limits).toMatchObject({ fileSizeBytes: config.sandbox.fileSizeBytes, cpuCores: 1, tmpfsBytes: config.sandbox.tmpfsBytes });
  });
});
