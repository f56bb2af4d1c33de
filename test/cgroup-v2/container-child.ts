/**
 * The worker's sandbox inside the unprivileged container that container-enter.sh builds: as the
 * container's root (an unprivileged host user), in a cgroup namespace whose root is the delegated
 * cgroup, it opens a NativeSandbox (the worker moves itself into a leaf), runs a memory hog, a fork
 * bomb and a plain program, and prints one JSON line of facts for suite.ts to judge.
 *
 *   node cgroup-v2-container.mjs --layers <base>,<overlay>
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { NativeSandbox } from '../../worker/sandbox/native-sandbox.js';
import type { SandboxSpec } from '../../worker/sandbox/spec.js';
import { defaultLimits } from '../helpers/sandbox-run.js';
import { permissiveProfile } from '../helpers/sandbox-profiles.js';
import { reportFacts } from './harness.js';

const MiB = 1024 * 1024;
const ownCgroup = (): string => /^0::(\S+)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '';

async function main(): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ options: { layers: { type: 'string' } } });
  const before = ownCgroup();
  // Run ids within the container's 65536 mapped ids (the host's default base is not mapped here).
  const sandbox = await NativeSandbox.create({ uidBase: 10_000, uidCount: 64, slots: 2, poolSize: 1 });
  const spec = (argv: string[], limits: Partial<SandboxSpec['limits']> = {}): SandboxSpec => ({
    layers: (values.layers ?? '').split(','),
    files: [],
    argv,
    env: ['PATH=/bin'],
    stdin: Buffer.alloc(0),
    profile: sandbox.compileProfile(permissiveProfile()),
    hostname: 'sandbox',
    limits: { ...defaultLimits, ...limits },
  });
  // Time limits generous: each run must end by its memory or pids limit even in a slow emulated guest.
  const slow = { cpuTimeMs: 20_000, wallTimeMs: 30_000 };
  const hog = await sandbox.run(spec(['probe', 'mem', '256'], { memoryBytes: 64 * MiB, ...slow }));
  const bomb = await sandbox.run(spec(['probe', 'fork-bomb'], { pids: 16, ...slow }));
  const hello = await sandbox.run(spec(['sh', '-c', 'echo hello from the run; cat /proc/self/uid_map']));
  await sandbox.close();
  return {
    uidMap: readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).map(Number),
    before,
    after: ownCgroup(),
    features: sandbox.features,
    hog: { oomKilled: hog.oomKilled, memoryPeakBytes: hog.memoryPeakBytes },
    bomb: JSON.parse(bomb.stdout.toString('utf8').split('\n')[0] || '{}') as unknown,
    hello: { exitCode: hello.exitCode, stdout: hello.stdout.toString('utf8') },
    leftover: readdirSync('/sys/fs/cgroup').filter((e) => /^r\d+-\d+$/.test(e)),
  };
}

reportFacts(main);
