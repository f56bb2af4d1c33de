/**
 * ApiConfig: the API process's configuration, read from `SBX_*` variables once in main.ts,
 * validated, deep-frozen. Each variable is a row (worker/contract/settings/): the shared ones come
 * from the contract, the API-only ones are declared here; api/README.md's table is generated from them.
 */
import { readFileSync } from 'node:fs';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { BulkheadError } from '../worker/contract/errors.js';
import { type Env, readSetting, readSettings, redactSettings, schemaOf, type SettingsOf, validateSettings } from '../worker/contract/settings/load.js';
import { configError, flagRow, integerRow, listRow, markSecret, parseInteger, setting, stringRow, type RowFields } from '../worker/contract/settings/setting.js';
import {
  DATA_DIR,
  type DataDirContext,
  LOG_LEVEL,
  QUEUE_NAME_ROW,
  REDIS_URL,
  RESULT_TTL_S,
  WEBHOOK_ALLOW_HOSTS,
  WEBHOOK_ALLOW_PRIVATE,
} from '../worker/contract/settings/shared.js';

/** One configured API key. Only the SHA-256 of the key is kept (see api/hash-key.ts). */
export const ApiKeySchema = Type.Object({
  /** Name used in logs and as the rate-limit bucket; never secret. */
  name: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }),
  /** Lower-case hex SHA-256 of the key. A secret: redacted whenever the config is logged. */
  sha256Hex: markSecret(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  /** Requests per minute for this key; overrides `rateLimitPerMinute`. 0 = unlimited. */
  perMinute: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type ApiKey = Static<typeof ApiKeySchema>;

/** Reads a file named by the environment; injectable for tests. */
export type ReadTextFile = (path: string) => string;

/** `name:sha256hex[:perMinute]`; the hex is lower-cased. */
export function parseApiKeyEntry(entry: string): ApiKey {
  const parts = entry.split(':');
  const [name, hex, perMinute] = parts;
  if (parts.length < 2 || parts.length > 3 || name === undefined || hex === undefined) {
    throw configError(`API key entry "${name ?? ''}:…" must be name:sha256hex[:perMinute]`);
  }
  const key: ApiKey = { name, sha256Hex: hex.toLowerCase() };
  if (perMinute !== undefined) key.perMinute = parseInteger(perMinute.trim(), `API key "${name}" perMinute`);
  if (!Value.Check(ApiKeySchema, key)) {
    throw configError(`API key "${name}": name must match [A-Za-z0-9._-]{1,64} and the hash be 64 hex digits`);
  }
  return key;
}

/** Key entries separated by `separator`, blank ones and `#` comments skipped. */
function parseApiKeyList(text: string, separator: RegExp): ApiKey[] {
  return text
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !s.startsWith('#'))
    .map(parseApiKeyEntry);
}

type Fields<T> = Omit<RowFields<T, DataDirContext>, 'readBy'>;
/** An API-only integer row. */
const count = (bounds: { minimum: number; maximum?: number }, fields: Fields<number>) => integerRow<DataDirContext>(bounds, { ...fields, readBy: 'api' });
const PORT = { minimum: 0, maximum: 65535 };

