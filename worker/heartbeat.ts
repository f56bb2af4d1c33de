/**
 * The worker's presence in Redis: `WORKER_KEY_PREFIX + workerId` holds JSON(WorkerHeartbeat) with a
 * PX TTL, rewritten every third of the TTL, and the id is a member of `WORKER_REGISTRY_KEY`. The
 * API's /ready, GET /languages and metrics read these keys; a key that expires means the worker is
 * gone. `stop()` deletes the key and the id at once.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { WORKER_KEY_PREFIX, WORKER_REGISTRY_KEY, type RuntimeInfo, type WorkerHeartbeat } from './contract/heartbeat.js';
import { minLimits, type ResolvedLimits } from './contract/limits.js';
import type { Runtime } from './runtimes/runtime.js';

/**
 * What a client sees of a runtime: the manifest minus host paths and argv, its limits lowered to
 * this worker's ceilings (`SBX_MAX_*`). The API refuses a request above the advertised maximum, so
 * a ceiling below a manifest's maximum is a clear 400 up front, never a silently lower limit.
 */
export function runtimeInfo(runtime: Runtime, ceilings: Readonly<ResolvedLimits>): RuntimeInfo {
  const max = minLimits(runtime.limits.max, ceilings);
  return {
    language: runtime.language,
    version: runtime.version,
    aliases: [...runtime.aliases],
    compiled: runtime.compile !== undefined,
    sourceFile: runtime.sourceFile,
    limits: { default: minLimits(runtime.limits.default, max), max },
    ...(runtime.default === true ? { default: true } : {}),
    ...(runtime.compile?.flags === undefined ? {} : { compileFlags: [...runtime.compile.flags] }),
  };
}

export interface HeartbeatOptions {
  redis: Redis;
  workerId: string;
  /** Key TTL, ms; the key is rewritten every `ttlMs / 3`. */
  ttlMs: number;
  /** Builds the current heartbeat (busy slots change between beats). */
  snapshot: () => WorkerHeartbeat;
  log: Logger;
}

/** A running heartbeat. */
export interface Heartbeat {
  /** The Redis key written. */
  readonly key: string;
  /** Stops beating and deletes the key. Idempotent. */
  stop(): Promise<void>;
}

/** Runs a transaction; a command's own error (which `exec` only reports in its answer) throws. */
async function execAll(transaction: ChainableCommander): Promise<void> {
  const failed = (await transaction.exec())?.find(([err]) => err !== null);
  if (failed?.[0]) throw failed[0];
}

/** Writes the first beat (failures are logged, not thrown) and keeps beating until `stop()`. */
export async function startHeartbeat(options: HeartbeatOptions): Promise<Heartbeat> {
  const key = WORKER_KEY_PREFIX + options.workerId;
  const beat = async () => {
    try {
      // One transaction: a reader never finds the id without its key having been written (it
      // would take the id for a dead worker's and remove it until the next beat).
      await execAll(options.redis.multi().set(key, JSON.stringify(options.snapshot()), 'PX', options.ttlMs).sadd(WORKER_REGISTRY_KEY, options.workerId));
    } catch (err) {
      options.log.warn({ err }, 'heartbeat write failed');
    }
  };
  await beat();
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(
    () => {
      inFlight = beat();
    },
    Math.max(1, Math.floor(options.ttlMs / 3)),
  );
  timer.unref();
  let stopped: Promise<void> | undefined;
  return {
    key,
    stop() {
      stopped ??= (async () => {
        clearInterval(timer);
        await inFlight;
        try {
          await execAll(options.redis.multi().del(key).srem(WORKER_REGISTRY_KEY, options.workerId));
        } catch (err) {
          options.log.warn({ err }, 'heartbeat key delete failed');
        }
      })();
      return stopped;
    },
  };
}
