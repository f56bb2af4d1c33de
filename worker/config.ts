/**
 * WorkerConfig: the one configuration of a worker process, read from `SBX_*` environment variables
 * once in main.ts, validated, deep-frozen and passed down. No other worker module reads process.env.
 */
import { hostname as osHostname, availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { BulkheadError } from './contract/errors.js';
import { WEBHOOK_QUEUE_NAME } from './contract/batch.js';
import { QUEUE_NAME } from './contract/job.js';
import { LIMITS, mapLimits, ResolvedLimitsSchema, type LimitName } from './contract/limits.js';

const Int = (minimum: number) => Type.Integer({ minimum });

/**
 * Hard ceilings: no stage ever gets more than these, whatever the manifest or the request say.
 * One per limit of the record (worker/contract/limits.ts), from `SBX_MAX_<NAME>` (`SBX_MAX_CPU_TIME_MS`,
 * `SBX_MAX_PIDS`, …). @defaultValue each limit's `ceiling`
 */
export const CeilingsSchema = ResolvedLimitsSchema;

/** Limits the client never sets; the same for every stage. */
export const SandboxExtrasSchema = Type.Object({
  /** RLIMIT_FSIZE, bytes. @defaultValue 64 MiB (`SBX_FILE_SIZE_BYTES`) */
  fileSizeBytes: Int(1),
  /** RLIMIT_NOFILE. @defaultValue 256 (`SBX_OPEN_FILES`) */
  openFiles: Int(1),
  /** tmpfs behind /box and /tmp, bytes (charged to memory too). @defaultValue 64 MiB (`SBX_TMPFS_BYTES`) */
  tmpfsBytes: Int(1),
  /** RLIMIT_STACK, bytes. @defaultValue 64 MiB (`SBX_STACK_BYTES`) */
  stackBytes: Int(1),
  /** CPU quota per run in cores. @defaultValue 1 (`SBX_CPU_CORES`) */
  cpuCores: Type.Number({ exclusiveMinimum: 0 }),
  /** Most files carried from the compile stage to the run stage. @defaultValue 1000 (`SBX_COLLECT_MAX_FILES`) */
  collectMaxFiles: Int(1),
  /** Most bytes carried from the compile stage to the run stage. @defaultValue 64 MiB (`SBX_COLLECT_MAX_BYTES`) */
  collectMaxBytes: Int(1),
});

/**
 * Fixed limits of each checker run (lowered further to the checker runtime's maximum and the
 * ceilings); output beyond `outputBytes` is a checker failure. One per limit of the record, from
 * `SBX_CHECKER_<NAME>` (`SBX_CHECKER_CPU_TIME_MS`, …). @defaultValue each limit's `checker`
 */
export const CheckerLimitsSchema = ResolvedLimitsSchema;

/** Webhook deliveries (consumed by a second BullMQ worker in the worker process). */
export const WebhookConfigSchema = Type.Object({
  /** BullMQ queue of deliveries. @defaultValue WEBHOOK_QUEUE_NAME (`SBX_WEBHOOK_QUEUE_NAME`) */
  queueName: Type.String({ minLength: 1 }),
  /** Deliveries in flight at once. @defaultValue 4 (`SBX_WEBHOOK_CONCURRENCY`) */
  concurrency: Int(1),
  /** Attempts per delivery (the first included). @defaultValue 6 (`SBX_WEBHOOK_ATTEMPTS`) */
  attempts: Int(1),
  /** First retry delay, ms; doubled on each further attempt. @defaultValue 1000 (`SBX_WEBHOOK_BACKOFF_MS`) */
  backoffMs: Int(1),
  /** Bound on one delivery (connect + response headers), ms. @defaultValue 5000 (`SBX_WEBHOOK_TIMEOUT_MS`) */
  timeoutMs: Int(1),
  /**
   * Hosts deliveries may go to (`SBX_WEBHOOK_ALLOW_HOSTS`, comma list, `*.example.org` for
   * subdomains), private ones included. Empty = public addresses only: every address a host name
   * resolves to is checked when connecting (SSRF). Checked again here although the API checked
   * the URL at submission. @defaultValue []
   */
  allowHosts: Type.Array(Type.String({ minLength: 1 })),
  /**
   * With no allowed hosts, also deliver to loopback, private and link-local addresses
   * (`SBX_WEBHOOK_ALLOW_PRIVATE`; only for trusted clients). @defaultValue false
   */
  allowPrivate: Type.Boolean(),
});

export const WorkerConfigSchema = Type.Object({
  /** `redis://…`, `rediss://…`, a unix socket path or `unix:///path`. @defaultValue `<dataDir>/redis/redis.sock` (`SBX_REDIS_URL`) */
  redisUrl: Type.String({ minLength: 1 }),
  /** BullMQ queue name. @defaultValue QUEUE_NAME (`SBX_QUEUE_NAME`) */
  queueName: Type.String({ minLength: 1 }),
  /** State directory (built images, Redis socket). @defaultValue /var/lib/bulkhead (`SBX_DATA_DIR`) */
  dataDir: Type.String({ minLength: 1 }),
  /** Image recipes (manifests). @defaultValue the repository's images/ (`SBX_IMAGES_DIR`) */
  imagesDir: Type.String({ minLength: 1 }),
  /** Seccomp profiles. @defaultValue the repository's profiles/ (`SBX_PROFILES_DIR`) */
  profilesDir: Type.String({ minLength: 1 }),
  /** Runs in flight at once (BullMQ concurrency). @defaultValue os.availableParallelism() (`SBX_WORKER_SLOTS`) */
  slots: Int(1),
  /** Unique id of this worker in the heartbeat registry. @defaultValue `<hostname>-<pid>-<random>` (`SBX_WORKER_ID`) */
  workerId: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9._-]+$' }),
  /** How long finished and failed runs stay readable in Redis, seconds. @defaultValue 3600 (`SBX_RESULT_TTL_S`) */
  resultTtlS: Int(1),
  /** Heartbeat key TTL, ms; refreshed every third of it. @defaultValue 15000 (`SBX_HEARTBEAT_MS`) */
  heartbeatTtlMs: Int(300),
  /**
   * BullMQ job lock duration, ms, renewed every half of it while a run is in flight. A dead worker's
   * runs go back to the queue within stalledIntervalMs + max(stalledIntervalMs, lockDurationMs)
   * (20 s by default; worker/README.md). @defaultValue 15000 (`SBX_LOCK_DURATION_MS`)
   */
  lockDurationMs: Int(100),
  /** BullMQ stalled-job check interval, ms (one check per interval for the whole queue). @defaultValue 5000 (`SBX_STALLED_INTERVAL_MS`) */
  stalledIntervalMs: Int(100),
  /** Times a run may be recovered from a dead worker before it fails. @defaultValue 2 (`SBX_MAX_STALLED_COUNT`) */
  maxStalledCount: Int(0),
  /** On SIGTERM, how long in-flight runs may finish before they are handed back, ms. @defaultValue 30000 (`SBX_SHUTDOWN_GRACE_MS`) */
  shutdownGraceMs: Int(0),
  ceilings: CeilingsSchema,
  sandbox: SandboxExtrasSchema,
  /** Privileged worker: first host uid/gid handed to sandboxed runs (2 per slot). @defaultValue 2000000 (`SBX_UID_BASE`) */
  uidBase: Int(1),
  /**
   * Where the kernel's core_pattern is read at start (T73: a socket pattern, or a pipe with a
   * profile that lets RLIMIT_CORE change, stops the worker). @defaultValue /proc/sys/kernel/core_pattern (`SBX_CORE_PATTERN_PATH`)
   */
  corePatternPath: Type.String({ minLength: 1 }),
  checker: CheckerLimitsSchema,
  webhook: WebhookConfigSchema,
  /** The swap table read by the start-up swap-accounting check (T76). @defaultValue /proc/swaps (`SBX_SWAPS_PATH`) */
  swapsPath: Type.String({ minLength: 1 }),
  /** Where the cgroup filesystems are mounted (swap check, cgroup detection). @defaultValue /sys/fs/cgroup (`SBX_CGROUP_MOUNT_ROOT`) */
  cgroupMountRoot: Type.String({ minLength: 1 }),
  /** pino level. @defaultValue info (`SBX_LOG_LEVEL`) */
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
});
export type WorkerConfig = Static<typeof WorkerConfigSchema>;

