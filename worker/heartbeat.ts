/**
 * The worker's presence in Redis: `WORKER_KEY_PREFIX + workerId` holds JSON(WorkerHeartbeat) with a
 * PX TTL, rewritten every third of the TTL. The API's /ready, GET /languages and metrics read these
 * keys; a key that expires means the worker is gone. `stop()` deletes the key at once.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { WORKER_KEY_PREFIX, type RuntimeInfo, type WorkerHeartbeat } from './contract/heartbeat.js';
import type { Runtime } from './runtimes/runtime.js';

/** What a client sees of a runtime: the manifest minus host paths and argv. */
export function runtimeInfo(runtime: Runtime): RuntimeInfo {
  return {
    language: runtime.language,
    version: runtime.version,
    aliases: [...runtime.aliases],
    compiled: runtime.compile !== undefined,
    sourceFile: runtime.sourceFile,
    limits: { default: { ...runtime.limits.default }, max: { ...runtime.limits.max } },
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

/** Writes the first beat (failures are logged, not thrown) and keeps beating until `stop()`. */
export async function startHeartbeat(options: HeartbeatOptions): Promise<Heartbeat> {
  const key = WORKER_KEY_PREFIX + options.workerId;
  const beat = async () => {
    try {
      await options.redis.set(key, JSON.stringify(options.snapshot()), 'PX', options.ttlMs);
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
          await options.redis.del(key);
        } catch (err) {
          options.log.warn({ err }, 'heartbeat key delete failed');
        }
      })();
      return stopped;
    },
  };
}
