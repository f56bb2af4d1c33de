/**
 * Interleaved A/B of the whole service (HTTP, queue, worker, sandbox) between two checkouts, or one
 * checkout under two settings: each side gets its own Redis (unix socket), worker and API, all up
 * at once; rounds of `--runs` Bash echoes through POST /run (`wait: true`, `--concurrency` in
 * flight) alternate A, B, B, A, ... so both meet the same machine load. Per round: runs/s, CPU
 * per run of API, worker, Redis and the sandboxes (the worker's reaped children), and Redis
 * commands per run (INFO commandstats). Prints per-side medians over the rounds.
 *
 *   npx tsx bench/service-ab.ts <A> <B> [--runs 400] [--rounds 6] [--concurrency 8]
 *
 * A side is a checkout directory with its addon built, optionally followed by settings for its
 * processes: `../base` or `.,SBX_WORKER_SLOTS=8`; or `sandbox`: the same `bash -c 'echo hello'`
 * in this checkout's sandbox alone, in this process (the Bash image's layers, as bench/peers.ts
 * runs it), so that service / sandbox is read from interleaved rounds (median of per-round ratios).
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createServer } from 'node:net';
import { NativeSandbox } from '../worker/sandbox/native-sandbox.js';
import { DEFAULT_DATA_DIR, imageRecordPath } from '../worker/runtimes/runtime-index.js';
import { clockTicksPerSecond, cpuBetween, parseProcStat, snapshotRoles } from './load/procstat.js';
import { median } from './load/stats.js';
import { serviceRunner } from './peer-service.js';
import type { Runner } from './peer-tools.js';
import { imageLayers, loadLine } from './rootfs.js';
import { specBase } from './sandbox-runner.js';

interface Side {
  label: string;
  dir: string;
  env: Record<string, string>;
  tmp: string;
  sock: string;
  url: string;
  roots: Map<string, number>;
  rounds: Round[];
  /** Set for the in-process sandbox side. */
  sandbox?: { runner: Runner; close: () => Promise<void> };
}

interface Round {
  runsPerS: number;
  cpuMs: Record<string, number>;
  redisCalls: Record<string, number>;
}

const ticksPerSecond = clockTicksPerSecond();

async function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Starts one process in its own process group (so the npx → node chain is stopped as one), output to `log`. */
function start(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, log: string): number {
  const out = openSync(log, 'w');
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new Error(`cannot start ${cmd}`);
  return child.pid;
}

