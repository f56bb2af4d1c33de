import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BulkheadError } from '../../worker/contract/errors.js';
import type { ApiKey } from '../config.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Name of the API key the request authenticated with; undefined when keys are off. */
    apiKeyName: string | undefined;
  }
  interface FastifyContextConfig {
    /**
     * The route also takes the key as the `X-Auth-Token` query parameter (Judge0 clients send it
     * there). Off elsewhere: a key in a URL ends up in proxies' and browsers' histories.
     */
    queryAuthToken?: boolean;
  }
}

/** Routes probes must reach without a key (orchestrators hold no key). */
const PUBLIC_ROUTES: ReadonlySet<string> = new Set(['/health', '/ready', '/openapi.json']);

/**
 * Routes anyone may call without a key: probes for load balancers, the API description and the
 * playground page (a browser loading a page cannot send a key, and neither holds a secret; the
 * playground asks for a key itself and sends it with each API call).
 */
function isPublicRoute(url: string): boolean {
  if (PUBLIC_ROUTES.has(url) || url === '/docs' || url.startsWith('/docs/')) return true;
  return url === '/' || url === '/playground' || url.startsWith('/playground/');
}

/** Lower-case hex SHA-256 of a key, the only form in which keys are stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

const nonEmpty = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/**
 * The key presented as `Authorization: Bearer <key>`, `x-api-key: <key>` or Judge0's
 * `X-Auth-Token: <key>`, or on routes that allow it the `X-Auth-Token` query parameter, if any.
 */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1] !== undefined) return match[1];
  }
  const fromHeader = nonEmpty(request.headers['x-api-key']) ?? nonEmpty(request.headers['x-auth-token']);
  if (fromHeader !== undefined || request.routeOptions.config.queryAuthToken !== true) return fromHeader;
  return nonEmpty((request.query as Record<string, unknown> | undefined)?.['X-Auth-Token']);
}

/**
 * Finds the configured key whose hash equals the presented key's. Every stored hash is compared
 * with timingSafeEqual, and the loop never exits early, so timing reveals neither which key nor how
 * many leading bytes matched. Hashing first makes both sides the same length.
 */
export function matchApiKey(keys: readonly ApiKey[], presented: string): ApiKey | undefined {
  const digest = createHash('sha256').update(presented, 'utf8').digest();
  let found: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(digest, Buffer.from(key.sha256Hex, 'hex')) && found === undefined) found = key;
  }
  return found;
}

/** Subprotocol prefix that carries a key on a WebSocket upgrade: `bulkhead.key.<key>`. */
export const WEBSOCKET_KEY_PROTOCOL_PREFIX = 'bulkhead.key.';

/**
 * The key offered as a WebSocket subprotocol, on upgrade requests only. A browser cannot set
 * headers on a WebSocket; `Sec-WebSocket-Protocol` is the one it sends on the page's behalf. The
 * page offers `bulkhead` first, and the server echoes only the first offered protocol, so the key
 * never comes back in the handshake answer.
 */
function keyFromWebSocketProtocols(request: FastifyRequest): string | undefined {
  const upgrade = request.headers.upgrade;
  const protocols = request.headers['sec-websocket-protocol'];
  if (typeof upgrade !== 'string' || upgrade.toLowerCase() !== 'websocket' || typeof protocols !== 'string') return undefined;
  const offered = protocols
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(WEBSOCKET_KEY_PROTOCOL_PREFIX));
  const key = offered?.slice(WEBSOCKET_KEY_PROTOCOL_PREFIX.length);
  return key === undefined || key.length === 0 ? undefined : key;
}

/**
 * Requires a valid key on every route except the probes (and CORS preflights, which browsers send
 * without credentials) when any key is configured. Runs at onRequest, before the body is read, so
 * an unauthenticated client cannot make us parse a large body.
 */
export function installAuth(app: FastifyInstance, keys: readonly ApiKey[]): void {
  app.decorateRequest('apiKeyName', undefined);
  if (keys.length === 0) return;
  app.addHook('onRequest', async (request) => {
    if (request.method === 'OPTIONS') return;
    if (isPublicRoute(request.routeOptions.url ?? '')) return;
    const presented = presentedKey(request) ?? keyFromWebSocketProtocols(request);
    const key = presented === undefined ? undefined : matchApiKey(keys, presented);
    if (key === undefined) {
      throw new BulkheadError('SBX_ERR_UNAUTHORIZED', presented === undefined ? 'An API key is required (Authorization: Bearer <key> or x-api-key)' : 'The API key is not valid');
    }
    request.apiKeyName = key.name;
  });
}
