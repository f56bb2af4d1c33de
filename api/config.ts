import { readFileSync } from 'node:fs';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { QUEUE_NAME } from '../worker/contract/job.js';
import { BulkheadError } from '../worker/contract/errors.js';

/** One configured API key. Only the SHA-256 of the key is kept (see api/hash-key.ts). */
export const ApiKeySchema = Type.Object({
  /** Name used in logs and as the rate-limit bucket; never secret. */
  name: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }),
  /** Lower-case hex SHA-256 of the key. A secret: redacted whenever the config is logged. */
  sha256Hex: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  /** Requests per minute for this key; overrides `rateLimitPerMinute`. 0 = unlimited. */
  perMinute: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type ApiKey = Static<typeof ApiKeySchema>;

/** The API process configuration. Loaded once from `SBX_*` variables, validated, deep-frozen. */
export const ApiConfigSchema = Type.Object({
  /** TCP port to listen on (`SBX_PORT`). @defaultValue 3000 */
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  /**
   * A second port serving the Judge0 API at its root (`SBX_JUDGE0_PORT`; Judge0's usual port is
   * 2358), on the same address. 0 = off. @defaultValue 0
   */
  judge0Port: Type.Integer({ minimum: 0, maximum: 65535 }),
  /** Address to bind (`SBX_HOST`). @defaultValue "127.0.0.1" */
  host: Type.String({ minLength: 1 }),
  /**
   * Redis location (`SBX_REDIS_URL`): `redis://…`/`rediss://…`, or a unix socket as `unix:///path`.
   * A bare absolute path is normalised to `unix://` form.
   * @defaultValue "unix://<SBX_DATA_DIR or /var/lib/bulkhead>/redis/redis.sock"
   */
  redisUrl: Type.String({ pattern: '^(redis|rediss|unix)://' }),
  /** BullMQ queue name (`SBX_QUEUE_NAME`); overridden only by tests. @defaultValue QUEUE_NAME */
  queueName: Type.String({ minLength: 1 }),
  /** Per-command Redis timeout in milliseconds (`SBX_REDIS_TIMEOUT_MS`). @defaultValue 2000 */
  redisTimeoutMs: Type.Integer({ minimum: 1 }),
  /** How long POST /run waits for a result before answering 202, milliseconds (`SBX_WAIT_TIMEOUT_MS`). @defaultValue 15000 */
  waitTimeoutMs: Type.Integer({ minimum: 0 }),
  /** Queued jobs (waiting + prioritized + delayed) at which POST /run answers 503 (`SBX_MAX_QUEUE_DEPTH`). @defaultValue 1000 */
  maxQueueDepth: Type.Integer({ minimum: 1 }),
  /** Retry-After sent with SBX_ERR_QUEUE_FULL, seconds (`SBX_QUEUE_FULL_RETRY_AFTER_S`). @defaultValue 5 */
  queueFullRetryAfterS: Type.Integer({ minimum: 1 }),
  /** Largest accepted request body, bytes (`SBX_BODY_LIMIT_BYTES`). @defaultValue 2097152 (2 MiB) */
  bodyLimitBytes: Type.Integer({ minimum: 1024 }),
  /** Most files per run, the main source file included (`SBX_MAX_FILES`). @defaultValue 32 */
  maxFiles: Type.Integer({ minimum: 1 }),
  /** Most test cases per run (`SBX_MAX_TESTS`). @defaultValue 100 */
  maxTests: Type.Integer({ minimum: 1 }),
  /** Largest POST /testsets body, bytes (`SBX_MAX_TESTSET_BYTES`); only that route gets this body limit. @defaultValue 67108864 (64 MiB) */
  maxTestsetBytes: Type.Integer({ minimum: 1024 }),
  /** Most tests in one stored test set (`SBX_MAX_TESTSET_TESTS`). @defaultValue 1000 */
  maxTestsetTests: Type.Integer({ minimum: 1 }),
  /** How long a test set and its blobs live after their last upload or use, seconds (`SBX_TESTSET_TTL_S`). @defaultValue 604800 (7 days) */
  testsetTtlS: Type.Integer({ minimum: 1 }),
  /** Most submissions in one batch (`SBX_MAX_BATCH_SUBMISSIONS`). @defaultValue 1000 */
  maxBatchSubmissions: Type.Integer({ minimum: 1 }),
  /** Largest POST /batches body, bytes (`SBX_MAX_BATCH_BYTES`); only that route gets this body limit. @defaultValue 33554432 (32 MiB) */
  maxBatchBytes: Type.Integer({ minimum: 1024 }),
  /** How long a batch (state, results, kept sources) lives after creation or rejudge, seconds (`SBX_BATCH_TTL_S`). @defaultValue 604800 (7 days) */
  batchTtlS: Type.Integer({ minimum: 1 }),
  /**
   * Hosts a batch webhook may target (`SBX_WEBHOOK_ALLOW_HOSTS`, comma list; `*.example.org` for
   * subdomains), private ones included. Empty = public hosts only (see webhookAllowPrivate).
   * @defaultValue []
   */
  webhookAllowHosts: Type.Array(Type.String({ minLength: 1 })),
  /**
   * With no allowed hosts, also accept webhooks to loopback, private and link-local addresses
   * (`SBX_WEBHOOK_ALLOW_PRIVATE`). Off by default: it lets clients make the worker POST to
   * internal services (SSRF); only for trusted clients on a private network. @defaultValue false
   */
  webhookAllowPrivate: Type.Boolean(),
  /** How long finished results stay in Redis, seconds (`SBX_RESULT_TTL_S`). @defaultValue 3600 */
  resultTtlS: Type.Integer({ minimum: 1 }),
  /** How long the list of live workers is cached per API process, milliseconds (`SBX_WORKER_CACHE_MS`). @defaultValue 1000 */
  workerCacheMs: Type.Integer({ minimum: 0 }),
  /**
   * API keys (`SBX_API_KEYS` = comma list of `name:sha256hex[:perMinute]`, or `SBX_API_KEYS_FILE`
   * with one entry per line). Empty = no authentication. @defaultValue []
   */
  apiKeys: Type.Array(ApiKeySchema),
  /** Requests per minute per key (or per client IP without keys) (`SBX_RATE_LIMIT_PER_MINUTE`); 0 = off. @defaultValue 0 */
  rateLimitPerMinute: Type.Integer({ minimum: 0 }),
  /** Origins allowed by CORS (`SBX_CORS_ORIGINS`, comma list; `*` = any). Empty = CORS off. @defaultValue [] */
  corsOrigins: Type.Array(Type.String({ minLength: 1 })),
  /** pino level (`SBX_LOG_LEVEL`). @defaultValue "info" */
  logLevel: Type.Union([
    Type.Literal('fatal'),
    Type.Literal('error'),
    Type.Literal('warn'),
    Type.Literal('info'),
    Type.Literal('debug'),
    Type.Literal('trace'),
    Type.Literal('silent'),
  ]),
  /** Log submitted source and stdin (`SBX_LOG_SOURCE`). Off by default: submissions may be private. @defaultValue false */
  logSource: Type.Boolean(),
  /**
   * Take the client address from X-Forwarded-For (`SBX_TRUST_PROXY`). Only behind a reverse
   * proxy that sets the header: otherwise any client could pick the address its rate limit is
   * counted under. @defaultValue false
   */
  trustProxy: Type.Boolean(),
});
export type ApiConfig = Static<typeof ApiConfigSchema>;

