import { describe, expect, it } from 'vitest';
import { JobWaiters } from '../../api/queue/job-waiters.js';
import { checkCompileFlags, compareVersions, resolveRuntime, RuntimeCatalogue, sharedRuntimes } from '../../api/runs/runtime-catalogue.js';
import { FakeSubmissionQueue } from '../helpers/api-fake-queue.js';
import { C_RUNTIME, heartbeat, runtime } from '../helpers/api-fixtures.js';

describe('runtime resolution', () => {
  it('orders versions numerically', () => {
    expect(compareVersions('3.10', '3.9')).toBeGreaterThan(0);
    expect(compareVersions('1.2', '1.2.0')).toBeLessThan(0);
    expect(compareVersions('12', '12')).toBe(0);
  });

  it('offers the runtimes every live worker has, once each, newest version first', () => {
    const both = [runtime({ version: '3.9.0' }), runtime({ version: '3.11.0' }), C_RUNTIME];
    const { runtimes, leftOut } = sharedRuntimes([heartbeat(both), heartbeat([...both].reverse())]);
    expect(runtimes.map((r) => `${r.language} ${r.version}`)).toEqual(['c 12.2.0', 'python 3.11.0', 'python 3.9.0']);
    expect(leftOut).toEqual([]);
  });

  it('leaves out a runtime some live worker lacks, naming the workers that lack it', () => {
    const upgraded = heartbeat([runtime({ version: '3.9.0' }), runtime({ version: '3.11.0' }), C_RUNTIME], { workerId: 'w-new' });
    const older = heartbeat([runtime({ version: '3.9.0' })], { workerId: 'w-old' });
    const { runtimes, leftOut } = sharedRuntimes([upgraded, older]);
    expect(runtimes.map((r) => `${r.language} ${r.version}`)).toEqual(['python 3.9.0']);
    expect(leftOut).toEqual([
      { language: 'c', version: '12.2.0', lackedBy: ['w-old'] },
      { language: 'python', version: '3.11.0', lackedBy: ['w-old'] },
    ]);
    // Refused, saying why: the version exists, but not on every live worker.
    expect(() => resolveRuntime(runtimes, 'python', '3.11', leftOut)).toThrow(
      expect.objectContaining({
        code: 'SBX_ERR_VERSION_UNKNOWN',
        message: expect.stringContaining('python 3.11.0 run on only some live workers'),
        details: { language: 'python', versions: ['3.9.0'], onSomeWorkers: ['3.11.0'] },
      }),
    );
    expect(() => resolveRuntime(runtimes, 'gcc', undefined, leftOut)).toThrow(expect.objectContaining({ code: 'SBX_ERR_RUNTIME_UNKNOWN' }));
  });

  it('offers the lowest limits any live worker advertises, so the worker taking a job never lowers them', () => {
    const lowCeilings = runtime();
    lowCeilings.limits = { default: { ...lowCeilings.limits.default, cpuTimeMs: 1000 }, max: { ...lowCeilings.limits.max, memoryBytes: 128 << 20 } };
    const [shared] = sharedRuntimes([heartbeat([runtime()], { workerId: 'w-a' }), heartbeat([lowCeilings], { workerId: 'w-b' })]).runtimes;
    expect(shared?.limits.default).toEqual({ ...runtime().limits.default, cpuTimeMs: 1000 });
    expect(shared?.limits.max).toEqual({ ...runtime().limits.max, memoryBytes: 128 << 20 });
  });

  it('picks the default without a version, the newest for "*", the newest match of a prefix at a component boundary', () => {
    const runtimes = [runtime({ version: '3.13.5' }), runtime({ version: '3.11.2', default: true }), runtime({ version: '3.1.4' })];
    expect(resolveRuntime(runtimes, 'python').version).toBe('3.11.2');
    expect(resolveRuntime(runtimes, 'python', '*').version).toBe('3.13.5');
    expect(resolveRuntime(runtimes, 'python', '3').version).toBe('3.13.5');
    expect(resolveRuntime(runtimes, 'python', '3.1').version).toBe('3.1.4');
    expect(resolveRuntime(runtimes, 'py', '3.11.2').version).toBe('3.11.2');
    expect(resolveRuntime([runtime({ version: '3.1.2p20' })], 'python', '3.1.2').version).toBe('3.1.2p20');
    // Without a default present, the newest is the default.
    expect(resolveRuntime([runtime({ version: '3.9.0' }), runtime({ version: '3.10.1' })], 'python').version).toBe('3.10.1');
  });

  it('answers an unknown version with SBX_ERR_VERSION_UNKNOWN listing the versions, an unknown language with SBX_ERR_RUNTIME_UNKNOWN', () => {
    const runtimes = [runtime({ version: '3.13.5' }), runtime({ version: '3.11.2', default: true })];
    expect(() => resolveRuntime(runtimes, 'python', '3.12')).toThrow(
      expect.objectContaining({ code: 'SBX_ERR_VERSION_UNKNOWN', message: expect.stringContaining('3.13.5, 3.11.2') }),
    );
    expect(() => resolveRuntime(runtimes, 'cobol')).toThrow(expect.objectContaining({ code: 'SBX_ERR_RUNTIME_UNKNOWN' }));
  });

  it('accepts only compile flags on the runtime allow-list', () => {
    const cpp = runtime({ language: 'cpp', compiled: true, compileFlags: ['-std=c++23', '-O2'] });
    expect(() => checkCompileFlags(cpp, ['-std=c++23', '-O2'])).not.toThrow();
    expect(() => checkCompileFlags(cpp, ['-O2', '-fplugin=x.so'])).toThrow(
      expect.objectContaining({ code: 'SBX_ERR_COMPILE_FLAGS', message: expect.stringContaining('-fplugin=x.so') }),
    );
    expect(() => checkCompileFlags(runtime(), ['-O2'])).toThrow(expect.objectContaining({ message: expect.stringContaining('takes no compile flags') }));
  });

  it('matches aliases case-insensitively', () => {
    expect(resolveRuntime([runtime(), C_RUNTIME], 'GCC').language).toBe('c');
    expect(resolveRuntime([runtime(), C_RUNTIME], 'Python3').language).toBe('python');
  });
});

