import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Server } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyHttpOptions, type FastifyInstance } from 'fastify';
import type { ApiConfig } from './config.js';
import { toErrorAnswer, toErrorBody } from './http/errors.js';
import { judge0Routes } from './compat/judge0/routes.js';
import { pistonRoutes } from './compat/piston/routes.js';
import { EDGE_SERVER_OPTIONS, installExpectationAnswer, rejectMissingHost } from './http/edges.js';
import { installAuth } from './plugins/auth.js';
import { installJsonBody } from './plugins/json-body.js';
import { installRateLimit } from './plugins/rate-limit.js';
import { decorateJudgeStore, type JudgeStore } from './judging/judge-store.js';
import { decorateSubmissionQueue, type SubmissionQueue } from './plugins/submission-queue.js';
import { healthRoutes } from './routes/health.js';
import { languagesRoutes } from './routes/languages.js';
import { metricsRoutes } from './routes/metrics.js';
import { playgroundRoutes } from './routes/playground.js';
import { runRoutes } from './routes/run.js';
import { runsRoutes } from './routes/runs.js';
import { batchRoutes } from './routes/batches.js';
import { testsetRoutes } from './routes/testsets.js';
import type { LiveChannel } from './plugins/live-channel.js';
import { RunAdmission } from './runs/admission.js';
import { runEventsRoutes } from './routes/run-events.js';
import { runWsRoutes } from './routes/run-ws.js';
import { RuntimeCatalogue } from './runs/runtime-catalogue.js';
import { formatValidationErrors } from './http/validation-message.js';

/** What buildApp needs; main.ts gives the real ones, tests give fakes. */
export interface AppDeps {
  queue: SubmissionQueue;
  /** Test sets, batches and run webhook targets (its own port, though Redis serves both). */
  judgeStore: JudgeStore;
  config: Readonly<ApiConfig>;
  /** A ready pino logger; without one, Fastify creates one at `config.logLevel`. */
  logger?: FastifyBaseLogger;
  /** The live channel (SSE and WebSocket routes); without it those routes are not registered. */
  live?: LiveChannel;
}

/** Where the Judge0 API is mounted on the main port (SBX_JUDGE0_PORT serves it at its root). */
export const JUDGE0_PREFIX = '/judge0';

/**
 * Headers that carry keys: never logged. `sec-websocket-protocol` carries the playground's key on
 * a WebSocket upgrade (`bulkhead.key.<key>`), since a browser cannot set headers there.
 */
export const REDACTED_HEADERS = ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers["x-auth-token"]', 'req.headers["sec-websocket-protocol"]'];

function serverOptions(deps: AppDeps): FastifyHttpOptions<Server> {
  const base: FastifyHttpOptions<Server> = {
    bodyLimit: deps.config.bodyLimitBytes,
    // Client-sent ids are not trusted: they would let a client forge log correlation.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    schemaErrorFormatter: formatValidationErrors,
    trustProxy: deps.config.trustProxy,
    ...EDGE_SERVER_OPTIONS,
  };
  if (deps.logger !== undefined) return { ...base, loggerInstance: deps.logger };
  return { ...base, logger: { level: deps.config.logLevel, redact: REDACTED_HEADERS } };
}

function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const answer = toErrorAnswer(err);
    if (answer.isServiceFault) request.log.error({ err, code: answer.code }, 'request failed (service fault)');
    else request.log.info({ code: answer.code, statusCode: answer.statusCode }, 'request rejected');
    return reply.code(answer.statusCode).type('application/json; charset=utf-8').send(toErrorBody(answer, request.id));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(toErrorBody({ statusCode: 404, code: 'SBX_ERR_NOT_FOUND', message: `No route ${request.method} ${request.url}`, isServiceFault: false }, request.id)),
  );
}

async function installDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'Bulkhead', description: 'Secure code-execution sandbox service', version: '1' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

/**
 * Builds the HTTP app: plugins in order (body parser, port, CORS, docs, auth, rate limit), then
 * the routes, each registered explicitly. Nothing listens until the caller calls `listen`.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify(serverOptions(deps)).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  installErrorHandlers(app);
  installExpectationAnswer(app.server);
  app.addHook('onRequest', rejectMissingHost);
  installJsonBody(app, config.bodyLimitBytes);
  decorateSubmissionQueue(app, deps.queue);
  decorateJudgeStore(app, deps.judgeStore);
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  // Shutdown order: close() runs preClose before it waits for in-flight requests. From then on
  // every answer says `Connection: close`, so a keep-alive client cannot hold the server open
  // until the grace timer kills the process.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) void reply.header('connection', 'close');
    return payload;
  });
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins.includes('*') ? '*' : [...config.corsOrigins],
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['content-type', 'authorization', 'x-api-key', 'x-auth-token'],
      exposedHeaders: ['location', 'retry-after', 'x-request-id'],
      maxAge: 600,
    });
  }
  await installDocs(app);
  installAuth(app, config.apiKeys);
  await installRateLimit(app, config.apiKeys, config.rateLimitPerMinute);

  const catalogue = new RuntimeCatalogue(deps.queue, config.workerCacheMs, Date.now, app.log);
  // Once for the whole app, so every WebSocket route (GET /run/ws, adapters) shares one upgrade
  // handler; one message is at most a request body, the same bound as POST /run.
  await app.register(websocket, { options: { maxPayload: config.bodyLimitBytes } });
  const admission = new RunAdmission(deps.queue, deps.judgeStore, config, catalogue);
  await app.register(runRoutes, { config, admission });
  await app.register(runsRoutes);
  if (deps.live !== undefined) {
    await app.register(runEventsRoutes, { live: deps.live });
    await app.register(runWsRoutes, { config, admission, live: deps.live });
  }
  await app.register(testsetRoutes, { config });
  await app.register(batchRoutes, { config, catalogue });
  await app.register(languagesRoutes, { catalogue });
  await app.register(healthRoutes);
  await app.register(playgroundRoutes);
  await app.register(metricsRoutes);
  // Compatibility APIs: thin adapters over the same queue, keys and rate limits (api/README.md).
  await app.register(judge0Routes, { prefix: JUDGE0_PREFIX, config, catalogue });
  await app.register(pistonRoutes, { prefix: '/api/v2', config, catalogue, ...(deps.live === undefined ? {} : { live: deps.live }) });
  return app;
}
