import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BulkheadError } from '../../worker/contract/errors.js';
import { toRunResponse } from '../runs/run-response.js';
import { errorResponses } from '../schemas/common.js';
import { RunIdParamsSchema, RunResponseSchema } from '../schemas/run.js';

/** GET /runs/:id: a run's state, and its result once done. */
export const runsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/runs/:id',
    {
      schema: {
        summary: 'Get a run',
        description: "The run's state; once done, its result. 404 when the id is unknown or its result expired.",
        params: RunIdParamsSchema,
        response: { 200: RunResponseSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const snapshot = await app.submissions.get(request.params.id);
      if (snapshot === undefined) {
        throw new BulkheadError('SBX_ERR_RUN_UNKNOWN', 'No run has this id (it never existed or its result expired)');
      }
      return toRunResponse(request.params.id, snapshot);
    },
  );
};
