/**
 * The whole service for end-to-end tests, as a user runs it: a real redis-server, real worker
 * processes (`worker/main.ts`: the native sandbox and the built images) and a real API process
 * (`api/main.ts`) on a free loopback port. Nothing is faked. Each handle can kill or restart its
 * parts, which is what the fault tests need.
 *
 * Needs what the sandbox tier needs (root or host-setup done, the native addon built, images in
 * the data dir); `serviceUnavailableReason()` says why not, for a visible skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readSetting } from '../../worker/contract/settings/load.js';
import { DATA_DIR as DATA_DIR_ROW } from '../../worker/contract/settings/shared.js';
import { freeTcpPort, startRedis, uniqueQueueName, type TestRedis } from './redis.js';

const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
const ADDON_PATH = `${REPO_DIR}native/build/Release/sbx.node`;
/** Where the images are built (the same default as the worker's). */
export const DATA_DIR = readSetting(DATA_DIR_ROW, process.env, {});
const START_TIMEOUT_MS = 60_000;

/** Why the service cannot run here, or undefined when it can. */
export function serviceUnavailableReason(languages: string[] = ['python']): string | undefined {
  if (!existsSync(ADDON_PATH)) return 'native addon not built (npm run build:native)';
  if (!existsSync('/usr/bin/redis-server')) return 'redis-server not installed (scripts/deps.sh)';
  for (const language of languages) {
    if (!existsSync(`${DATA_DIR}/images/${language}.json`)) return `image ${language} not built (npm run images -- build ${language})`;
  }
  return undefined;
}

export interface ServiceOptions {
  /** Extra environment for worker processes (e.g. SBX_LOCK_DURATION_MS). */
  workerEnv?: Record<string, string>;
  /** Extra environment for the API process (e.g. SBX_WAIT_TIMEOUT_MS). */
  apiEnv?: Record<string, string>;
  /** Worker processes to start. @defaultValue 1 */
  workers?: number;
  /**
   * A Redis server already started (e.g. with its data on a small tmpfs, for disk-full tests)
   * to use instead of a fresh one from startRedis(). The service owns it: stop() stops it.
   * @defaultValue a new startRedis()
   */
  redis?: TestRedis;
}

/** One started process of the service. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout + stderr). */
  output(): string;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface TestService {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly redis: TestRedis;
  readonly queueName: string;
  readonly workers: ServiceProcess[];
  api: ServiceProcess;
  startWorker(extraEnv?: Record<string, string>): Promise<ServiceProcess>;
  restartApi(): Promise<void>;
  /** POST /run (wait=true unless given) and the parsed JSON body with the HTTP status. */
  run(body: Record<string, unknown>): Promise<{ httpStatus: number; body: Record<string, unknown> }>;
  /** Stops everything; idempotent. */
  stop(): Promise<void>;
}

/** Starts Redis, the workers and the API, and resolves once GET /ready says ready. */
export async function startService(options: ServiceOptions = {}): Promise<TestService> {
  const redis = options.redis ?? (await startRedis());
  const queueName = uniqueQueueName();
  const port = await freeTcpPort();
  const url = `http://127.0.0.1:${port}`;
  const common = { SBX_REDIS_URL: redis.url, SBX_QUEUE_NAME: queueName, SBX_LOG_LEVEL: 'warn', SBX_DATA_DIR: DATA_DIR };
  const workers: ServiceProcess[] = [];
  const startWorker = async (extraEnv: Record<string, string> = {}): Promise<ServiceProcess> => {
    const worker = launch('worker/main.ts', { ...common, SBX_HEARTBEAT_MS: '3000', ...options.workerEnv, ...extraEnv });
    workers.push(worker);
    return worker;
  };
  const startApi = () => launch('api/main.ts', { ...common, SBX_PORT: String(port), SBX_WORKER_CACHE_MS: '0', ...options.apiEnv });

  const service: TestService = {
    url,
    redis,
    queueName,
    workers,
    api: startApi(),
    startWorker,
    async restartApi() {
      await service.api.stop('SIGTERM');
      service.api = startApi();
      await waitUntilReady(url, service);
    },
    async run(body) {
      const response = await fetch(`${url}/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ wait: true, ...body }),
      });
      return { httpStatus: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async stop() {
      await Promise.allSettled([service.api.stop('SIGKILL'), ...workers.map((w) => w.stop('SIGKILL'))]);
      await redis.stop();
    },
  };
  try {
    for (let i = 0; i < (options.workers ?? 1); i++) await startWorker();
    await waitUntilReady(url, service);
  } catch (err) {
    await service.stop();
    throw err;
  }
  return service;
}

function launch(entry: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPO_DIR,
    // A minimal environment on purpose: the service must not depend on the test runner's.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-64 * 1024);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitUntilReady(url: string, service: TestService): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    for (const p of [service.api, ...service.workers]) {
      if (p.child.exitCode !== null && p === service.api) throw new Error(`API exited early:\n${p.output()}`);
    }
    if (service.workers.length > 0 && service.workers.every((w) => w.child.exitCode !== null)) {
      throw new Error(`every worker exited early:\n${service.workers.map((w) => w.output()).join('\n')}`);
    }
    try {
      const response = await fetch(`${url}/ready`);
      last = await response.text();
      if (response.status === 200) return;
    } catch (err) {
      last = String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`service not ready after ${START_TIMEOUT_MS} ms: ${last}\nAPI:\n${service.api.output()}\nworkers:\n${service.workers.map((w) => w.output()).join('\n')}`);
}