async function waitReady(url: string, boundMs: number): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} not ready after ${boundMs} ms`);
}

/** The sandbox alone: Bash echo on the Bash image's layers, permissive profile, as in bench/peers.ts. */
async function sandboxSide(index: number): Promise<Side> {
  const sb = await NativeSandbox.create({});
  const layers = imageLayers(imageRecordPath(DEFAULT_DATA_DIR, 'bash'));
  const spec = {
    ...specBase(sb),
    layers,
    argv: ['bash', '-c', 'echo hello'],
  };
  const runner: Runner = async () => {
    const o = await sb.run(spec);
    if (o.exitCode !== 0) throw new Error(`exit ${o.exitCode}: ${o.stderr.toString()}`);
  };
  return {
    label: `${String.fromCharCode(65 + index)} sandbox`,
    dir: '',
    env: {},
    tmp: '',
    sock: '',
    url: '',
    roots: new Map(),
    rounds: [],
    sandbox: { runner, close: () => sb.close() },
  };
}

/** CPU of this process and its reaped children, ms (the sandbox side's own CPU). */
function ownCpuMs(): number {
  const c = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
  return c === null ? NaN : ((c.selfTicks + c.childrenTicks) * 1000) / ticksPerSecond;
}

async function startSide(spec: string, index: number): Promise<Side> {
  if (spec === 'sandbox') return sandboxSide(index);
  const [dirArg = '.', ...settings] = spec.split(',');
  const dir = resolve(dirArg);
  const env = Object.fromEntries(settings.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]));
  const tmp = mkdtempSync(join(tmpdir(), `service-ab-${index}-`));
  const sock = join(tmp, 'redis.sock');
  const redis = start(
    'redis-server',
    ['--port', '0', '--unixsocket', sock, '--unixsocketperm', '700', '--dir', tmp, '--save', '', '--appendonly', 'no'],
    tmp,
    process.env,
    join(tmp, 'redis.log'),
  );
  for (let i = 0; i < 50 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
  const port = await freePort();
  const procEnv = { ...process.env, SBX_REDIS_URL: `unix://${sock}`, SBX_PORT: String(port), SBX_HOST: '127.0.0.1', SBX_LOG_LEVEL: 'warn', ...env };
  const worker = start('npx', ['tsx', 'worker/main.ts'], dir, procEnv, join(tmp, 'worker.log'));
  const api = start('npx', ['tsx', 'api/main.ts'], dir, procEnv, join(tmp, 'api.log'));
  const side: Side = {
    label: `${String.fromCharCode(65 + index)} ${spec}`,
    dir,
    env,
    tmp,
    sock,
    url: `http://127.0.0.1:${port}`,
    roots: new Map([
      ['api', api],
      ['worker', worker],
      ['redis', redis],
    ]),
    rounds: [],
  };
  return side;
}

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * API and worker first, Redis once they are gone (a worker whose Redis vanished first waits for
 * it in its shutdown), each group killed after a bound.
 */
async function stopSide(side: Side): Promise<void> {
  const stopGroups = async (pids: number[]): Promise<void> => {
    for (const pid of pids) signalGroup(pid, 'SIGTERM');
    for (let i = 0; i < 100 && pids.some((pid) => signalGroup(pid, 0)); i++) await new Promise((r) => setTimeout(r, 100));
    for (const pid of pids) signalGroup(pid, 'SIGKILL');
  };
  const { api, worker, redis } = Object.fromEntries(side.roots);
  await stopGroups([api, worker].filter((p): p is number => p !== undefined));
  if (redis !== undefined) await stopGroups([redis]);
}

/** Calls per command from INFO commandstats (`cmdstat_evalsha:calls=12,...`). */
function redisCalls(sock: string): Record<string, number> {
  const text = execFileSync('redis-cli', ['-s', sock, 'info', 'commandstats'], { encoding: 'utf8' });
  const calls: Record<string, number> = {};
  for (const m of text.matchAll(/^cmdstat_(\S+?):calls=(\d+)/gm)) calls[m[1] ?? ''] = Number(m[2]);
  return calls;
}

async function runRound(side: Side, runs: number, concurrency: number): Promise<void> {
  if (side.sandbox) return sandboxRound(side, side.sandbox.runner, runs, concurrency);
  const runner = serviceRunner(side.url);
  const before = snapshotRoles(side.roots);
  const calls0 = redisCalls(side.sock);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < runs) await runner();
    }),
  );
  const elapsedMs = performance.now() - t0;
  const cpu = cpuBetween(before, snapshotRoles(side.roots), ticksPerSecond);
  const calls1 = redisCalls(side.sock);
  const cpuMs: Record<string, number> = {};
  for (const [role, c] of cpu) {
    cpuMs[role] = c.selfMs / runs;
    if (role === 'worker') cpuMs['sandboxes'] = c.childrenMs / runs;
  }
  const perRun: Record<string, number> = {};
  for (const [cmd, n] of Object.entries(calls1)) perRun[cmd] = (n - (calls0[cmd] ?? 0)) / runs;
  delete perRun['info'];
  side.rounds.push({ runsPerS: (runs / elapsedMs) * 1000, cpuMs, redisCalls: perRun });
  console.log(
    `round ${side.label}: ${((runs / elapsedMs) * 1000).toFixed(0)} runs/s; CPU ms/run ${Object.entries(cpuMs)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ')}; load ${loadLine()}`,
  );
}

