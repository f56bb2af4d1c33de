/**
 * The attack corpus through the real service: one test per catalogue entry (test/escapes/
 * catalogue.ts, one or more per THREATS.md row), each submitted with POST /run to a real API,
 * Redis and worker processes running the native sandbox, and each asserting the safe outcome from
 * the response and from the host (markers unchanged, no process, cgroup, mount or namespace left,
 * a benign run beside the heavy attacks unaffected, the service healthy). T24 and T61 attack the
 * API itself. T62/T63 are documented residual risks: visible skips, never passes.
 *
 * After the suite a summary is printed (and written to docs/attacks.md with
 * SBX_WRITE_ATTACK_SUMMARY=1); its last test asserts that no run was lost.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_DIR, serviceUnavailableReason, startService, type TestService } from '../helpers/service.js';
import { abuseViolations, sendAbuse, T24_CASES, T61_CASES, traversalLeftovers, type AbuseCase } from './api-abuse.js';
import { healthProblems, hostProblems, runProgramAttack, type AttackContext, type AttackReport } from './attack-run.js';
import { ATTACKS, type AttackEntry, type HostEntry, type ProgramEntry, type ResidualEntry } from './catalogue.js';
import { hostOnlyShadowLines, mountSnapshot, namespaceFds, plantMarker, removeMarker, type HostMarker } from './host-checks.js';
import { AttackTally, writeSummary } from './summary.js';

const LANGUAGES = ['c', 'cpp', 'python', 'bash', 'javascript'];
const isRoot = process.getuid?.() === 0;
/** The uid range check needs the privileged worker (host uids SBX_UID_BASE..); rootless maps subuids. */
const UNAVAILABLE = serviceUnavailableReason(LANGUAGES) ?? (isRoot ? undefined : 'needs root: the suite gives the worker its own host uid range (SBX_UID_BASE) to find leftovers');
/**
 * This suite's own host uid range, away from the default 2 000 000 other suites use and from the
 * rootless `bulkhead` subuid range (3 000 000 + 65 536, native/README.md).
 */
const UID_BASE = 4_000_000 + 2 * randomInt(0, 400_000);
/** Slots per worker; the addon's pool prepares min(slots, 16) cgroups and helpers ahead of demand. */
const SLOTS = 2;
const UID_COUNT = 65_536;
const WORKER_SECRET = `bulkhead-worker-secret-${randomBytes(12).toString('hex')}`;
const MiB = 1024 * 1024;

const programs = ATTACKS.filter((a): a is ProgramEntry => a.kind === 'program');
const hostEntries = ATTACKS.filter((a): a is HostEntry => a.kind === 'host');
const residuals = ATTACKS.filter((a): a is ResidualEntry => a.kind === 'residual');

/** The test name: the attack and the outcome it must show. */
function testName(entry: ProgramEntry): string {
  const e = entry.expect;
  const facts = e.checks?.length ? `, ${e.checks.length} probe facts hold` : '';
  const signal = e.signal ? ` by ${e.signal}` : '';
  const compile = e.compileStatusIn ? ` (compile ${e.compileStatusIn.join('|')})` : '';
  return `${entry.id} ${entry.title} [${entry.language}]: ends ${e.statusIn.join('|')}${signal}${compile}${facts}, host clean`;
}

