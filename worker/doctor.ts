/**
 * `npm run doctor`: what this host supports and what is missing, each missing piece with the
 * command that fixes it. Exits 1 when the worker could not start here, else 0.
 *
 * The other engineers' modules (runtimes, profiles, host features, the native sandbox) are
 * imported dynamically, so one broken module shows up as one failed check instead of a crash.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { loadWorkerConfig, redactWorkerConfig, type WorkerConfig } from './config.js';
import { redisOptionsFromUrl } from './redis-options.js';
import type { Check } from './doctor-host.js';
import type { RuntimeIndex } from './runtimes/runtime.js';
import type { ProfileRules } from './sandbox/spec.js';

/** How long to wait for Redis to answer PING, ms. */
const REDIS_TIMEOUT_MS = 3000;

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function checkRedis(config: Readonly<WorkerConfig>): Promise<Check> {
  const client = new Redis({ ...redisOptionsFromUrl(config.redisUrl), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: REDIS_TIMEOUT_MS });
  let socketError: unknown;
  client.on('error', (err) => (socketError = err));
  try {
    await client.connect();
    const version = /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown';
    return { level: 'ok', name: 'redis', detail: `reachable at ${redactWorkerConfig(config).redisUrl} (Redis ${version})` };
  } catch (err) {
    return {
      level: 'fail',
      name: 'redis',
      detail: `not reachable at ${redactWorkerConfig(config).redisUrl}: ${messageOf(socketError ?? err)}`,
      fix: 'npm start (starts the bundled Redis), or set SBX_REDIS_URL',
    };
  } finally {
    client.disconnect();
  }
}

async function checkImages(config: Readonly<WorkerConfig>): Promise<{ checks: Check[]; index?: RuntimeIndex }> {
  try {
    const { loadRuntimes } = await import('./runtimes/runtime-index.js');
    const { index, problems } = await loadRuntimes({ imagesDir: config.imagesDir, dataDir: config.dataDir });
    const checks: Check[] = problems.map((p) => ({ level: 'warn', name: `image ${p.language}`, detail: p.message }));
    const present = index.list().map((r) => `${r.language} ${r.version}`);
    checks.unshift(
      present.length > 0
        ? { level: 'ok', name: 'images', detail: `${present.length} built: ${present.join(', ')}` }
        : { level: 'fail', name: 'images', detail: `no language image is built in ${config.dataDir}`, fix: 'npm run images -- build <language>' },
    );
    return { checks, index };
  } catch (err) {
    return { checks: [{ level: 'fail', name: 'images', detail: `manifests could not be loaded: ${messageOf(err)}`, fix: `fix the manifest under ${config.imagesDir}` }] };
  }
}

async function checkProfiles(config: Readonly<WorkerConfig>, index: RuntimeIndex | undefined): Promise<Check[]> {
  try {
    const { loadProfiles } = await import('./sandbox/profile.js');
    const names = index === undefined || index.list().length === 0 ? ['default'] : [...new Set(index.list().flatMap((r) => [r.profile, r.compileProfile]))];
    const rules = loadProfiles(config.profilesDir, names);
    return [{ level: 'ok', name: 'profiles', detail: `${names.join(', ')} parse and validate` }, await checkCoreDumps(config, rules.values())];
  } catch (err) {
    return [{ level: 'fail', name: 'profiles', detail: messageOf(err), fix: `fix the profile under ${config.profilesDir}` }];
  }
}

/** T73: a pipe core_pattern is reported (runs are kept from reaching it); a socket one stops the worker. */
async function checkCoreDumps(config: Readonly<WorkerConfig>, rules: Iterable<ProfileRules>): Promise<Check> {
  try {
    const { checkCorePattern, readCorePattern } = await import('./sandbox/core-pattern.js');
    const kind = checkCorePattern(rules, config.corePatternPath);
    const pattern = readCorePattern(config.corePatternPath);
    return kind === 'pipe'
      ? {
          level: 'warn',
          name: 'core dumps',
          detail: `kernel.core_pattern is a pipe (${pattern}): runs get RLIMIT_CORE 1 (frozen by the profiles), which the kernel takes as "start no helper"; the host's own crashes still start it`,
        }
      : { level: 'ok', name: 'core dumps', detail: `kernel.core_pattern is a file pattern (${pattern}); runs' RLIMIT_CORE 1 is below a core file's size` };
  } catch (err) {
    return { level: 'fail', name: 'core dumps', detail: messageOf(err), fix: 'sysctl -w kernel.core_pattern=core (or a pipe helper)' };
  }
}

