/**
 * Host-side checks of the kernel memory and page cache a run must not take from the host (T65,
 * T68): the host's unreclaimable slab and socket memory sampled while a run is in flight, and
 * the page-cache residency of an image file before and after a run that tries to evict it.
 *
 * /proc/meminfo's SUnreclaim and /proc/net/sockstat's `mem` figures are host-wide (sockstat's
 * `inuse` counts are per network namespace, its `mem` pages are the protocol's global total), so
 * they see what a run in its own namespace pins. Other suites share the host: the checks compare
 * the growth with the run's whole memory limit, far above their noise and far below what the
 * attacks pinned before the fix (GiBs).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** How often the sampler reads the host's counters, ms. */
const SAMPLE_INTERVAL_MS = 20;
const PAGE_BYTES = 4096;

/** Host-wide kernel memory that the memory cgroup of a run may not be charged for, bytes. */
export interface KernelMemory {
  unreclaimableSlabBytes: number;
  socketBytes: number;
}

function readKernelMemory(): KernelMemory {
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const slabKiB = Number(/^SUnreclaim:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? NaN);
  const sockstat = readFileSync('/proc/net/sockstat', 'utf8');
  let socketPages = 0;
  for (const proto of ['TCP', 'UDP', 'FRAG']) {
    socketPages += Number(new RegExp(`^${proto}:.*\\bmem (\\d+)`, 'm').exec(sockstat)?.[1] ?? 0);
  }
  return { unreclaimableSlabBytes: slabKiB * 1024, socketBytes: socketPages * PAGE_BYTES };
}

/** Peak growth over the baseline taken when sampling began. */
export interface KernelMemoryGrowth extends KernelMemory {
  samples: number;
}

/** Samples the host's kernel memory until `stop()`, which returns the peak growth. */
export function sampleKernelMemory(): { stop: () => KernelMemoryGrowth } {
  const base = readKernelMemory();
  const peak: KernelMemoryGrowth = { unreclaimableSlabBytes: 0, socketBytes: 0, samples: 0 };
  const take = (): void => {
    const now = readKernelMemory();
    peak.unreclaimableSlabBytes = Math.max(peak.unreclaimableSlabBytes, now.unreclaimableSlabBytes - base.unreclaimableSlabBytes);
    peak.socketBytes = Math.max(peak.socketBytes, now.socketBytes - base.socketBytes);
    peak.samples++;
  };
  const timer = setInterval(take, SAMPLE_INTERVAL_MS);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}

/** Violations: growth of either figure beyond the run's memory limit, or too few samples to tell. */
export function kernelMemoryProblems(growth: KernelMemoryGrowth, limitBytes: number): string[] {
  const MiB = 1024 * 1024;
  const problems: string[] = [];
  // At least a few samples while the run held its queues (the programs hold them for 1 s).
  if (growth.samples < 10) problems.push(`only ${growth.samples} host samples of kernel memory were taken`);
  if (growth.unreclaimableSlabBytes > limitBytes) {
    problems.push(`host unreclaimable slab grew by ${(growth.unreclaimableSlabBytes / MiB).toFixed(1)} MiB, over the run's ${limitBytes / MiB} MiB limit`);
  }
  if (growth.socketBytes > limitBytes) {
    problems.push(`host socket memory grew by ${(growth.socketBytes / MiB).toFixed(1)} MiB, over the run's ${limitBytes / MiB} MiB limit`);
  }
  return problems;
}

/** The host path of `imagePath` in the named image: the topmost of its layers that holds it. */
export function hostPathInImage(dataDir: string, language: string, imagePath: string): string | undefined {
  const record = JSON.parse(readFileSync(join(dataDir, 'images', `${language}.json`), 'utf8')) as { layers: string[] };
  return [...record.layers]
    .reverse()
    .map((layer) => join(layer, imagePath))
    .find((p) => existsSync(p));
}

/** Bytes of `path` resident in the page cache (util-linux fincore). */
export function residentBytes(path: string): number {
  return Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' }).trim());
}

/** Reads the whole file so its pages are cached. */
export function warmPageCache(path: string): number {
  readFileSync(path);
  return residentBytes(path);
}

/** The control: the host itself drops the file's cache (dd's nocache flag, count=0: the whole file). */
export function evictPageCache(path: string): number {
  execFileSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']);
  return residentBytes(path);
}
