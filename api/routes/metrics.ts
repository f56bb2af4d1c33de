import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { renderMetrics } from '../http/prometheus-text.js';
import { errorResponses } from '../schemas/common.js';

/** GET /metrics: Prometheus text. */
export const metricsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        description: 'Queue depth, runs by status and language, stage duration histograms, internal failures, workers.',
        produces: ['text/plain'],
        response: { 200: Type.String(), ...errorResponses() },
      },
    },
    async (_request, reply) => {
      const queue = app.submissions;
      const [depth, hash, workers] = await Promise.all([queue.depth(), queue.metrics(), queue.liveWorkers()]);
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(renderMetrics({ depth, hash, workers }));
    },
  );
};
