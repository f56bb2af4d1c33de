/**
 * Runs one program entry of the catalogue against the live service the way its expectation asks
 * (alone, as a concurrent pair, with a follow-up run, beside a benign run) and gathers every
 * violation: from the responses, and from the host afterwards.
 */
import type { RunResult } from '../../worker/contract/result.js';
import type { ProgramEntry } from './catalogue.js';
import { describeRun, extraViolations, violations } from './attack-expect.js';
import { requestFor, send, streamText, submitRun, type HttpAnswer, type Substitutions } from './attack-request.js';
import { leftoverCgroups, leftoverProcesses, markerChanges, mountSnapshot, namespaceFds, newMounts, waitForCleanHost, type HostMarker, type UidRange } from './host-checks.js';
import { evictPageCache, hostPathInImage, kernelMemoryProblems, residentBytes, sampleKernelMemory, warmPageCache } from './host-kernel.js';
import type { AttackTally } from './summary.js';
import { DATA_DIR } from '../helpers/service.js';

/** What the suite shares between attacks. */
export interface AttackContext {
  url: string;
  values: Substitutions;
  marker: HostMarker;
  uidRange: UidRange;
  workerPids: () => number[];
  /** Ready cgroups and prepared helpers the addon keeps per worker between runs (its pool target). */
  poolTarget: number;
  /** Namespace fds each worker held at rest when the suite began (its pool's, if any). */
  nsFdsAtRest: Map<number, number>;
  /** The workers' recent log output (evidence for INTERNAL_ERROR answers). */
  workerLog: () => string;
  /** False once a worker process exited (a crash the attack caused). */
  workersAlive: () => boolean;
  tally: AttackTally;
}

/** What one attack came to. */
export interface AttackReport {
  problems: string[];
  /** Final statuses, e.g. "TIME_LIMIT" or "OK+OK" for a pair. */
  observed: string;
}

/** Ids whose attack loads the machine enough that a benign run beside it is part of the proof. */
const HEAVY_IDS = new Set(['T01', 'T02', 'T03', 'T04', 'T05', 'T07', 'T08', 'T09', 'T13', 'T14', 'T44', 'T54', 'T59', 'T64']);
const BENIGN = { language: 'python', source: 'import sys\nprint(sum(range(int(sys.stdin.read()))))\n', stdin: '1000' };
const BENIGN_OUTPUT = '499500\n';
/** How long to wait for the attack's processes to appear before sending the benign run anyway, ms. */
const ATTACK_START_WAIT_MS = 5000;
const FAULT_STATUSES = new Set(['RUNTIME_ERROR', 'TIME_LIMIT', 'MEMORY_LIMIT', 'OUTPUT_LIMIT', 'COMPILE_ERROR']);

/** True when a benign run is submitted next to this entry. */
export function wantsBenign(entry: ProgramEntry): boolean {
  return HEAVY_IDS.has(entry.id) || (entry.expect.host ?? []).includes('benign-run-unaffected');
}

async function counted(ctx: AttackContext, run: Promise<HttpAnswer>): Promise<HttpAnswer> {
  ctx.tally.submitted++;
  const answer = await run;
  if (answer.body?.state === 'done') {
    ctx.tally.answered++;
    if (FAULT_STATUSES.has(String(answer.body.status))) ctx.tally.faultRuns++;
  }
  return answer;
}

