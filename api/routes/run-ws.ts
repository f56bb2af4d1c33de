/**
 * GET /run/ws: interactive runs over a WebSocket (protocol: api/live/ws-session.ts). The upgrade
 * request passes the same onRequest/preParsing hooks as POST /run (API key, rate limit); the
 * `start` message is checked against the POST /run schema and admitted by the same RunAdmission.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiConfig } from '../config.js';
import { BulkheadError } from '../../worker/contract/errors.js';
import { WsRunSession } from '../live/ws-session.js';
import type { LiveChannel } from '../plugins/live-channel.js';
import type { RunAdmission } from '../runs/admission.js';
import { errorResponses } from '../schemas/common.js';
import { logSubmission } from './run.js';

export interface RunWsRouteOptions {
  config: Readonly<ApiConfig>;
  admission: RunAdmission;
  live: LiveChannel;
}

export const runWsRoutes: FastifyPluginAsyncTypebox<RunWsRouteOptions> = async (app, { config, admission, live }) => {
  // `wsHandler` next to a plain `handler` (not `websocket: true`, which hides the route from the
  // OpenAPI document): the docs page lists the protocol, and a plain GET gets a coded 426.
  app.route({
    method: 'GET',
    url: '/run/ws',
    schema: {
      summary: 'Run a program interactively (WebSocket)',
      description:
        'Upgrade to a WebSocket. Client: `{"type":"start", …POST /run body}`, then `{"type":"stdin","data"}`, `{"type":"eof"}`, ' +
        '`{"type":"signal","signal":"SIGINT"|"SIGTERM"|"SIGKILL"}`. Server: `{"type":"accepted","id"}`, `{"type":"stage","stage"}`, ' +
        '`{"type":"stdout"|"stderr","data","encoding"?}`, `{"type":"result", …run}` then close 1000. Errors: ' +
        '`{"type":"error","error":{"code","message"}}` then close 4000 + the HTTP status POST /run would answer. ' +
        'Same API keys, rate limits and validation as POST /run. A plain GET (no Upgrade) answers 426.',
      response: errorResponses(426),
    },
    handler: async () => {
      throw new BulkheadError('SBX_ERR_UPGRADE_REQUIRED', 'GET /run/ws is a WebSocket: send Connection: Upgrade, Upgrade: websocket');
    },
    wsHandler: (socket, request) => {
      new WsRunSession(socket, {
        queue: app.submissions,
        live,
        admission,
        log: request.log,
        onSubmitted: (job, body) => logSubmission(request.log, job, body, config.logSource),
      });
    },
  });
};