/** Reads a file named by the environment; injectable for tests. */
export type ReadTextFile = (path: string) => string;

const DEFAULT_DATA_DIR = '/var/lib/bulkhead';

/** Every default in one place (the TSDoc @defaultValue above mirrors these). */
function defaults(env: Readonly<Record<string, string | undefined>>): ApiConfig {
  const dataDir = env.SBX_DATA_DIR ?? DEFAULT_DATA_DIR;
  return {
    port: 3000,
    judge0Port: 0,
    host: '127.0.0.1',
    redisUrl: `unix://${dataDir}/redis/redis.sock`,
    queueName: QUEUE_NAME,
    redisTimeoutMs: 2000,
    waitTimeoutMs: 15_000,
    maxQueueDepth: 1000,
    queueFullRetryAfterS: 5,
    bodyLimitBytes: 2 * 1024 * 1024,
    maxFiles: 32,
    maxTests: 100,
    maxTestsetBytes: 64 * 1024 * 1024,
    maxTestsetTests: 1000,
    testsetTtlS: 7 * 24 * 3600,
    maxBatchSubmissions: 1000,
    maxBatchBytes: 32 * 1024 * 1024,
    batchTtlS: 7 * 24 * 3600,
    webhookAllowHosts: [],
    webhookAllowPrivate: false,
    resultTtlS: 3600,
    workerCacheMs: 1000,
    apiKeys: [],
    rateLimitPerMinute: 0,
    corsOrigins: [],
    logLevel: 'info',
    logSource: false,
    trustProxy: false,
  };
}

