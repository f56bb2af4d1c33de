/**
 * cgroup v2 detection against a v2-shaped directory tree, on any host, through the TS check and
 * the addon's export the worker uses. The C side of the v2 path (limit files written, statistics
 * parsed, cleanup after a failed create, the parsers) is native/test/unit/cgroup-test.c, run by
 * native-core.test.ts. Runs under real v2 limits are `npm run test:cgroup-v2` (test/cgroup-v2/:
 * a real v2 kernel, in a guest on v1 hosts).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBuildDir, loadNative } from '../../native/index.js';
import { detectCgroupVersion } from '../../worker/sandbox/features.js';

const built = findBuildDir() !== undefined;
/** A v2 mount root: only cgroup.controllers tells the versions apart. */
function fakeV2Root(): string {
  const root = mkdtempSync(join(tmpdir(), 'sbx-fake-cg2-'));
  writeFileSync(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  mkdirSync(join(root, 'bulkhead'));
  return root;
}

describe.skipIf(!built)(`cgroup v2 path on a v2-shaped tree${built ? '' : ' (skipped: addon not built)'}`, () => {
  it('detects v2 from cgroup.controllers at the mount root', () => {
    const root = fakeV2Root();
    expect(detectCgroupVersion(root)).toBe(2);
    expect(loadNative().detectCgroups(root, 'bulkhead')).toEqual({ version: 2, v2Dir: join(root, 'bulkhead') });
  });
});
