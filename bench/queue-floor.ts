/**
 * The service path's floor: what the stack Bulkhead is built on (Fastify, BullMQ, Redis, Node)
 * costs on this machine with none of Bulkhead's own code and no sandbox, in the same shape as
 * POST /run: a client process sends HTTP to an API process that adds a prioritized job and
 * waits for its `completed` event (QueueEvents); a worker process (concurrency 2) takes it,
 * waits `--job-ms` (a stand-in for the sandbox: a Bash echo takes about 5 ms there) and returns
 * how long it held it. Three processes, as in the service, because a wakeup across processes is
 * most of what a hop costs here.
 *
 * It prints, one request at a time and then at a constant rate:
 * - `http`: the latency of a route that answers at once (HTTP alone);
 * - `overhead`: the client's latency minus the time the worker held the job: HTTP + queue +
 *   result delivery, what this stack costs around a job on this machine, and its two queue legs:
 *   the add until the worker's processor starts, and the processor's end until the API sees
 *   the `completed` event (absolute times from performance.timeOrigin, one clock per machine);
 * and the whole machine's CPU per request at the given rate (from /proc/stat).
 *
 *   npx tsx bench/queue-floor.ts [--runs 500] [--rate 150] [--job-ms 5]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents, Worker } from 'bullmq';
import Fastify from 'fastify';
import { parseRedisUrl } from '../worker/contract/redis-url.js';
import { startRedis, uniqueQueueName } from '../test/helpers/redis.js';
import { machineBusyMs } from './load/procstat.js';
import { percentile } from './load/stats.js';

const QUEUE_TIMEOUT_MS = 10_000;

/** The worker role: holds each job `jobMs` (no CPU spent) and returns when it held it. */
async function workerRole(redisUrl: string, queueName: string, jobMs: number): Promise<void> {
  const connection = { ...parseRedisUrl(redisUrl), maxRetriesPerRequest: null };
  const hold = async (): Promise<{ heldMs: number; startAt: number; endAt: number }> => {
    const startedMs = performance.now();
    if (jobMs > 0) await new Promise((resolve) => setTimeout(resolve, jobMs));
    const endedMs = performance.now();
    return { heldMs: endedMs - startedMs, startAt: performance.timeOrigin + startedMs, endAt: performance.timeOrigin + endedMs };
  };
  const worker = new Worker(queueName, hold, { connection, concurrency: 2 });
  await worker.waitUntilReady();
  process.send?.('ready');
  process.on('disconnect', () => void worker.close().then(() => process.exit(0)));
}

/** The API role: POST /noop answers at once; POST /job adds a job, waits for it, and says how long that took. */
async function apiRole(redisUrl: string, queueName: string): Promise<void> {
  const connection = { ...parseRedisUrl(redisUrl), maxRetriesPerRequest: null };
  const queue = new Queue(queueName, { connection });
  const events = new QueueEvents(queueName, { connection });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  const app = Fastify();
  app.post('/noop', async () => ({ ok: true }));
  // As the service waits: a listener registered before the add, woken by the `completed` event
  // alone (no read of the job), so nothing here costs more than the protocol itself.
  // BullMQ hands the return value over already parsed.
  const waiters = new Map<string, (returnvalue: unknown) => void>();
  events.on('completed', ({ jobId, returnvalue }) => waiters.get(jobId)?.(returnvalue));
  app.post('/job', async () => {
    const startedMs = performance.now();
    const jobId = randomUUID();
    const done = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`job ${jobId} not done in ${QUEUE_TIMEOUT_MS} ms`)), QUEUE_TIMEOUT_MS);
      waiters.set(jobId, (returnvalue) => {
        clearTimeout(timer);
        resolve(returnvalue);
      });
    });
    try {
      await queue.add('noop', { source: 'echo hello' }, { jobId, priority: 1, removeOnComplete: { age: 60 } });
      const held = (await done) as { heldMs: number; startAt: number; endAt: number };
      const now = performance.timeOrigin + performance.now();
      return { heldMs: held.heldMs, pickupMs: held.startAt - (performance.timeOrigin + startedMs), deliveryMs: now - held.endAt };
    } finally {
      waiters.delete(jobId);
    }
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.send?.(address);
  process.on('disconnect', () => void Promise.all([app.close(), events.close(), queue.close()]).then(() => process.exit(0)));
}

