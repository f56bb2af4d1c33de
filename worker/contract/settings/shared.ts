/**
 * The rows both processes read. They sit in the contract because the API and the worker must
 * read them the same way (the API may import only worker/contract/); process-only rows stay
 * beside their process's loader (api/config.ts, worker/config.ts).
 */
import { Type } from 'typebox';
import { QUEUE_NAME } from '../job.js';
import { flagRow, integerRow, listRow, logLevelRow, markSecret, setting, stringRow } from './setting.js';

/** The state directory when SBX_DATA_DIR is unset: the one place TypeScript names it. */
export const DEFAULT_DATA_DIR = '/var/lib/bulkhead';

/** What the shared defaults depend on: the data directory, read first. */
export interface DataDirContext {
  dataDir: string;
}

export const DATA_DIR = stringRow({
  name: 'SBX_DATA_DIR',
  overview: true,
  readBy: 'both',
  default: DEFAULT_DATA_DIR,
  doc: 'state directory: built images (content-addressed layers), the embedded Redis and its socket',
});

/** Where the embedded Redis of `npm start` listens (scripts/supervise.sh makes the same path). */
export function defaultRedisUrl(dataDir: string): string {
  return `unix://${dataDir.replace(/\/+$/, '')}/redis/redis.sock`;
}

/** A bare absolute path is a socket: both processes keep it in its `unix://` form. */
function parseRedisUrlText(text: string): string {
  return text.startsWith('/') ? `unix://${text}` : text;
}

export const REDIS_URL = setting(markSecret(Type.String({ pattern: '^(redis|rediss|unix)://' })), parseRedisUrlText, {
  name: 'SBX_REDIS_URL',
  overview: true,
  readBy: 'both',
  default: (context: DataDirContext) => defaultRedisUrl(context.dataDir),
  defaultDoc: '`unix://<SBX_DATA_DIR>/redis/redis.sock`',
  doc: '`redis://[user:pass@]host[:port][/db]`, `rediss://…` (TLS), `unix:///path` or a socket path',
});

export const QUEUE_NAME_ROW = stringRow({
  name: 'SBX_QUEUE_NAME',
  readBy: 'both',
  default: QUEUE_NAME,
  doc: 'BullMQ queue of runs (tests give each test its own)',
});

export const RESULT_TTL_S = integerRow(
  { minimum: 1 },
  {
    name: 'SBX_RESULT_TTL_S',
    overview: true,
    readBy: 'both',
    default: 3600,
    unit: 's',
    doc: 'how long finished and failed runs stay readable; Redis holds rate × TTL results of ≈ 2 KiB each',
  },
);

export const WEBHOOK_ALLOW_HOSTS = listRow({
  name: 'SBX_WEBHOOK_ALLOW_HOSTS',
  overview: true,
  readBy: 'both',
  default: [],
  defaultDoc: 'empty',
  doc: 'comma list of hosts webhooks may target (`*.example.org` for subdomains), private ones included; empty = public addresses only (no private IP literal, no `localhost`; the worker checks every resolved address)',
});

export const WEBHOOK_ALLOW_PRIVATE = flagRow({
  name: 'SBX_WEBHOOK_ALLOW_PRIVATE',
  overview: true,
  readBy: 'both',
  default: false,
  doc: 'with no host list, also accept loopback, private and link-local webhook targets (SSRF: trusted clients on a private network only)',
});

export const LOG_LEVEL = logLevelRow({
  name: 'SBX_LOG_LEVEL',
  overview: true,
  readBy: 'both',
  default: 'info',
  doc: 'pino level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`',
});
