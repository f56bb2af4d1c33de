import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { webhookUrlProblem } from '../../worker/contract/batch.js';
import { BulkheadError } from '../../worker/contract/errors.js';
import { PRIORITY_BATCH } from '../../worker/contract/job.js';
import { renderBatchCsv } from '../judging/batch-csv.js';
import { buildBatchPlan, checkSubmissions, replanFromTemplates } from '../judging/batch-jobs.js';
import type { ApiConfig } from '../config.js';
import { allRows, batchOr404, PAGE_ROWS, summaryOf, testsetFor, toRow } from '../judging/batch-views.js';
import { buildJobChecker, resolveTestset } from '../judging/judge-job.js';
import { refuseCompareWithJudge } from '../runs/run-job.js';
import type { RuntimeCatalogue } from '../runs/runtime-catalogue.js';
import { errorResponses } from '../schemas/common.js';
import { BatchCreatedSchema, BatchParamsSchema, BatchQuerySchema, BatchRequestSchema, BatchResultsSchema, BatchStatusSchema } from '../schemas/batch.js';

export interface BatchRouteOptions {
  config: Readonly<ApiConfig>;
  catalogue: RuntimeCatalogue;
}

const DEFAULT_LIMIT = 100;

/**
 * POST /batches, GET /batches/:id, GET /batches/:id/results.csv|json, POST /batches/:id/rejudge.
 * Members are enqueued with PRIORITY_BATCH, so interactive POST /run jobs (PRIORITY_INTERACTIVE)
 * are taken before any queued batch member.
 */