describe.skipIf(UNAVAILABLE !== undefined)(`attack corpus through the service${UNAVAILABLE ? ` (skipped: ${UNAVAILABLE})` : ''}`, () => {
  let service: TestService;
  let marker: HostMarker;
  let ctx: AttackContext;
  const tally = new AttackTally();
  const startedMs = Date.now();

  beforeAll(async () => {
    marker = plantMarker();
    service = await startService({
      workers: 2,
      // Two slots per worker: an attack, its benign neighbour and a concurrent pair fit at once.
      workerEnv: { SBX_UID_BASE: String(UID_BASE), SBX_WORKER_SLOTS: String(SLOTS), BULKHEAD_WORKER_SECRET: WORKER_SECRET, API_TOKEN: WORKER_SECRET },
      // T64 sends 8 MiB of stdin; T61's 100 MiB bodies stay far above this bound.
      apiEnv: { SBX_BODY_LIMIT_BYTES: String(16 * MiB), SBX_WAIT_TIMEOUT_MS: '60000' },
    });
    ctx = {
      url: service.url,
      values: {
        hostMarkerPath: marker.path,
        hostMarkerContent: marker.content,
        workerSecret: WORKER_SECRET,
        hostSecrets: hostOnlyShadowLines(DATA_DIR),
      },
      marker,
      uidRange: { min: UID_BASE, max: UID_BASE + UID_COUNT },
      workerPids: () => service.workers.map((w) => w.child.pid ?? -1),
      poolTarget: Math.min(SLOTS, 16),
      nsFdsAtRest: new Map(),
      workerLog: () => service.workers.map((w) => w.output()).join('\n'),
      workersAlive: () => service.workers.every((w) => w.child.exitCode === null && w.child.signalCode === null),
      tally,
    };
    // The pool fills in the background after start; let it settle before taking the at-rest count.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const pid of ctx.workerPids()) ctx.nsFdsAtRest.set(pid, namespaceFds(pid).length);
  });

  afterAll(async () => {
    await service?.stop();
    if (marker) removeMarker(marker);
    for (const entry of residuals) {
      tally.add({ id: entry.id, title: entry.title, language: '-', outcome: 'skipped', observed: '-', note: `residual risk: ${entry.reason}` });
    }
    const text = tally.render({ date: new Date().toISOString(), host: `${hostname()} (${process.platform})`, durationS: Math.round((Date.now() - startedMs) / 1000) });
    console.log(text);
    // Only a run that reached the attacks may replace the kept summary (not a failed start).
    if (process.env.SBX_WRITE_ATTACK_SUMMARY === '1' && tally.submitted > 0) console.log(`summary written to ${writeSummary(text)}`);
  });

  /** Runs one test body, records its outcome in the tally and fails the test on any problem. */
  async function recorded(entry: AttackEntry, language: string, body: () => Promise<AttackReport>): Promise<void> {
    let report: AttackReport;
    try {
      report = await body();
    } catch (err) {
      tally.add({ id: entry.id, title: entry.title, language, outcome: 'failed', observed: 'error', note: String(err).slice(0, 300) });
      throw err;
    }
    const failed = report.problems.length > 0;
    tally.add({
      id: entry.id,
      title: entry.title,
      language,
      outcome: failed ? 'failed' : 'contained',
      observed: report.observed,
      ...(failed ? { note: report.problems.slice(0, 3).join('; ').slice(0, 400) } : {}),
    });
    expect(report.problems, `${entry.id} ${entry.title}`).toEqual([]);
  }

  for (const entry of programs) {
    if (entry.rootlessOnly !== undefined) {
      it.skip(`${testName(entry)} (skipped: ${entry.rootlessOnly})`, () => {});
      continue;
    }
    it(
      testName(entry),
      async () => {
        await recorded(entry, entry.language, () => runProgramAttack(ctx, entry));
      },
      90_000,
    );
  }

  /** Sends every case, then a concurrent flood of them; all must be safe 4xx and the service healthy. */
  async function abuse(entry: HostEntry, cases: AbuseCase[]): Promise<AttackReport> {
    const mounts = mountSnapshot();
    const before = new Set(traversalLeftovers());
    const problems: string[] = [];
    const statuses = new Set<number>();
    const one = async (c: AbuseCase) => {
      tally.submitted++;
      const answer = await sendAbuse(ctx.url, c);
      tally.answered++;
      statuses.add(answer.httpStatus);
      const found = abuseViolations(c, answer);
      if (found.length === 0) tally.refusedRequests++;
      return found;
    };
    for (const c of cases) problems.push(...(await one(c)));
    // The flood: every small case eight times at once (the 100 MiB bodies once each, above).
    const small = cases.filter((c) => c.body.length < MiB);
    const flood = await Promise.all(Array.from({ length: 8 }, () => small.map(one)).flat());
    problems.push(...new Set(flood.flat()));
    problems.push(
      ...traversalLeftovers()
        .filter((p) => !before.has(p))
        .map((p) => `created on the host: ${p}`),
    );
    problems.push(...(await hostProblems(ctx, mounts)), ...(await healthProblems(ctx)));
    return { problems, observed: `HTTP ${[...statuses].sort().join('/')} x${cases.length + 8 * small.length}` };
  }

  for (const entry of hostEntries) {
    const cases = entry.id === 'T24' ? T24_CASES : T61_CASES;
    it(`${entry.id} ${entry.title}: ${cases.length} abusive requests and a concurrent flood answer 4xx with a stable code, never 5xx; service healthy`, async () => {
      await recorded(entry, 'http', () => abuse(entry, cases));
    }, 120_000);
  }

  for (const entry of residuals) {
    it.skip(`${entry.id} ${entry.title}: residual risk, not pass/fail (${entry.reason})`, () => {});
  }

  it('loses no run: every run and request submitted was answered, and the service is healthy at the end', async () => {
    expect(await healthProblems(ctx)).toEqual([]);
    expect(tally.submitted).toBeGreaterThan(programs.length);
    expect(tally.submitted - tally.answered).toBe(0);
  });
});
