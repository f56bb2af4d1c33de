/**
 * The rootless half of the cgroup v2 suite, started by suite.ts as an unprivileged user inside a
 * cgroup delegated to it the way systemd's Delegate=yes does. It opens a rootless NativeSandbox
 * (outer user namespace from /etc/subuid; the worker moves itself into the `worker` leaf), runs a
 * memory hog and a sleeper, and prints one JSON line of facts for the parent to judge.
 *
 *   node cgroup-v2-rootless.mjs --layers <base>,<overlay>
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkCgroupDelegation, liveHost } from '../../worker/doctor-host.js';
import { NativeSandbox } from '../../worker/sandbox/native-sandbox.js';
import type { SandboxSpec } from '../../worker/sandbox/spec.js';
import { defaultLimits } from '../helpers/sandbox-run.js';
import { permissiveProfile } from '../helpers/sandbox-profiles.js';
import { reportFacts } from './harness.js';

const MiB = 1024 * 1024;
const ownCgroup = (): string => /^0::(\S+)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '';

/** The cgroups (relative to the v2 root) of processes whose uid is not ours: the run's. */
function runCgroups(): string[] {
  const found = new Set<string>();
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      const path = /^0::(\S+)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1];
      if (uid >= 3_000_000 && path) found.add(path);
    } catch {
      // ended meanwhile
    }
  }
  return [...found];
}

async function main(): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ options: { layers: { type: 'string' } } });
  const before = ownCgroup();
  // What `npm run doctor` says of this delegated cgroup, before the worker has touched it.
  const doctorCgroup = checkCgroupDelegation(liveHost(process.getuid?.() ?? -1));
  const sandbox = await NativeSandbox.create({ slots: 2, poolSize: 1 });
  const after = ownCgroup();
  const spec = (argv: string[], memoryBytes: number, wallTimeMs: number): SandboxSpec => ({
    layers: (values.layers ?? '').split(','),
    files: [],
    argv,
    env: ['PATH=/bin'],
    stdin: Buffer.alloc(0),
    profile: sandbox.compileProfile(permissiveProfile()),
    hostname: 'sandbox',
    // cpu time generous: the hog must end by its memory limit even in a slow emulated guest.
    limits: { ...defaultLimits, memoryBytes, wallTimeMs, cpuTimeMs: 20_000 },
  });
  const hog = await sandbox.run(spec(['probe', 'mem', '256'], 64 * MiB, 30_000));
  const sleeper = sandbox.run(spec(['sleep', '2'], 64 * MiB, 10_000));
  let seen: string[] = [];
  for (let i = 0; i < 200 && seen.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
    seen = runCgroups();
  }
  const slept = await sleeper;
  await sandbox.close();
  const base = join('/sys/fs/cgroup', dirname(after));
  return {
    uid: process.getuid?.(),
    before,
    after,
    doctorCgroup: doctorCgroup.level,
    doctorDetail: doctorCgroup.detail,
    runCgroups: seen,
    features: sandbox.features,
    hog: { oomKilled: hog.oomKilled, signal: hog.signal, memoryPeakBytes: hog.memoryPeakBytes },
    sleeper: { exitCode: slept.exitCode, killedBy: slept.killedBy },
    subtreeControl: readFileSync(join(base, 'cgroup.subtree_control'), 'utf8').trim(),
    leftover: readdirSync(base).filter((e) => /^r\d+-\d+$/.test(e)),
  };
}

reportFacts(main);
