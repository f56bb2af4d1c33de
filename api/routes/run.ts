import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger } from 'fastify';
import { PRIORITY_INTERACTIVE, type SubmissionJob } from '../../worker/contract/job.js';
import type { ApiConfig } from '../config.js';
import type { PendingRun } from '../plugins/submission-queue.js';
import type { RunAdmission } from '../runs/admission.js';
import { toRunResponse } from '../runs/run-response.js';
import { errorResponses } from '../schemas/common.js';
import { RunRequestSchema, RunResponseSchema, type RunRequest, type RunResponse } from '../schemas/run.js';

/** What the run routes need besides the port (decorated on the app). */
export interface RunRouteOptions {
  config: Readonly<ApiConfig>;
  admission: RunAdmission;
}

/** Source and stdin reach the log only when SBX_LOG_SOURCE=true: submissions may be private. */
export function logSubmission(log: FastifyBaseLogger, job: SubmissionJob, request: RunRequest, logSource: boolean): void {
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
export const runRoutes: FastifyPluginAsyncTypebox<RunRouteOptions> = async (app, { config, admission }) => {
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
      const job = await admission.admit(request.body, (seconds) => void reply.header('retry-after', String(seconds)));
      if (request.body.live === true) job.live = true;
      const submitOptions = { priority: PRIORITY_INTERACTIVE };
      let pending: PendingRun | undefined;
      if (request.body.wait === false) await queue.submit(job, submitOptions);
      else pending = await queue.submitAndWait(job, submitOptions, config.waitTimeoutMs);
      admission.admitted();
      logSubmission(request.log, job, request.body, config.logSource);
      const snapshot = await pending?.result;
      const body = toRunResponse(job.runId, snapshot ?? { state: 'queued' });
      logAnswer(request.log, { ...body, language: job.language }, startedMs);
      if (body.state === 'done') return reply.code(200).send(body);
      return reply.code(202).header('location', `/runs/${job.runId}`).send(body);
    },
  );
};