async function checkHost(): Promise<Check[]> {
  try {
    const { detectFeatures } = await import('./sandbox/features.js');
    const { hostChecks, liveHost } = await import('./doctor-host.js');
    const uid = process.getuid?.() ?? -1;
    const f = detectFeatures(uid);
    return [
      { level: 'ok', name: 'mode', detail: f.privileged ? 'privileged (root)' : 'rootless' },
      ...hostChecks(liveHost(uid)),
      { level: f.timeNamespace ? 'ok' : 'warn', name: 'time namespace', detail: f.timeNamespace ? 'available' : 'not available (runs see the host clock)' },
    ];
  } catch (err) {
    return [{ level: 'fail', name: 'host features', detail: messageOf(err) }];
  }
}

/** T76: swap on without swap accounting makes the worker refuse to start; say so and how to fix it. */
async function checkSwap(config: Readonly<WorkerConfig>): Promise<Check> {
  try {
    const { inspectSwapAccounting } = await import('./sandbox/swap-accounting.js');
    const found = inspectSwapAccounting(config);
    if (found.problem !== undefined)
      return { level: 'fail', name: 'swap accounting', detail: `[SBX_ERR_SWAP_UNACCOUNTED] ${found.problem}`, fix: 'swapoff -a, or boot with swapaccount=1' };
    const detail = found.swapDevices === 0 ? 'no swap is on' : `swap is on and charged to memory cgroups (${found.accountedBy ?? ''})`;
    return { level: 'ok', name: 'swap accounting', detail };
  } catch (err) {
    return { level: 'fail', name: 'swap accounting', detail: messageOf(err) };
  }
}

/** T65: on cgroup v1 a run's socket buffers are charged only through memory.kmem.tcp.limit_in_bytes. */
function checkSocketAccounting(config: Readonly<WorkerConfig>): Check {
  const root = config.cgroupMountRoot;
  if (existsSync(`${root}/cgroup.controllers`)) {
    // The boot option cgroup.memory=nosocket turns v2 socket accounting off.
    const noSocket = readFileSync('/proc/cmdline', 'utf8').includes('cgroup.memory=nosocket');
    return noSocket
      ? {
          level: 'warn',
          name: 'socket accounting',
          detail: 'cgroup.memory=nosocket on the kernel command line: socket buffers of runs are charged to no limit',
          fix: 'boot without cgroup.memory=nosocket',
        }
      : { level: 'ok', name: 'socket accounting', detail: 'cgroup v2 charges socket buffers to memory.max' };
  }
  return existsSync(`${root}/memory/memory.kmem.tcp.limit_in_bytes`)
    ? { level: 'ok', name: 'socket accounting', detail: 'cgroup v1: each run gets a socket limit (memory.kmem.tcp.limit_in_bytes)' }
    : {
        level: 'warn',
        name: 'socket accounting',
        detail: `cgroup v1 without ${root}/memory/memory.kmem.tcp.limit_in_bytes: TCP and UDP buffers of runs are charged to no limit`,
        fix: 'use a kernel with CONFIG_MEMCG_KMEM, or cgroup v2',
      };
}

async function checkSandbox(config: Readonly<WorkerConfig>): Promise<Check> {
  try {
    const { NativeSandbox } = await import('./sandbox/native-sandbox.js');
    const sandbox = await NativeSandbox.create({ slots: 1, uidBase: config.uidBase });
    await sandbox.close();
    return { level: 'ok', name: 'sandbox', detail: 'native addon loads and the host is set up' };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const fix = code === 'SBX_ERR_HOST_SETUP' ? 'npm run host-setup' : 'npm run build:native, then npm run host-setup';
    return { level: 'fail', name: 'sandbox', detail: `${typeof code === 'string' ? `[${code}] ` : ''}${messageOf(err)}`, fix };
  }
}

async function doctor(): Promise<number> {
  let config: Readonly<WorkerConfig>;
  try {
    config = loadWorkerConfig(process.env);
  } catch (err) {
    process.stdout.write(`fail  config: ${messageOf(err)}\n      fix: correct the SBX_* variable named above\n`);
    return 1;
  }
  const images = await checkImages(config);
  const checks: Check[] = [
    { level: 'ok', name: 'config', detail: `queue ${config.queueName}, ${config.slots} slots, data in ${config.dataDir}` },
    await checkRedis(config),
    ...images.checks,
    ...(await checkProfiles(config, images.index)),
    ...(await checkHost()),
    await checkSwap(config),
    checkSocketAccounting(config),
    await checkSandbox(config),
  ];
  for (const c of checks) {
    process.stdout.write(`${c.level.padEnd(4)}  ${c.name}: ${c.detail}\n${c.fix ? `      fix: ${c.fix}\n` : ''}`);
  }
  const failed = checks.filter((c) => c.level === 'fail').length;
  process.stdout.write(failed === 0 ? 'usable: this host can run a worker\n' : `unusable: ${failed} check(s) failed\n`);
  return failed === 0 ? 0 : 1;
}

doctor().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`doctor crashed: ${messageOf(err)}\n`);
    process.exit(2);
  },
);
