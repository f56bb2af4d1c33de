/**
 * The C unit tests of native/test/unit (the pure parts of the core: spec encoding, report
 * framing, error values, cgroup files and parsers, seccomp rule tables, id maps, rlimits), built
 * by `npm run build:native` as sbx-unit with AddressSanitizer and UBSan. Each C test case is its
 * own vitest test, run in its own process, so the suite's counts include every case.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBuildDir } from '../../native/index.js';

const buildDir = findBuildDir();
const binary = buildDir === undefined ? undefined : join(buildDir, 'sbx-unit');
const skipReason = binary === undefined ? 'addon not built' : existsSync(binary) ? undefined : 'sbx-unit not built';
const cases = binary !== undefined && skipReason === undefined ? execFileSync(binary, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean) : [];

describe.skipIf(skipReason !== undefined)(`C unit tests (sbx-unit)${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('lists its cases', () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  for (const name of cases) {
    it(name, () => {
      const run = spawnSync(binary ?? '', [name], { encoding: 'utf8', timeout: 20_000 });
      // The failures (# file:line: message) and a sanitizer report, if any, are the assertion's text.
      const output = `${run.stdout}${run.stderr}`;
      expect(run.status, output).toBe(0);
      expect(run.stdout.trim().split('\n').at(-1)).toBe(`ok ${name}`);
    });
  }
});
