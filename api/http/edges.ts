import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { ErrorCodes, type ErrorCode } from '../../worker/contract/errors.js';
import { toErrorBody } from './errors.js';

/**
 * The answers that Fastify's router and Node's HTTP parser would otherwise write themselves
 * (a plain-text "Client Error", an empty 417 or 400, Fastify's own bad-URL JSON): each one here
 * carries the project's error body with a stable code, so a client never has to parse two shapes.
 */

/**
 * The longest path parameter the router passes on. Above every `maxLength` a route schema allows
 * (run ids are ≤ 128), so an id that the schema accepts is never cut off by the router; longer
 * ones reach the schema and get its 400.
 */
export const MAX_PATH_PARAM_LENGTH = 1024;

/** Node's parser error codes that are not a plain 400. */
const PARSER_ERROR_CODES: Readonly<Record<string, ErrorCode>> = {
  HPE_HEADER_OVERFLOW: 'SBX_ERR_HEADERS_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'SBX_ERR_REQUEST_TIMEOUT',
};

function rawAnswer(code: ErrorCode, message: string = ErrorCodes[code].description): string {
  const { httpStatus } = ErrorCodes[code];
  const body = JSON.stringify(toErrorBody({ statusCode: httpStatus, code, message, isServiceFault: false }, randomUUID()));
  return [
    `HTTP/1.1 ${httpStatus} ${ErrorCodes[code].description}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * Node's `clientError`: the request could not even be parsed, so no Fastify request exists. The
 * socket gets one raw answer and is closed (the parser's state is unknown after an error).
 */
function onClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const code = PARSER_ERROR_CODES[err.code ?? ''] ?? 'SBX_ERR_BAD_REQUEST';
  socket.end(rawAnswer(code));
}

/** Errors of Fastify's router (a URL that does not decode, a parameter over the length bound). */
function onFrameworkError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const code: ErrorCode = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'SBX_ERR_URI_TOO_LONG' : 'SBX_ERR_BAD_REQUEST';
  const { httpStatus, description } = ErrorCodes[code];
  void reply
    .code(httpStatus)
    .type('application/json; charset=utf-8')
    .send(toErrorBody({ statusCode: httpStatus, code, message: `${description}: ${request.url.slice(0, 200)}`, isServiceFault: false }, request.id));
}

/**
 * Server options for the edges. Node's own missing-Host check answers an empty 400 before any
 * hook runs, so it is turned off here and the same rule is enforced by `rejectMissingHost`.
 */
export const EDGE_SERVER_OPTIONS: Partial<FastifyServerOptions> & { http: ServerOptions } = {
  routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
  frameworkErrors: onFrameworkError,
  clientErrorHandler: onClientError,
  http: { requireHostHeader: false },
};

/** HTTP/1.1 requires a Host header (RFC 9112 §3.2); without one the request is a 400 of ours. */
export async function rejectMissingHost(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.raw.httpVersion !== '1.1' || request.headers.host !== undefined) return;
  const code: ErrorCode = 'SBX_ERR_BAD_REQUEST';
  const message = 'An HTTP/1.1 request needs a Host header';
  await reply
    .code(400)
    .type('application/json; charset=utf-8')
    .send(toErrorBody({ statusCode: 400, code, message, isServiceFault: false }, request.id));
}

/**
 * Node answers an `Expect` it does not know with an empty 417 unless someone listens for
 * `checkExpectation`; we answer with our body. (`100-continue` is handled by Node itself.)
 */
export function installExpectationAnswer(server: Server): void {
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const code: ErrorCode = 'SBX_ERR_EXPECTATION_FAILED';
    const body = JSON.stringify(
      toErrorBody({ statusCode: 417, code, message: `Unsupported Expect: ${String(req.headers.expect).slice(0, 100)}`, isServiceFault: false }, randomUUID()),
    );
    res.writeHead(417, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
  });
}
