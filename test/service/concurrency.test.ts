/**
 * 100 concurrent POST /run on the real service (issue 5): two worker processes, every run in the
 * real sandbox. Each request carries its own stdin and must get back its own answer (no crossed
 * results), none may be lost (submitted = answered), and the service is healthy afterwards.
 * The worker tier (test/worker/queue.test.ts) proves the same with a FakeSandbox; this one adds the
 * HTTP edge, the API's waiters and the native sandbox under load.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectHealthy, postRun, RunLedger, type HttpAnswer } from '../helpers/service-client.js';
import { serviceUnavailableReason, startService, type TestService } from '../helpers/service.js';

const RUNS = 100;
let service: TestService;

/** Request `i`: Python squares its stdin, Bash echoes it back with a prefix (two runtimes mixed). */
function request(i: number): { body: Record<string, unknown>; stdout: string } {
  if (i % 4 === 3) {
    return { body: { language: 'bash', source: 'read -r n; echo "bash:$n"', stdin: `${i}\n` }, stdout: `bash:${i}\n` };
  }
  return { body: { language: 'python', source: 'n = int(input())\nprint(n * n)', stdin: `${i}\n` }, stdout: `${i * i}\n` };
}

const skip = serviceUnavailableReason(['python', 'bash']);
describe.skipIf(skip !== undefined)(`100 concurrent runs${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    // The wait bound covers the whole burst, so most answers are 200; a 202 is polled by the ledger.
    service = await startService({ workers: 2, apiEnv: { SBX_WAIT_TIMEOUT_MS: '120000' } });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('completes every one of 100 concurrent POST /run with its own output and loses none', async () => {
    const ledger = new RunLedger(service.url);
    const startedMs = Date.now();
    const answers: HttpAnswer[] = await Promise.all(Array.from({ length: RUNS }, (_, i) => postRun(service.url, { ...request(i).body, wait: true })));
    const elapsedMs = Date.now() - startedMs;
    const ids = answers.map((a) => ledger.submitted(a));
    expect(ledger.count).toBe(RUNS);
    expect(new Set(ids).size).toBe(RUNS);

    const { lost, results } = await ledger.settle(120_000);
    expect(lost).toEqual([]);
    const wrong = ids.flatMap((id, i) => {
      const body = results.get(id);
      const expected = request(i).stdout;
      return body?.status === 'OK' && body.run?.stdout === expected ? [] : [`#${i}: ${body?.status} ${JSON.stringify(body?.run?.stdout)} ≠ ${JSON.stringify(expected)}`];
    });
    expect(wrong).toEqual([]);
    console.info(`${RUNS} concurrent runs answered in ${elapsedMs} ms (${answers.filter((a) => a.httpStatus === 200).length} as 200)`);
  }, 180_000);

  it('leaves nothing queued or running after the burst, and at least 100 runs completed', async () => {
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    const jobs = (state: string) => Number(new RegExp(`^bulkhead_queue_jobs\\{state="${state}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
    expect({ waiting: jobs('waiting'), prioritized: jobs('prioritized'), active: jobs('active'), failed: jobs('failed') }).toEqual({
      waiting: 0,
      prioritized: 0,
      active: 0,
      failed: 0,
    });
    expect(jobs('completed')).toBeGreaterThanOrEqual(RUNS);
  });

  it('is healthy after the burst, with both workers alive', async () => {
    expect(service.workers.map((w) => w.child.exitCode)).toEqual([null, null]);
    await expectHealthy(service.url);
  });
});
