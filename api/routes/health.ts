import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { WorkerHeartbeat } from '../../worker/contract/heartbeat.js';

const CheckSchema = Type.Object({
  ok: Type.Boolean(),
  /** Why the check failed, for operators. */
  message: Type.Optional(Type.String()),
  count: Type.Optional(Type.Integer()),
});

/** GET /ready's body: every check, and the names of those that failed. */
export const ReadinessSchema = Type.Object({
  ready: Type.Boolean(),
  failed: Type.Array(Type.Union([Type.Literal('redis'), Type.Literal('workers'), Type.Literal('images')])),
  checks: Type.Object({ redis: CheckSchema, workers: CheckSchema, images: CheckSchema }),
});
export type Readiness = Static<typeof ReadinessSchema>;

type Check = Static<typeof CheckSchema>;

/** Workers whose heartbeat lists no runtime have no usable image (they load only valid ones). */
function imagesCheck(workers: readonly WorkerHeartbeat[]): Check {
  const count = new Set(workers.flatMap((w) => w.runtimes.map((r) => `${r.language} ${r.version}`))).size;
  const bare = workers.filter((w) => w.runtimes.length === 0).map((w) => w.workerId);
  if (workers.length === 0) return { ok: false, count: 0, message: 'no worker to report images' };
  if (bare.length > 0) return { ok: false, count, message: `workers without any image: ${bare.join(', ')}` };
  return { ok: true, count };
}

/** GET /health (liveness: the process answers) and GET /ready (it can take work). */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness',
        description: 'Answers 200 while the process runs; touches nothing else.',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        summary: 'Readiness',
        description: 'Redis reachable, at least one live worker, and every live worker has images. 503 names the failed checks.',
        response: { 200: ReadinessSchema, 503: ReadinessSchema },
      },
    },
    async (request, reply) => {
      const queue = app.submissions;
      let body: Readiness;
      try {
        await queue.ping();
        const workers = await queue.liveWorkers();
        const workersCheck: Check = workers.length > 0 ? { ok: true, count: workers.length } : { ok: false, count: 0, message: 'no live worker' };
        body = assemble({ ok: true }, workersCheck, imagesCheck(workers));
      } catch (err) {
        request.log.warn({ err }, 'readiness: redis check failed');
        const unknown: Check = { ok: false, message: 'unknown while Redis is unreachable' };
        body = assemble({ ok: false, message: 'Redis is unreachable' }, unknown, unknown);
      }
      return reply.code(body.ready ? 200 : 503).send(body);
    },
  );
};

function assemble(redis: Check, workers: Check, images: Check): Readiness {
  const checks = { redis, workers, images };
  const failed = (['redis', 'workers', 'images'] as const).filter((name) => !checks[name].ok);
  return { ready: failed.length === 0, failed, checks };
}
