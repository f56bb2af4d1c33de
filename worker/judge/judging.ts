/**
 * What judging adds to a worker, put together in one place: the processor's judging ports (the
 * checker judge, the interactive runner, the test-set blob reader) and batch accounting around the
 * processor (the ledger, recording members that fail for good, also from the Worker's `failed`
 * event). worker-service.ts wires the result in; tests may replace any of the ports.
 */
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ProcessorDeps, RunProcessor } from '../processor.js';
import { createBatchLedger, recordFailedMember, withBatchAccounting, type WebhookOutbox } from './batch-ledger.js';
import { redisBlobResolver } from './blob-store.js';
import { createCheckerJudge, type CheckerJudgeDeps } from './checker.js';
import { createInteractiveRunner } from './interactive.js';

/** The processor dependencies judging provides. */
export type JudgingPorts = Required<Pick<ProcessorDeps, 'judgeOutput' | 'interact' | 'resolveBlob'>>;

export interface JudgingDeps extends Omit<CheckerJudgeDeps, 'fallback'> {
  redis: Redis;
  /** Where `run.finished` / `batch.finished` deliveries are enqueued. */
  outbox: WebhookOutbox;
  log: Logger;
  /** Ports given by the caller (tests) instead of the real ones. */
  given?: Partial<JudgingPorts>;
}

export interface Judging {
  ports: JudgingPorts;
  /** Wraps the run processor with batch accounting. */
  withAccounting(processor: RunProcessor): RunProcessor;
  /** For the Worker's `failed` event: counts members BullMQ failed before any processor ran. */
  onFailed(job: Job | undefined, err: Error): void;
}

export function createJudging(deps: JudgingDeps): Judging {
  const checkerDeps: CheckerJudgeDeps = { sandbox: deps.sandbox, runtimes: deps.runtimes, plan: deps.plan, limits: deps.limits };
  const ledger = createBatchLedger(deps.redis, deps.outbox);
  return {
    ports: {
      judgeOutput: deps.given?.judgeOutput ?? createCheckerJudge(checkerDeps),
      interact: deps.given?.interact ?? createInteractiveRunner(checkerDeps),
      resolveBlob: deps.given?.resolveBlob ?? redisBlobResolver(deps.redis),
    },
    withAccounting: (processor) => withBatchAccounting(processor, ledger, deps.log),
    onFailed: recordFailedMember(ledger, deps.log),
  };
}
