import { Type, type Static } from 'typebox';
import { LimitRangeSchema, withLimitsOlderPeersLack } from './limits.js';

/**
 * How workers tell the API (through Redis only) that they are alive and which languages they
 * can run. The API never reads images or spawns anything: GET /languages, language validation and
 * GET /ready come from these heartbeats.
 *
 * Each worker writes `WORKER_KEY_PREFIX + workerId` = JSON(WorkerHeartbeat) with a TTL of
 * `ttlMs` every `ttlMs / 3`, and adds its id to the set `WORKER_REGISTRY_KEY` in the same
 * transaction; a key that expires means the worker is gone. Readers look up the ids the set names
 * (never a SCAN: the keyspace also holds every kept result, so a walk of it grows with the runs
 * kept) and remove the ids whose key has expired.
 */
export const WORKER_KEY_PREFIX = 'bulkhead:worker:';
export const WORKER_REGISTRY_KEY = 'bulkhead:workers';

/** What a client sees of one language (GET /languages). */
export const RuntimeInfoSchema = Type.Object({
  language: Type.String(),
  version: Type.String(),
  aliases: Type.Array(Type.String()),
  compiled: Type.Boolean(),
  sourceFile: Type.String(),
  limits: LimitRangeSchema,
  /** The version a request without `version` gets (worker/contract/versions.ts). */
  default: Type.Optional(Type.Boolean()),
  /** Compiler flags a request may pass in `compileFlags` (the manifest's allow-list). */
  compileFlags: Type.Optional(Type.Array(Type.String())),
});
export type RuntimeInfo = Static<typeof RuntimeInfoSchema>;

export const WorkerHeartbeatSchema = Type.Object({
  workerId: Type.String(),
  hostname: Type.String(),
  pid: Type.Integer(),
  slots: Type.Integer(),
  busySlots: Type.Integer(),
  cgroupVersion: Type.Union([Type.Literal(1), Type.Literal(2)]),
  startedAt: Type.String(),
  ttlMs: Type.Integer(),
  runtimes: Type.Array(RuntimeInfoSchema),
});
export type WorkerHeartbeat = Static<typeof WorkerHeartbeatSchema>;

/**
 * A heartbeat as this version reads it: each runtime's default and maximum limits completed with
 * those an older worker did not know, at the value that worker gives every run (so the API
 * refuses more than it would really apply). Not validated here (pure).
 */
export function upgradeHeartbeat(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const beat = value as { runtimes?: unknown };
  if (!Array.isArray(beat.runtimes)) return value;
  const runtimes = beat.runtimes.map((r: unknown) => {
    if (typeof r !== 'object' || r === null || !('limits' in r) || typeof r.limits !== 'object' || r.limits === null) return r;
    const range = r.limits as { default?: unknown; max?: unknown };
    return { ...r, limits: { ...range, default: withLimitsOlderPeersLack(range.default), max: withLimitsOlderPeersLack(range.max) } };
  });
  return { ...beat, runtimes };
}
