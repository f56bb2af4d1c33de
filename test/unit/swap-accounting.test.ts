/**
 * T76: the swap-accounting check over real files in a temp dir shaped like /proc/swaps and the
 * cgroup mounts of each host kind, and the worker process itself refusing to start on such a
 * host (exit 1 with the code, before it touches Redis or the sandbox).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { assertSwapAccounted, inspectSwapAccounting } from '../../worker/sandbox/swap-accounting.js';

const HEADER = 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n';
const ONE_SWAP = `${HEADER}/dev/vda2                               partition\t8388604\t\t0\t\t-2\n`;
const root = mkdtempSync(join(tmpdir(), 'bulkhead-swap-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A host: its /proc/swaps text and the files under its cgroup mount root. */
function host(swaps: string, files: string[]): { swapsPath: string; cgroupMountRoot: string } {
  const dir = join(root, `h${n++}`);
  const cgroupMountRoot = join(dir, 'cgroup');
  mkdirSync(cgroupMountRoot, { recursive: true });
  for (const f of files) {
    mkdirSync(join(cgroupMountRoot, f, '..'), { recursive: true });
    writeFileSync(join(cgroupMountRoot, f), '0\n');
  }
  const swapsPath = join(dir, 'swaps');
  writeFileSync(swapsPath, swaps);
  return { swapsPath, cgroupMountRoot };
}

const V1_NO_MEMSW = ['memory/memory.limit_in_bytes', 'pids/pids.max'];
const V1_MEMSW = [...V1_NO_MEMSW, 'memory/memory.memsw.limit_in_bytes'];
const V2_NO_SWAP = ['cgroup.controllers', 'bulkhead/memory.max', 'system.slice/memory.max'];
const V2_SWAP = [...V2_NO_SWAP, 'system.slice/memory.swap.max'];

describe('swap accounting check (T76)', () => {
  it('refuses swap on without accounting, on v1 and v2, naming the setting and the fix', () => {
    for (const [files, setting] of [
      [V1_NO_MEMSW, 'memory.memsw.limit_in_bytes'],
      [V2_NO_SWAP, 'memory.swap.max'],
    ] as const) {
      const paths = host(ONE_SWAP, [...files]);
      const found = inspectSwapAccounting(paths);
      expect(found.swapDevices).toBe(1);
      expect(found.problem).toContain(setting);
      expect(found.problem).toContain('swapaccount=1');
      expect(found.problem).toContain('swapoff -a');
      expect(() => assertSwapAccounted(paths)).toThrow(expect.objectContaining({ code: 'SBX_ERR_SWAP_UNACCOUNTED' }));
    }
  });

  it('accepts swap on with accounting, and no swap at all (controls)', () => {
    expect(inspectSwapAccounting(host(ONE_SWAP, V1_MEMSW))).toMatchObject({ swapDevices: 1, accountedBy: expect.stringContaining('memory.memsw') });
    expect(inspectSwapAccounting(host(ONE_SWAP, V2_SWAP))).toMatchObject({ swapDevices: 1, accountedBy: expect.stringContaining('memory.swap.max') });
    for (const files of [V1_NO_MEMSW, V2_NO_SWAP]) {
      const paths = host(HEADER, files);
      expect(inspectSwapAccounting(paths)).toEqual({ swapDevices: 0 });
      expect(() => assertSwapAccounted(paths)).not.toThrow();
    }
  });

  it('counts every active area and refuses an unreadable swap table instead of assuming none', () => {
    const two = `${ONE_SWAP}/swapfile                                file\t\t1048572\t\t0\t\t-3\n`;
    expect(inspectSwapAccounting(host(two, V1_NO_MEMSW)).swapDevices).toBe(2);
    const paths = host(HEADER, V1_MEMSW);
    expect(() => inspectSwapAccounting({ ...paths, swapsPath: join(root, 'no-such-swaps') })).toThrow(expect.objectContaining({ code: 'SBX_ERR_HOST_SETUP' }));
  });

  it('stops the worker process at start with SBX_ERR_SWAP_UNACCOUNTED on such a host', () => {
    const paths = host(ONE_SWAP, V1_NO_MEMSW);
    const repo = fileURLToPath(new URL('../../', import.meta.url));
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: process.env.PATH, SBX_SWAPS_PATH: paths.swapsPath, SBX_CGROUP_MOUNT_ROOT: paths.cgroupMountRoot, SBX_REDIS_URL: 'redis://127.0.0.1:1' },
    });
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('[SBX_ERR_SWAP_UNACCOUNTED]');
    expect(child.stderr).toContain('memory.memsw.limit_in_bytes');
  }, 40_000);
});
