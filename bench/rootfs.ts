/**
 * Root filesystems and the run header shared by the sandbox-level benchmarks: an image's layers
 * (from its manifest), the same layers pre-merged by one read-only host overlay for tools that
 * cannot stack layers (bwrap, crun, runc, podman), and the line that dates every figure.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';

export function imageLayers(file: string): string[] {
  const layers = (JSON.parse(readFileSync(file, 'utf8')) as { layers?: unknown }).layers;
  if (!Array.isArray(layers) || !layers.every((l) => typeof l === 'string')) throw new Error(`${file}: no layers`);
  return layers;
}

/** One read-only host overlay of `layers` (base first), removed by the callback. */
export function mergedLayers(layers: string[]): { root: string; release: () => void } {
  if (layers.length === 1) return { root: layers[0] ?? '', release: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'bench-merged-'));
  const root = join(dir, 'root');
  mkdirSync(root);
  execFileSync('mount', ['-t', 'overlay', 'bench-merged', '-o', `ro,lowerdir=${[...layers].reverse().join(':')}`, root]);
  return {
    root,
    release: () => {
      execFileSync('umount', [root]);
      rmSync(dir, { recursive: true });
    },
  };
}

export function loadLine(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/** Date, commit, cores, kernel and load: printed before every set of figures. */
export function header(): void {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // not a checkout
  }
  console.log(`${new Date().toISOString()} commit ${commit}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), kernel ${release()}, load ${loadLine()}`);
}