/** The benign neighbour's problems, and when it was submitted (to tell whether it overlapped the attack). */
async function benignRun(ctx: AttackContext): Promise<{ problems: string[]; submittedAt: number }> {
  // Sent once the attack's own processes run on the host (its run stage, or its compiler), so the
  // benign run meets the attack at work rather than before or after it.
  const until = Date.now() + ATTACK_START_WAIT_MS;
  while (Date.now() < until && leftoverProcesses(ctx.uidRange, [], 0).length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const submittedAt = Date.now();
  const answer = await counted(ctx, submitRun(ctx.url, BENIGN));
  const body = answer.body as unknown as RunResult | undefined;
  if (body?.status === 'OK' && streamText(body.run, 'stdout') === BENIGN_OUTPUT) return { problems: [], submittedAt };
  return { problems: [`benign run beside the attack: HTTP ${answer.httpStatus} ${body ? describeRun(body) : answer.text.slice(0, 200)}`], submittedAt };
}

/** GET /health and /ready answer 200 and every worker process is still the one started. */
export async function healthProblems(ctx: AttackContext): Promise<string[]> {
  const problems: string[] = [];
  for (const path of ['/health', '/ready']) {
    const answer = await send(ctx.url, path);
    if (answer.httpStatus !== 200) problems.push(`GET ${path}: HTTP ${answer.httpStatus} ${answer.text.slice(0, 200)}`);
  }
  if (!ctx.workersAlive()) problems.push('a worker process exited');
  return problems;
}

/** Host state after the runs ended: markers, processes, cgroups, mounts, namespace handles. */
export async function hostProblems(ctx: AttackContext, mountsBefore: ReadonlySet<string>): Promise<string[]> {
  const problems = markerChanges(ctx.marker).map((c) => `host marker: ${c}`);
  const leftovers = await waitForCleanHost(() => [
    ...leftoverProcesses(ctx.uidRange, ctx.workerPids(), ctx.poolTarget).map((p) => `leftover process ${p}`),
    ...leftoverCgroups(ctx.workerPids(), ctx.poolTarget, ctx.uidRange).map((c) => `leftover cgroup ${c}`),
    ...newMounts(mountsBefore).map((m) => `new host mount ${m}`),
    ...ctx
      .workerPids()
      .filter((pid) => namespaceFds(pid).length > (ctx.nsFdsAtRest.get(pid) ?? 0))
      .map((pid) => `worker ${pid} holds namespace fds: ${namespaceFds(pid).join(', ')}`),
  ]);
  return [...problems, ...leftovers];
}

function checkAnswer(ctx: AttackContext, entry: ProgramEntry, answer: HttpAnswer, label: string, expect = entry.expect): string[] {
  const found = [...violations(entry, expect, answer, ctx.values)];
  if (answer.body?.state !== 'done') return found.map((p) => `${label}: ${p}`);
  const body = answer.body as unknown as RunResult;
  found.push(...extraViolations(entry, body));
  if (body.status === 'INTERNAL_ERROR')
    found.push(
      `worker log: ${ctx
        .workerLog()
        .split('\n')
        .filter((l) => l.includes(body.errorCode ?? '?'))
        .slice(-2)
        .join(' | ')
        .slice(0, 800)}`,
    );
  if (found.length === 0) return [];
  return [...found.map((p) => `${label}: ${p}`), `${label}: ${describeRun(body)}`];
}

/**
 * The host-side watches an entry asks for (T65 kernel memory, T68 page cache), started before
 * its runs; `finish` returns their violations once the runs were answered.
 */
function hostWatches(entry: ProgramEntry): { finish: () => string[] } {
  const host = entry.expect.host ?? [];
  const sampler = host.includes('kernel-memory-bounded') ? sampleKernelMemory() : undefined;
  let cached: { path: string; warmBytes: number } | undefined;
  if (host.includes('page-cache-kept')) {
    const path = hostPathInImage(DATA_DIR, entry.language, entry.imageFile ?? '');
    if (path === undefined) return { finish: () => [`page-cache-kept: ${entry.imageFile ?? '?'} is in no layer of the ${entry.language} image`] };
    cached = { path, warmBytes: warmPageCache(path) };
  }
  return {
    finish: () => {
      const problems = sampler ? kernelMemoryProblems(sampler.stop(), entry.limits?.memoryBytes ?? 0) : [];
      if (cached) {
        const after = residentBytes(cached.path);
        if (cached.warmBytes === 0) problems.push(`page-cache-kept: ${cached.path} was not cached before the run`);
        if (after < cached.warmBytes) problems.push(`page cache of ${cached.path} dropped from ${cached.warmBytes} to ${after} bytes during the run`);
        // The control: the host's own eviction shows in the same measure, so a kept cache means something.
        const evicted = evictPageCache(cached.path);
        if (evicted >= cached.warmBytes) problems.push(`page-cache-kept control: the host's own eviction left ${evicted} bytes resident`);
      }
      return problems;
    },
  };
}

/** Runs `entry` and returns every violation (empty when contained). */
export async function runProgramAttack(ctx: AttackContext, entry: ProgramEntry): Promise<AttackReport> {
  const mountsBefore = mountSnapshot();
  const watches = hostWatches(entry);
  const pair = (entry.expect.host ?? []).includes('concurrent-pair');
  const benign = wantsBenign(entry) ? benignRun(ctx) : undefined;
  const runs = pair
    ? ['a\n', 'b\n'].map((stdin) => counted(ctx, submitRun(ctx.url, requestFor(entry, ctx.values, stdin))))
    : [counted(ctx, submitRun(ctx.url, requestFor(entry, ctx.values)))];
  const answers = await Promise.all(runs);
  const attackAnsweredAt = Date.now();
  const problems = watches.finish();
  problems.push(...answers.flatMap((a, i) => checkAnswer(ctx, entry, a, pair ? `copy ${'ab'[i]}` : 'run')));
  const statuses = answers.map((a) => String(a.body?.status ?? `HTTP ${a.httpStatus}`));
  if (entry.followUp) {
    const second = await counted(ctx, submitRun(ctx.url, requestFor(entry, ctx.values, entry.followUp.stdin)));
    problems.push(...checkAnswer(ctx, entry, second, 'follow-up run', entry.followUp.expect));
    statuses.push(String(second.body?.status ?? `HTTP ${second.httpStatus}`));
  }
  let beside = '';
  if (benign) {
    const { problems: found, submittedAt } = await benign;
    problems.push(...found);
    beside = ` (benign neighbour ${found.length ? 'failed' : 'OK'}, ${submittedAt < attackAnsweredAt ? 'during the attack' : 'after it ended'})`;
  }
  problems.push(...(await hostProblems(ctx, mountsBefore)));
  problems.push(...(await healthProblems(ctx)));
  return { problems, observed: statuses.join(' + ') + beside };
}
