/**
 * Judge0's submission routes over the submission queue: create (one, or a batch), read (one, or
 * a batch by tokens). A Judge0 token is the Bulkhead run id; the submission's own fields travel
 * with the job (job.meta.judge0) so that a later GET can echo them from any API process.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { BulkheadError, isClientFault } from '../../../worker/contract/errors.js';
import { PRIORITY_INTERACTIVE, type SubmissionJob } from '../../../worker/contract/job.js';
import { BacklogGauge } from '../../runs/backlog-gauge.js';
import type { ApiConfig } from '../../config.js';
import type { RunSnapshot, SubmissionQueue } from '../../plugins/submission-queue.js';
import type { RuntimeCatalogue } from '../../runs/runtime-catalogue.js';
import { scheduleCallback } from './callback.js';
import { JUDGE0_MAX_BATCH_SIZE } from './info.js';
import { parseJudge0Submission, type Judge0RequestContext } from './request.js';
import { JUDGE0_CONVERSION_ERROR, judge0Record, parseFields, serializeSubmission, type Judge0Field } from './response.js';

export interface Judge0RouteOptions {
  config: Readonly<ApiConfig>;
  catalogue: RuntimeCatalogue;
}

export const Judge0QuerySchema = Type.Object({
  base64_encoded: Type.Optional(Type.String()),
  wait: Type.Optional(Type.String()),
  fields: Type.Optional(Type.String()),
  tokens: Type.Optional(Type.String()),
});

/** A Judge0 body: any object; Judge0 ignores members it does not know, and so do we. */
const AnyObject = Type.Object({}, { additionalProperties: true });
const BatchBody = Type.Object({ submissions: Type.Optional(Type.Unknown()) }, { additionalProperties: true });
const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 128 }) });

const BATCH_CONVERSION_ERROR = 'some attributes for one or more submissions cannot be converted to UTF-8, use base64_encoded=true query parameter';

const routeMeta = { tags: ['judge0'] };
/** Judge0 clients may send the key as `?X-Auth-Token=` (api/plugins/auth.ts). */
const routeConfig = { queryAuthToken: true };

function isConversionError(err: unknown): boolean {
  return err instanceof BulkheadError && err.details?.judge0Conversion === true;
}

function batchSizeProblem(count: number): string | undefined {
  if (count > JUDGE0_MAX_BATCH_SIZE) return `number of submissions in a batch should be less than or equal to ${JUDGE0_MAX_BATCH_SIZE}`;
  if (count === 0) return 'there should be at least one submission in a batch';
  return undefined;
}

/** Judge0's 503 when the backlog is at SBX_MAX_QUEUE_DEPTH (counting the runs about to be added). */
async function checkQueue(gauge: BacklogGauge, config: Readonly<ApiConfig>, adding: number, reply: FastifyReply): Promise<void> {
  if ((await gauge.backlog()) + adding > config.maxQueueDepth) {
    void reply.header('retry-after', String(config.queueFullRetryAfterS));
    throw new BulkheadError('SBX_ERR_QUEUE_FULL', 'queue is full', { details: { retryAfterS: config.queueFullRetryAfterS } });
  }
}

function logSubmitted(log: FastifyBaseLogger, jobs: readonly SubmissionJob[]): void {
  for (const job of jobs) log.info({ runId: job.runId, language: job.language, version: job.version, api: 'judge0' }, 'run submitted');
}

