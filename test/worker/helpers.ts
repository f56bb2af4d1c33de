/**
 * Shared pieces of the worker integration tests: a hand-built RuntimeIndex, job payloads,
 * a fast-recovery WorkerConfig, and polling for a job's final state.
 */
import { randomUUID } from 'node:crypto';
import { Job, Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { pino, type Logger } from 'pino';
import { loadWorkerConfig, type WorkerConfig } from '../../worker/config.js';
import { JOB_SCHEMA_VERSION, type SubmissionJob } from '../../worker/contract/job.js';
import type { ResolvedLimits } from '../../worker/contract/limits.js';
import { limitsWith } from '../helpers/limits.js';
import { redisOptionsFromUrl } from '../../worker/redis-options.js';
import type { Runtime, RuntimeIndex } from '../../worker/runtimes/runtime.js';
import type { CompiledProfile } from '../../worker/sandbox/spec.js';

export const TEST_LIMITS: ResolvedLimits = limitsWith({ cpuTimeMs: 1000, wallTimeMs: 2000, memoryBytes: 256 << 20, pids: 32, outputBytes: 1 << 20 });

function runtime(language: string, compiled: boolean): Runtime {
  return {
    language,
    version: '1.0.0',
    image: language,
    aliases: [`${language}-alias`],
    sourceFile: compiled ? 'main.c' : 'main.py',
    layers: [`/data/images/${language}/layer0`],
    ...(compiled ? { compile: { argv: ['cc', 'main.c', '-o', 'a.out'] } } : {}),
    run: { argv: compiled ? ['./a.out'] : ['python3', 'main.py'] },
    env: ['PATH=/usr/bin:/bin'],
    profile: 'default',
    compileProfile: compiled ? 'compiler' : 'default',
    limits: { default: TEST_LIMITS, max: { ...TEST_LIMITS, cpuTimeMs: 5000, wallTimeMs: 10_000 } },
    compileLimits: { ...TEST_LIMITS, cpuTimeMs: 10_000, wallTimeMs: 20_000 },
  };
}

/** `python` (interpreted) and `c` (compiled). */
export function testRuntimes(): RuntimeIndex {
  const all = [runtime('python', false), runtime('c', true)];
  return {
    list: () => all,
    resolve: (name, version) => all.find((r) => (r.language === name.toLowerCase() || r.aliases.includes(name.toLowerCase())) && (version === undefined || r.version === version)),
  };
}

export function testProfiles(): ReadonlyMap<string, CompiledProfile> {
  return new Map(['default', 'compiler'].map((name) => [name, { name, bpf: Buffer.alloc(0) }]));
}

/** A valid payload; `overrides` replace top-level fields. */
export function makeJob(overrides: Partial<SubmissionJob> = {}): SubmissionJob {
  return {
    schemaVersion: JOB_SCHEMA_VERSION,
    runId: randomUUID(),
    language: 'python',
    files: [{ name: 'main.py', contentBase64: Buffer.from('print(input())').toString('base64') }],
    stdinBase64: Buffer.from('hello\n').toString('base64'),
    args: [],
    limits: TEST_LIMITS,
    submittedAt: new Date().toISOString(),
    ...overrides,
  };
}

export const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A config with second-scale lock and stall checks so recovery happens quickly in tests. */
export function testConfig(redisUrl: string, queueName: string, env: Record<string, string> = {}): Readonly<WorkerConfig> {
  return loadWorkerConfig(
    {
      SBX_REDIS_URL: redisUrl,
      SBX_QUEUE_NAME: queueName,
      SBX_WORKER_SLOTS: '4',
      SBX_LOCK_DURATION_MS: '1000',
      SBX_STALLED_INTERVAL_MS: '500',
      SBX_HEARTBEAT_MS: '3000',
      SBX_SHUTDOWN_GRACE_MS: '5000',
      ...env,
    },
    { hostname: 'test', pid: process.pid, cores: 2 },
  );
}

export const silentLog: Logger = pino({ level: 'silent' });

export function makeQueue(redisUrl: string, queueName: string): Queue {
  return new Queue(queueName, { connection: { ...redisOptionsFromUrl(redisUrl) } as ConnectionOptions });
}

/** Adds a job the way the API does: job id = run id. */
export async function addRun(queue: Queue, job: SubmissionJob | Record<string, unknown>, opts: JobsOptions = {}): Promise<string> {
  const runId = String((job as { runId?: unknown }).runId ?? randomUUID());
  await queue.add('run', job, { jobId: runId, attempts: 3, backoff: { type: 'fixed', delay: 50 }, ...opts });
  return runId;
}

/** Polls until the job is completed or failed; returns it with its final state. */
export async function waitForJob(queue: Queue, jobId: string, timeoutMs = 20_000): Promise<{ job: Job; state: 'completed' | 'failed' }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = await queue.getJobState(jobId);
    if (state === 'completed' || state === 'failed') {
      const job = await Job.fromId(queue, jobId);
      if (job !== undefined) return { job, state };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} did not finish within ${timeoutMs} ms`);
}
