import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BulkheadError } from '../../worker/contract/errors.js';
import type { ApiKey } from '../config.js';

/** Routes never limited: probes must answer even when a client floods us. */
const UNLIMITED_ROUTES: ReadonlySet<string> = new Set(['/health', '/ready']);

const ONE_MINUTE_MS = 60_000;

/** Bucket for a request: the key's name when authenticated, else the client address. */
function bucketOf(request: FastifyRequest): string {
  return request.apiKeyName === undefined ? `ip:${request.ip}` : `key:${request.apiKeyName}`;
}

/**
 * Per-key (else per-client-address) request limits over a one-minute window, answering 429
 * SBX_ERR_RATE_LIMITED with Retry-After. A key's own `perMinute` overrides the global
 * `perMinute`; 0 means unlimited. Runs at preParsing, after auth has named the key.
 * Counters are per API process (in memory); with N processes a key gets up to N× its limit.
 * Must be registered before the routes it limits.
 */
export async function installRateLimit(app: FastifyInstance, keys: readonly ApiKey[], perMinute: number): Promise<void> {
  const perKey = new Map(keys.map((k) => [k.name, k.perMinute ?? perMinute]));
  const limitOf = (request: FastifyRequest): number => (request.apiKeyName === undefined ? perMinute : (perKey.get(request.apiKeyName) ?? perMinute));
  if (perMinute === 0 && [...perKey.values()].every((limit) => limit === 0)) return;
  await app.register(rateLimit, {
    global: true,
    hook: 'preParsing',
    timeWindow: ONE_MINUTE_MS,
    keyGenerator: bucketOf,
    max: (request) => limitOf(request),
    allowList: (request) => UNLIMITED_ROUTES.has(request.routeOptions.url ?? '') || limitOf(request) === 0,
    errorResponseBuilder: (_request, context) =>
      new BulkheadError('SBX_ERR_RATE_LIMITED', `Rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}`, {
        details: { limitPerMinute: context.max },
      }),
  });
}
