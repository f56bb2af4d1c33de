/**
 * Error answers in a compatibility API's own shape. Inside the adapter's plugin scope, Fastify
 * uses these handlers instead of the root ones, for the adapter's routes and for the shared hooks
 * (auth, rate limits, body parsing) as they run for those routes. The decision of what to answer
 * stays in api/errors.ts (client faults keep their message, 5xx bodies never carry causes); only
 * the body shape differs.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { toErrorAnswer, type ErrorAnswer } from '../http/errors.js';

/** A compatibility API's answer for an error: HTTP status and body. */
export type CompatErrorShape = (answer: ErrorAnswer, err: unknown) => { statusCode: number; body: unknown };

/** Logs like the root handler does, then answers in the adapter's shape. */
export function installCompatErrors(app: FastifyInstance, shape: CompatErrorShape): void {
  app.setErrorHandler((err: FastifyError, request, reply: FastifyReply) => {
    const answer = toErrorAnswer(err);
    if (answer.isServiceFault) request.log.error({ err, code: answer.code }, 'request failed (service fault)');
    else request.log.info({ code: answer.code, statusCode: answer.statusCode }, 'request rejected');
    const { statusCode, body } = shape(answer, err);
    return reply.code(statusCode).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const answer: ErrorAnswer = { statusCode: 404, code: 'SBX_ERR_NOT_FOUND', message: `No route ${request.method} ${request.url}`, isServiceFault: false };
    const { statusCode, body } = shape(answer, undefined);
    return reply.code(statusCode).type('application/json; charset=utf-8').send(body);
  });
}
