import type { FastifyInstance } from 'fastify';
import { BulkheadError } from '../../worker/contract/errors.js';

/**
 * The only body parser: JSON, read as bytes so that invalid UTF-8 is refused (a lenient decoder
 * would turn it into U+FFFD and run a program the client never sent). Any other content type is
 * answered 415 by Fastify. The byte limit is enforced by Fastify before this runs (413).
 */
export function installJsonBody(app: FastifyInstance, bodyLimitBytes: number): void {
  app.removeAllContentTypeParsers();
  addStrictJsonParser(app, 'application/json', bodyLimitBytes);
}

/**
 * Parses bodies of `contentType` as strict UTF-8 JSON (the rules above), in `app`'s scope only.
 * Compatibility APIs use it for clients that send JSON under another type (the npm
 * `piston-client` sends `text/plain`).
 */
export function addStrictJsonParser(app: FastifyInstance, contentType: string, bodyLimitBytes: number): void {
  app.addContentTypeParser(contentType, { parseAs: 'buffer', bodyLimit: bodyLimitBytes }, (_request, body: Buffer, done) => {
    try {
      done(null, parseStrictJson(body));
    } catch (err) {
      done(err as BulkheadError, undefined);
    }
  });
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes → JSON value by the rules above (a request body, or a WebSocket message, whose text
 * frames the socket already checked for UTF-8 but whose binary frames and surrogate escapes it
 * did not). Throws BulkheadError SBX_ERR_BAD_UTF8 or SBX_ERR_BAD_JSON.
 */
export function parseStrictJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new BulkheadError('SBX_ERR_BAD_UTF8', 'The request body is not valid UTF-8');
  }
  try {
    return parseJson(text);
  } catch (err) {
    throw err instanceof BulkheadError ? err : new BulkheadError('SBX_ERR_BAD_JSON', 'The request body is not valid JSON');
  }
}

/** A surrogate escape (`\ud800`…`\udfff`) in JSON text: the only way to write a lone surrogate in UTF-8 JSON. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;
/** A surrogate half without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * JSON.parse, refusing `__proto__` and `constructor` keys (prototype poisoning once the value is
 * spread or merged) and strings holding a lone surrogate escape (`"\ud800"`: no UTF-8 can
 * carry it, so a source or stdin would reach the program as U+FFFD, not as sent). The reviver
 * only runs when the text may hold either, keeping the common path fast.
 */
function parseJson(text: string): unknown {
  const keys = text.includes('__proto__') || text.includes('constructor');
  const surrogates = SURROGATE_ESCAPE.test(text);
  if (!keys && !surrogates) return JSON.parse(text);
  return JSON.parse(text, (key, value: unknown) => {
    if (key === '__proto__' || key === 'constructor') {
      throw new BulkheadError('SBX_ERR_BAD_JSON', `The key "${key}" is not allowed in the request body`);
    }
    if (surrogates && ((typeof value === 'string' && LONE_SURROGATE.test(value)) || LONE_SURROGATE.test(key))) {
      throw new BulkheadError('SBX_ERR_BAD_UTF8', 'The request body holds a lone UTF-16 surrogate escape, which no UTF-8 text can carry');
    }
    return value;
  });
}
