/**
 * Where `python3 -c pass` spends CPU in the sandbox that it does not on the host: one arm per
 * suspect, all in one process run, rounds interleaved (A B C ... A B C ...), 8 in flight, machine
 * CPU per run. Sandbox arms: the image's layers under the permissive and the shipped seccomp
 * profile, and one layer holding a copy of the merged image on a tmpfs (no overlay, no disk).
 * Host arms (no namespaces): the host's Python; the image's Python by chroot into the merged
 * overlay, into the tmpfs copy and into the host's own / (chroot's exec alone); inside one
 * v1 memory cgroup with a limit (charging); in a time namespace with an offset (vDSO timens
 * page); and the static `true` of the sandbox fixture, on the host and in the sandbox: the fixed
 * cost of a sandboxed run, which a Python run pays as well.
 *
 *   npx tsx bench/python-ab.ts [--runs 100] [--rounds 2] [--concurrency 8]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DATA_DIR, imageRecordPath } from '../worker/runtimes/runtime-index.js';
import { NativeSandbox } from '../worker/sandbox/native-sandbox.js';
import { loadProfile } from '../worker/sandbox/profile.js';
import { ensureRootfs } from '../test/helpers/sandbox-rootfs.js';
import { defaultLimits } from '../test/helpers/sandbox-run.js';
import { inSandbox as sandboxRunnerOf, specBase } from './sandbox-runner.js';
import { header, imageLayers, loadLine, mergedLayers } from './rootfs.js';
import { measureRunner, spawnRunner, type Row, type Runner } from './peer-tools.js';

const PY = ['python3', '-c', 'pass'];

/** A copy of `root` on a fresh tmpfs, unmounted by the callback. */
function tmpfsCopy(root: string): { root: string; release: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pytmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1g,mode=755', 'bench-pytmpfs', dir]);
  execFileSync('cp', ['-a', `${root}/.`, dir]);
  return {
    root: dir,
    release: () => {
      execFileSync('umount', [dir]);
      rmdirSync(dir);
    },
  };
}

/** One v1 memory cgroup with the sandbox's default memory limit; undefined on a v2-only host. */
function memoryCgroup(): { path: string; release: () => void } | undefined {
  const path = `/sys/fs/cgroup/memory/bench-python-ab-${process.pid}`;
  try {
    mkdirSync(path);
    writeFileSync(join(path, 'memory.limit_in_bytes'), String(defaultLimits.memoryBytes));
  } catch {
    return undefined;
  }
  return { path, release: () => rmdirSync(path) };
}

/** The arms, in the order each round runs them. */
function armsOf(sb: NativeSandbox, layers: string[], merged: string, copy: string, cgroup: string | undefined, staticRoot: string): [string, Runner][] {
  const base = specBase(sb);
  const inSandbox = sandboxRunnerOf(sb);
  const shipped = sb.compileProfile(loadProfile(join(import.meta.dirname, '..', 'profiles', 'default.json')));
  const arms: [string, Runner][] = [
    ['sandbox python, image layers (overlay)', inSandbox({ ...base, layers, argv: PY })],
    ['sandbox python, profiles/default.json', inSandbox({ ...base, profile: shipped, layers, argv: PY })],
    ['sandbox python, one tmpfs layer', inSandbox({ ...base, layers: [copy], argv: PY })],
    ['sandbox static true', inSandbox({ ...base, layers: [staticRoot], argv: ['/bin/true'] })],
    ['host python', spawnRunner('/usr/bin/python3', PY.slice(1))],
    ['host chroot / python', spawnRunner('chroot', ['/', '/usr/bin/python3', ...PY.slice(1)])],
    ['host chroot image overlay python', spawnRunner('chroot', [merged, '/usr/bin/python3', ...PY.slice(1)])],
    ['host chroot image tmpfs copy python', spawnRunner('chroot', [copy, '/usr/bin/python3', ...PY.slice(1)])],
    ['host unshare --fork python', spawnRunner('unshare', ['--fork', '/usr/bin/python3', ...PY.slice(1)])],
    ['host unshare --time --fork python', spawnRunner('unshare', ['--time', '--monotonic', '1000', '--boottime', '1000', '--fork', '/usr/bin/python3', ...PY.slice(1)])],
    ['host sh exec python', spawnRunner('sh', ['-c', 'exec /usr/bin/python3 -c pass'])],
    ...(cgroup
      ? [['host sh in a memory cgroup, exec python', spawnRunner('sh', ['-c', `echo $$ > ${cgroup}/cgroup.procs && exec /usr/bin/python3 -c pass`])] as [string, Runner]]
      : []),
    ['host static true', spawnRunner(join(staticRoot, 'bin', 'true'), [])],
  ];
  return arms;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '100' }, rounds: { type: 'string', default: '2' }, concurrency: { type: 'string', default: '8' } } });
  const [runs, rounds, conc] = [Number(values.runs), Number(values.rounds), Number(values.concurrency)];
  header();
  const layers = imageLayers(imageRecordPath(DEFAULT_DATA_DIR, 'python'));
  const merged = mergedLayers(layers);
  const copy = tmpfsCopy(merged.root);
  const cg = memoryCgroup();
  const fx = ensureRootfs();
  const sb = await NativeSandbox.create({});
  const arms = armsOf(sb, layers, merged.root, copy.root, cg?.path, fx.base);
  const results = new Map<string, Row[]>();
  try {
    for (let r = 0; r < rounds; r++) {
      console.log(`-- round ${r + 1}, load ${loadLine()}`);
      for (const [name, runner] of arms) {
        const row = await measureRunner(name, runner, runs, conc);
        if (row) results.set(name, [...(results.get(name) ?? []), row]);
      }
    }
  } finally {
    await sb.close();
    cg?.release();
    copy.release();
    merged.release();
  }
  console.log(`== mean CPU per run over ${rounds} rounds (load ${loadLine()})`);
  const mean = (rs: Row[], f: (r: Row) => number): string => (rs.reduce((a, r) => a + f(r), 0) / rs.length).toFixed(2);
  for (const [name, rs] of results)
    console.log(
      `${name.padEnd(44)} machine ${mean(rs, (r) => r.cpuMsPerRun)} ms  own ${mean(rs, (r) => r.ownCpuMsPerRun)} ms  kthreads ${mean(rs, (r) => r.kthreadCpuMsPerRun)} ms  faults ${mean(rs, (r) => r.minorFaultsPerRun)} minor ${mean(rs, (r) => r.majorFaultsPerRun)} major  runs/s ${mean(rs, (r) => r.runsPerS)}`,
    );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