function configError(message: string): BulkheadError {
  return new BulkheadError('SBX_ERR_CONFIG', message);
}

function parseInteger(name: string, raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw configError(`${name} must be a non-negative integer, got "${raw}"`);
  return Number(raw.trim());
}

function parseBoolean(name: string, raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw configError(`${name} must be true or false, got "${raw}"`);
}

function parseList(raw: string, separator: RegExp): string[] {
  return raw.split(separator).map((s) => s.trim()).filter((s) => s.length > 0 && !s.startsWith('#'));
}

/** `name:sha256hex[:perMinute]`; the hex is lower-cased. */
export function parseApiKeyEntry(entry: string): ApiKey {
  const parts = entry.split(':');
  const [name, hex, perMinute] = parts;
  if (parts.length < 2 || parts.length > 3 || name === undefined || hex === undefined) {
    throw configError(`API key entry "${name ?? ''}:…" must be name:sha256hex[:perMinute]`);
  }
  const key: ApiKey = { name, sha256Hex: hex.toLowerCase() };
  if (perMinute !== undefined) key.perMinute = parseInteger(`API key "${name}" perMinute`, perMinute);
  if (!Value.Check(ApiKeySchema, key)) {
    throw configError(`API key "${name}": name must match [A-Za-z0-9._-]{1,64} and the hash be 64 hex digits`);
  }
  return key;
}

function normaliseRedisUrl(raw: string): string {
  const value = raw.trim();
  return value.startsWith('/') ? `unix://${value}` : value;
}