/** Every variable the API reads, in the shape of ApiConfig. */
export const API_SETTINGS = {
  port: count(PORT, { name: 'SBX_PORT', overview: true, default: 3000, doc: 'TCP port of the API' }),
  judge0Port: count(PORT, {
    name: 'SBX_JUDGE0_PORT',
    overview: true,
    default: 0,
    defaultDoc: '`0` (off)',
    doc: "a second port serving the Judge0 API at its root, on the same address (Judge0's usual port is 2358)",
  }),
  host: stringRow<DataDirContext>({ name: 'SBX_HOST', overview: true, readBy: 'api', default: '127.0.0.1', doc: 'address the API binds' }),
  dataDir: DATA_DIR,
  redisUrl: REDIS_URL,
  queueName: QUEUE_NAME_ROW,
  redisTimeoutMs: count({ minimum: 1 }, { name: 'SBX_REDIS_TIMEOUT_MS', default: 2000, unit: 'ms', doc: 'per-command Redis timeout' }),
  waitTimeoutMs: count(
    { minimum: 0 },
    {
      name: 'SBX_WAIT_TIMEOUT_MS',
      overview: true,
      default: 15_000,
      unit: 'ms',
      doc: 'how long `POST /run` waits for the result before answering 202',
    },
  ),
  maxQueueDepth: count(
    { minimum: 1 },
    {
      name: 'SBX_MAX_QUEUE_DEPTH',
      overview: true,
      default: 1000,
      doc: 'queued runs (waiting + prioritized + delayed) at which `POST /run` answers 503 + Retry-After',
    },
  ),
  maxBatchBacklog: count(
    { minimum: 1 },
    {
      name: 'SBX_MAX_BATCH_BACKLOG',
      default: 20_000,
      doc: 'batch members waiting at which `POST /batches` and rejudge answer 503 + Retry-After (they wait behind interactive runs, apart from `SBX_MAX_QUEUE_DEPTH`)',
    },
  ),
  queueFullRetryAfterS: count(
    { minimum: 1 },
    {
      name: 'SBX_QUEUE_FULL_RETRY_AFTER_S',
      default: 5,
      unit: 's',
      doc: 'Retry-After sent with `SBX_ERR_QUEUE_FULL`',
    },
  ),
  bodyLimitBytes: count(
    { minimum: 1024 },
    {
      name: 'SBX_BODY_LIMIT_BYTES',
      overview: true,
      default: 2 * 1024 * 1024,
      unit: 'bytes',
      doc: 'largest request body (and live-run WebSocket message)',
    },
  ),
  maxFiles: count({ minimum: 1 }, { name: 'SBX_MAX_FILES', overview: true, default: 32, doc: 'files per run, the main source file included' }),
  maxTests: count(
    { minimum: 1 },
    { name: 'SBX_MAX_TESTS', overview: true, default: 100, doc: "test cases given inline per run (`tests`; a `testset` run runs all of its set's tests)" },
  ),
  maxTestsetBytes: count(
    { minimum: 1024 },
    {
      name: 'SBX_MAX_TESTSET_BYTES',
      default: 64 * 1024 * 1024,
      unit: 'bytes',
      doc: 'body limit of `POST /testsets` only',
    },
  ),
  maxTestsetTests: count({ minimum: 1 }, { name: 'SBX_MAX_TESTSET_TESTS', default: 1000, doc: 'tests per stored test set' }),
  testsetTtlS: count(
    { minimum: 1 },
    {
      name: 'SBX_TESTSET_TTL_S',
      default: 7 * 24 * 3600,
      unit: 's',
      doc: 'a test set and its blobs live this long after their last upload or use',
    },
  ),
  maxBatchSubmissions: count({ minimum: 1 }, { name: 'SBX_MAX_BATCH_SUBMISSIONS', default: 1000, doc: 'submissions per batch' }),
  maxBatchBytes: count({ minimum: 1024 }, { name: 'SBX_MAX_BATCH_BYTES', default: 32 * 1024 * 1024, unit: 'bytes', doc: 'body limit of `POST /batches` only' }),
  batchTtlS: count(
    { minimum: 1 },
    {
      name: 'SBX_BATCH_TTL_S',
      default: 7 * 24 * 3600,
      unit: 's',
      doc: 'a batch (state, results, kept sources) lives this long after creation or rejudge',
    },
  ),
  webhookAllowHosts: WEBHOOK_ALLOW_HOSTS,
  webhookAllowPrivate: WEBHOOK_ALLOW_PRIVATE,
  resultTtlS: RESULT_TTL_S,
  workerCacheMs: count(
    { minimum: 0 },
    {
      name: 'SBX_WORKER_CACHE_MS',
      default: 1000,
      unit: 'ms',
      doc: 'how long the list of live workers is cached per API process',
    },
  ),
  apiKeys: setting(Type.Array(ApiKeySchema), (text) => parseApiKeyList(text, /,/), {
    name: 'SBX_API_KEYS',
    overview: true,
    readBy: 'api',
    default: [],
    defaultDoc: 'none (no authentication)',
    doc: '`name:sha256hex[:perMinute]`, comma separated; hash a key with `npx tsx api/hash-key.ts`; clients send `Authorization: Bearer <key>` or `x-api-key`, and on a WebSocket upgrade (browsers cannot set headers) a `bulkhead.key.<key>` subprotocol after `bulkhead`',
  }),
  apiKeysFile: setting(Type.String(), (text) => text, {
    name: 'SBX_API_KEYS_FILE',
    overview: true,
    readBy: 'api',
    default: '',
    defaultDoc: 'none',
    doc: 'a file of more API keys, one `SBX_API_KEYS` entry per line (blank lines and `#` comments skipped)',
  }),
  rateLimitPerMinute: count(
    { minimum: 0 },
    {
      name: 'SBX_RATE_LIMIT_PER_MINUTE',
      overview: true,
      default: 0,
      defaultDoc: '`0` (off)',
      doc: 'requests per minute per key, or per client address without keys',
    },
  ),
  corsOrigins: listRow<DataDirContext>({
    name: 'SBX_CORS_ORIGINS',
    overview: true,
    readBy: 'api',
    default: [],
    defaultDoc: 'none (CORS off)',
    doc: 'comma list of origins allowed by CORS, or `*`',
  }),
  logLevel: LOG_LEVEL,
  logSource: flagRow<DataDirContext>({
    name: 'SBX_LOG_SOURCE',
    overview: true,
    readBy: 'api',
    default: false,
    doc: 'log submitted source and stdin (off: submissions may be private)',
  }),
  trustProxy: flagRow<DataDirContext>({
    name: 'SBX_TRUST_PROXY',
    overview: true,
    readBy: 'api',
    default: false,
    doc: 'take client addresses from X-Forwarded-For: only behind a proxy that sets it, or any client picks the address its rate limit counts under',
  }),
};