export const judge0SubmissionRoutes: FastifyPluginAsyncTypebox<Judge0RouteOptions> = async (app, { config, catalogue }) => {
  const gauge = new BacklogGauge(app.submissions, config.maxQueueDepth);
  const queue: SubmissionQueue = app.submissions;
  const context = async (): Promise<Judge0RequestContext> => ({
    runtimes: await catalogue.list(),
    maxFiles: config.maxFiles,
    maxTests: config.maxTests,
    callbackAllowHosts: config.webhookAllowHosts,
    callbackAllowPrivate: config.webhookAllowPrivate,
  });
  const callbackDeps = { queue, log: app.log, waitMs: config.resultTtlS * 1000, allowHosts: config.webhookAllowHosts, allowPrivate: config.webhookAllowPrivate };
  const view = (token: string, snapshot: RunSnapshot, fields: readonly Judge0Field[], base64: boolean) => serializeSubmission(judge0Record(token, snapshot), fields, base64);

  app.post(
    '/submissions',
    { schema: { ...routeMeta, summary: 'Create a submission (Judge0)', querystring: Judge0QuerySchema, body: AnyObject }, config: routeConfig },
    async (request, reply) => {
      const base64 = request.query.base64_encoded === 'true';
      await checkQueue(gauge, config, 1, reply);
      const fields = parseFields(request.query.fields);
      const { job, echo } = parseJudge0Submission(request.body as Record<string, unknown>, base64, await context(), randomUUID(), new Date());
      const submitOptions = { priority: PRIORITY_INTERACTIVE };
      if (request.query.wait !== 'true') {
        await queue.submit(job, submitOptions);
        gauge.admitted();
        logSubmitted(request.log, [job]);
        if (echo.callback_url !== null) scheduleCallback(callbackDeps, job.runId, echo.callback_url);
        return reply.code(201).send({ token: job.runId });
      }
      const pending = await queue.submitAndWait(job, submitOptions, config.waitTimeoutMs);
      gauge.admitted();
      logSubmitted(request.log, [job]);
      if (echo.callback_url !== null) scheduleCallback(callbackDeps, job.runId, echo.callback_url);
      const snapshot = (await pending.result) ?? { state: 'queued' };
      let body: Record<string, unknown>;
      try {
        body = view(job.runId, { ...snapshot, job }, fields, base64);
      } catch (err) {
        if (!isConversionError(err)) throw err;
        body = { error: JUDGE0_CONVERSION_ERROR, token: job.runId };
      }
      return reply.code(201).send(body);
    },
  );

  app.get(
    '/submissions/:token',
    { schema: { ...routeMeta, summary: 'Get a submission (Judge0)', params: TokenParams, querystring: Judge0QuerySchema }, config: routeConfig },
    async (request) => {
      const fields = parseFields(request.query.fields);
      const snapshot = await queue.get(request.params.token);
      if (snapshot === undefined) throw new BulkheadError('SBX_ERR_RUN_UNKNOWN', 'Not Found');
      return view(request.params.token, snapshot, fields, request.query.base64_encoded === 'true');
    },
  );

  app.post(
    '/submissions/batch',
    { schema: { ...routeMeta, summary: 'Create submissions (Judge0 batch)', querystring: Judge0QuerySchema, body: BatchBody }, config: routeConfig },
    async (request, reply) => {
      const items: unknown[] = Array.isArray(request.body.submissions) ? request.body.submissions : [];
      const problem = batchSizeProblem(items.length);
      if (problem !== undefined) throw new BulkheadError('SBX_ERR_VALIDATION', problem);
      await checkQueue(gauge, config, items.length, reply);
      const base64 = request.query.base64_encoded === 'true';
      const ctx = await context();
      const now = new Date();
      const answers: unknown[] = [];
      const jobs: Array<{ job: SubmissionJob; callbackUrl: string | null }> = [];
      for (const item of items) {
        try {
          const body = typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : {};
          const { job, echo } = parseJudge0Submission(body, base64, ctx, randomUUID(), now);
          jobs.push({ job, callbackUrl: echo.callback_url });
          answers.push({ token: job.runId });
        } catch (err) {
          if (!(err instanceof BulkheadError) || !isClientFault(err.code)) throw err;
          answers.push(err.details?.fields ?? { error: err.message });
        }
      }
      await queue.submitMany(
        jobs.map((j) => j.job),
        { priority: PRIORITY_INTERACTIVE },
      );
      for (let i = 0; i < jobs.length; i++) gauge.admitted();
      logSubmitted(
        request.log,
        jobs.map((j) => j.job),
      );
      for (const { job, callbackUrl } of jobs) if (callbackUrl !== null) scheduleCallback(callbackDeps, job.runId, callbackUrl);
      return reply.code(jobs.length > 0 ? 201 : 422).send(answers);
    },
  );

  app.get('/submissions/batch', { schema: { ...routeMeta, summary: 'Get submissions (Judge0 batch)', querystring: Judge0QuerySchema }, config: routeConfig }, async (request) => {
    const header = request.headers.tokens;
    // As Judge0 (Ruby's split): an empty slot between commas keeps its place and answers null, so
    // results stay aligned with the tokens sent; only trailing empty slots are dropped.
    const tokens = String((typeof header === 'string' ? header : undefined) ?? request.query.tokens ?? '')
      .trim()
      .split(',');
    while (tokens.at(-1) === '') tokens.pop();
    const problem = batchSizeProblem(tokens.length);
    if (problem !== undefined) throw new BulkheadError('SBX_ERR_VALIDATION', problem);
    const fields = parseFields(request.query.fields);
    const base64 = request.query.base64_encoded === 'true';
    const snapshots = await Promise.all(tokens.map((token) => (token === '' ? undefined : queue.get(token))));
    try {
      return { submissions: snapshots.map((s, i) => (s === undefined ? null : view(tokens[i] ?? '', s, fields, base64))) };
    } catch (err) {
      if (!isConversionError(err)) throw err;
      throw new BulkheadError('SBX_ERR_VALIDATION', BATCH_CONVERSION_ERROR);
    }
  });

  app.get('/submissions', { schema: { ...routeMeta, summary: 'List submissions (Judge0; refused)' }, config: routeConfig }, async (_request, reply) =>
    // Judge0 lists submissions only with its authorization token; Bulkhead never lists other clients' runs.
    reply.code(403).send({ error: 'listing submissions is not allowed' }),
  );

  app.delete(
    '/submissions/:token',
    { schema: { ...routeMeta, summary: 'Delete a submission (Judge0; refused)', params: TokenParams }, config: routeConfig },
    async (_request, reply) => reply.code(400).send({ error: 'delete not allowed' }),
  );
};
