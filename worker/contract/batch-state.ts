/**
 * Every write of a batch's Redis state, defined once: creating a batch (the API), recording a
 * member's end (the worker) and starting a new generation for a rejudge (the API). Each is one Lua
 * script with its key and argument builder; the processes' adapters only EVAL the call they get
 * here (api/queue/redis-judge-store.ts, worker/judge/batch-ledger.ts), so the layout of
 * ./batch.ts has exactly one writer. Scripts rather than MULTI: each write must read before it
 * writes (membership, the "counted" flag, whether the batch still exists) in the same atomic step.
 * No I/O here (the contract imports no Redis client).
 */
import { batchCountField, batchKeys, type BatchRunSummary } from './batch.js';
import { STATUSES } from './result.js';

/** One script call: the adapter sends `EVAL script keys.length ...keys ...args`. */
export interface BatchScriptCall {
  script: string;
  keys: string[];
  args: string[];
}

/** One member run of a batch generation. */
export interface BatchMemberRef {
  runId: string;
  externalId: string;
}

/** What creating a batch writes. */
export interface BatchCreation {
  id: string;
  createdAt: string;
  testsetId: string;
  members: readonly BatchMemberRef[];
  /** JSON job templates, same order as `members` (see BATCH_TEMPLATE_OMITTED). */
  templates: readonly string[];
  webhook?: { url: string; secret?: string };
}

/** The `count:` prefix of ./batch.ts's per-status fields, as the scripts match it. */
const COUNT_PREFIX = batchCountField('');

/**
 * Lua helpers shared by the scripts. Lists go to Redis in slices: Lua's `unpack` fails past a few
 * thousand values, and a batch may hold more members than that.
 */
const LUA_HELPERS = `
local function push_all(key, from, to)
  for i = from, to, 500 do redis.call('RPUSH', key, unpack(ARGV, i, math.min(i + 499, to))) end
end
local function add_members(runs, members, first, n)
  if n == 0 then return end
  push_all(runs, first, first + n - 1)
  for i = first, first + n - 1 do redis.call('HSET', members, ARGV[i], ARGV[i + n]) end
end
local function expire_all(ttl, ...)
  for _, key in ipairs({...}) do redis.call('EXPIRE', key, ttl) end
end
`;

/**
 * KEYS: meta, runs, members, submissions. ARGV: ttlS, meta field count (2 per field), member
 * count n, the meta fields and values, n run ids, n external ids, then the templates.
 */
const CREATE_SCRIPT = `${LUA_HELPERS}
local metaArgs, n = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('HSET', KEYS[1], unpack(ARGV, 4, 3 + metaArgs))
add_members(KEYS[2], KEYS[3], 4 + metaArgs, n)
local templates = 4 + metaArgs + 2 * n
if #ARGV >= templates then push_all(KEYS[4], templates, #ARGV) end
expire_all(ARGV[1], KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return 1
`;

/**
 * KEYS: meta, runs, members, results, submissions. ARGV: ttlS, member count n, n run ids, n
 * external ids. Returns the new generation, 0 when the batch is unknown. One atomic step: a worker finishing an
 * old-generation run sees either the old members (and counts into the old generation, wiped here)
 * or the new ones (and is ignored).
 */
const REJUDGE_SCRIPT = `${LUA_HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = tonumber(ARGV[2])
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
local stale = {'finishedAt'}
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(field, 1, ${COUNT_PREFIX.length}) == '${COUNT_PREFIX}' then stale[#stale + 1] = field end
end
redis.call('HDEL', KEYS[1], unpack(stale))
redis.call('HSET', KEYS[1], 'done', '0', 'total', tostring(n))
local generation = redis.call('HINCRBY', KEYS[1], 'generation', 1)
add_members(KEYS[2], KEYS[3], 3, n)
expire_all(ARGV[1], KEYS[1], KEYS[2], KEYS[3], KEYS[5])
return generation
`;

/**
 * KEYS: meta, members, results. ARGV: runId, status, summary JSON, finishedAt.
 * Returns { fresh (1|0, or -1 when not a member), done, total, hasWebhook (1|0), generation, stored summary }.
 * The summary is written with HSETNX and only a fresh write counts, so a job run again (retry,
 * stalled recovery) is never counted twice.
 */
