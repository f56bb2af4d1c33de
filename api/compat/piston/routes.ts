/**
 * Piston v2 under `/api/v2`: `GET /runtimes` and `POST /execute` over the submission queue, and
 * `/packages` read-only (images are built by the operator, never installed over the API).
 * Errors are Piston's `{ message }` (400 for a bad request). The body may be JSON sent as
 * `text/plain`, as the npm `piston-client` sends it.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BulkheadError } from '../../../worker/contract/errors.js';
import { decodeFailure } from '../../../worker/contract/failure.js';
import { PRIORITY_INTERACTIVE, type SubmissionJob } from '../../../worker/contract/job.js';
import type { RuntimeInfo } from '../../../worker/contract/heartbeat.js';
import { BacklogGauge } from '../../runs/backlog-gauge.js';
import type { ApiConfig } from '../../config.js';
import type { ErrorAnswer } from '../../http/errors.js';
import { addStrictJsonParser } from '../../plugins/json-body.js';
import type { RuntimeCatalogue } from '../../runs/runtime-catalogue.js';
import type { LiveChannel } from '../../plugins/live-channel.js';
import { installCompatErrors } from '../compat-errors.js';
import { PistonSession } from './connect.js';
import { pistonError, pistonJob, pistonResult } from './execute.js';
import { pistonPackages, pistonRuntime, resolvePistonPackage } from './runtimes.js';

export interface PistonRouteOptions {
  config: Readonly<ApiConfig>;
  catalogue: RuntimeCatalogue;
  /** The live channel; without it `/connect` is not registered (as GET /run/ws). */
  live?: LiveChannel;
}

/** Piston's error body. 5xx keep Bulkhead's generic message (never a cause). */
export function pistonErrorShape(answer: ErrorAnswer): { statusCode: number; body: unknown } {
  return { statusCode: answer.statusCode, body: { message: answer.message } };
}

const meta = { tags: ['piston'] };
const AnyObject = Type.Object({}, { additionalProperties: true });
/** Beyond the run's own wall limit, how long execute waits for a worker to take and finish it, ms. */
const EXECUTE_SLACK_MS = 60_000;

/**
 * Piston's admission, shared by POST /execute and the WebSocket's `init`: the runtime, the job as
 * execute.ts builds it, and the backlog bound. The caller queues the job, then calls `admitted`.
 */
export function pistonAdmission(config: Readonly<ApiConfig>, catalogue: RuntimeCatalogue, gauge: BacklogGauge) {
  return async (body: Record<string, unknown>): Promise<{ job: SubmissionJob; runtime: RuntimeInfo }> => {
    const runtimes = await catalogue.list();
    const job = pistonJob(body, runtimes, config, randomUUID(), new Date());
    if ((await gauge.backlog()) >= config.maxQueueDepth) {
      throw new BulkheadError('SBX_ERR_QUEUE_FULL', `The queue is full; retry after ${config.queueFullRetryAfterS} s`, { details: { retryAfterS: config.queueFullRetryAfterS } });
    }
    const runtime = runtimes.find((r) => r.language === job.language && r.version === job.version);
    // pistonJob picked the job's runtime from this very list.
    if (runtime === undefined) throw new BulkheadError('SBX_ERR_INTERNAL', `runtime ${job.language} ${job.version} vanished from the list it came from`);
    return { job, runtime };
  };
}

