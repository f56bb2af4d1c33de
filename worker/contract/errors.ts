/**
 * The one catalogue of error codes shared by the API and the worker (the native binding reports
 * phases; failure.ts maps them to codes and carries a failure across Redis).
 *
 * Rules (guarded by test/unit/errors.test.ts):
 * - every key equals its `code`, codes are unique and never reused once retired;
 * - every code has an HTTP status (the API maps it; the worker uses `retryable`);
 * - `SBX_ERR_<AREA>_<WHAT>`.
 *
 * Three classes never mix: a program's verdict is a value in the result, a client's mistake is a
 * 4xx with one of the `client` codes below, and our own failure is an `internal` code (5xx to
 * clients with a generic body, retried by BullMQ, details only in the log).
 */
export interface ErrorCodeInfo {
  /** Stable code string; equals the catalogue key. */
  readonly code: string;
  /** HTTP status the API answers with. */
  readonly httpStatus: number;
  /** Who is at fault: the client (4xx, never retried) or the service (5xx, retried). */
  readonly fault: 'client' | 'service';
  /** One-line description, safe to show to clients for client faults. */
  readonly description: string;
}

function def<K extends string>(code: K, httpStatus: number, fault: 'client' | 'service', description: string): ErrorCodeInfo & { code: K } {
  return Object.freeze({ code, httpStatus, fault, description });
}

