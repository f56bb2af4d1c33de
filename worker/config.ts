/**
 * WorkerConfig: the one configuration of a worker process, read from `SBX_*` environment variables
 * once in main.ts, validated, deep-frozen and passed down. No other worker module reads process.env.
 * Each variable is a row (worker/contract/settings/): the shared ones come from the contract, the
 * worker-only ones are declared here; the tables in worker/README.md are generated from them.
 */
import { hostname as osHostname, availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { WEBHOOK_QUEUE_NAME } from './contract/batch.js';
import { LIMITS, mapLimits, type LimitName } from './contract/limits.js';
import { type Env, loadSettings, readSetting, redactSettings, schemaOf, type SettingsOf } from './contract/settings/load.js';
import { configError, decimalRow, integerRow, stringRow, type RowFields } from './contract/settings/setting.js';
import { DATA_DIR, LOG_LEVEL, QUEUE_NAME_ROW, REDIS_URL, RESULT_TTL_S, WEBHOOK_ALLOW_HOSTS, WEBHOOK_ALLOW_PRIVATE } from './contract/settings/shared.js';

/** What the defaults depend on besides the environment (injectable for tests). */
export interface HostFacts {
  hostname: string;
  pid: number;
  cores: number;
}
type WorkerContext = HostFacts & { dataDir: string };

const MIB = 1024 * 1024;
type Fields = Omit<RowFields<number, WorkerContext>, 'readBy'>;
/** A worker-only count or quantity of at least `minimum`. */
const count = (minimum: number, fields: Fields) => integerRow<WorkerContext>({ minimum }, { ...fields, readBy: 'worker' });
const text = (fields: Omit<RowFields<string, WorkerContext>, 'readBy'>) => stringRow<WorkerContext>({ ...fields, readBy: 'worker' });

function repoPath(folder: string): string {
  return fileURLToPath(new URL(`../${folder}`, import.meta.url));
}

/** A limit's variable: `prefix` + the name in upper snake case (`cpuTimeMs` → `SBX_MAX_CPU_TIME_MS`). */
export function limitEnvName(prefix: 'SBX_MAX_' | 'SBX_CHECKER_', name: LimitName): `SBX_${string}` {
  return `${prefix}${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}
const limitUnit = (name: LimitName) => (LIMITS[name].unit === 'count' ? undefined : LIMITS[name].unit);

/** Hard ceilings: no stage ever gets more than these, whatever the manifest or the request say (one per limit of the record). */
const CEILINGS = mapLimits((name) =>
  count(1, {
    name: limitEnvName('SBX_MAX_', name),
    overview: true,
    default: LIMITS[name].ceiling,
    unit: limitUnit(name),
    doc: `hard ceiling per stage, below the per-language maxima: ${LIMITS[name].description}`,
  }),
);

/** Limits the client never sets; the same for every stage. */
const SANDBOX_EXTRAS = {
  fileSizeBytes: count(1, { name: 'SBX_FILE_SIZE_BYTES', overview: true, default: 64 * MIB, unit: 'bytes', doc: 'RLIMIT_FSIZE: largest file a run may write' }),
  openFiles: count(1, { name: 'SBX_OPEN_FILES', overview: true, default: 256, doc: 'RLIMIT_NOFILE of a run' }),
  tmpfsBytes: count(1, {
    name: 'SBX_TMPFS_BYTES',
    overview: true,
    default: 64 * MIB,
    unit: 'bytes',
    doc: "the tmpfs behind `/box` and `/tmp` (charged to the run's memory too)",
  }),
  cpuCores: decimalRow<WorkerContext>({ name: 'SBX_CPU_CORES', readBy: 'worker', default: 1, unit: 'cores', doc: 'CPU quota per run (a fraction is allowed)' }),
  collectMaxFiles: count(1, { name: 'SBX_COLLECT_MAX_FILES', default: 1000, doc: 'most files the compile stage hands to the run stage' }),
  collectMaxBytes: count(1, { name: 'SBX_COLLECT_MAX_BYTES', default: 64 * MIB, unit: 'bytes', doc: 'most bytes the compile stage hands to the run stage' }),
};

/** Fixed limits of each checker run (lowered further to the checker runtime's maximum and the ceilings; one per limit of the record). */
const CHECKER_LIMITS = mapLimits((name) =>
  count(1, {
    name: limitEnvName('SBX_CHECKER_', name),
    default: LIMITS[name].checker,
    unit: limitUnit(name),
    doc: `each checker and interactor run: ${LIMITS[name].description}`,
  }),
);

/** Webhook deliveries (consumed by a second BullMQ worker in the worker process). */
const WEBHOOK = {
  queueName: text({ name: 'SBX_WEBHOOK_QUEUE_NAME', default: WEBHOOK_QUEUE_NAME, doc: 'BullMQ queue of webhook deliveries' }),
  concurrency: count(1, { name: 'SBX_WEBHOOK_CONCURRENCY', default: 4, doc: 'webhook deliveries in flight at once' }),
  attempts: count(1, { name: 'SBX_WEBHOOK_ATTEMPTS', default: 6, doc: 'attempts per delivery, the first included' }),
  backoffMs: count(1, { name: 'SBX_WEBHOOK_BACKOFF_MS', default: 1000, unit: 'ms', doc: 'first retry delay of a delivery, doubled on each further attempt' }),
  timeoutMs: count(1, { name: 'SBX_WEBHOOK_TIMEOUT_MS', default: 5000, unit: 'ms', doc: 'bound on one delivery attempt (connect + response headers)' }),
  // Checked again here although the API checked the URL at submission: the worker is the one that connects.
  allowHosts: WEBHOOK_ALLOW_HOSTS,
  allowPrivate: WEBHOOK_ALLOW_PRIVATE,
};

/** Every variable the worker reads, in the shape of WorkerConfig. */
export const WORKER_SETTINGS = {
  redisUrl: REDIS_URL,
  queueName: QUEUE_NAME_ROW,
  dataDir: DATA_DIR,
  imagesDir: text({ name: 'SBX_IMAGES_DIR', default: repoPath('images'), defaultDoc: "the repository's `images/`", doc: 'image recipes (manifests)' }),
  profilesDir: text({ name: 'SBX_PROFILES_DIR', default: repoPath('profiles'), defaultDoc: "the repository's `profiles/`", doc: 'seccomp profiles' }),
  slots: count(1, {
    name: 'SBX_WORKER_SLOTS',
    overview: true,
    default: (host) => host.cores,
    defaultDoc: '`os.availableParallelism()`',
    doc: 'runs in flight at once (BullMQ concurrency)',
  }),
  workerId: stringRow<WorkerContext>(
    {
      name: 'SBX_WORKER_ID',
      readBy: 'worker',
      default: (host) => `${host.hostname}-${host.pid}-${randomBytes(3).toString('hex')}`,
      defaultDoc: '`<hostname>-<pid>-<random>`',
      doc: 'unique id of this worker in the heartbeat registry (letters, digits, `.`, `_`, `-`)',
    },
    { pattern: '^[A-Za-z0-9._-]+$' },
  ),
  resultTtlS: RESULT_TTL_S,
  heartbeatTtlMs: count(300, { name: 'SBX_HEARTBEAT_MS', default: 15_000, unit: 'ms', doc: 'heartbeat key TTL, refreshed every third of it' }),
  lockDurationMs: count(100, {
    name: 'SBX_LOCK_DURATION_MS',
    overview: true,
    default: 15_000,
    unit: 'ms',
    doc: 'BullMQ job lock, renewed every half of it while a run is in flight',
  }),
  stalledIntervalMs: count(100, {
    name: 'SBX_STALLED_INTERVAL_MS',
    overview: true,
    default: 5000,
    unit: 'ms',
    doc: "BullMQ stalled-job check interval (one for the whole queue): a dead worker's runs wait again within this + max(this, `SBX_LOCK_DURATION_MS`), 20 s by default",
  }),
  maxStalledCount: count(0, { name: 'SBX_MAX_STALLED_COUNT', default: 2, doc: 'times a run may be recovered from a dead worker before it fails' }),
  shutdownGraceMs: count(0, {
    name: 'SBX_SHUTDOWN_GRACE_MS',
    overview: true,
    default: 30_000,
    unit: 'ms',
    doc: 'on SIGTERM, how long in-flight runs may finish before they are handed back',
  }),
  ceilings: CEILINGS,
  sandbox: SANDBOX_EXTRAS,
  uidBase: count(1, {
    name: 'SBX_UID_BASE',
    overview: true,
    default: 2_000_000,
    doc: 'privileged worker: first host uid/gid for runs (2 per slot); pairs are leased host-wide from it, so a second worker on the same base takes the next free pairs (T75)',
  }),
  corePatternPath: text({
    name: 'SBX_CORE_PATTERN_PATH',
    default: '/proc/sys/kernel/core_pattern',
    doc: 'where kernel.core_pattern is read at start: a socket pattern, or a pipe beside a profile that lets a program change RLIMIT_CORE, stops the worker (T73)',
  }),
  checker: CHECKER_LIMITS,
  webhook: WEBHOOK,
  swapsPath: text({ name: 'SBX_SWAPS_PATH', default: '/proc/swaps', doc: 'the swap table read by the start-up swap-accounting check (T76; tests)' }),
  cgroupMountRoot: text({
    name: 'SBX_CGROUP_MOUNT_ROOT',
    default: '/sys/fs/cgroup',
    doc: 'where the cgroup filesystems are mounted (swap check, cgroup detection)',
  }),
  logLevel: LOG_LEVEL,
};

/** The groups' schemas, derived from their rows (the names the worker exported before the rows). */
export const CeilingsSchema = schemaOf(CEILINGS);
export const SandboxExtrasSchema = schemaOf(SANDBOX_EXTRAS);
export const CheckerLimitsSchema = schemaOf(CHECKER_LIMITS);
export const WebhookConfigSchema = schemaOf(WEBHOOK);

/** The worker process configuration: one field per row of WORKER_SETTINGS, groups as nested objects. */
export type WorkerConfig = SettingsOf<typeof WORKER_SETTINGS>;
/** The schema WorkerConfig is validated against, derived from the rows. */
export const WorkerConfigSchema = schemaOf(WORKER_SETTINGS);

/**
 * Variables that were worker settings once, each with what replaced it. Refused at start, not
 * ignored: an operator who set one meant something, and would otherwise get a default untold.
 */
export const RETIRED_WORKER_SETTINGS: Readonly<Record<string, string>> = {
  SBX_STACK_BYTES: 'the stack is a per-run limit (limits.stackBytes; the language default, 64 MiB, when a request sets none), capped by SBX_MAX_STACK_BYTES',
};

/**
 * Builds, validates and deep-freezes the worker configuration from `env`.
 * @throws BulkheadError SBX_ERR_CONFIG naming the variable when a value is malformed or out of range, or a retired one is set.
 */
export function loadWorkerConfig(env: Env, host?: HostFacts): Readonly<WorkerConfig> {
  for (const [name, replacement] of Object.entries(RETIRED_WORKER_SETTINGS))
    if (env[name] !== undefined) throw configError(`Invalid configuration: ${name} is retired: ${replacement}`);
  const facts = host ?? { hostname: osHostname(), pid: process.pid, cores: availableParallelism() };
  // The data directory first: the Redis socket's default lies inside it.
  const context: WorkerContext = { ...facts, dataDir: readSetting(DATA_DIR, env, {}) };
  return loadSettings(WORKER_SETTINGS, env, context);
}

/** loadWorkerConfig over this process's environment: what main.ts uses (the only process.env read in the worker). */
export function loadWorkerConfigFromProcess(): Readonly<WorkerConfig> {
  return loadWorkerConfig(process.env);
}

/** The config as it may be logged: secrets redacted by the one rule (credentials in the Redis URL become `***`). */
export function redactWorkerConfig(config: Readonly<WorkerConfig>): WorkerConfig {
  return redactSettings(WorkerConfigSchema, config);
}