const RECORD_SCRIPT = `
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return {-1} end
local fresh = 0
if redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[3]) == 1 then
  fresh = 1
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then redis.call('PEXPIRE', KEYS[3], ttl) end
  redis.call('HINCRBY', KEYS[1], '${COUNT_PREFIX}' .. ARGV[2], 1)
  local done = redis.call('HINCRBY', KEYS[1], 'done', 1)
  if done == tonumber(redis.call('HGET', KEYS[1], 'total')) then redis.call('HSET', KEYS[1], 'finishedAt', ARGV[4]) end
end
local m = redis.call('HMGET', KEYS[1], 'done', 'total', 'webhookUrl', 'generation')
return {fresh, tonumber(m[1]) or 0, tonumber(m[2]) or 0, m[3] and 1 or 0, m[4] or '0', redis.call('HGET', KEYS[3], ARGV[1])}
`;

function memberArgs(members: readonly BatchMemberRef[]): string[] {
  return [...members.map((m) => m.runId), ...members.map((m) => m.externalId)];
}

/** Writes a new batch (generation 1, nothing done) with `ttlS` on every key. */
export function createBatchCall(batch: BatchCreation, ttlS: number): BatchScriptCall {
  const keys = batchKeys(batch.id);
  const meta: Record<string, string> = { total: String(batch.members.length), done: '0', generation: '1', createdAt: batch.createdAt, testsetId: batch.testsetId };
  if (batch.webhook !== undefined) {
    meta.webhookUrl = batch.webhook.url;
    if (batch.webhook.secret !== undefined) meta.webhookSecret = batch.webhook.secret;
  }
  const metaArgs = Object.entries(meta).flat();
  return {
    script: CREATE_SCRIPT,
    keys: [keys.meta, keys.runs, keys.members, keys.submissions],
    args: [String(ttlS), String(metaArgs.length), String(batch.members.length), ...metaArgs, ...memberArgs(batch.members), ...batch.templates],
  };
}

/** Starts a new generation with `members`: counters, results and `finishedAt` reset. The reply is 1, or 0 for an unknown batch. */
export function rejudgeBatchCall(batchId: string, members: readonly BatchMemberRef[], ttlS: number): BatchScriptCall {
  const keys = batchKeys(batchId);
  return {
    script: REJUDGE_SCRIPT,
    keys: [keys.meta, keys.runs, keys.members, keys.results, keys.submissions],
    args: [String(ttlS), String(members.length), ...memberArgs(members)],
  };
}

/** Records one member's end at `finishedAt` (ISO); read the reply with {@link recordReplyOf}. */
export function recordRunCall(batchId: string, summary: BatchRunSummary, finishedAt: string): BatchScriptCall {
  const keys = batchKeys(batchId);
  return {
    script: RECORD_SCRIPT,
    keys: [keys.meta, keys.members, keys.results],
    args: [summary.runId, summary.status, JSON.stringify(summary), finishedAt],
  };
}

/** What recording did: nothing for a non-member, else the batch's counters after it. */
export type RecordReply = { member: false } | { member: true; done: number; total: number; hasWebhook: boolean; generation: string; counted: BatchRunSummary };

/** Reads the record script's reply; the counted summary is the first one recorded for the run. */
export function recordReplyOf(reply: unknown): RecordReply {
  const values = Array.isArray(reply) ? (reply as unknown[]) : [];
  if (Number(values[0] ?? -1) < 0) return { member: false };
  // The first value (whether this call counted the run) is not needed: counting is idempotent.
  const [, done, total, hasWebhook, generation, stored] = values;
  // Written by RECORD_SCRIPT from a BatchRunSummary: this script is its only writer.
  const counted = JSON.parse(String(stored)) as BatchRunSummary;
  return { member: true, done: Number(done), total: Number(total), hasWebhook: Number(hasWebhook) === 1, generation: String(generation), counted };
}

/** Counts by status from the batch hash's `count:<STATUS>` fields (zeros left out): the one place they are read. */
export function countsOf(meta: Readonly<Record<string, string>>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const status of STATUSES) {
    const n = Number(meta[batchCountField(status)] ?? 0);
    if (n > 0) counts[status] = n;
  }
  return counts;
}