describe('RuntimeCatalogue', () => {
  it('caches the workers for cacheMs and refreshes after it', async () => {
    const queue = new FakeSubmissionQueue();
    queue.workers = [heartbeat([runtime()])];
    let nowMs = 0;
    const catalogue = new RuntimeCatalogue(queue, 1000, () => nowMs);
    expect((await catalogue.list()).map((r) => r.language)).toEqual(['python']);
    queue.workers = [heartbeat([C_RUNTIME])];
    nowMs = 999;
    expect((await catalogue.list()).map((r) => r.language)).toEqual(['python']);
    nowMs = 1000;
    expect((await catalogue.list()).map((r) => r.language)).toEqual(['c']);
  });

  it('logs once when the live workers disagree on their languages, again when that changes', async () => {
    const queue = new FakeSubmissionQueue();
    queue.workers = [heartbeat([runtime(), C_RUNTIME], { workerId: 'w-a' }), heartbeat([runtime()], { workerId: 'w-b' })];
    const warned: unknown[] = [];
    const catalogue = new RuntimeCatalogue(queue, 0, Date.now, { warn: (fields: unknown) => warned.push(fields) });
    expect((await catalogue.list()).map((r) => r.language)).toEqual(['python']);
    await catalogue.list();
    expect(warned).toEqual([{ leftOut: [{ language: 'c', version: '12.2.0', lackedBy: ['w-b'] }] }]);
    queue.workers = [heartbeat([runtime(), C_RUNTIME], { workerId: 'w-a' })];
    expect((await catalogue.list()).map((r) => r.language)).toEqual(['c', 'python']);
    queue.workers = [heartbeat([runtime(), C_RUNTIME], { workerId: 'w-a' }), heartbeat([runtime()], { workerId: 'w-b' })];
    await catalogue.list();
    expect(warned).toHaveLength(2);
  });

  it('throws SBX_ERR_NO_WORKER when no worker is live', async () => {
    const catalogue = new RuntimeCatalogue(new FakeSubmissionQueue(), 0);
    await expect(catalogue.list()).rejects.toMatchObject({ code: 'SBX_ERR_NO_WORKER' });
  });
});

describe('JobWaiters', () => {
  it('wakes only the waiters of the finished job and forgets them', async () => {
    const waiters = new JobWaiters();
    let aWoken = false;
    let bWoken = false;
    const a = waiters.wait('a', 10_000);
    const b = waiters.wait('b', 10_000);
    void a.promise.then(() => (aWoken = true));
    void b.promise.then(() => (bWoken = true));
    waiters.wake('a');
    await a.promise;
    expect(aWoken).toBe(true);
    expect(bWoken).toBe(false);
    expect(waiters.size).toBe(1);
    b.cancel();
    await b.promise;
    expect(waiters.size).toBe(0);
  });

  it('hands the finish of the event to the waiter, and undefined after a wake without one', async () => {
    const waiters = new JobWaiters();
    const a = waiters.wait('a', 10_000);
    waiters.wake('a', { kind: 'completed', returnvalue: { status: 'OK' } });
    expect(await a.promise).toEqual({ kind: 'completed', returnvalue: { status: 'OK' } });
    const b = waiters.wait('b', 10_000);
    waiters.wakeAll();
    expect(await b.promise).toBeUndefined();
    expect(waiters.size).toBe(0);
  });

  it('resolves after the timeout without a wake', async () => {
    const waiters = new JobWaiters();
    const startedMs = Date.now();
    await waiters.wait('x', 50).promise;
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(45);
    expect(waiters.size).toBe(0);
  });
});
