/**
 * A batch's submissions → queue payloads (one job per submission, all judged against the same
 * stored test set and checker), plus what the store keeps for rejudge.
 */
import { randomUUID } from 'node:crypto';
import { BulkheadError } from '../../worker/contract/errors.js';
import type { JobChecker, SubmissionJob } from '../../worker/contract/job.js';
import type { TestsetManifest } from '../../worker/contract/testset.js';
import type { ApiConfig } from '../config.js';
import { jobTestsOf } from './judge-job.js';
import type { BatchMember } from './judge-store.js';
import { buildSubmissionJob } from '../runs/run-job.js';
import type { RuntimeCatalogue } from '../runs/runtime-catalogue.js';
import type { BatchRequest, BatchSubmission } from '../schemas/batch.js';

/** The jobs of one batch generation and what the store keeps of them. */
export interface BatchPlan {
  jobs: SubmissionJob[];
  members: BatchMember[];
  /** JSON job templates (the job without runId and submittedAt), same order. */
  templates: string[];
}

/** What building needs besides the request. */
export interface BatchBuildContext {
  catalogue: RuntimeCatalogue;
  config: Readonly<Pick<ApiConfig, 'maxFiles' | 'maxTests' | 'maxBatchSubmissions'>>;
  manifest: TestsetManifest;
  checker: JobChecker | undefined;
}

/** Rejects a batch over the configured count or with a repeated external id. */
export function checkSubmissions(submissions: readonly BatchSubmission[], maxSubmissions: number): void {
  if (submissions.length > maxSubmissions) {
    throw new BulkheadError('SBX_ERR_BATCH_TOO_LARGE', `At most ${maxSubmissions} submissions are allowed in a batch, got ${submissions.length}`, {
      details: { maximum: maxSubmissions },
    });
  }
  const seen = new Set<string>();
  for (const s of submissions) {
    if (seen.has(s.externalId)) throw new BulkheadError('SBX_ERR_VALIDATION', `externalId "${s.externalId}" is used twice`, { details: { externalId: s.externalId } });
    seen.add(s.externalId);
  }
}

/** Builds every submission's job; a client mistake in one names the submission and rejects the batch. */
export async function buildBatchPlan(body: BatchRequest, ctx: BatchBuildContext, batchId: string, now: Date): Promise<BatchPlan> {
  const plan: BatchPlan = { jobs: [], members: [], templates: [] };
  const tests = jobTestsOf(ctx.manifest);
  for (const [index, submission] of body.submissions.entries()) {
    let job: SubmissionJob;
    try {
      job = await buildOne(body, submission, ctx, now);
    } catch (err) {
      if (!(err instanceof BulkheadError)) throw err;
      throw new BulkheadError(err.code, `submissions[${index}] (${submission.externalId}): ${err.message}`, {
        details: { ...err.details, submission: index, externalId: submission.externalId },
      });
    }
    job.tests = tests;
    if (ctx.checker !== undefined) job.checker = ctx.checker;
    job.batchId = batchId;
    job.externalId = submission.externalId;
    plan.jobs.push(job);
    plan.members.push({ runId: job.runId, externalId: submission.externalId });
    plan.templates.push(templateOf(job));
  }
  return plan;
}

async function buildOne(body: BatchRequest, submission: BatchSubmission, ctx: BatchBuildContext, now: Date): Promise<SubmissionJob> {
  const language = submission.language ?? body.language;
  if (language === undefined) throw new BulkheadError('SBX_ERR_VALIDATION', 'no language: set the submission\'s or the batch\'s "language"');
  // A submission's own version always counts; the batch's only for a submission that names no
  // language of its own (it was given for the batch's language).
  const version = submission.version ?? (submission.language === undefined ? body.version : undefined);
  const runtime = await ctx.catalogue.resolve(language, version);
  const request = {
    language,
    source: submission.source,
    files: submission.files,
    limits: body.limits,
    compare: body.compare,
    stopOnFirstFailure: body.stopOnFirstFailure,
    testset: ctx.manifest.id,
  };
  return buildSubmissionJob(request, runtime, ctx.config, randomUUID(), now);
}

function templateOf(job: SubmissionJob): string {
  const { runId: _runId, submittedAt: _submittedAt, ...template } = job;
  return JSON.stringify(template);
}

/** A new generation from the kept templates: same submissions, new run ids. */
export function replanFromTemplates(templates: readonly string[], now: Date): BatchPlan {
  const plan: BatchPlan = { jobs: [], members: [], templates: [...templates] };
  for (const template of templates) {
    const job = { ...(JSON.parse(template) as Omit<SubmissionJob, 'runId' | 'submittedAt'>), runId: randomUUID(), submittedAt: now.toISOString() } as SubmissionJob;
    plan.jobs.push(job);
    plan.members.push({ runId: job.runId, externalId: job.externalId ?? '' });
  }
  return plan;
}
