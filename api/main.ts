import pino from 'pino';
import type { Server } from 'node:http';
import { buildApp, JUDGE0_PREFIX, REDACTED_HEADERS } from './app.js';
import { serveJudge0AtRoot, stopAccepting } from './compat/judge0/own-port.js';
import { loadApiConfig, redactApiConfig, type ApiConfig } from './config.js';
import { BullmqSubmissionQueue } from './queue/bullmq-submission-queue.js';
import { RedisLiveChannel } from './queue/redis-live-channel.js';
import { redisConnectionFromUrl } from './queue/redis-options.js';

/** How long in-flight requests get to finish after SIGTERM/SIGINT, milliseconds. */
const SHUTDOWN_GRACE_MS = 10_000;
/**
 * Callers still waiting on POST /run this long after the signal are answered 202 with their run
 * id (the run goes on; the next API serves it), safely before the grace ends and the process exits.
 */
const HAND_BACK_WAITS_AFTER_MS = SHUTDOWN_GRACE_MS - 2_000;

function loadConfigOrExit(): Readonly<ApiConfig> {
  try {
    const config = loadApiConfig(process.env);
    redisConnectionFromUrl(config.redisUrl);
    return config;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`bulkhead-api: invalid configuration: ${message}\n`);
    process.exit(2);
  }
}

/**
 * Composition root: config → BullMQ queue → app → listen. On SIGTERM/SIGINT the server stops
 * accepting, lets in-flight requests finish (bounded), then closes the queue connections.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = pino({
    level: config.logLevel,
    redact: REDACTED_HEADERS,
  });
  logger.info({ config: redactApiConfig(config) }, 'bulkhead-api starting');
  const queue = new BullmqSubmissionQueue({
    redisUrl: config.redisUrl,
    queueName: config.queueName,
    resultTtlS: config.resultTtlS,
    redisTimeoutMs: config.redisTimeoutMs,
    log: logger,
  });
  const live = new RedisLiveChannel({
    connection: redisConnectionFromUrl(config.redisUrl),
    resultTtlS: config.resultTtlS,
    redisTimeoutMs: config.redisTimeoutMs,
    log: logger,
  });
  const app = await buildApp({ queue, judgeStore: queue.judgeStore, config, logger, live });
  let judge0Server: Server | undefined;

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown grace period over; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    // Runs that finish within the grace are answered with their result; a caller still waiting
    // after that gets 202 + Location, never a cut connection without its run id.
    const handBack = setTimeout(() => queue.stopWaiting(), HAND_BACK_WAITS_AFTER_MS);
    handBack.unref();
    // The Judge0 port stops accepting first: its requests run in the app that closes next.
    if (judge0Server !== undefined) stopAccepting(judge0Server);
    void app
      .close()
      .then(() => {
        clearTimeout(handBack);
        return Promise.all([queue.close(), live.close()]);
      })
      .then(() => logger.info('stopped'))
      .catch((err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exitCode = 1;
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  try {
    await app.listen({ port: config.port, host: config.host });
    if (config.judge0Port !== 0) {
      judge0Server = await serveJudge0AtRoot(app, JUDGE0_PREFIX, config.judge0Port, config.host);
      logger.info({ port: config.judge0Port }, 'Judge0 API listening at the root of its own port');
    }
  } catch (err) {
    logger.error({ err }, 'cannot listen');
    await app.close();
    await Promise.all([queue.close(), live.close()]);
    process.exitCode = 1;
  }
}

void main();