const MIB = 1024 * 1024;
let compiledValidator: { Errors(value: unknown): { instancePath: string; message: string }[] } | undefined;
function validator() {
  return (compiledValidator ??= Compile(WorkerConfigSchema));
}

/** What the defaults depend on besides the environment (injectable for tests). */
export interface HostFacts {
  hostname: string;
  pid: number;
  cores: number;
}

/**
 * Builds, validates and deep-freezes the worker configuration from `env`.
 * @throws BulkheadError SBX_ERR_CONFIG naming the variable when a value is malformed or out of range.
 */
export function loadWorkerConfig(env: Readonly<Record<string, string | undefined>>, host?: HostFacts): Readonly<WorkerConfig> {
  const facts = host ?? { hostname: osHostname(), pid: process.pid, cores: availableParallelism() };
  const str = (name: string, fallback: string) => nonEmpty(env[name]) ?? fallback;
  const int = (name: string, fallback: number) => parseNumber(env, name, fallback, true);
  const dataDir = str('SBX_DATA_DIR', '/var/lib/bulkhead');
  const config: WorkerConfig = {
    redisUrl: str('SBX_REDIS_URL', join(dataDir, 'redis', 'redis.sock')),
    queueName: str('SBX_QUEUE_NAME', QUEUE_NAME),
    dataDir,
    imagesDir: str('SBX_IMAGES_DIR', repoPath('images')),
    profilesDir: str('SBX_PROFILES_DIR', repoPath('profiles')),
    slots: int('SBX_WORKER_SLOTS', facts.cores),
    workerId: str('SBX_WORKER_ID', `${facts.hostname}-${facts.pid}-${randomBytes(3).toString('hex')}`),
    resultTtlS: int('SBX_RESULT_TTL_S', 3600),
    heartbeatTtlMs: int('SBX_HEARTBEAT_MS', 15_000),
    lockDurationMs: int('SBX_LOCK_DURATION_MS', 15_000),
    stalledIntervalMs: int('SBX_STALLED_INTERVAL_MS', 5_000),
    maxStalledCount: int('SBX_MAX_STALLED_COUNT', 2),
    shutdownGraceMs: int('SBX_SHUTDOWN_GRACE_MS', 30_000),
    ceilings: mapLimits((name) => int(limitEnvName('SBX_MAX_', name), LIMITS[name].ceiling)),
    sandbox: {
      fileSizeBytes: int('SBX_FILE_SIZE_BYTES', 64 * MIB),
      openFiles: int('SBX_OPEN_FILES', 256),
      tmpfsBytes: int('SBX_TMPFS_BYTES', 64 * MIB),
      stackBytes: int('SBX_STACK_BYTES', 64 * MIB),
      cpuCores: parseNumber(env, 'SBX_CPU_CORES', 1, false),
      collectMaxFiles: int('SBX_COLLECT_MAX_FILES', 1000),
      collectMaxBytes: int('SBX_COLLECT_MAX_BYTES', 64 * MIB),
    },
    uidBase: int('SBX_UID_BASE', 2_000_000),
    corePatternPath: str('SBX_CORE_PATTERN_PATH', '/proc/sys/kernel/core_pattern'),
    checker: mapLimits((name) => int(limitEnvName('SBX_CHECKER_', name), LIMITS[name].checker)),
    webhook: {
      queueName: str('SBX_WEBHOOK_QUEUE_NAME', WEBHOOK_QUEUE_NAME),
      concurrency: int('SBX_WEBHOOK_CONCURRENCY', 4),
      attempts: int('SBX_WEBHOOK_ATTEMPTS', 6),
      backoffMs: int('SBX_WEBHOOK_BACKOFF_MS', 1000),
      timeoutMs: int('SBX_WEBHOOK_TIMEOUT_MS', 5000),
      allowHosts: (nonEmpty(env.SBX_WEBHOOK_ALLOW_HOSTS) ?? '').split(',').map((h) => h.trim()).filter((h) => h !== ''),
      allowPrivate: parseFlag(env, 'SBX_WEBHOOK_ALLOW_PRIVATE'),
    },
    swapsPath: str('SBX_SWAPS_PATH', '/proc/swaps'),
    cgroupMountRoot: str('SBX_CGROUP_MOUNT_ROOT', '/sys/fs/cgroup'),
    logLevel: str('SBX_LOG_LEVEL', 'info') as WorkerConfig['logLevel'],
  };
  const errors = validator().Errors(config);
  if (errors.length > 0) {
    const detail = errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    throw new BulkheadError('SBX_ERR_CONFIG', `Invalid worker configuration: ${detail}`);
  }
  return deepFreeze(config);
}

