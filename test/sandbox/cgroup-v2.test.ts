/**
 * The cgroup v2 code path against a v2-shaped directory tree, on any host: detection, limit files
 * written, statistics parsed, cleanup after a failed create (a half-made cgroup a real kernel
 * rarely produces on demand). The C parsers are exercised directly too. Runs under real v2
 * limits are `npm run test:cgroup-v2` (test/cgroup-v2/: a real v2 kernel, in a guest on v1 hosts).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBuildDir, loadNative } from '../../native/index.js';
import { detectCgroupVersion } from '../../worker/sandbox/features.js';
import { limitsWith } from '../helpers/limits.js';

const built = findBuildDir() !== undefined;
const limits = {
  ...limitsWith({ cpuTimeMs: 1000, wallTimeMs: 2000, memoryBytes: 64 << 20, pids: 16, outputBytes: 1024 }), fileSizeBytes: 1024,
  openFiles: 16, tmpfsBytes: 1 << 20, stackBytes: 1 << 20, cpuMillicores: 1500,
};
const V2_FILES = ['memory.max', 'memory.swap.max', 'memory.oom.group', 'pids.max', 'cpu.max', 'cpu.stat',
  'memory.peak', 'memory.events', 'cgroup.kill', 'cgroup.procs'];

function fakeV2Tree(): { root: string; run: string } {
  const root = mkdtempSync(join(tmpdir(), 'sbx-fake-cg2-'));
  writeFileSync(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  const run = join(root, 'bulkhead', 'run-1');
  mkdirSync(run, { recursive: true });
  for (const f of V2_FILES) writeFileSync(join(run, f), '');
  return { root, run };
}

describe.skipIf(!built)(`cgroup v2 path on a v2-shaped tree${built ? '' : ' (skipped: addon not built)'}`, () => {
  it('detects v2 from cgroup.controllers at the mount root', () => {
    const { root } = fakeV2Tree();
    expect(detectCgroupVersion(root)).toBe(2);
    expect(loadNative().detectCgroups(root, 'bulkhead')).toEqual({ version: 2, v2Dir: join(root, 'bulkhead') });
  });

  it('writes memory.max with swap.max 0, oom.group, pids.max and cpu.max', () => {
    const { run } = fakeV2Tree();
    loadNative().setCgroupLimits({ version: 2, dirs: [run] }, limits);
    const read = (f: string): string => readFileSync(join(run, f), 'utf8');
    expect(read('memory.max')).toBe(String(64 << 20));
    expect(read('memory.swap.max')).toBe('0');
    expect(read('memory.oom.group')).toBe('1');
    expect(read('pids.max')).toBe('16');
    expect(read('cpu.max')).toBe('150000 100000');
  });

  it('reads cpu time from cpu.stat, peak from memory.peak and OOM kills from memory.events', () => {
    const { run } = fakeV2Tree();
    writeFileSync(join(run, 'cpu.stat'), 'usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\n');
    writeFileSync(join(run, 'memory.peak'), '7340032\n');
    writeFileSync(join(run, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 1\n');
    expect(loadNative().readCgroupStats({ version: 2, dirs: [run] })).toEqual({
      cpuTimeNs: 123_456_000, memoryPeakBytes: 7_340_032, oomKills: 1,
    });
  });

  it('fails a create with SBX_ERR_CGROUP_SETUP and removes the half-made cgroup', () => {
    const { root } = fakeV2Tree();
    const cfg = { version: 2 as const, v2Dir: join(root, 'bulkhead') };
    expect(() => loadNative().createCgroup(cfg, 'run-2', limits))
      .toThrow(expect.objectContaining({ code: 'SBX_ERR_CGROUP_SETUP', phase: 'cgroup', errno: 2 }));
    expect(existsSync(join(root, 'bulkhead', 'run-2'))).toBe(false);
  });

  it('parses keyed files with the C parser (oom_kill, usage_usec; missing keys; prefixes)', () => {
    const n = loadNative();
    expect(n.parseKeyed('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n', 'oom_kill')).toBe(3);
    expect(n.parseKeyed('usage_usec 42\n', 'usage_usec')).toBe(42);
    expect(n.parseKeyed('oom_kill_disable 0\n', 'oom_kill')).toBeNull();
    expect(n.parseKeyed('', 'oom_kill')).toBeNull();
  });
});
