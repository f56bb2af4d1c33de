import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BulkheadError } from '../../worker/contract/errors.js';
import type { ApiConfig } from '../config.js';
import { buildTestset, testsetInfo } from '../judging/judge-job.js';
import { errorResponses } from '../schemas/common.js';
import { TestsetInfoSchema, TestsetParamsSchema, TestsetRequestSchema } from '../schemas/testset.js';

/** What the test-set routes need. */
export interface TestsetRouteOptions {
  config: Readonly<ApiConfig>;
}

function unknownTestset(id: string): BulkheadError {
  return new BulkheadError('SBX_ERR_TESTSET_UNKNOWN', `No test set has the id ${id} (never uploaded, deleted or expired)`);
}

/**
 * POST /testsets, GET /testsets/:id, DELETE /testsets/:id. Only POST gets the larger body limit
 * (`SBX_MAX_TESTSET_BYTES`); every other route keeps the global one. A body over it is 413
 * SBX_ERR_TESTSET_TOO_LARGE (the error handler maps Fastify's body-limit error; see below).
 */
export const testsetRoutes: FastifyPluginAsyncTypebox<TestsetRouteOptions> = async (app, { config }) => {
  app.post(
    '/testsets',
    {
      bodyLimit: config.maxTestsetBytes,
      schema: {
        summary: 'Store a test set',
        description:
          'Stores inputs and expected outputs once (content-addressed) and answers an id that POST /run and POST /batches ' +
          'accept as `testset`. Uploading the same tests again answers the same id. Stored for SBX_TESTSET_TTL_S after the last upload or use.',
        body: TestsetRequestSchema,
        response: { 201: TestsetInfoSchema, ...errorResponses(413, 415) },
      },
      // Fastify's body-limit error carries no route: rename it here so the client learns which limit it hit.
      errorHandler: (err, _request, _reply) => {
        if ((err as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
          throw new BulkheadError('SBX_ERR_TESTSET_TOO_LARGE', `A test set body may be at most ${config.maxTestsetBytes} bytes`, {
            details: { maximum: config.maxTestsetBytes },
          });
        }
        throw err;
      },
    },
    async (request, reply) => {
      const built = buildTestset(request.body.tests, config.maxTestsetTests, new Date(), request.apiKeyName);
      const stored = await app.judgeStore.saveTestset(built.manifest, built.blobs, config.testsetTtlS);
      request.log.info({ testsetId: stored.id, tests: stored.tests.length }, 'test set stored');
      return reply.code(201).header('location', `/testsets/${stored.id}`).send(testsetInfo(stored));
    },
  );

  app.get(
    '/testsets/:id',
    {
      schema: {
        summary: 'Describe a test set',
        description: 'Test ids and sizes (never the content). 404 when unknown, deleted or expired.',
        params: TestsetParamsSchema,
        response: { 200: TestsetInfoSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const manifest = await app.judgeStore.getTestset(request.params.id);
      if (manifest === undefined) throw unknownTestset(request.params.id);
      return testsetInfo(manifest);
    },
  );

  app.delete(
    '/testsets/:id',
    {
      schema: {
        summary: 'Delete a test set',
        description:
          'Removes the manifest: new runs can no longer name it. Runs already queued still complete (their blobs expire on their own). ' +
          'Only the API key that uploaded the set may delete it (403 SBX_ERR_TESTSET_NOT_OWNER for any other); every key may read and use it.',
        params: TestsetParamsSchema,
        response: { 204: Type.Null(), ...errorResponses(403, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const manifest = await app.judgeStore.getTestset(id);
      if (manifest === undefined) throw unknownTestset(id);
      // Another key may use the set but never take it away from the key that uploaded it.
      if (manifest.owner !== undefined && manifest.owner !== request.apiKeyName) {
        throw new BulkheadError('SBX_ERR_TESTSET_NOT_OWNER', `The test set ${id} was uploaded with another API key; only that key may delete it`);
      }
      if (!(await app.judgeStore.deleteTestset(id))) throw unknownTestset(id);
      return reply.code(204).send(null);
    },
  );
};
