/**
 * Issue 6, end to end: a batch of 200 submissions (fast Bash and Python programs, correct and
 * wrong) on the real service completes with the right counts, CSV and JSON downloads, and signed
 * webhook deliveries (run.finished x 200 + batch.finished x 1, the first delivery failed and
 * retried), while interactive POST /run requests sent meanwhile still answer promptly and finish
 * before the batch does (priorities). Then a small batch is re-judged under the same id.
 */
import { describe, expect, it } from 'vitest';
import { WEBHOOK_DELIVERY_HEADER, WEBHOOK_EVENT_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from '../../worker/contract/batch.js';
import { verifyWebhook } from '../../worker/webhooks/sign.js';
import { eventually } from '../helpers/service-client.js';
import { serviceUnavailableReason, type TestService } from '../helpers/service.js';
import { call, judge } from './judge-client.js';
import { serviceWithReceiverPerSuite, type WebhookReceiver } from './webhook-receiver.js';

const skip = serviceUnavailableReason(['python', 'bash']);
const SECRET = 'grader-secret';
const TESTS = [
  { id: 'small', stdin: '1 2\n', expected: '3\n' },
  { id: 'negative', stdin: '-5 5\n', expected: '0\n' },
];
const PROGRAMS = {
  bashCorrect: { language: 'bash', source: 'read a b\necho $((a + b))\n' },
  pythonCorrect: { language: 'python', source: 'a, b = map(int, input().split())\nprint(a + b)\n' },
  bashWrong: { language: 'bash', source: 'read a b\necho $((a - b))\n' },
  pythonCrash: { language: 'python', source: 'raise SystemExit(3)\n' },
};
/** 200 submissions: 150 correct, 30 wrong, 20 crashing. */
const MIX: [keyof typeof PROGRAMS, number][] = [
  ['bashCorrect', 100],
  ['pythonCorrect', 50],
  ['bashWrong', 30],
  ['pythonCrash', 20],
];

let service: TestService;
let receiver: WebhookReceiver;

function submissions(): Record<string, unknown>[] {
  return MIX.flatMap(([kind, n]) => Array.from({ length: n }, (_, i) => ({ externalId: `${kind}-${i}`, ...PROGRAMS[kind] })));
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Interactive runs, one after another, until `stop()` says so; returns latency and end time of each. */
async function interactiveWhile(stop: () => boolean): Promise<{ latencyMs: number; endedAtMs: number }[]> {
  const samples: { latencyMs: number; endedAtMs: number }[] = [];
  while (!stop() && samples.length < 15) {
    const startedMs = Date.now();
    const run = await judge(service.url, { language: 'python', source: 'print(6 * 7)' });
    expect(run.status).toBe('OK');
    samples.push({ latencyMs: Date.now() - startedMs, endedAtMs: Date.now() });
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return samples;
}

describe.skipIf(skip !== undefined)(`batches${skip ? ` (skipped: ${skip})` : ''}`, () => {
  serviceWithReceiverPerSuite((made) => ({ service, receiver } = made));

  it('judges 200 submissions with the right counts, downloads and signed webhooks while interactive runs stay prompt', async () => {
    const created = await call(service.url, 'POST', '/batches', { tests: TESTS, submissions: submissions(), webhook: { url: receiver.url, secret: SECRET } });
    expect(created.status, created.text).toBe(202);
    const id = String(created.body.id);
    expect(created.body.total).toBe(200);

    let batchDone = false;
    const interactive = interactiveWhile(() => batchDone);
    await eventually(
      'the batch is done',
      async () => {
        const state = await call(service.url, 'GET', `/batches/${id}`);
        batchDone = state.body.state === 'done';
        return batchDone;
      },
      180_000,
    );
    const samples = await interactive;
    const batch = await call(service.url, 'GET', `/batches/${id}?offset=150&limit=50`);
    expect(batch.body).toMatchObject({ state: 'done', total: 200, done: 200, counts: { OK: 150, WRONG_ANSWER: 30, RUNTIME_ERROR: 20 } });
    expect(batch.body.results).toHaveLength(50);

    // Priorities: interactive runs answered fast and all finished before the batch did.
    expect(samples.length).toBeGreaterThanOrEqual(3);
    const finishedAtMs = Date.parse(String(batch.body.finishedAt));
    expect(
      percentile(
        samples.map((s) => s.latencyMs),
        95,
      ),
      JSON.stringify(samples),
    ).toBeLessThan(3000);
    for (const s of samples.slice(0, -1)) expect(s.endedAtMs).toBeLessThan(finishedAtMs);

    const csv = await call(service.url, 'GET', `/batches/${id}/results.csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(201);
    expect(lines[0]).toBe('externalId,runId,state,status,passed,total,score,errorCode,finishedAt');
    expect(lines.filter((l) => l.startsWith('bashWrong-') && l.includes(',done,WRONG_ANSWER,0,2,'))).toHaveLength(30);
    const json = await call(service.url, 'GET', `/batches/${id}/results.json`);
    const rows = json.body.results as { externalId: string; status: string; passed: number }[];
    expect(rows.filter((r) => r.status === 'OK' && r.passed === 2)).toHaveLength(150);
    expect(rows.find((r) => r.externalId === 'pythonCrash-0')?.status).toBe('RUNTIME_ERROR');

    await eventually('201 deliveries accepted', async () => new Set(receiver.accepted().map((d) => d.headers[WEBHOOK_DELIVERY_HEADER])).size >= 201, 60_000);
    const accepted = receiver.accepted();
    const byEvent = (event: string) => new Set(accepted.filter((d) => d.headers[WEBHOOK_EVENT_HEADER] === event).map((d) => d.headers[WEBHOOK_DELIVERY_HEADER]));
    expect(byEvent('run.finished').size).toBe(200);
    expect(byEvent('batch.finished').size).toBe(1);
    for (const d of accepted) {
      const timestamp = String(d.headers[WEBHOOK_TIMESTAMP_HEADER]);
      expect(verifyWebhook(SECRET, timestamp, d.body, String(d.headers[WEBHOOK_SIGNATURE_HEADER]))).toBe(true);
      expect(d.body).not.toMatch(/echo|print|raise/);
    }
    const failed = receiver.deliveries.filter((d) => d.answered >= 500);
    expect(failed).toHaveLength(1);
    expect(accepted.some((d) => d.headers[WEBHOOK_DELIVERY_HEADER] === failed[0]?.headers[WEBHOOK_DELIVERY_HEADER])).toBe(true);
    const finished = accepted.find((d) => d.headers[WEBHOOK_EVENT_HEADER] === 'batch.finished');
    expect(JSON.parse(finished?.body ?? '{}')).toMatchObject({
      event: 'batch.finished',
      batchId: id,
      total: 200,
      done: 200,
      counts: { OK: 150, WRONG_ANSWER: 30, RUNTIME_ERROR: 20 },
    });
  }, 240_000);

  it('re-judges a batch under the same id with new runs and fresh counters', async () => {
    const small = [
      { externalId: 'a', ...PROGRAMS.bashCorrect },
      { externalId: 'b', ...PROGRAMS.bashWrong },
    ];
    const created = await call(service.url, 'POST', '/batches', { tests: TESTS, submissions: small });
    const id = String(created.body.id);
    const doneWith = async (generation: number) => {
      await eventually(
        `generation ${generation} done`,
        async () => {
          const state = await call(service.url, 'GET', `/batches/${id}`);
          return state.body.state === 'done' && state.body.generation === generation;
        },
        60_000,
      );
      return (await call(service.url, 'GET', `/batches/${id}`)).body;
    };
    const first = await doneWith(1);
    const again = await call(service.url, 'POST', `/batches/${id}/rejudge`);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ id, total: 2, generation: 2 });
    const second = await doneWith(2);
    expect(second.counts).toEqual({ OK: 1, WRONG_ANSWER: 1 });
    const runIds = (body: Record<string, unknown>) => (body.results as { runId: string }[]).map((r) => r.runId);
    expect(runIds(second).some((r) => runIds(first).includes(r))).toBe(false);
    expect((await call(service.url, 'GET', '/batches/no-such-batch')).status).toBe(404);
  }, 120_000);
});