export const ErrorCodes = Object.freeze({
  // ---- client faults (4xx) ----
  SBX_ERR_VALIDATION: def('SBX_ERR_VALIDATION', 400, 'client', 'The request does not match the schema'),
  SBX_ERR_BAD_JSON: def('SBX_ERR_BAD_JSON', 400, 'client', 'The request body is not valid JSON'),
  SBX_ERR_BAD_UTF8: def('SBX_ERR_BAD_UTF8', 400, 'client', 'The request body is not valid UTF-8'),
  SBX_ERR_BODY_TOO_LARGE: def('SBX_ERR_BODY_TOO_LARGE', 413, 'client', 'The request body is larger than allowed'),
  SBX_ERR_UNSUPPORTED_MEDIA_TYPE: def('SBX_ERR_UNSUPPORTED_MEDIA_TYPE', 415, 'client', 'The request body must be application/json'),
  SBX_ERR_RUNTIME_UNKNOWN: def('SBX_ERR_RUNTIME_UNKNOWN', 400, 'client', 'No installed language matches the request'),
  SBX_ERR_VERSION_UNKNOWN: def('SBX_ERR_VERSION_UNKNOWN', 400, 'client', 'The language has no installed version matching the request'),
  SBX_ERR_COMPILE_FLAGS: def('SBX_ERR_COMPILE_FLAGS', 400, 'client', "A compile flag is not on the language's allow-list"),
  SBX_ERR_LIMIT_TOO_HIGH: def('SBX_ERR_LIMIT_TOO_HIGH', 400, 'client', 'A requested limit is above the configured maximum'),
  SBX_ERR_FILE_NAME: def('SBX_ERR_FILE_NAME', 400, 'client', 'A file name is not allowed'),
  SBX_ERR_FILE_COUNT: def('SBX_ERR_FILE_COUNT', 400, 'client', 'Too many files'),
  SBX_ERR_FILE_ENCODING: def('SBX_ERR_FILE_ENCODING', 400, 'client', 'A file content does not match its encoding'),
  SBX_ERR_SOURCE_MISSING: def('SBX_ERR_SOURCE_MISSING', 400, 'client', 'Neither source nor files was given'),
  SBX_ERR_TOO_MANY_TESTS: def('SBX_ERR_TOO_MANY_TESTS', 400, 'client', 'Too many test cases'),
  SBX_ERR_TESTSET_UNKNOWN: def('SBX_ERR_TESTSET_UNKNOWN', 404, 'client', 'No test set has this id'),
  SBX_ERR_TESTSET_NOT_OWNER: def('SBX_ERR_TESTSET_NOT_OWNER', 403, 'client', 'The test set was uploaded with another API key, and only that key may delete it'),
  SBX_ERR_TESTSET_TOO_LARGE: def('SBX_ERR_TESTSET_TOO_LARGE', 413, 'client', 'The test set is larger than allowed'),
  SBX_ERR_BATCH_UNKNOWN: def('SBX_ERR_BATCH_UNKNOWN', 404, 'client', 'No batch has this id'),
  SBX_ERR_BATCH_TOO_LARGE: def('SBX_ERR_BATCH_TOO_LARGE', 413, 'client', 'The batch has more submissions than allowed'),
  SBX_ERR_WEBHOOK_URL: def('SBX_ERR_WEBHOOK_URL', 400, 'client', 'The webhook URL is not allowed (scheme, credentials or host)'),
  SBX_ERR_RUN_UNKNOWN: def('SBX_ERR_RUN_UNKNOWN', 404, 'client', 'No run has this id (never existed or expired)'),
  SBX_ERR_NOT_FOUND: def('SBX_ERR_NOT_FOUND', 404, 'client', 'No such route'),
  SBX_ERR_BAD_REQUEST: def('SBX_ERR_BAD_REQUEST', 400, 'client', 'The HTTP request is malformed'),
  SBX_ERR_URI_TOO_LONG: def('SBX_ERR_URI_TOO_LONG', 414, 'client', 'A path parameter is longer than allowed'),
  SBX_ERR_EXPECTATION_FAILED: def('SBX_ERR_EXPECTATION_FAILED', 417, 'client', 'The Expect header asks for what the server does not support'),
  SBX_ERR_HEADERS_TOO_LARGE: def('SBX_ERR_HEADERS_TOO_LARGE', 431, 'client', 'The request headers are larger than allowed'),
  SBX_ERR_REQUEST_TIMEOUT: def('SBX_ERR_REQUEST_TIMEOUT', 408, 'client', 'The request was not received in time'),
  SBX_ERR_UNAUTHORIZED: def('SBX_ERR_UNAUTHORIZED', 401, 'client', 'A valid API key is required'),
  SBX_ERR_RATE_LIMITED: def('SBX_ERR_RATE_LIMITED', 429, 'client', 'Too many requests for this key'),
  SBX_ERR_FIELD_REFUSED: def('SBX_ERR_FIELD_REFUSED', 422, 'client', 'A field of a compatibility API request has a value this service refuses'),
  SBX_ERR_ARCHIVE: def('SBX_ERR_ARCHIVE', 400, 'client', 'An attached archive is malformed, too large or names a path outside the work directory'),
  SBX_ERR_LIVE_MESSAGE: def('SBX_ERR_LIVE_MESSAGE', 400, 'client', 'A WebSocket message is not valid JSON or not one of the live-run messages'),
  SBX_ERR_LIVE_STDIN_TOO_LARGE: def('SBX_ERR_LIVE_STDIN_TOO_LARGE', 413, 'client', 'More stdin was sent to a live run than allowed'),
  SBX_ERR_UPGRADE_REQUIRED: def('SBX_ERR_UPGRADE_REQUIRED', 426, 'client', 'This route speaks WebSocket only: send an Upgrade request'),
  SBX_ERR_RUN_FINISHED: def('SBX_ERR_RUN_FINISHED', 409, 'client', 'The run already finished: it takes no more stdin or signals'),
  SBX_ERR_QUEUE_FULL: def('SBX_ERR_QUEUE_FULL', 503, 'client', 'The queue is full; retry after the indicated time'),
  // ---- service faults (5xx; details only in logs) ----
  SBX_ERR_INTERNAL: def('SBX_ERR_INTERNAL', 500, 'service', 'Internal error'),
  SBX_ERR_QUEUE_UNAVAILABLE: def('SBX_ERR_QUEUE_UNAVAILABLE', 503, 'service', 'The queue (Redis) cannot be reached or refuses writes (e.g. its disk is full)'),
  SBX_ERR_NO_WORKER: def('SBX_ERR_NO_WORKER', 503, 'service', 'No worker is running, so no language can run now'),
  SBX_ERR_RUN_LOST: def('SBX_ERR_RUN_LOST', 500, 'service', 'The run failed permanently after all retries'),
  SBX_ERR_IMAGE_MISSING: def('SBX_ERR_IMAGE_MISSING', 500, 'service', 'A language image is missing or corrupt'),
  SBX_ERR_PROFILE_INVALID: def('SBX_ERR_PROFILE_INVALID', 500, 'service', 'A seccomp profile failed to parse or compile'),
  SBX_ERR_SANDBOX_SETUP: def('SBX_ERR_SANDBOX_SETUP', 500, 'service', 'The sandbox could not be set up (namespaces, mounts, ids)'),
  SBX_ERR_CGROUP_SETUP: def('SBX_ERR_CGROUP_SETUP', 500, 'service', 'A cgroup could not be created, limited, joined or read'),
  SBX_ERR_SECCOMP_LOAD: def('SBX_ERR_SECCOMP_LOAD', 500, 'service', 'The seccomp filter could not be installed'),
  SBX_ERR_SPAWN: def('SBX_ERR_SPAWN', 500, 'service', 'The sandbox helper could not be started'),
  SBX_ERR_EXEC: def('SBX_ERR_EXEC', 500, 'service', 'The program could not be executed inside the sandbox'),
  SBX_ERR_HOST_SETUP: def('SBX_ERR_HOST_SETUP', 500, 'service', 'The host is not prepared (run the host-setup command)'),
  SBX_ERR_CONFIG: def('SBX_ERR_CONFIG', 500, 'service', 'The configuration is invalid'),
  SBX_ERR_SWAP_UNACCOUNTED: def('SBX_ERR_SWAP_UNACCOUNTED', 500, 'service', 'Swap is on but not charged to memory cgroups, so memory limits would not hold'),
});

export type ErrorCode = keyof typeof ErrorCodes;

/** True for a code of the catalogue (anything else, e.g. text read back from Redis, is not). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ErrorCodes, value);
}

/** True for codes that are the client's fault (never retried). */
export function isClientFault(code: string): boolean {
  const info = (ErrorCodes as Record<string, ErrorCodeInfo>)[code];
  return info?.fault === 'client';
}

/**
 * Base class for every error this project throws. Branch on `code`, never on `instanceof` or the
 * message: errors cross Redis as strings.
 */
export class BulkheadError extends Error {
  override name = 'BulkheadError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }
}
