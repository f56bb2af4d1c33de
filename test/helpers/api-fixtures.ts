import { randomUUID } from 'node:crypto';
import { buildApp } from '../../api/app.js';
import { apiConfigWith, type ApiConfig } from '../../api/config.js';
import type { RuntimeInfo, WorkerHeartbeat } from '../../worker/contract/heartbeat.js';
import type { RunResult, StageResult } from '../../worker/contract/result.js';
import { FakeJudgeStore } from './api-fake-judge-store.js';
import { FakeLiveChannel } from './api-fake-live.js';
import { FakeSubmissionQueue } from './api-fake-queue.js';
import { limitsWith } from './limits.js';

const MIB = 1024 * 1024;

export function runtime(overrides: Partial<RuntimeInfo> = {}): RuntimeInfo {
  return {
    language: 'python',
    version: '3.12.1',
    aliases: ['py', 'python3'],
    compiled: false,
    sourceFile: 'main.py',
    limits: {
      default: limitsWith({ cpuTimeMs: 2000, wallTimeMs: 5000, memoryBytes: 256 * MIB, pids: 32, outputBytes: 64 * 1024 }),
      max: limitsWith({ cpuTimeMs: 10_000, wallTimeMs: 20_000, memoryBytes: 512 * MIB, pids: 64, outputBytes: MIB }),
    },
    ...overrides,
  };
}

export const C_RUNTIME = runtime({ language: 'c', version: '12.2.0', aliases: ['gcc'], compiled: true, sourceFile: 'main.c' });

export function heartbeat(runtimes: RuntimeInfo[] = [runtime(), C_RUNTIME], overrides: Partial<WorkerHeartbeat> = {}): WorkerHeartbeat {
  return {
    workerId: `w-${randomUUID()}`,
    hostname: 'test-host',
    pid: 1234,
    slots: 4,
    busySlots: 1,
    cgroupVersion: 2,
    startedAt: new Date(0).toISOString(),
    ttlMs: 15_000,
    runtimes,
    ...overrides,
  };
}

export function stage(overrides: Partial<StageResult> = {}): StageResult {
  return {
    status: 'OK',
    exitCode: 0,
    signal: null,
    stdout: 'hello\n',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    cpuTimeMs: 12,
    wallTimeMs: 30,
    memoryBytes: 8 * MIB,
    ...overrides,
  };
}

export function okResult(overrides: Partial<RunResult> = {}): Omit<RunResult, 'id'> {
  return { language: 'python', version: '3.12.1', status: 'OK', run: stage(), ...overrides };
}

/** Test config: quiet logs, no worker cache, small bounds that tests can reach. */
export function testConfig(overrides: Partial<ApiConfig> = {}): Readonly<ApiConfig> {
  return apiConfigWith({ logLevel: 'silent', workerCacheMs: 0, maxFiles: 4, maxTests: 3, bodyLimitBytes: 64 * 1024, ...overrides });
}

/** An app over a fake queue (one live worker, python + c, unless told otherwise) and a fake judge store sharing its Redis. */
export async function makeApp(configOverrides: Partial<ApiConfig> = {}, queue = new FakeSubmissionQueue(), live = new FakeLiveChannel()) {
  if (queue.workers.length === 0) queue.workers = [heartbeat()];
  const store = new FakeJudgeStore(queue);
  const app = await buildApp({ queue, judgeStore: store, config: testConfig(configOverrides), live });
  return { app, queue, live, store };
}
