/**
 * The sandbox's cgroup tests on a real cgroup v2 kernel, as root (the privileged worker path):
 * memory limit → MEMORY_LIMIT from memory.events with the peak from memory.peak, pids, cpu time
 * from cpu.stat, cpu.max throttling, cgroup.kill cleanup, socket buffers charged to the run, and
 * nothing left behind. Run by test/cgroup-v2/run.ts, directly on a v2 host or inside the guest.
 * A host that is not cgroup v2 fails the first test (this suite never skips).
 *
 *   node suite.mjs --layers <base>,<overlay>,<tools>
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { hostChecks, liveHost } from '../../worker/doctor-host.js';
import { ensureCgroups } from '../../worker/host-setup.js';
import { detectCgroupVersion } from '../../worker/sandbox/features.js';
import { NativeSandbox } from '../../worker/sandbox/native-sandbox.js';
import type { RawOutcome, SandboxLimits, SandboxSpec } from '../../worker/sandbox/spec.js';
import { classifyOutcome } from '../../worker/verdict.js';
import { FORCED_CHARGE_SLACK_BYTES } from '../helpers/limits.js';
import { defaultLimits } from '../helpers/sandbox-run.js';
import { permissiveProfile } from '../helpers/sandbox-profiles.js';
import { cgroupOf, eventually, pidsInUidRange, readText, runAll, test } from './harness.js';

const MiB = 1024 * 1024;
const CGROUP_ROOT = '/sys/fs/cgroup';
const PARENT = `${CGROUP_ROOT}/bulkhead`;
/** A host id range of this suite alone, so its runs' processes can be told from any other. */
const UID_BASE = 2_200_000;
const UID_COUNT = 64;
/** Time limits for runs that must end by another limit: an emulated guest on a busy host is slow. */
const SLOW = { cpuTimeMs: 20_000, wallTimeMs: 30_000 };

const { values } = parseArgs({
  options: {
    layers: { type: 'string' },
    'container-base': { type: 'string' },
    'container-app': { type: 'string' },
    'container-enter': { type: 'string' },
  },
});
const layers = (values.layers ?? '').split(',').filter((l) => l !== '');
let sandbox: NativeSandbox;

function spec(argv: string[], limits: Partial<SandboxLimits> = {}): SandboxSpec {
  return {
    layers,
    files: [],
    argv,
    env: ['PATH=/bin', 'HOME=/box'],
    stdin: Buffer.alloc(0),
    profile: sandbox.compileProfile(permissiveProfile()),
    hostname: 'sandbox',
    limits: { ...defaultLimits, ...limits },
  };
}

function jsonOf(outcome: RawOutcome): Record<string, unknown> {
  return JSON.parse(outcome.stdout.toString('utf8').split('\n')[0] || '{}') as Record<string, unknown>;
}

/** The cgroup (relative to the v2 root) of the first process of a run that is under way. */
async function cgroupOfLiveRun(): Promise<string> {
  const path = await eventually(
    () =>
      pidsInUidRange(UID_BASE, UID_COUNT)
        .map(cgroupOf)
        .find((c) => c?.startsWith('/bulkhead/r')),
    (c) => c !== undefined,
  );
  assert.ok(path, 'no process of the run found in a run cgroup');
  return `${CGROUP_ROOT}${path}`;
}

/** The rootless worker's user (host-setup's; the guest's /etc/passwd and /etc/subuid name it too). */
function rootlessUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('bulkhead:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  assert.ok(uid && gid, 'no bulkhead user (npm run host-setup)');
  return { uid: Number(uid), gid: Number(gid) };
}

/** A cgroup handed to `user` as systemd's Delegate=yes does: the directory and three files. */
function delegate(name: string, user: { uid: number; gid: number }): string {
  const dir = `${CGROUP_ROOT}/${name}`;
  mkdirSync(dir, { recursive: true });
  for (const f of ['', 'cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads']) chownSync(join(dir, f), user.uid, user.gid);
  return dir;
}

