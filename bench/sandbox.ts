/**
 * Sandbox benchmark: runs/s and p50/p99 per run, for a static binary (the fixture's busybox
 * `true`), for the load scenarios' `echo hello` in Bash and for `python3 -c pass`, side by side
 * with `bwrap --unshare-all` on the same rootfs. Sequential runs measure latency; the concurrent
 * pass (4 × cores in flight) measures throughput and the whole machine's CPU per run (from
 * /proc/stat: kernel threads such as the network-namespace cleanup included), which gives the
 * ceiling `cores × 1000 / CPU ms per run` that no service on top of this sandbox can pass on
 * this machine. A floor section measures what a run cannot avoid even without our sandbox: the
 * same programs started directly on the host, and a fresh network namespace.
 * Bash and Python come from built images (their manifests' `layers` are stacked by our overlay;
 * bwrap, which has no overlay here, gets the same layers pre-merged by one host overlay mount, so
 * its row does not pay for stacking): --python-image (default
 * /var/lib/bulkhead/images/python.json) or one directory (--python-rootfs); the Bash image from
 * /var/lib/bulkhead/images/bash.json when present.
 *
 * The Python row runs twice: under the permissive test profile and under a shipped seccomp
 * profile (--profile, default profiles/default.json), whose argument rules (T65-T69) cost a few
 * BPF instructions per filtered call; pass an older profile file to compare.
 *
 *   npx tsx bench/sandbox.ts [--runs 300] [--concurrency 8] [--python-image FILE | --python-rootfs DIR] [--profile FILE]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DATA_DIR, imageRecordPath } from '../worker/runtimes/runtime-index.js';
import { NativeSandbox } from '../worker/sandbox/native-sandbox.js';
import { loadProfile } from '../worker/sandbox/profile.js';
import type { SandboxSpec } from '../worker/sandbox/spec.js';
import { permissiveProfile } from '../test/helpers/sandbox-profiles.js';
import { ensureRootfs } from '../test/helpers/sandbox-rootfs.js';
import { machineBusyMs } from './load/procstat.js';
import { defaultLimits } from '../test/helpers/sandbox-run.js';
import { header, imageLayers, mergedLayers } from './rootfs.js';

function percentile(sortedMs: number[], p: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))] ?? NaN;
}

function report(name: string, latenciesMs: number[], totalMs: number, cpuMsPerRun?: number): void {
  const s = [...latenciesMs].sort((a, b) => a - b);
  const rate = (latenciesMs.length / totalMs) * 1000;
  const cpu = cpuMsPerRun === undefined ? '' : `  machine CPU ${cpuMsPerRun.toFixed(2)} ms/run → ceiling ${((cpus().length * 1000) / cpuMsPerRun).toFixed(0)} runs/s`;
  console.log(`${name.padEnd(42)} runs/s ${rate.toFixed(0).padStart(6)}  p50 ${percentile(s, 50).toFixed(2)} ms  p99 ${percentile(s, 99).toFixed(2)} ms${cpu}`);
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
  const busy0 = machineBusyMs();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < runs) {
        const s = performance.now();
        await sb.run(spec);
        conc.push(performance.now() - s);
      }
    }),
  );
  report(`${name} (${concurrency} in flight)`, conc, performance.now() - t0, (machineBusyMs() - busy0) / conc.length);
}

/** The same argv started directly on the host, `runs` times on each core at once: its CPU per run. */
function benchHost(name: string, argv: string[], runs: number): void {
  const [cmd = '', ...args] = argv;
  // Each loop stops at its first failure, and every loop's status is waited for (a bare `wait`
  // would answer 0 and print the CPU of a program that never ran).
  const loop = `for i in $(seq ${runs}); do ${[cmd, ...args].map((a) => `'${a}'`).join(' ')} >/dev/null || exit 1; done`;
  const t0 = performance.now();
  const busy0 = machineBusyMs();
  const cores = Array.from({ length: cpus().length }, (_, i) => i);
  const script = `${cores.map((i) => `(${loop}) & p${i}=$!;`).join(' ')} ${cores.map((i) => `wait $p${i}`).join(' && ')}`;
  const r = spawnSync('bash', ['-c', script]);
  // A floor row that cannot run here (no unshare without privileges, no such program) is skipped
  // with its reason; the sandbox rows above stand without it.
  if (r.status !== 0) return console.log(`${name.padEnd(42)} skipped: ${String(r.stderr).trim().split('\n')[0] || `exit ${r.status}`}`);
  const total = runs * cpus().length;
  const ms = performance.now() - t0;
  console.log(`${name.padEnd(42)} runs/s ${((total / ms) * 1000).toFixed(0).padStart(6)}  machine CPU ${((machineBusyMs() - busy0) / total).toFixed(2)} ms/run`);
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

const DEFAULT_PYTHON_IMAGE = imageRecordPath(DEFAULT_DATA_DIR, 'python');
const BASH_IMAGE = imageRecordPath(DEFAULT_DATA_DIR, 'bash');

/** Python layers (base first) from --python-rootfs or an image manifest; undefined: no python rows. */
function pythonLayers(rootfs: string | undefined, image: string | undefined): string[] | undefined {
  if (rootfs) return [rootfs];
  const file = image ?? (existsSync(DEFAULT_PYTHON_IMAGE) ? DEFAULT_PYTHON_IMAGE : undefined);
  return file === undefined ? undefined : imageLayers(file);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'python-rootfs': { type: 'string' },
      'python-image': { type: 'string' },
      runs: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: String(4 * availableParallelism()) },
      profile: { type: 'string', default: join(import.meta.dirname, '..', 'profiles', 'default.json') },
    },
  });
  const runs = Number(values.runs);
  const concurrency = Number(values.concurrency);
  header();
  const fx = ensureRootfs();
  const python = pythonLayers(values['python-rootfs'], values['python-image']);
  const sb = await NativeSandbox.create({});
  const profile = sb.compileProfile(permissiveProfile());
  const base = { files: [], env: ['PATH=/usr/local/bin:/usr/bin:/bin'], stdin: Buffer.alloc(0), profile, hostname: 'b', limits: defaultLimits };
  await benchSandbox(sb, 'bulkhead static (busybox true)', { ...base, layers: [fx.base], argv: ['/bin/true'] }, runs, concurrency);
  const bash = existsSync(BASH_IMAGE) ? imageLayers(BASH_IMAGE) : undefined;
  if (bash) await benchSandbox(sb, 'bulkhead bash -c "echo hello"', { ...base, layers: bash, argv: ['bash', '-c', 'echo hello'] }, runs, concurrency);
  if (python) await benchSandbox(sb, 'bulkhead python3 -c pass', { ...base, layers: python, argv: ['python3', '-c', 'pass'] }, Math.min(runs, 100), concurrency);
  if (python) {
    const shipped = { ...base, profile: sb.compileProfile(loadProfile(values.profile)), layers: python, argv: ['python3', '-c', 'pass'] };
    await benchSandbox(sb, `bulkhead python3 -c pass (${values.profile.split('/').pop() ?? ''})`, shipped, Math.min(runs, 100), concurrency);
  }
  await sb.close();
  benchBwrap('bwrap --unshare-all static (busybox true)', fx.base, ['/bin/true'], runs);
  if (python) {
    const merged = mergedLayers(python);
    try {
      benchBwrap('bwrap --unshare-all python3 -c pass', merged.root, ['python3', '-c', 'pass'], Math.min(runs, 100));
    } finally {
      merged.release();
    }
  } else {
    console.log(`python rows skipped: no ${DEFAULT_PYTHON_IMAGE}; pass --python-image FILE or --python-rootfs DIR`);
  }
  // The floor: what these programs cost with no sandbox at all, and one fresh network namespace
  // (made and torn down; its cleanup runs later in a kernel worker, counted here as well).
  console.log("floor, no sandbox (the host's own programs, one loop per core):");
  // Absolute paths: a PATH shim (pyenv and the like) would be measured instead of the program.
  benchHost('host bash -c "echo hello"', ['/usr/bin/bash', '-c', 'echo hello'], Math.min(runs, 300));
  benchHost('host python3 -c pass', ['/usr/bin/python3', '-c', 'pass'], Math.min(runs, 100));
  benchHost('host unshare true', ['/usr/bin/unshare', 'true'], Math.min(runs, 300));
  benchHost('host unshare --net true', ['/usr/bin/unshare', '--net', 'true'], Math.min(runs, 300));
  console.log(
    `load after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
