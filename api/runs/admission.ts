/**
 * Admission of one run, shared by POST /run and the WebSocket `start` message so that both take
 * exactly the same path: runtime resolved, request checked and turned into the queue payload,
 * judging parts resolved, backpressure checked. Every client mistake throws a coded BulkheadError.
 */
import { randomUUID } from 'node:crypto';
import { webhookUrlProblem } from '../../worker/contract/batch.js';
import { BulkheadError } from '../../worker/contract/errors.js';
import type { SubmissionJob } from '../../worker/contract/job.js';
import type { ApiConfig } from '../config.js';
import { BacklogGauge } from './backlog-gauge.js';
import { addJudging } from '../judging/judge-job.js';
import type { JudgeStore } from '../judging/judge-store.js';
import type { SubmissionQueue } from '../plugins/submission-queue.js';
import { buildSubmissionJob } from './run-job.js';
import type { RuntimeCatalogue } from './runtime-catalogue.js';
import type { RunRequest } from '../schemas/run.js';

/**
 * With tests the program runs once per test on each test's own stdin, and only the verdicts are
 * reported, so a run-wide stdin or `live` would be ignored: refused instead (an empty stdin says
 * nothing and passes).
 */
function refuseSingleRunFieldsWithTests(body: RunRequest): void {
  if (body.tests === undefined && body.testset === undefined) return;
  const stdin = (body.stdin ?? '') !== '' || (body.stdinBase64 ?? '') !== '';
  if (stdin) throw new BulkheadError('SBX_ERR_VALIDATION', 'With "tests" or "testset" each test has its own stdin: give it there, not at the top level');
  if (body.live === true) throw new BulkheadError('SBX_ERR_VALIDATION', '"live" streams a single run\'s output; with "tests" or "testset" the result carries each test\'s verdict');
}

export class RunAdmission {
  private readonly gauge: BacklogGauge;

  constructor(
    queue: SubmissionQueue,
    private readonly store: JudgeStore,
    private readonly config: Readonly<ApiConfig>,
    private readonly catalogue: RuntimeCatalogue,
  ) {
    this.gauge = new BacklogGauge(queue, config.maxQueueDepth);
  }

  /**
   * The job for a schema-valid request, not yet queued. `setRetryAfter` receives the seconds to
   * announce when the queue is full (POST /run sets the Retry-After header).
   */
  async admit(body: RunRequest, setRetryAfter?: (seconds: number) => void): Promise<SubmissionJob> {
    refuseSingleRunFieldsWithTests(body);
    const runtime = await this.catalogue.resolve(body.language, body.version);
    const job = buildSubmissionJob(body, runtime, this.config, randomUUID(), new Date());
    await addJudging(job, body, { store: this.store, catalogue: this.catalogue, config: this.config });
    if (body.webhook !== undefined) this.checkWebhookUrl(body.webhook.url);
    await this.checkBackpressure(setRetryAfter);
    if (body.webhook !== undefined) await this.keepWebhook(job, body.webhook);
    return job;
  }

  /** The same address rules as batch webhooks (checked again at delivery, on the address connected to). */
  private checkWebhookUrl(url: string): void {
    const problem = webhookUrlProblem(url, this.config.webhookAllowHosts, this.config.webhookAllowPrivate);
    if (problem !== undefined) throw new BulkheadError('SBX_ERR_WEBHOOK_URL', `The webhook URL is not allowed: ${problem}`);
  }

  /**
   * The target is stored apart from the job, so the secret never rides in the queue payload. It
   * is kept as long as a batch (a queued run may wait longer than the result TTL behind a
   * backlog); the worker cuts it to the result TTL when it starts the run.
   */
  private async keepWebhook(job: SubmissionJob, webhook: NonNullable<RunRequest['webhook']>): Promise<void> {
    await this.store.saveRunWebhook(job.runId, webhook, Math.max(this.config.resultTtlS, this.config.batchTtlS));
    job.webhook = true;
  }

  /** Counts a queued run into the backlog estimate. */
  admitted(): void {
    this.gauge.admitted();
  }

  /** Refuses new work while the backlog is at the configured depth (a soft bound: checks race). */
  private async checkBackpressure(setRetryAfter?: (seconds: number) => void): Promise<void> {
    const backlog = await this.gauge.backlog();
    const { maxQueueDepth, queueFullRetryAfterS } = this.config;
    if (backlog < maxQueueDepth) return;
    setRetryAfter?.(queueFullRetryAfterS);
    throw new BulkheadError('SBX_ERR_QUEUE_FULL', `The queue is full (${backlog} runs waiting); retry after ${queueFullRetryAfterS} s`, {
      details: { retryAfterS: queueFullRetryAfterS },
    });
  }
}
