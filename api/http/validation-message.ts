import type { FastifySchemaValidationError, SchemaErrorDataVar } from 'fastify/types/schema.js';

/** At most this many schema errors are spelled out in one message. */
const MAX_LISTED = 5;

function describe(error: FastifySchemaValidationError, dataVar: SchemaErrorDataVar): string | undefined {
  // TypeBox reports each unexpected member twice ("schema is false" at the member, then the
  // additionalProperties error naming it at the parent); keep the one that names it.
  if (error.keyword === 'boolean') return undefined;
  const where = `${dataVar}${error.instancePath}`;
  const extra = (error.params as { additionalProperties?: unknown }).additionalProperties;
  if (error.keyword === 'additionalProperties' && Array.isArray(extra)) {
    return `${where} has unknown member(s): ${extra.map(String).join(', ')}`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
}

/**
 * Turns schema errors into one readable message, e.g. `body/limits/cpuTimeMs must be >= 1`.
 * Fastify answers it as a 400 that the error handler codes SBX_ERR_VALIDATION.
 */
export function formatValidationErrors(errors: FastifySchemaValidationError[], dataVar: SchemaErrorDataVar): Error {
  const parts = [...new Set(errors.map((e) => describe(e, dataVar)).filter((m): m is string => m !== undefined))];
  const listed = parts.slice(0, MAX_LISTED).join('; ');
  const more = parts.length > MAX_LISTED ? ` (and ${parts.length - MAX_LISTED} more)` : '';
  return new Error(`${listed || `${dataVar} is invalid`}${more}`);
}