function post(agent: Agent, url: string): Promise<{ ms: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const startedMs = performance.now();
    const req = request(url, { method: 'POST', agent, headers: { 'content-length': 0 } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ ms: performance.now() - startedMs, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end();
  });
}

function line(name: string, values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  return `${name.padEnd(34)} n ${String(s.length).padStart(5)}  p50 ${percentile(s, 50).toFixed(2)} ms  p99 ${percentile(s, 99).toFixed(2)} ms`;
}

function startRole(role: string, redisUrl: string, queueName: string, jobMs: number): Promise<{ child: ChildProcess; message: string }> {
  const args = ['--role', role, '--redis', redisUrl, '--queue', queueName, '--job-ms', String(jobMs)];
  const child = fork(new URL(import.meta.url).pathname, args, { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, message: String(message) }));
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

async function client(runs: number, rate: number, jobMs: number): Promise<void> {
  const redis = await startRedis();
  const queueName = uniqueQueueName();
  const roles: ChildProcess[] = [];
  try {
    // A unix socket, as `npm start` and `npm run bench` use.
    const url = `unix://${redis.socketPath}`;
    const worker = await startRole('worker', url, queueName, jobMs);
    roles.push(worker.child);
    const api = await startRole('api', url, queueName, jobMs);
    roles.push(api.child);
    const base = api.message;
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    for (let i = 0; i < 200; i++) await post(agent, `${base}/job`); // warm-up (JIT, connections)
    const overheadOf = (r: { ms: number; body: Record<string, unknown> }): number => r.ms - Number(r.body['heldMs']);
    const http: number[] = [];
    const sequential: number[] = [];
    const pickup: number[] = [];
    const delivery: number[] = [];
    for (let i = 0; i < runs; i++) http.push((await post(agent, `${base}/noop`)).ms);
    for (let i = 0; i < runs; i++) {
      const r = await post(agent, `${base}/job`);
      sequential.push(overheadOf(r));
      pickup.push(Number(r.body['pickupMs']));
      delivery.push(Number(r.body['deliveryMs']));
    }
    console.log(`${new Date().toISOString()} ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), jobs held ${jobMs} ms:`);
    console.log(line('http (no-op route)', http));
    console.log(line('overhead, one at a time', sequential));
    console.log(line('  add → processor starts', pickup));
    console.log(line('  processor ends → event seen', delivery));
    const atRate: number[] = [];
    const busy0 = machineBusyMs();
    const startedMs = performance.now();
    await Promise.all(
      Array.from({ length: runs * 2 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, (i * 1000) / rate));
        atRate.push(overheadOf(await post(agent, `${base}/job`)));
      }),
    );
    const elapsedS = (performance.now() - startedMs) / 1000;
    const cpuMs = (machineBusyMs() - busy0) / atRate.length;
    console.log(`${line(`overhead at ${rate}/s`, atRate)}  achieved ${(atRate.length / elapsedS).toFixed(0)}/s, machine CPU ${cpuMs.toFixed(2)} ms per request`);
    agent.destroy();
  } finally {
    // The roles close their connections before Redis goes.
    await Promise.all(
      roles.map(
        (child) =>
          new Promise((resolve) => {
            child.once('exit', resolve);
            child.disconnect();
          }),
      ),
    );
    await redis.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      redis: { type: 'string' },
      queue: { type: 'string' },
      runs: { type: 'string', default: '500' },
      rate: { type: 'string', default: '150' },
      'job-ms': { type: 'string', default: '5' },
    },
  });
  const jobMs = Number(values['job-ms']);
  if (values.role === 'worker') return workerRole(values.redis ?? '', values.queue ?? '', jobMs);
  if (values.role === 'api') return apiRole(values.redis ?? '', values.queue ?? '');
  return client(Number(values.runs), Number(values.rate), jobMs);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
