/**
 * Sandbox benchmark: runs/s and p50/p99 per run, for a static binary (the fixture's busybox
 * `true`) and for `python3 -c pass` (over a Python image directory given with --python-rootfs,
 * e.g. a built image under /var/lib/bulkhead), side by side with `bwrap --unshare-all` on the
 * same rootfs. Sequential runs measure latency; the concurrent pass (4 × cores in flight)
 * measures throughput.
 *
 *   npx tsx bench/sandbox.ts [--runs 300] [--concurrency 8] [--python-rootfs DIR]
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
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

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'python-rootfs': { type: 'string' }, runs: { type: 'string', default: '300' }, concurrency: { type: 'string', default: String(4 * availableParallelism()) } } });
  const runs = Number(values.runs);
  const concurrency = Number(values.concurrency);
  const fx = ensureRootfs();
  const sb = await NativeSandbox.create({});
  const profile = sb.compileProfile(permissiveProfile());
  const base = { files: [], env: ['PATH=/usr/bin:/bin'], stdin: Buffer.alloc(0), profile, hostname: 'b', limits: defaultLimits };
  await benchSandbox(sb, 'bulkhead static (busybox true)', { ...base, layers: [fx.base], argv: ['/bin/true'] }, runs, concurrency);
  const python = values['python-rootfs'];
  if (python) await benchSandbox(sb, 'bulkhead python3 -c pass', { ...base, layers: [python], argv: ['python3', '-c', 'pass'] }, Math.min(runs, 100), concurrency);
  await sb.close();
  benchBwrap('bwrap --unshare-all static (busybox true)', fx.base, ['/bin/true'], runs);
  if (python) benchBwrap('bwrap --unshare-all python3 -c pass', python, ['python3', '-c', 'pass'], Math.min(runs, 100));
  else console.log('python rows skipped: pass --python-rootfs DIR (a rootfs with python3)');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
