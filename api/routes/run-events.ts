/**
 * GET /runs/:id/events: Server-Sent Events for any run (issue 15 item 3). Events `state`, `stage`,
 * `stdout`, `stderr` (the last two only for runs submitted with `live: true`) and last `result`
 * (the GET /runs/:id body), after which the stream ends. Every event but the first `state` has an
 * `id`; `Last-Event-ID` resumes after it. A client resuming after `result` (id `end`, what a
 * browser's EventSource does when the stream ends) gets 204, which tells EventSource to stop.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BulkheadError } from '../../worker/contract/errors.js';
import { followRun, RESULT_EVENT_ID, resumePoint, type RunEvent } from '../live/follow-run.js';
import type { LiveChannel } from '../plugins/live-channel.js';
import { errorResponses } from '../schemas/common.js';
import { RunIdParamsSchema } from '../schemas/run.js';

/** A comment line this often keeps proxies from closing a quiet stream, ms. */
const KEEPALIVE_MS = 15_000;

export interface RunEventsRouteOptions {
  live: LiveChannel;
}

/** One event in the text/event-stream format; JSON never holds a raw newline, so one data line. */
export function formatSse(event: RunEvent): string {
  const id = event.id === undefined ? '' : `id: ${event.id}\n`;
  return `${id}event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

export const runEventsRoutes: FastifyPluginAsyncTypebox<RunEventsRouteOptions> = async (app, { live }) => {
  // Streams in flight end when the server closes (preClose runs before close waits for requests):
  // a stream would otherwise hold the shutdown until its run ends; the client resumes elsewhere.
  const streams = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const aborter of streams) aborter.abort();
  });
  app.get(
    '/runs/:id/events',
    {
      schema: {
        summary: 'Follow a run (Server-Sent Events)',
        description:
          'A `text/event-stream` of the run: `state` ({"state"}), `stage` ({"stage":"compile"|"run"|"test","test"?}), ' +
          '`stdout`/`stderr` ({"data"} or {"data","encoding":"base64"}; only for runs submitted with `live: true`) ' +
          'and last `result` (the GET /runs/{id} body), then the stream ends. Works for any run, queued, running or done. ' +
          "Each event has an `id`; send `Last-Event-ID` to resume. 204 after the `result` event's id (`end`).",
        params: RunIdParamsSchema,
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 64 })) }),
        produces: ['text/event-stream'],
        response: { 200: Type.String({ description: 'text/event-stream' }), 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const lastEventId = request.headers['last-event-id'];
      const runId = request.params.id;
      const aborter = new AbortController();
      streams.add(aborter);
      aborter.signal.addEventListener('abort', () => streams.delete(aborter), { once: true });
      request.raw.once('close', () => aborter.abort());
      if (lastEventId === RESULT_EVENT_ID) {
        if ((await app.submissions.get(runId)) === undefined) throw new BulkheadError('SBX_ERR_RUN_UNKNOWN', 'No run has this id (it never existed or its result expired)');
        return reply.code(204).send(null);
      }
      const events = followRun({ queue: app.submissions, live }, runId, resumePoint(lastEventId), aborter.signal);
      // The first event is read before answering, so an unknown run is a plain 404 JSON error.
      const first = await events.next();
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        // A stream is one long answer: its connection closes with it, so no idle keep-alive socket
        // is left for a closing server to wait on (hijacked answers skip the onSend hooks).
        connection: 'close',
      });
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      try {
        if (first.done !== true) res.write(formatSse(first.value));
        for await (const event of events) res.write(formatSse(event));
      } catch (err) {
        request.log.warn({ err, runId }, 'run events stream ended early');
      } finally {
        clearInterval(keepalive);
        aborter.abort();
        res.end();
      }
    },
  );
};
