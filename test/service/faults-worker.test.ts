/**
 * Worker faults on the real service (issue 5, issue 8 part 3):
 * - programs that close their pipes early while the worker writes MiBs of stdin into them (T64):
 *   the worker must survive (no EPIPE/SIGPIPE crash), the runs end with their verdicts;
 * - a worker process SIGKILLed mid-run with a second worker running: BullMQ's stalled-job check
 *   (lock 2 s, checked every 1 s here) hands the runs to the survivor, which runs them again to
 *   completion; no sandboxed program of the dead worker is left running.
 * Every submitted run is counted and must be answered (runs lost = 0); the service is healthy after.
 * test/worker/crash.test.ts proves the BullMQ recovery with a FakeSandbox; this adds the native
 * sandbox and the API.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, expectHealthy, postRun, RunLedger, waitForState, waitUntilDone } from '../helpers/service-client.js';
import { orphansWith, processesWith } from '../helpers/service-procs.js';
import { serviceUnavailableReason, startService, type TestService } from '../helpers/service.js';

const MIB = 1024 * 1024;
const STDIN_BYTES = 8 * MIB;

/** Programs that stop reading or writing early, each with the answer it must get. */
const EARLY_CLOSERS = [
  { name: 'bash head -c1 reads one byte and exits', language: 'bash', source: 'head -c1', status: 'OK', stdout: 'a' },
  { name: 'bash exits without reading stdin', language: 'bash', source: 'exit 0', status: 'OK', stdout: '' },
  {
    name: 'python closes stdin, stdout and stderr, then keeps running',
    language: 'python',
    source: 'import os, time\nos.read(0, 1)\nos.close(0)\nos.close(1)\nos.close(2)\ntime.sleep(0.5)\n',
    status: 'OK',
    stdout: '',
  },
  {
    name: 'C closes stdin at once, then writes after the worker hit EPIPE',
    language: 'c',
    source: '#include <stdio.h>\n#include <unistd.h>\nint main(void) { close(0); usleep(300000); puts("still-running"); return 0; }\n',
    status: 'OK',
    stdout: 'still-running\n',
  },
] as const;

const skip = serviceUnavailableReason(['python', 'bash', 'c']);
describe.skipIf(skip !== undefined)(`worker faults${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startService({
      apiEnv: { SBX_BODY_LIMIT_BYTES: String(4 * STDIN_BYTES), SBX_WAIT_TIMEOUT_MS: '30000' },
      workerEnv: { SBX_LOCK_DURATION_MS: '2000', SBX_STALLED_INTERVAL_MS: '1000', SBX_WORKER_SLOTS: '2' },
    });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it(`survives programs that close their pipes early while it writes ${STDIN_BYTES / MIB} MiB of stdin (T64)`, async () => {
    const [worker] = service.workers;
    const pidBefore = worker?.child.pid;
    const ledger = new RunLedger(service.url);
    const stdin = 'a'.repeat(STDIN_BYTES);
    const answers = await Promise.all(EARLY_CLOSERS.map((p) => postRun(service.url, { language: p.language, source: p.source, stdin, wait: true })));
    answers.forEach((a) => ledger.submitted(a));
    // As answered to the callers: none lost (a wrong INTERNAL_ERROR answer counts as lost).
    const { lost } = await ledger.settle(60_000);
    expect.soft(lost, 'runs answered INTERNAL_ERROR or never answered').toEqual([]);

    // As stored by the worker: each program got its own verdict and output.
    const stored = await Promise.all(answers.map((a) => waitUntilDone(service.url, String(a.body.id))));
    const got = EARLY_CLOSERS.map((p, i) => ({ name: p.name, status: stored[i]?.status, stdout: stored[i]?.run?.stdout }));
    expect(got).toEqual(EARLY_CLOSERS.map((p) => ({ name: p.name, status: p.status, stdout: p.stdout })));
    expect(worker?.child.pid).toBe(pidBefore);
    expect(worker?.child.exitCode, worker?.output()).toBeNull();
    expect(worker?.output() ?? '').not.toMatch(/EPIPE|uncaught/i);
    await expectHealthy(service.url);
  }, 90_000);

  it("re-runs a SIGKILLed worker's runs on the surviving worker to completion, leaving no sandboxed program behind", async () => {
    const [doomed] = service.workers;
    if (doomed === undefined) throw new Error('no worker');
    const ledger = new RunLedger(service.url);
    const marker = `kill-${randomUUID()}`;
    // Four runs: two running on the doomed worker (two slots), two queued behind them.
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const source = `import time\nprint("start-${i}", flush=True)\ntime.sleep(6)\nprint("end-${i}")\n`;
      ids.push(ledger.submitted(await postRun(service.url, { language: 'python', source, args: [marker], limits: { wallTimeMs: 20_000 }, wait: false })));
    }
    await waitForState(service.url, ids[0] ?? '', 'running');
    await waitForState(service.url, ids[1] ?? '', 'running');
    // A run is `running` once the worker took it; its program starts a moment later.
    await eventually('two programs run under the doomed worker', async () => processesWith(marker).filter((p) => p.ancestors.includes(doomed.child.pid ?? -1)).length >= 2);

    const survivor = await service.startWorker();
    await eventually('both workers are live in GET /ready', async () => {
      const ready = (await (await fetch(`${service.url}/ready`)).json()) as { checks: { workers: { count?: number } } };
      return ready.checks.workers.count === 2;
    });
    const killedMs = Date.now();
    await doomed.stop('SIGKILL');

    // The dead worker's sandboxes go with it; the survivor's re-runs descend from the survivor.
    await eventually('no sandboxed program of the killed worker is left', async () => orphansWith(marker, [survivor.child.pid ?? -1]).length === 0, 5_000);

    const { lost, results } = await ledger.settle(60_000);
    const recoveredMs = Date.now() - killedMs;
    expect(lost).toEqual([]);
    expect(ids.map((id) => results.get(id)?.run?.stdout)).toEqual([0, 1, 2, 3].map((i) => `start-${i}\nend-${i}\n`));
    expect(ids.map((id) => results.get(id)?.status)).toEqual(['OK', 'OK', 'OK', 'OK']);
    // Lock expiry + stalled check + two rounds of 6 s runs on two slots, with margin.
    expect(recoveredMs).toBeLessThan(25_000);
    expect(survivor.child.exitCode).toBeNull();
    expect(processesWith(marker)).toEqual([]);
    await expectHealthy(service.url);
  }, 120_000);
});
