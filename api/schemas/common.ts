import { ErrorBodySchema } from '../http/errors.js';

/**
 * Error responses a route may give, for its `response` schema (and so for the OpenAPI document).
 * Every route can answer 400/401/429/500/503 through the shared hooks and error handler.
 */
export function errorResponses(...extraStatuses: number[]): Record<number, typeof ErrorBodySchema> {
  const statuses = [400, 401, 429, 500, 503, ...extraStatuses];
  return Object.fromEntries(statuses.map((s) => [s, ErrorBodySchema]));
}