/** loadWorkerConfig over this process's environment: what main.ts uses (the only process.env read in the worker). */
export function loadWorkerConfigFromProcess(): Readonly<WorkerConfig> {
  return loadWorkerConfig(process.env);
}

/** The config as it may be logged: credentials in the Redis URL are replaced by `***`. */
export function redactWorkerConfig(config: Readonly<WorkerConfig>): WorkerConfig {
  return {
    ...config,
    ceilings: { ...config.ceilings },
    sandbox: { ...config.sandbox },
    checker: { ...config.checker },
    webhook: { ...config.webhook, allowHosts: [...config.webhook.allowHosts] },
    redisUrl: redactUrl(config.redisUrl),
  };
}

function redactUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)([^@/]*)@/i, (_match, scheme: string) => `${scheme}***@`);
}

/** A limit's variable: `prefix` + the name in upper snake case (`cpuTimeMs` → `SBX_MAX_CPU_TIME_MS`). */
export function limitEnvName(prefix: string, name: LimitName): string {
  return prefix + name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function parseNumber(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number, integer: boolean): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const pattern = integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
  const value = Number(raw);
  if (!pattern.test(raw) || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) {
    throw new BulkheadError('SBX_ERR_CONFIG', `${name} must be a ${integer ? 'non-negative integer' : 'number'}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** `true`/`1` or `false`/`0` (any case); unset or empty is false. */
function parseFlag(env: Readonly<Record<string, string | undefined>>, name: string): boolean {
  const raw = nonEmpty(env[name])?.toLowerCase();
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new BulkheadError('SBX_ERR_CONFIG', `${name} must be true or false, got ${JSON.stringify(env[name])}`);
}

function repoPath(folder: string): string {
  return fileURLToPath(new URL(`../${folder}`, import.meta.url));
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
