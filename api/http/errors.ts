import { Type, type Static } from 'typebox';
import { BulkheadError, ErrorCodes, type ErrorCode } from '../../worker/contract/errors.js';

/** Every error answer: `{ error: { code, message, requestId, details? } }`. */
export const ErrorBodySchema = Type.Object({
  error: Type.Object({
    /** Stable `SBX_ERR_*` code; branch on this, never on the message. */
    code: Type.String(),
    message: Type.String(),
    /** The request id, also in the `x-request-id` header and in our logs. */
    requestId: Type.String(),
    /** Machine-readable extras for client faults (e.g. `languages`, `limit`, `maximum`). */
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});
export type ErrorBody = Static<typeof ErrorBodySchema>;

/** Fastify's own error codes that are the client's fault, and the code we answer with. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'SBX_ERR_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'SBX_ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'SBX_ERR_BAD_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'SBX_ERR_BAD_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'SBX_ERR_BAD_JSON',
  FST_ERR_VALIDATION: 'SBX_ERR_VALIDATION',
};

/** What the error handler decided to answer, before the request id is added. */
export interface ErrorAnswer {
  statusCode: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  /** True when the cause is ours: the answer is generic and the cause goes to the log at error level. */
  isServiceFault: boolean;
}

interface ErrorLike {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/**
 * Maps anything thrown while handling a request to the answer. Client faults keep their message
 * (written by us or by the schema validator); 500s always say "Internal error", so no stack, Redis
 * reply or file path ever reaches a client. A 503 keeps the message we wrote for it (queue full,
 * no worker running), which never embeds a cause.
 */
export function toErrorAnswer(err: unknown): ErrorAnswer {
  if (err instanceof BulkheadError) {
    const info = ErrorCodes[err.code];
    if (info.fault === 'client') {
      return { statusCode: info.httpStatus, code: err.code, message: err.message, details: err.details, isServiceFault: false };
    }
    const message = info.httpStatus === 503 ? err.message : 'Internal error';
    return { statusCode: info.httpStatus, code: info.httpStatus === 503 ? err.code : 'SBX_ERR_INTERNAL', message, isServiceFault: true };
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorLike;
  const mapped = typeof e.code === 'string' ? FASTIFY_CODES[e.code] : undefined;
  if (mapped !== undefined) {
    const message = mapped === 'SBX_ERR_VALIDATION' && typeof e.message === 'string' ? e.message : ErrorCodes[mapped].description;
    return { statusCode: ErrorCodes[mapped].httpStatus, code: mapped, message, isServiceFault: false };
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    // Another Fastify client error (e.g. a malformed header): still the client's fault, never a 5xx.
    return { statusCode: status, code: 'SBX_ERR_VALIDATION', message: ErrorCodes.SBX_ERR_VALIDATION.description, isServiceFault: false };
  }
  return { statusCode: 500, code: 'SBX_ERR_INTERNAL', message: 'Internal error', isServiceFault: true };
}

/** The wire body for an answer. */
export function toErrorBody(answer: ErrorAnswer, requestId: string): ErrorBody {
  const error: ErrorBody['error'] = { code: answer.code, message: answer.message, requestId };
  if (answer.details !== undefined) error.details = answer.details;
  return { error };
}
