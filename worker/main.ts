/**
 * Composition root of a worker process: the only place that knows the concrete implementations.
 *
 * loadWorkerConfig → swap-accounting check → loadRuntimes (refuses to start with no image) → load + compile every seccomp
 * profile a runtime names (a bad profile stops the worker) → NativeSandbox → worker service
 * (BullMQ worker, heartbeat, metrics) → graceful shutdown on SIGTERM/SIGINT.
 * Fatal start-up errors print one clear message and exit non-zero.
 */
import { pino, type Logger } from 'pino';
import { BulkheadError } from './contract/errors.js';
import { loadWorkerConfigFromProcess, redactWorkerConfig, type WorkerConfig } from './config.js';
import type { RuntimeIndex } from './runtimes/runtime.js';
import { loadRuntimes } from './runtimes/runtime-index.js';
import { checkCorePattern } from './sandbox/core-pattern.js';
import { NativeSandbox } from './sandbox/native-sandbox.js';
import { loadProfiles, withoutSharedInodeChannels } from './sandbox/profile.js';
import { assertSwapAccounted } from './sandbox/swap-accounting.js';
import type { CompiledProfile, ProfileRules } from './sandbox/spec.js';
import { startWorkerService } from './worker-service.js';

async function main(): Promise<void> {
  const config = loadWorkerConfigFromProcess();
  const log = pino({ level: config.logLevel, base: { service: 'bulkhead-worker', workerId: config.workerId } });
  log.info({ config: redactWorkerConfig(config) }, 'effective configuration');

  // Before anything is set up: a host where memory limits do not cover swap is refused (T76).
  assertSwapAccounted(config);
  const runtimes = await loadInstalledRuntimes(config, log);
  const rules = loadProfiles(config.profilesDir, profileNames(runtimes));
  // T73: before any run, so a host where a crash could start a host process never takes one.
  const corePattern = checkCorePattern(rules.values(), config.corePatternPath);
  log.info({ corePattern }, 'core dumps of runs: RLIMIT_CORE 1, frozen by the profiles');
  // Two sandbox slots per job slot: an interactive test runs the program and its interactor at
  // once, and with one slot each, jobs holding one slot apiece would wait for their second. The
  // prepared pool stays at one per job slot: most jobs use one sandbox at a time.
  const sandbox = await NativeSandbox.create({
    slots: 2 * config.slots,
    poolSize: Math.min(config.slots, 16),
    uidBase: config.uidBase,
    cgroupMountRoot: config.cgroupMountRoot,
  });
  let profiles: ReadonlyMap<string, CompiledProfile>;
  try {
    // Runs without device nodes of their own share the host's inodes, so their profiles lose the
    // lock and notify calls (T66); the variant only removes rules, so the T73 check above holds.
    const forHost = sandbox.features.freshDevices ? (r: ProfileRules) => r : withoutSharedInodeChannels;
    profiles = new Map([...rules].map(([name, rule]) => [name, sandbox.compileProfile(forHost(rule))]));
  } catch (err) {
    await sandbox.close();
    throw err;
  }
  const service = await startWorkerService({ config, sandbox, runtimes, profiles, log });

  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'shutdown requested');
    service.shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/** Loads the runtimes whose images are built; logs each missing image with the command that builds it. */
async function loadInstalledRuntimes(config: Readonly<WorkerConfig>, log: Logger): Promise<RuntimeIndex> {
  const { index, problems } = await loadRuntimes({ imagesDir: config.imagesDir, dataDir: config.dataDir });
  for (const problem of problems) {
    log.warn({ language: problem.language, code: problem.code }, problem.message);
  }
  if (index.list().length === 0) {
    throw new BulkheadError('SBX_ERR_IMAGE_MISSING', `No language image is built in ${config.dataDir}; build one (see the warnings above), then start again`);
  }
  log.info({ languages: index.list().map((r) => `${r.language} ${r.version}`) }, 'runtimes loaded');
  return index;
}

/** Every profile any runtime names, for both stages. */
function profileNames(runtimes: RuntimeIndex): string[] {
  return [...new Set(runtimes.list().flatMap((r) => [r.profile, r.compileProfile]))];
}

main().catch((err: unknown) => {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`bulkhead worker: cannot start${typeof code === 'string' ? ` [${code}]` : ''}: ${message}\n`);
  process.exit(1);
});
