/**
 * Sandbox benchmark: runs/s and p50/p99 per run, for a static binary (the fixture's busybox
 * `true`) and for `python3 -c pass`, side by side with `bwrap --unshare-all` on the same rootfs.
 * Sequential runs measure latency; the concurrent pass (4 × cores in flight) measures throughput.
 * Python comes from a built image: its manifest (--python-image, default
 * /var/lib/bulkhead/images/python.json, whose `layers` are stacked by our overlay; bwrap, which
 * has no overlay here, gets the same layers pre-merged by one host overlay mount, so its row
 * does not pay for stacking) or one directory (--python-rootfs).
 *
 *   npx tsx bench/sandbox.ts [--runs 300] [--concurrency 8] [--python-image FILE | --python-rootfs DIR]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NativeSandbox } from '../worker/sandbox/native-sandbox.js';
import type { SandboxSpec } from '../worker/sandbox/spec.js';
import { permissiveProfile } from '../test/helpers/sandbox-profiles.js';
import { ensureRootfs } from '../test/helpers/sandbox-rootfs.js';
import { defaultLimits } from '../test/helpers/sandbox-run.js';

function percentile(sortedMs: number[], p: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))] ?? NaN;
}

function report(name: string, latenciesMs: number[], totalMs: number): void {
  const s = [...latenciesMs].sort((a, b) => a - b);
  const rate = (latenciesMs.length / totalMs) * 1000;
  console.log(`${name.padEnd(42)} runs/s ${rate.toFixed(0).padStart(6)}  p50 ${percentile(s, 50).toFixed(2)} ms  p99 ${percentile(s, 99).toFixed(2)} ms`);
}

async function benchSandbox(sb: NativeSandbox, name: string, spec: SandboxSpec, runs: number, concurrency: number): Promise<void> {
  const lat: number[] = [];
  let t0 = performance.now();
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    const o = await sb.run(spec);
    if (o.exitCode !== 0) throw new Error(`${name}: exit ${o.exitCode} ${o.stderr.toString()}`);
    lat.push(performance.now() - s);
  }
  report(`${name} (sequential)`, lat, performance.now() - t0);
  const conc: number[] = [];
  t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < runs) {
      const s = performance.now();
      await sb.run(spec);
      conc.push(performance.now() - s);
    }
  }));
  report(`${name} (${concurrency} in flight)`, conc, performance.now() - t0);
}

function benchBwrap(name: string, root: string, argv: string[], runs: number): void {
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    const r = spawnSync('bwrap', ['--unshare-all', '--ro-bind', root, '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', ...argv]);
    if (r.status !== 0) throw new Error(`bwrap failed: ${String(r.stderr)}`);
    lat.push(performance.now() - s);
  }
  report(name, lat, performance.now() - t0);
}

const DEFAULT_PYTHON_IMAGE = '/var/lib/bulkhead/images/python.json';

/** Python layers (base first) from --python-rootfs or an image manifest; undefined: no python rows. */
function pythonLayers(rootfs: string | undefined, image: string | undefined): string[] | undefined {
  if (rootfs) return [rootfs];
  const file = image ?? (existsSync(DEFAULT_PYTHON_IMAGE) ? DEFAULT_PYTHON_IMAGE : undefined);
  if (!file) return undefined;
  const layers = (JSON.parse(readFileSync(file, 'utf8')) as { layers?: unknown }).layers;
  if (!Array.isArray(layers) || !layers.every((l) => typeof l === 'string')) throw new Error(`${file}: no layers`);
  return layers;
}

/** bwrap 0.8 cannot stack layers: one read-only host overlay of them, removed by the callback. */
function mergedForBwrap(layers: string[]): { root: string; release: () => void } {
  if (layers.length === 1) return { root: layers[0] ?? '', release: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'bench-bwrap-'));
  const root = join(dir, 'root');
  mkdirSync(root);
  execFileSync('mount', ['-t', 'overlay', 'bench-bwrap', '-o', `ro,lowerdir=${[...layers].reverse().join(':')}`, root]);
  return { root, release: () => { execFileSync('umount', [root]); rmSync(dir, { recursive: true }); } };
}

function header(): void {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // not a checkout
  }
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`${new Date().toISOString()} commit ${commit}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), kernel ${release()}, load ${load}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    'python-rootfs': { type: 'string' }, 'python-image': { type: 'string' }, runs: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: String(4 * availableParallelism()) },
  } });
  const runs = Number(values.runs);
  const concurrency = Number(values.concurrency);
  header();
  const fx = ensureRootfs();
  const python = pythonLayers(values['python-rootfs'], values['python-image']);
  const sb = await NativeSandbox.create({});
  const profile = sb.compileProfile(permissiveProfile());
  const base = { files: [], env: ['PATH=/usr/local/bin:/usr/bin:/bin'], stdin: Buffer.alloc(0), profile, hostname: 'b', limits: defaultLimits };
  await benchSandbox(sb, 'bulkhead static (busybox true)', { ...base, layers: [fx.base], argv: ['/bin/true'] }, runs, concurrency);
  if (python) await benchSandbox(sb, 'bulkhead python3 -c pass', { ...base, layers: python, argv: ['python3', '-c', 'pass'] }, Math.min(runs, 100), concurrency);
  await sb.close();
  benchBwrap('bwrap --unshare-all static (busybox true)', fx.base, ['/bin/true'], runs);
  if (python) {
    const merged = mergedForBwrap(python);
    try {
      benchBwrap('bwrap --unshare-all python3 -c pass', merged.root, ['python3', '-c', 'pass'], Math.min(runs, 100));
    } finally {
      merged.release();
    }
  } else {
    console.log(`python rows skipped: no ${DEFAULT_PYTHON_IMAGE}; pass --python-image FILE or --python-rootfs DIR`);
  }
  console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