export const pistonRoutes: FastifyPluginAsyncTypebox<PistonRouteOptions> = async (app, { config, catalogue, live }) => {
  installCompatErrors(app, pistonErrorShape);
  addStrictJsonParser(app, 'text/plain', config.bodyLimitBytes);
  const gauge = new BacklogGauge(app.submissions, config.maxQueueDepth);
  const admit = pistonAdmission(config, catalogue, gauge);

  if (live !== undefined) {
    app.route({
      method: 'GET',
      url: '/connect',
      schema: {
        ...meta,
        summary: 'Run a program interactively (Piston WebSocket)',
        description:
          'Upgrade to a WebSocket (api/compat/piston/connect.ts). Client: `{"type":"init", …execute body}`, `{"type":"data","stream":"stdin","data"}`, ' +
          '`{"type":"signal","signal"}`. Server: `runtime`, `stage`, `data`, `exit`, `error`; Piston\'s close codes 4000–4005, 4999. A plain GET answers 426.',
      },
      handler: async () => {
        throw new BulkheadError('SBX_ERR_UPGRADE_REQUIRED', 'GET /api/v2/connect is a WebSocket: send Connection: Upgrade, Upgrade: websocket');
      },
      wsHandler: (socket, request) => {
        new PistonSession(socket, { queue: app.submissions, live, admit, admitted: () => gauge.admitted(), log: request.log });
      },
    });
  }

  app.get('/runtimes', { schema: { ...meta, summary: 'Installed runtimes (Piston)' } }, async () => (await catalogue.list()).map((r) => pistonRuntime(r)));

  app.get('/packages', { schema: { ...meta, summary: 'Installed packages (Piston)' } }, async () => pistonPackages(await catalogue.list()));

  // Piston installs a package here. Bulkhead's languages are images an operator builds, so an
  // installed package answers as Piston's install does (a setup script that installs what it
  // needs still succeeds), and any other is Piston's 404: nothing is ever fetched or built.
  app.post('/packages', { schema: { ...meta, summary: 'Install a package (Piston; answers installed ones only)', body: AnyObject } }, async (request, reply) => {
    const { language, version } = request.body as Record<string, unknown>;
    if (typeof language !== 'string') throw pistonError('language is required as a string');
    if (typeof version !== 'string') throw pistonError('version is required as a string');
    const found = resolvePistonPackage(await catalogue.list(), language, version);
    if (found === undefined) {
      return reply.code(404).send({ message: `Requested package ${language}-${version} does not exist (Bulkhead installs no packages over the API; see GET /api/v2/packages)` });
    }
    return found;
  });

  app.delete('/packages', { schema: { ...meta, summary: 'Uninstall a package (Piston; refused)' } }, async (_request, reply) =>
    reply.code(405).header('allow', 'GET, POST').send({ message: 'Bulkhead uninstalls no packages over the API: an operator removes the image' }),
  );

  app.post('/execute', { schema: { ...meta, summary: 'Run a program (Piston)', body: AnyObject } }, async (request, reply) => {
    let admitted: Awaited<ReturnType<typeof admit>>;
    try {
      admitted = await admit(request.body as Record<string, unknown>);
    } catch (err) {
      if (err instanceof BulkheadError && err.code === 'SBX_ERR_QUEUE_FULL') void reply.header('retry-after', String(config.queueFullRetryAfterS));
      throw err;
    }
    const { job, runtime } = admitted;
    // Piston answers only when the run is done, so the wait covers the run's own wall limit too.
    const waitMs = Math.max(config.waitTimeoutMs, job.limits.wallTimeMs + EXECUTE_SLACK_MS);
    const pending = await app.submissions.submitAndWait(job, { priority: PRIORITY_INTERACTIVE }, waitMs);
    gauge.admitted();
    request.log.info({ runId: job.runId, language: job.language, version: job.version, api: 'piston' }, 'run submitted');
    const snapshot = await pending.result;
    if (snapshot?.state !== 'done') {
      return reply.code(504).send({ message: `The run did not finish within ${waitMs} ms (run id ${job.runId})` });
    }
    if (snapshot.result === undefined) {
      request.log.error({ runId: job.runId, failedCode: snapshot.failedCode }, 'piston execute: the run failed inside Bulkhead');
      return reply.code(500).send({ message: `Internal error (${decodeFailure(snapshot.failedCode)})` });
    }
    return pistonResult(snapshot.result, runtime);
  });
};
