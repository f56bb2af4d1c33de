/**
 * The Judge0 CE 1.13.1 API as one Fastify plugin: registered under `/judge0` on the main port
 * (and reached at the root of `SBX_JUDGE0_PORT` when set, see api/main.ts). Errors in Judge0's
 * shapes: 422 `{ field: [messages] }` for refused fields, `{ error }` for the rest.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BulkheadError } from '../../../worker/contract/errors.js';
import type { ErrorAnswer } from '../../http/errors.js';
import { installCompatErrors } from '../compat-errors.js';
import { aboutBody, configInfoBody, JUDGE0_VERSION, systemInfoBody, workersBody } from './info.js';
import { judge0Languages } from './languages.js';
import { JUDGE0_STATUSES } from './statuses.js';
import { judge0SubmissionRoutes, type Judge0RouteOptions } from './submission-routes.js';

/**
 * Judge0's error bodies for what Bulkhead decided to answer. A Judge0 id implies its version, so a
 * version or language the catalogue cannot serve, and a refused compile flag, are Judge0's 422 on
 * the field that named them.
 */
export function judge0ErrorShape(answer: ErrorAnswer): { statusCode: number; body: unknown } {
  const fields = answer.details?.fields;
  if (answer.code === 'SBX_ERR_FIELD_REFUSED' && typeof fields === 'object' && fields !== null) return { statusCode: 422, body: fields };
  if (answer.code === 'SBX_ERR_VERSION_UNKNOWN' || answer.code === 'SBX_ERR_RUNTIME_UNKNOWN') return { statusCode: 422, body: { language_id: [answer.message] } };
  if (answer.code === 'SBX_ERR_COMPILE_FLAGS') return { statusCode: 422, body: { compiler_options: [answer.message] } };
  if (answer.code === 'SBX_ERR_RUN_UNKNOWN' || answer.code === 'SBX_ERR_NOT_FOUND') return { statusCode: 404, body: { error: 'Not Found' } };
  return { statusCode: answer.statusCode, body: { error: answer.message } };
}

const meta = { tags: ['judge0'] };
const config = { queryAuthToken: true };
const IdParams = Type.Object({ id: Type.String({ maxLength: 32 }) });

/** The Judge0 API (mount with a prefix, or at the root of its own port). */
export const judge0Routes: FastifyPluginAsyncTypebox<Judge0RouteOptions> = async (app, options) => {
  const { catalogue } = options;
  installCompatErrors(app, judge0ErrorShape);
  await app.register(judge0SubmissionRoutes, { config: options.config, catalogue });

  app.get('/languages', { schema: { ...meta, summary: 'Installed languages (Judge0 ids)' }, config }, async () =>
    judge0Languages(await catalogue.list()).map((l) => ({ id: l.id, name: l.name })),
  );
  app.get('/languages/all', { schema: { ...meta, summary: 'Installed languages (Judge0 ids), with is_archived' }, config }, async () =>
    judge0Languages(await catalogue.list())
      .map((l) => ({ id: l.id, name: l.name, is_archived: false }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  );
  app.get('/languages/:id', { schema: { ...meta, summary: 'One language (Judge0 id)', params: IdParams }, config }, async (request) => {
    const language = judge0Languages(await catalogue.list()).find((l) => String(l.id) === request.params.id);
    if (language === undefined) throw new BulkheadError('SBX_ERR_NOT_FOUND', 'Not Found');
    const { runtime } = language;
    return {
      id: language.id,
      name: language.name,
      is_archived: false,
      source_file: runtime.sourceFile,
      // Bulkhead's commands live in the worker's manifests; the API says only whether there is a compile step.
      compile_cmd: runtime.compiled ? `compile ${runtime.sourceFile}` : null,
      run_cmd: `run ${runtime.sourceFile}`,
    };
  });
  app.get('/statuses', { schema: { ...meta, summary: 'The 14 statuses' }, config }, async () => JUDGE0_STATUSES);
  app.get('/about', { schema: { ...meta, summary: 'Version (Judge0)' }, config }, async () => aboutBody());
  app.get('/version', { schema: { ...meta, summary: 'Version string (Judge0)' }, config }, async (_request, reply) => reply.type('text/plain; charset=utf-8').send(JUDGE0_VERSION));
  app.get('/config_info', { schema: { ...meta, summary: 'Limits and switches (Judge0 keys, Bulkhead values)' }, config }, async () =>
    configInfoBody(await catalogue.list(), {
      maxQueueDepth: options.config.maxQueueDepth,
      maxTests: options.config.maxTests,
      callbacksAllowed: true,
    }),
  );
  app.get('/system_info', { schema: { ...meta, summary: 'The API host (Judge0 keys)' }, config }, async () => systemInfoBody());
  app.get('/workers', { schema: { ...meta, summary: 'Queue and workers (Judge0 shape)' }, config }, async () => {
    const [depth, workers] = await Promise.all([app.submissions.depth(), app.submissions.liveWorkers()]);
    return workersBody(depth, workers);
  });
  app.post('/authenticate', { schema: { ...meta, summary: 'Check the key (Judge0)' }, config }, async (_request, reply) => reply.code(200).send());
  app.post('/authorize', { schema: { ...meta, summary: 'Check the admin key (Judge0; refused)' }, config }, async (_request, reply) =>
    // Judge0's authorization token unlocks listing and deleting submissions, which Bulkhead never allows.
    reply.code(403).send(),
  );
};