function loadApiKeys(env: Readonly<Record<string, string | undefined>>, readFile: ReadTextFile): ApiKey[] {
  const entries: string[] = [];
  if (env.SBX_API_KEYS !== undefined) entries.push(...parseList(env.SBX_API_KEYS, /,/));
  if (env.SBX_API_KEYS_FILE !== undefined) {
    let text: string;
    try {
      text = readFile(env.SBX_API_KEYS_FILE);
    } catch (cause) {
      throw new BulkheadError('SBX_ERR_CONFIG', `SBX_API_KEYS_FILE cannot be read: ${env.SBX_API_KEYS_FILE}`, { cause });
    }
    entries.push(...parseList(text, /\r?\n/));
  }
  const keys = entries.map(parseApiKeyEntry);
  const names = new Set(keys.map((k) => k.name));
  if (names.size !== keys.length) throw configError('API key names must be unique');
  return keys;
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Builds the API configuration from `SBX_*` variables (unknown variables are ignored: the worker
 * shares the prefix). Throws SBX_ERR_CONFIG naming the variable on any invalid value.
 */
export function loadApiConfig(
  env: Readonly<Record<string, string | undefined>>,
  readFile: ReadTextFile = (path) => readFileSync(path, 'utf8'),
): Readonly<ApiConfig> {
  const config = defaults(env);
  const int = (name: string): number | undefined => (env[name] === undefined ? undefined : parseInteger(name, env[name]));
  config.port = int('SBX_PORT') ?? config.port;
  config.judge0Port = int('SBX_JUDGE0_PORT') ?? config.judge0Port;
  config.host = env.SBX_HOST ?? config.host;
  config.redisUrl = normaliseRedisUrl(env.SBX_REDIS_URL ?? config.redisUrl);
  config.queueName = env.SBX_QUEUE_NAME ?? config.queueName;
  config.redisTimeoutMs = int('SBX_REDIS_TIMEOUT_MS') ?? config.redisTimeoutMs;
  config.waitTimeoutMs = int('SBX_WAIT_TIMEOUT_MS') ?? config.waitTimeoutMs;
  config.maxQueueDepth = int('SBX_MAX_QUEUE_DEPTH') ?? config.maxQueueDepth;
  config.queueFullRetryAfterS = int('SBX_QUEUE_FULL_RETRY_AFTER_S') ?? config.queueFullRetryAfterS;
  config.bodyLimitBytes = int('SBX_BODY_LIMIT_BYTES') ?? config.bodyLimitBytes;
  config.maxFiles = int('SBX_MAX_FILES') ?? config.maxFiles;
  config.maxTests = int('SBX_MAX_TESTS') ?? config.maxTests;
  config.maxTestsetBytes = int('SBX_MAX_TESTSET_BYTES') ?? config.maxTestsetBytes;
  config.maxTestsetTests = int('SBX_MAX_TESTSET_TESTS') ?? config.maxTestsetTests;
  config.testsetTtlS = int('SBX_TESTSET_TTL_S') ?? config.testsetTtlS;
  config.maxBatchSubmissions = int('SBX_MAX_BATCH_SUBMISSIONS') ?? config.maxBatchSubmissions;
  config.maxBatchBytes = int('SBX_MAX_BATCH_BYTES') ?? config.maxBatchBytes;
  config.batchTtlS = int('SBX_BATCH_TTL_S') ?? config.batchTtlS;
  if (env.SBX_WEBHOOK_ALLOW_HOSTS !== undefined) config.webhookAllowHosts = parseList(env.SBX_WEBHOOK_ALLOW_HOSTS, /,/);
  if (env.SBX_WEBHOOK_ALLOW_PRIVATE !== undefined) config.webhookAllowPrivate = parseBoolean('SBX_WEBHOOK_ALLOW_PRIVATE', env.SBX_WEBHOOK_ALLOW_PRIVATE);
  config.resultTtlS = int('SBX_RESULT_TTL_S') ?? config.resultTtlS;
  config.workerCacheMs = int('SBX_WORKER_CACHE_MS') ?? config.workerCacheMs;
  config.apiKeys = loadApiKeys(env, readFile);
  config.rateLimitPerMinute = int('SBX_RATE_LIMIT_PER_MINUTE') ?? config.rateLimitPerMinute;
  if (env.SBX_CORS_ORIGINS !== undefined) config.corsOrigins = parseList(env.SBX_CORS_ORIGINS, /,/);
  if (env.SBX_LOG_LEVEL !== undefined) config.logLevel = env.SBX_LOG_LEVEL as ApiConfig['logLevel'];
  if (env.SBX_LOG_SOURCE !== undefined) config.logSource = parseBoolean('SBX_LOG_SOURCE', env.SBX_LOG_SOURCE);
  if (env.SBX_TRUST_PROXY !== undefined) config.trustProxy = parseBoolean('SBX_TRUST_PROXY', env.SBX_TRUST_PROXY);
  return validate(config);
}

function validate(config: ApiConfig): Readonly<ApiConfig> {
  const [first] = Value.Errors(ApiConfigSchema, config);
  if (first !== undefined) {
    throw configError(`Invalid configuration at ${first.instancePath || '/'}: ${first.message}`);
  }
  return deepFreeze(config);
}

/** Builds a config for tests and tools: defaults overridden by `overrides`, validated and frozen. */
export function apiConfigWith(overrides: Partial<ApiConfig>): Readonly<ApiConfig> {
  return validate({ ...defaults({}), ...overrides });
}

/** The config as safe to log: key hashes and any password in the Redis URL replaced. */
export function redactApiConfig(config: Readonly<ApiConfig>): Record<string, unknown> {
  return {
    ...config,
    redisUrl: config.redisUrl.replace(/\/\/([^@/]*)@/, '//[redacted]@'),
    apiKeys: config.apiKeys.map((k) => ({ name: k.name, sha256Hex: '[redacted]', perMinute: k.perMinute })),
  };
}
