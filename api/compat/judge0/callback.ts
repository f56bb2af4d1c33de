/**
 * Judge0's `callback_url`: once the run is done, the submission (Judge0's default fields, always
 * base64, as Judge0 sends it) is PUT to the URL, up to 3 tries with a 5 s timeout each, and the
 * answer is ignored. The API process that accepted the submission delivers it: it waits for the
 * result in the background (one shared queue listener, no polling). A callback still pending when
 * that process stops is not delivered (the client can always GET the token).
 *
 * SSRF: the URL passed the webhook rules at submission (request.ts); at delivery the connection's
 * own lookup refuses non-public addresses unless the operator allowed hosts or private targets,
 * exactly as for batch webhooks. Redirects are never followed.
 */
import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { FastifyBaseLogger } from 'fastify';
import { webhookUrlProblem } from '../../../worker/contract/batch.js';
import { publicOnlyLookup, type LookupAll } from '../../../worker/contract/public-address.js';
import type { SubmissionQueue } from '../../plugins/submission-queue.js';
import { JUDGE0_CALLBACK_TIMEOUT_S, JUDGE0_CALLBACK_TRIES } from './info.js';
import { JUDGE0_DEFAULT_FIELDS, judge0Record, serializeSubmission } from './response.js';

export interface CallbackDeps {
  queue: SubmissionQueue;
  log: FastifyBaseLogger;
  /** How long to wait for the run before giving up on the callback, milliseconds. */
  waitMs: number;
  allowHosts: readonly string[];
  allowPrivate: boolean;
}

const publicLookup = publicOnlyLookup(dnsLookup as LookupAll);

/** One PUT; resolves with the status code, rejects on a network error or the timeout. */
function put(url: string, body: string, publicOnly: boolean): Promise<number> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'bulkhead-judge0-callback/1' },
        signal: AbortSignal.timeout(JUDGE0_CALLBACK_TIMEOUT_S * 1000),
        // A fresh connection per try: a pooled socket would skip the lookup guard.
        agent: false,
        ...(publicOnly ? { lookup: publicLookup } : {}),
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function deliver(deps: CallbackDeps, token: string, url: string): Promise<void> {
  const snapshot = await deps.queue.waitForResult(token, deps.waitMs);
  if (snapshot?.state !== 'done') {
    deps.log.warn({ runId: token }, 'judge0 callback dropped: the run was not done in time (or the API is stopping)');
    return;
  }
  // Re-checked at send time, as batch webhooks are: the operator's host list may have changed.
  const problem = webhookUrlProblem(url, deps.allowHosts, deps.allowPrivate);
  if (problem !== undefined) {
    deps.log.warn({ runId: token, problem }, 'judge0 callback refused');
    return;
  }
  const body = JSON.stringify(serializeSubmission(judge0Record(token, snapshot), JUDGE0_DEFAULT_FIELDS, true));
  const publicOnly = deps.allowHosts.length === 0 && !deps.allowPrivate;
  for (let attempt = 1; attempt <= JUDGE0_CALLBACK_TRIES; attempt++) {
    try {
      const status = await put(url, body, publicOnly);
      deps.log.info({ runId: token, status, attempt }, 'judge0 callback delivered');
      return;
    } catch (err) {
      deps.log.warn({ runId: token, attempt, err: err instanceof Error ? err.message : String(err) }, 'judge0 callback try failed');
    }
  }
}

/** Starts the background delivery; never throws (failures are logged). */
export function scheduleCallback(deps: CallbackDeps, token: string, url: string): void {
  deliver(deps, token, url).catch((err: unknown) => deps.log.error({ err, runId: token }, 'judge0 callback failed'));
}
