import { Type, type Static } from 'typebox';
import { isIP } from 'node:net';
import { isLocalhostName, isPublicAddress } from './public-address.js';
import { StatusSchema } from './result.js';

/**
 * Batches (POST /batches): many submissions judged against one test set, tracked in Redis.
 * The API creates the keys and enqueues one run per submission; the worker that finishes a run
 * records it (worker/judge/batch-ledger.ts) and, when the last one is counted, enqueues the
 * `batch.finished` webhook. Every write of these keys is one of the scripts of ./batch-state.ts. Redis layout, all with the batch TTL:
 *
 * - `bulkhead:batch:<id>` hash: `total`, `done`, `generation` (bumped by each rejudge),
 *   `createdAt`, `finishedAt` (set once done = total), `webhookUrl`, `webhookSecret` (never
 *   answered to clients), and `count:<STATUS>` per status.
 * - `…:runs` list: the current generation's run ids, in submission order.
 * - `…:members` hash: run id → external id, current generation only. A run of an older
 *   generation (re-judged meanwhile) is not a member and is never counted.
 * - `…:results` hash: run id → JSON `BatchRunSummary`; its presence is the "counted" flag that
 *   makes recording idempotent against a re-run of the same job.
 * - `…:submissions` list: JSON `BatchSubmissionTemplate` per submission, kept for rejudge.
 */
export const BATCH_KEY_PREFIX = 'bulkhead:batch:';

/** Every Redis key of one batch. */
export function batchKeys(batchId: string): { meta: string; runs: string; members: string; results: string; submissions: string } {
  const base = `${BATCH_KEY_PREFIX}${batchId}`;
  return { meta: base, runs: `${base}:runs`, members: `${base}:members`, results: `${base}:results`, submissions: `${base}:submissions` };
}

/** The hash field counting runs with `status`. */
export function batchCountField(status: string): string {
  return `count:${status}`;
}

/** What the batch keeps of one finished run (no output, no source). */
export const BatchRunSummarySchema = Type.Object({
  externalId: Type.String(),
  runId: Type.String(),
  status: StatusSchema,
  passed: Type.Optional(Type.Integer()),
  total: Type.Optional(Type.Integer()),
  /** Sum of the tests' checker scores, when a checker reported any. */
  score: Type.Optional(Type.Number()),
  /** With INTERNAL_ERROR: the catalogue code of our failure. */
  errorCode: Type.Optional(Type.String()),
  /** ISO time the worker recorded it. */
  finishedAt: Type.String(),
});
export type BatchRunSummary = Static<typeof BatchRunSummarySchema>;

/**
 * One submission as kept for rejudge: the queue payload without the per-run fields (`runId`,
 * `submittedAt`), stored as JSON. It has the shape of SubmissionJob minus those two.
 */
export const BATCH_TEMPLATE_OMITTED = ['runId', 'submittedAt'] as const;

/** The webhook delivery queue (a separate BullMQ queue, consumed in the worker process). */
export const WEBHOOK_QUEUE_NAME = 'bulkhead-webhooks';

/** Headers of every delivery. The signature is `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-bulkhead-signature';
/** Unix time in seconds when the delivery was signed; part of the signed text (replay window). */
export const WEBHOOK_TIMESTAMP_HEADER = 'x-bulkhead-timestamp';
/** `run.finished` or `batch.finished`. */
export const WEBHOOK_EVENT_HEADER = 'x-bulkhead-event';
/** A stable id per event: the same on every retry of that delivery (receivers dedupe by it). */
export const WEBHOOK_DELIVERY_HEADER = 'x-bulkhead-delivery';

/** Sent when a batch member's run finished. Never carries source, stdin or output. */
export const RunFinishedEventSchema = Type.Object({
  event: Type.Literal('run.finished'),
  batchId: Type.String(),
  ...BatchRunSummarySchema.properties,
});
export type RunFinishedEvent = Static<typeof RunFinishedEventSchema>;

/**
 * Sent when a single run (worker/contract/run-webhook.ts) finished: the batch summary without
 * `externalId`; never source, stdin or output (GET /runs/{id} has those).
 */
const { externalId: _externalId, ...singleRunSummary } = BatchRunSummarySchema.properties;
export const SingleRunFinishedEventSchema = Type.Object({ event: Type.Literal('run.finished'), ...singleRunSummary });
export type SingleRunFinishedEvent = Static<typeof SingleRunFinishedEventSchema>;

/** Sent once when the last run of a batch (generation) was counted. */
export const BatchFinishedEventSchema = Type.Object({
  event: Type.Literal('batch.finished'),
  batchId: Type.String(),
  total: Type.Integer(),
  done: Type.Integer(),
  counts: Type.Record(Type.String(), Type.Integer()),
  finishedAt: Type.String(),
});
export type BatchFinishedEvent = Static<typeof BatchFinishedEventSchema>;

/**
 * A job of the webhook queue: the event; the URL and secret are read at delivery from the batch
 * (`batchId`) or, for a single run, from its webhook key (`runId`, worker/contract/run-webhook.ts).
 */
export const WebhookJobSchema = Type.Union([
  Type.Object({ batchId: Type.String(), event: Type.Union([RunFinishedEventSchema, BatchFinishedEventSchema]) }),
  Type.Object({ runId: Type.String(), event: SingleRunFinishedEventSchema }),
]);
export type WebhookJob = Static<typeof WebhookJobSchema>;

/** Longest webhook URL accepted, characters. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * Why `url` may not be a webhook target, or undefined when it may. Only http(s), no credentials in
 * the URL (they would be stored and logged), and, when `allowHosts` is not empty, a host on the
 * list (`example.org` exactly, or `*.example.org` for any subdomain): the operator's choice, even
 * a private one. An empty list allows public hosts only, unless `allowPrivate`: an IP literal
 * must be a public address and `localhost` is refused here, and the worker checks every address
 * a name resolves to when it connects (./public-address.ts), so a client cannot make the worker
 * POST to loopback, a private network or cloud metadata on its behalf (SSRF).
 */
export function webhookUrlProblem(url: string, allowHosts: readonly string[], allowPrivate = false): string | undefined {
  if (url.length > MAX_WEBHOOK_URL_LENGTH) return `longer than ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'only http and https URLs are allowed';
  if (parsed.username !== '' || parsed.password !== '') return 'credentials in the URL are not allowed';
  const host = parsed.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (allowHosts.length === 0) {
    if (allowPrivate) return undefined;
    const isLiteral = isIP(host) !== 0;
    if ((isLiteral && !isPublicAddress(host)) || isLocalhostName(host)) return `host ${host} is not a public address`;
    return undefined;
  }
  const allowed = allowHosts.some((entry) => {
    const rule = entry.toLowerCase();
    return rule.startsWith('*.') ? host.endsWith(rule.slice(1)) : host === rule;
  });
  return allowed ? undefined : `host ${host} is not in the allowed webhook hosts`;
}