/**
 * Runs `argv` as `user` inside `cgroupDir`, the way systemd starts a delegated unit: the process
 * waits for a line on stdin until it has been moved there. Resolves with its last stdout line.
 */
async function runDelegated(user: { uid: number; gid: number }, cgroupDir: string, argv: string[], beforeGo: () => void = () => undefined): Promise<Record<string, unknown>> {
  const child = spawn('/bin/sh', ['-c', 'read go; exec "$@"', 'sh', ...argv], {
    uid: user.uid,
    gid: user.gid,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { PATH: '/usr/bin:/bin', HOME: '/' },
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  writeFileSync(join(cgroupDir, 'cgroup.procs'), String(child.pid));
  beforeGo();
  child.stdin.end('go\n');
  await exited;
  return JSON.parse(out.trim().split('\n').pop() || '{}') as Record<string, unknown>;
}

/** node with a test child: the bundle next to this one, or the TypeScript source through tsx. */
function nodeArgv(bundle: string, source: string): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  return import.meta.url.endsWith('.mjs') ? [process.execPath, join(here, bundle)] : [process.execPath, '--import', 'tsx', join(here, source)];
}

const runCgroups = (): string[] => readdirSync(PARENT).filter((e) => e.startsWith(`r${process.pid}-`));

test('runs on a cgroup v2 kernel with memory, pids and cpu enabled for run cgroups', async () => {
  assert.equal(detectCgroupVersion(CGROUP_ROOT), 2, `${CGROUP_ROOT} is not a cgroup2 mount`);
  ensureCgroups(CGROUP_ROOT, 0, 0, []);
  sandbox = await NativeSandbox.create({ uidBase: UID_BASE, uidCount: UID_COUNT, slots: 4, poolSize: 2 });
  assert.equal(sandbox.features.cgroupVersion, 2);
  const enabled = (readText(`${PARENT}/cgroup.subtree_control`) ?? '').split(/\s+/);
  for (const c of ['memory', 'pids', 'cpu']) assert.ok(enabled.includes(c), `${c} not in ${PARENT}/cgroup.subtree_control`);
});

test("npm run doctor's host checks pass on this v2 kernel (cgroup delegation, user namespaces, overlay, swap)", () => {
  const failed = hostChecks(liveHost(0)).filter((c) => c.level === 'fail');
  assert.deepEqual(failed, []);
});

test('memory limit: OOM kill read from memory.events is MEMORY_LIMIT, peak from memory.peak', async () => {
  const hog = await sandbox.run(spec(['probe', 'mem', '256'], { memoryBytes: 64 * MiB, ...SLOW }));
  assert.equal(classifyOutcome(hog).status, 'MEMORY_LIMIT');
  assert.equal(hog.signal, 9);
  assert.ok(hog.memoryPeakBytes > 48 * MiB && hog.memoryPeakBytes <= 64 * MiB + FORCED_CHARGE_SLACK_BYTES, `peak ${hog.memoryPeakBytes}`);
  const control = await sandbox.run(spec(['probe', 'mem', '16'], { memoryBytes: 64 * MiB }));
  assert.equal(classifyOutcome(control).status, 'OK');
  assert.ok(control.memoryPeakBytes > 16 * MiB, `control peak ${control.memoryPeakBytes}`);
});

test('pids limit: a fork bomb stops at pids.max with EAGAIN', async () => {
  const outcome = await sandbox.run(spec(['probe', 'fork-bomb'], { pids: 16, ...SLOW }));
  const json = jsonOf(outcome);
  assert.equal(outcome.exitCode, 0);
  assert.equal(json.errno, 11);
  assert.ok(Number(json.forked) > 8 && Number(json.forked) < 16, `forked ${String(json.forked)}`);
});

test('cpu time limit: counted from cpu.stat usage_usec, the spinner is killed', async () => {
  const outcome = await sandbox.run(spec(['probe', 'spin'], { cpuTimeMs: 300, wallTimeMs: 10_000 }));
  assert.equal(classifyOutcome(outcome).timeLimit, 'cpu');
  assert.equal(outcome.signal, 9);
  assert.ok(outcome.cpuTimeNs >= 300e6 && outcome.cpuTimeNs < 1500e6, `cpu ${outcome.cpuTimeNs} ns`);
});

test('cpu.max throttles a run to its cores (quarter core: cpu.max, nr_throttled, cpu time)', async () => {
  const run = sandbox.run(spec(['probe', 'spin'], { cpuCores: 0.25, cpuTimeMs: 10_000, wallTimeMs: 2000 }));
  run.catch(() => undefined); // awaited below; a failure must not surface as an unhandled rejection first
  const dir = await cgroupOfLiveRun();
  assert.equal(readText(`${dir}/cpu.max`)?.trim(), '25000 100000');
  const throttled = await eventually(
    () => Number(/nr_throttled (\d+)/.exec(readText(`${dir}/cpu.stat`) ?? '')?.[1] ?? 0),
    (n) => n > 2,
  );
  const outcome = await run;
  assert.equal(outcome.killedBy, 'wall');
  assert.ok(throttled > 2, `nr_throttled ${throttled}`);
  // A quarter of 2 s wall is 500 ms; unthrottled it would be about 2000 ms.
  assert.ok(outcome.cpuTimeNs > 100e6 && outcome.cpuTimeNs < 900e6, `cpu ${outcome.cpuTimeNs} ns`);
});

test('cgroup.kill: every process of a run killed at the wall limit is gone, and so is its cgroup', async () => {
  const run = sandbox.run(spec(['sh', '-c', 'sleep 100 & sleep 100 & (setsid sleep 100 &); sleep 100'], { wallTimeMs: 2000 }));
  run.catch(() => undefined); // awaited below
  const dir = await cgroupOfLiveRun();
  const pids = await eventually(
    () => pidsInUidRange(UID_BASE, UID_COUNT),
    (p) => p.length >= 5,
  );
  assert.ok(pids.length >= 5, `only ${pids.length} processes seen`);
  assert.equal((await run).killedBy, 'wall');
  const alive = await eventually(
    () => pids.filter((pid) => existsSync(`/proc/${pid}`)),
    (a) => a.length === 0,
    2000,
  );
  assert.deepEqual(alive, []);
  assert.equal(
    await eventually(
      () => existsSync(dir),
      (e) => !e,
      2000,
    ),
    false,
    `${dir} still exists`,
  );
});

test('socket buffers are charged to the run: a loopback TCP/UDP flood stops at the memory limit', async () => {
  const limits = { memoryBytes: 32 * MiB, openFiles: 512, wallTimeMs: 30_000, cpuTimeMs: 20_000 };
  const flood = await sandbox.run(spec(['sock-flood', '100', '50'], limits));
  const sentBytes = flood.oomKilled ? 0 : Number(jsonOf(flood).sentBytes);
  assert.ok(flood.oomKilled || sentBytes < 48 * MiB, `sent ${sentBytes} bytes under a 32 MiB limit`);
  // The program itself needs about 1 MiB: the rest of the peak is socket memory on the run's bill.
  assert.ok(flood.memoryPeakBytes > 16 * MiB && flood.memoryPeakBytes <= 40 * MiB, `peak ${flood.memoryPeakBytes}`);
  const control = await sandbox.run(spec(['sock-flood', '100', '50'], { ...limits, memoryBytes: 512 * MiB }));
  assert.ok(Number(jsonOf(control).sentBytes) > 48 * MiB, `control sent ${String(jsonOf(control).sentBytes)}`);
});

test('rootless in a subtree delegated as systemd does (Delegate=yes): the worker moves into a leaf, runs get limits', async () => {
  const user = rootlessUser();
  const dir = delegate('bulkhead-cg2-rootless.service', user);
  const facts = await runDelegated(
    user,
    dir,
    [...nodeArgv('cgroup-v2-rootless.mjs', 'rootless-child.ts'), '--layers', layers.slice(0, 2).join(',')],
    // Control: the no-internal-processes rule on this kernel, the reason the worker needs a leaf.
    () => assert.throws(() => writeFileSync(join(dir, 'cgroup.subtree_control'), '+memory'), /EBUSY/),
  );
  assert.equal(facts.error, undefined, String(facts.error));
  assert.equal(facts.uid, user.uid);
  assert.deepEqual(facts.features, { cgroupVersion: 2, timeNamespace: true, privileged: false, freshDevices: false });
  assert.equal(facts.before, '/bulkhead-cg2-rootless.service');
  assert.equal(facts.after, '/bulkhead-cg2-rootless.service/worker');
  const seen = facts.runCgroups as string[];
  assert.ok(seen.length > 0 && seen.every((c) => /^\/bulkhead-cg2-rootless\.service\/r\d+-\d+$/.test(c)), `run cgroups ${seen.join(' ')}`);
  const hog = facts.hog as { oomKilled: boolean; memoryPeakBytes: number };
  assert.equal(hog.oomKilled, true);
  assert.ok(hog.memoryPeakBytes > 48 * MiB && hog.memoryPeakBytes <= 64 * MiB + FORCED_CHARGE_SLACK_BYTES, `peak ${hog.memoryPeakBytes}`);
  assert.deepEqual(facts.sleeper, { exitCode: 0, killedBy: null });
  for (const c of ['memory', 'pids', 'cpu']) assert.ok(String(facts.subtreeControl).includes(c), `subtree_control: ${String(facts.subtreeControl)}`);
  assert.deepEqual(facts.leftover, []);
  assert.equal(facts.doctorCgroup, 'ok');
  rmdirSync(join(dir, 'worker'));
  rmdirSync(dir);
});

test('an unprivileged container built like rootless Podman (user, mount, pid, cgroup namespaces) runs the sandbox', async () => {
  const user = rootlessUser();
  const dir = delegate('bulkhead-cg2-container.scope', user);
  // The launcher (the unshare that stays outside the container) lives beside the container's cgroup.
  mkdirSync(join(dir, 'launcher'));
  const inside = ['/usr/bin/node', '/app/native/cgroup-v2-container.mjs', '--layers', '/app/layers/0,/app/layers/1'];
  const facts = await runDelegated(user, join(dir, 'launcher'), [
    '/usr/bin/unshare',
    '--user',
    '--map-root-user',
    '--map-auto',
    '--mount',
    '--pid',
    '--fork',
    '--kill-child',
    '/bin/sh',
    values['container-enter'] ?? '',
    dir,
    values['container-base'] ?? '',
    values['container-app'] ?? '',
    ...inside,
  ]);
  assert.equal(facts.error, undefined, String(facts.error));
  // Container root is the unprivileged user on the host: no host root inside.
  assert.deepEqual((facts.uidMap as number[]).slice(0, 3), [0, user.uid, 1]);
  assert.deepEqual(facts.features, { cgroupVersion: 2, timeNamespace: true, privileged: true, freshDevices: false });
  assert.equal(facts.before, '/');
  assert.equal(facts.after, '/worker');
  assert.equal((facts.hog as { oomKilled: boolean }).oomKilled, true);
  assert.equal((facts.bomb as { errno: number }).errno, 11);
  assert.match((facts.hello as { stdout: string }).stdout, /^hello from the run\n/);
  assert.deepEqual(facts.leftover, []);
  for (const d of ['container/worker', 'container', 'launcher', '']) rmdirSync(join(dir, d));
});

test('nothing left behind: no run cgroup and no run process after close', async () => {
  await sandbox.close();
  assert.deepEqual(await eventually(runCgroups, (c) => c.length === 0, 2000), []);
  assert.deepEqual(pidsInUidRange(UID_BASE, UID_COUNT), []);
});

process.stdout.write(`kernel: ${release()} (cgroup controllers: ${readText(`${CGROUP_ROOT}/cgroup.controllers`)?.trim() ?? 'none: not cgroup v2'})\n`);
const failed = await runAll((line) => process.stdout.write(`${line}\n`));
process.exitCode = failed === 0 ? 0 : 1;
