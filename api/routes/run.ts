import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { BulkheadError } from '../../worker/contract/errors.js';
import { PRIORITY_INTERACTIVE, type SubmissionJob } from '../../worker/contract/job.js';
import type { ApiConfig } from '../config.js';
import type { PendingRun } from '../plugins/submission-queue.js';
import type { RuntimeCatalogue } from '../runtime-catalogue.js';
import { BacklogGauge } from '../backlog-gauge.js';
import { addJudging } from '../judge-job.js';
import { buildSubmissionJob } from '../run-job.js';
import { toRunResponse } from '../run-response.js';
import { errorResponses } from '../schemas/common.js';
import { RunRequestSchema, RunResponseSchema, type RunRequest, type RunResponse } from '../schemas/run.js';

/** What the run routes need besides the port (decorated on the app). */
export interface RunRouteOptions {
  config: Readonly<ApiConfig>;
  catalogue: RuntimeCatalogue;
}

/** Refuses new work while the backlog is at the configured depth (a soft bound: checks race). */
async function checkBackpressure(gauge: BacklogGauge, config: Readonly<ApiConfig>, reply: FastifyReply): Promise<void> {
  const backlog = await gauge.backlog();
  if (backlog >= config.maxQueueDepth) {
    void reply.header('retry-after', String(config.queueFullRetryAfterS));
    throw new BulkheadError('SBX_ERR_QUEUE_FULL', `The queue is full (${backlog} runs waiting); retry after ${config.queueFullRetryAfterS} s`, {
      details: { retryAfterS: config.queueFullRetryAfterS },
    });
  }
}

/** Source and stdin reach the log only when SBX_LOG_SOURCE=true: submissions may be private. */
function logSubmission(log: FastifyBaseLogger, job: SubmissionJob, request: RunRequest, logSource: boolean): void {
  const fields = { runId: job.runId, language: job.language, version: job.version, files: job.files.length, tests: job.tests?.length };
  if (logSource) log.info({ ...fields, source: request.source, files: request.files, stdin: request.stdin }, 'run submitted');
  else log.info(fields, 'run submitted');
}

function logAnswer(log: FastifyBaseLogger, body: RunResponse, startedMs: number): void {
  log.info(
    {
      runId: body.id,
      language: body.language,
      state: body.state,
      status: body.status,
      errorCode: body.errorCode,
      compileWallTimeMs: body.compile?.wallTimeMs,
      runCpuTimeMs: body.run?.cpuTimeMs,
      runWallTimeMs: body.run?.wallTimeMs,
      answeredAfterMs: Date.now() - startedMs,
    },
    body.state === 'done' ? 'run done' : 'run pending',
  );
}

/** POST /run: validate, resolve the runtime and limits, enqueue, and (by default) wait. */
export const runRoutes: FastifyPluginAsyncTypebox<RunRouteOptions> = async (app, { config, catalogue }) => {
  const gauge = new BacklogGauge(app.submissions, config.maxQueueDepth);
  app.post(
    '/run',
    {
      schema: {
        summary: 'Run a program',
        description:
          'Compiles (when the language needs it) and runs the program. Waits for the result up to the configured bound ' +
          '(200 when done, else 202 with the id); `wait: false` answers 202 at once. Poll GET /runs/{id} after a 202.',
        body: RunRequestSchema,
        response: { 200: RunResponseSchema, 202: RunResponseSchema, ...errorResponses(404, 413, 415) },
      },
    },
    async (request, reply) => {
      const startedMs = Date.now();
      const queue = app.submissions;
      const runtime = await catalogue.resolve(request.body.language, request.body.version);
      const job = buildSubmissionJob(request.body, runtime, config, randomUUID(), new Date());
      await addJudging(job, request.body, { store: queue.store, catalogue, config });
      await checkBackpressure(gauge, config, reply);
      const submitOptions = { priority: PRIORITY_INTERACTIVE };
      let pending: PendingRun | undefined;
      if (request.body.wait === false) await queue.submit(job, submitOptions);
      else pending = await queue.submitAndWait(job, submitOptions, config.waitTimeoutMs);
      gauge.admitted();
      logSubmission(request.log, job, request.body, config.logSource);
      const snapshot = await pending?.result;
      const body = toRunResponse(job.runId, snapshot ?? { state: 'queued' });
      logAnswer(request.log, { ...body, language: job.language }, startedMs);
      if (body.state === 'done') return reply.code(200).send(body);
      return reply.code(202).header('location', `/runs/${job.runId}`).send(body);
    },
  );
};