async function sandboxRound(side: Side, runner: Runner, runs: number, concurrency: number): Promise<void> {
  const own0 = ownCpuMs();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < runs) await runner();
    }),
  );
  const runsPerS = (runs / (performance.now() - t0)) * 1000;
  side.rounds.push({ runsPerS, cpuMs: { own: (ownCpuMs() - own0) / runs }, redisCalls: {} });
  console.log(`round ${side.label}: ${runsPerS.toFixed(0)} runs/s; own CPU ${((ownCpuMs() - own0) / runs).toFixed(2)} ms/run; load ${loadLine()}`);
}

/** Each service side against the sandbox side: the median of per-round ratios (rounds r of both). */
function ratios(sides: Side[]): void {
  const box = sides.find((s) => s.sandbox);
  if (!box) return;
  for (const side of sides.filter((s) => !s.sandbox)) {
    const per = side.rounds.map((r, i) => r.runsPerS / (box.rounds[i]?.runsPerS ?? NaN));
    console.log(`${side.label} / sandbox: ${median(per).toFixed(2)}× (rounds ${per.map((x) => x.toFixed(2)).join(' ')})`);
  }
}

function summary(side: Side): void {
  const rs = side.rounds;
  const roles = Object.keys(rs[0]?.cpuMs ?? {});
  const cmds = [...new Set(rs.flatMap((r) => Object.keys(r.redisCalls)))];
  const cmdMedians = cmds
    .map((c) => [c, median(rs.map((r) => r.redisCalls[c] ?? 0))] as const)
    .filter(([, v]) => v >= 0.05)
    .sort((a, b) => b[1] - a[1]);
  const totalCalls = median(rs.map((r) => Object.values(r.redisCalls).reduce((s, v) => s + v, 0)));
  const cpuTotal = median(rs.map((r) => Object.values(r.cpuMs).reduce((s, v) => s + v, 0)));
  console.log(`${side.label}: median of ${rs.length} rounds: ${median(rs.map((r) => r.runsPerS)).toFixed(0)} runs/s (rounds ${rs.map((r) => r.runsPerS.toFixed(0)).join(' ')})`);
  console.log(`  CPU ms/run: ${roles.map((k) => `${k} ${median(rs.map((r) => r.cpuMs[k] ?? 0)).toFixed(2)}`).join(', ')}; all ${cpuTotal.toFixed(2)}`);
  console.log(`  Redis commands/run: ${totalCalls.toFixed(1)} (${cmdMedians.map(([c, v]) => `${c} ${v.toFixed(2)}`).join(', ')})`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { runs: { type: 'string', default: '400' }, rounds: { type: 'string', default: '6' }, concurrency: { type: 'string', default: '8' } },
  });
  if (positionals.length < 2) throw new Error('usage: service-ab.ts <A> <B> [<C>...] [--runs N] [--rounds N] [--concurrency N]');
  const runs = Number(values.runs);
  const rounds = Number(values.rounds);
  const concurrency = Number(values.concurrency);
  console.log(`service A/B ${new Date().toISOString()}, ${runs} runs × ${rounds} rounds, ${concurrency} in flight, load ${loadLine()}`);
  const sides: Side[] = [];
  try {
    for (const [i, spec] of positionals.entries()) sides.push(await startSide(spec, i));
    for (const side of sides) if (!side.sandbox) await waitReady(side.url, 120_000);
    for (const side of sides) await runRound(side, Math.min(runs, 50), concurrency);
    for (const side of sides) side.rounds.length = 0;
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 === 0 ? sides : [...sides].reverse()) await runRound(side, runs, concurrency);
    }
    for (const side of sides) summary(side);
    ratios(sides);
  } finally {
    await Promise.all(sides.map((side) => stopSide(side)));
    for (const side of sides) await side.sandbox?.close();
    for (const side of sides) if (side.tmp) rmSync(side.tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