export const batchRoutes: FastifyPluginAsyncTypebox<BatchRouteOptions> = async (app, { config, catalogue }) => {
  const store = () => app.judgeStore;

  /**
   * Batch members wait behind every interactive run and are left out of POST /run's bound, so they
   * have their own: past SBX_MAX_BATCH_BACKLOG waiting members a new batch or rejudge is a 503 with
   * Retry-After (a soft bound, as POST /run's: concurrent checks race).
   */
  const checkBatchBacklog = async (reply: FastifyReply): Promise<void> => {
    const waiting = (await app.submissions.depth()).batchWaiting ?? 0;
    if (waiting < config.maxBatchBacklog) return;
    void reply.header('retry-after', String(config.queueFullRetryAfterS));
    throw new BulkheadError('SBX_ERR_QUEUE_FULL', `${waiting} batch runs are waiting; retry after ${config.queueFullRetryAfterS} s`, {
      details: { retryAfterS: config.queueFullRetryAfterS },
    });
  };

  app.post(
    '/batches',
    {
      bodyLimit: config.maxBatchBytes,
      schema: {
        summary: 'Judge many submissions',
        description:
          'One run per submission against one test set (`testset`, or inline `tests` stored as one) and an optional checker. ' +
          'Answers 202 with the batch id at once; follow progress with GET /batches/{id}. Members run after interactive runs.',
        body: BatchRequestSchema,
        response: { 202: BatchCreatedSchema, ...errorResponses(404, 413, 415) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      checkSubmissions(body.submissions, config.maxBatchSubmissions);
      refuseCompareWithJudge(body);
      const problem = body.webhook === undefined ? undefined : webhookUrlProblem(body.webhook.url, config.webhookAllowHosts, config.webhookAllowPrivate);
      if (problem !== undefined) throw new BulkheadError('SBX_ERR_WEBHOOK_URL', `The webhook URL is not allowed: ${problem}`);
      // Before anything is written (inline tests are stored as a test set).
      await checkBatchBacklog(reply);
      const manifest = await testsetFor(body, store(), config, request.apiKeyName);
      const checker = body.checker === undefined ? undefined : await buildJobChecker(body.checker, catalogue, config.maxFiles);
      const id = randomUUID();
      const now = new Date();
      const plan = await buildBatchPlan(body, { catalogue, config, manifest, checker }, id, now);
      const webhook = body.webhook === undefined ? {} : { webhook: body.webhook };
      await store().createBatch({ id, createdAt: now.toISOString(), testsetId: manifest.id, members: plan.members, templates: plan.templates, ...webhook }, config.batchTtlS);
      try {
        await app.submissions.submitMany(plan.jobs, { priority: PRIORITY_BATCH });
      } catch (err) {
        // The client never learns this id: members already queued (jobs go in chunks) would run
        // into it, webhooks and all. Without its record they are no batch's members.
        await store()
          .deleteBatch(id)
          .catch((cause: unknown) => request.log.error({ err: cause, batchId: id }, 'could not delete a batch whose submission failed'));
        throw err;
      }
      request.log.info({ batchId: id, total: plan.jobs.length, testsetId: manifest.id, webhook: body.webhook !== undefined }, 'batch submitted');
      return reply.code(202).header('location', `/batches/${id}`).send({ id, total: plan.jobs.length, generation: 1, testset: manifest.id });
    },
  );

  app.get(
    '/batches/:id',
    {
      schema: {
        summary: 'Batch progress and results',
        description: 'Counters and one page of results (`offset`, `limit` ≤ 1000, default 100), in submission order.',
        params: BatchParamsSchema,
        querystring: BatchQuerySchema,
        response: { 200: BatchStatusSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const offset = Number(request.query.offset ?? 0);
      const limit = Number(request.query.limit ?? DEFAULT_LIMIT);
      if (limit < 1 || limit > PAGE_ROWS) throw new BulkheadError('SBX_ERR_VALIDATION', `limit must be 1..${PAGE_ROWS}`);
      const state = await batchOr404(store(), request.params.id);
      const rows = (await store().batchRows(state.id, offset, limit)).map(toRow);
      return { ...summaryOf(state), offset, limit, results: rows };
    },
  );

  app.get(
    '/batches/:id/results.json',
    { schema: { summary: 'All results as JSON', params: BatchParamsSchema, response: { 200: BatchResultsSchema, ...errorResponses(404) } } },
    async (request, reply) => {
      const state = await batchOr404(store(), request.params.id);
      void reply.header('content-disposition', `attachment; filename="batch-${state.id}.json"`);
      return { ...summaryOf(state), results: await allRows(store(), state.id, state.total) };
    },
  );

  app.get(
    '/batches/:id/results.csv',
    { schema: { summary: 'All results as CSV', params: BatchParamsSchema, response: { 200: Type.String(), ...errorResponses(404) } } },
    async (request, reply) => {
      const state = await batchOr404(store(), request.params.id);
      const csv = renderBatchCsv(await allRows(store(), state.id, state.total));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="batch-${state.id}.csv"`).send(csv);
    },
  );

  app.post(
    '/batches/:id/rejudge',
    {
      schema: {
        summary: 'Judge a batch again',
        description: 'Runs every kept submission again as new runs under the same batch id; counters and results start over (a new generation).',
        params: BatchParamsSchema,
        response: { 202: BatchCreatedSchema, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const state = await batchOr404(store(), request.params.id);
      await resolveTestset(store(), state.testsetId, config.testsetTtlS);
      await checkBatchBacklog(reply);
      const plan = replanFromTemplates(await store().batchTemplates(state.id), new Date());
      const previous = (await allRows(store(), state.id, state.total)).map((row) => row.runId);
      // The generation the store started, not the one read above plus one: a concurrent rejudge may have started one in between.
      const generation = await store().rejudgeBatch(state.id, plan.members, config.batchTtlS);
      if (generation === undefined) throw new BulkheadError('SBX_ERR_BATCH_UNKNOWN', `No batch has the id ${state.id}`);
      // The previous generation's runs count for nothing now; those still waiting would only run
      // ahead of the new ones. A failure here costs time, not results: logged, never answered.
      const discarded = await app.submissions
        .discardWaiting(previous)
        .catch((err: unknown) => request.log.warn({ err, batchId: state.id }, 'could not discard the waiting runs of the previous generation'));
      await app.submissions.submitMany(plan.jobs, { priority: PRIORITY_BATCH });
      request.log.info({ batchId: state.id, total: plan.jobs.length, generation, discarded }, 'batch rejudged');
      return reply.code(202).header('location', `/batches/${state.id}`).send({ id: state.id, total: plan.jobs.length, generation, testset: state.testsetId });
    },
  );
};