/** The API process configuration; `apiKeys` holds the inline keys and those of `apiKeysFile`. */
export type ApiConfig = SettingsOf<typeof API_SETTINGS>;
const ApiConfigSchema = schemaOf(API_SETTINGS);

/** Appends the keys of SBX_API_KEYS_FILE; names must be unique across both. */
function withKeysFile(config: ApiConfig, readFile: ReadTextFile): ApiConfig {
  const keys = [...config.apiKeys];
  if (config.apiKeysFile !== '') {
    let text: string;
    try {
      text = readFile(config.apiKeysFile);
    } catch (cause) {
      throw new BulkheadError('SBX_ERR_CONFIG', `SBX_API_KEYS_FILE cannot be read: ${config.apiKeysFile}`, { cause });
    }
    keys.push(...parseApiKeyList(text, /\r?\n/));
  }
  if (new Set(keys.map((k) => k.name)).size !== keys.length) throw configError('API key names must be unique');
  return { ...config, apiKeys: keys };
}

function defaultsContext(env: Env): DataDirContext {
  return { dataDir: readSetting(DATA_DIR, env, {}) };
}

/**
 * Builds the API configuration from `SBX_*` variables (unknown variables are ignored: the worker
 * shares the prefix). Throws SBX_ERR_CONFIG naming the variable on any invalid value.
 */
export function loadApiConfig(env: Env, readFile: ReadTextFile = (path) => readFileSync(path, 'utf8')): Readonly<ApiConfig> {
  const config = readSettings(API_SETTINGS, env, defaultsContext(env));
  return validateSettings(API_SETTINGS, withKeysFile(config, readFile));
}

/** Builds a config for tests and tools: defaults overridden by `overrides`, validated and frozen. */
export function apiConfigWith(overrides: Partial<ApiConfig>): Readonly<ApiConfig> {
  return validateSettings(API_SETTINGS, { ...readSettings(API_SETTINGS, {}, defaultsContext({})), ...overrides });
}

/** The config as safe to log: secrets redacted by the one rule (key hashes, the Redis URL's credentials). */
export function redactApiConfig(config: Readonly<ApiConfig>): Record<string, unknown> {
  return redactSettings(ApiConfigSchema, config);
}
