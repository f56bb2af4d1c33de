/**
 * Interactive problems (issue 15 item 5): per test, the contestant's program and the problem's
 * interactor run at once in two fresh sandboxes, each one's stdout fed to the other's stdin.
 *
 * The interactor is prepared like a checker (./checker.ts: own runtime, compiled once, cached) and
 * runs with the checker limits, its wall time raised to outlast the program's. Its work directory
 * holds `input` (the test's stdin) and `expected` (the expected output, empty when none), named
 * in its argv in that order; it decides by its exit code as a checker does (0 accepted, 1 wrong
 * answer, 3 its own failure), with the optional `score=` line and message on its stderr (its
 * stdout is the program's input). A test's status: the program's own limit or crash status when
 * it failed before the interactor ended; else the interactor's decision (a misbehaving
 * interactor: WRONG_ANSWER with `checkerFailed`, never INTERNAL_ERROR); an accepted test whose
 * program then failed takes the program's status. Both sides' usage is reported (`interactor`).
 *
 * The pipes are relayed through the worker (the live runs' LiveIO), not passed between the two
 * runs as fds: the native layer stays one-run-at-a-time and knows nothing of pairs, and each side
 * keeps its own output limit, which bounds what is relayed. The cost is one hop through the
 * worker's event loop per message (bench/README.md, live round trip).
 */
import { BulkheadError } from '../contract/errors.js';
import type { JobTest, SubmissionJob } from '../contract/job.js';
import { emptyStageResult, type StageResult, type TestResult } from '../contract/result.js';
import type { LiveControl, LiveIO } from '../sandbox/live.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { SandboxSpec } from '../sandbox/spec.js';
import { toStageResult } from '../verdict.js';
import { createCheckerPreparer, planCheckerRun, type CheckerJudgeDeps } from './checker.js';
import { decideFromChecker } from './checker-output.js';

/** How much longer than the program the interactor may run, ms (it reads the program's last answer). */
const INTERACTOR_WALL_MARGIN_MS = 1000;

/** One interactive test to run. */
export interface InteractiveTest {
  job: SubmissionJob;
  test: JobTest;
  /** The program's run (its stdin is unused: the interactor feeds it). */
  programSpec: SandboxSpec;
  /** The sandbox the program runs in (the job's timed view). */
  sandbox: Sandbox;
  input: Buffer;
  expected: Buffer | undefined;
  signal?: AbortSignal;
}

export type InteractiveRunner = (test: InteractiveTest) => Promise<TestResult>;

/** Bytes for one side's stdin, held until that side is spawned; eof passed on once asked for. */
class Relay {
  private control: LiveControl | undefined;
  private pending: Buffer[] = [];
  private ended = false;

  attach(control: LiveControl): () => void {
    this.control = control;
    for (const chunk of this.pending.splice(0)) control.write(chunk);
    if (this.ended) control.eof();
    return () => {
      this.control = undefined;
    };
  }

  write(chunk: Buffer): void {
    if (this.ended) return;
    if (this.control !== undefined) this.control.write(chunk);
    else this.pending.push(chunk);
  }

  eof(): void {
    this.ended = true;
    this.pending = [];
    this.control?.eof();
  }
}

function relayIO(into: Relay, from: Relay): LiveIO {
  return {
    onOutput: (stream, chunk) => {
      if (stream === 'stdout') into.write(chunk);
    },
    attach: (control) => from.attach(control),
  };
}

/** A test whose interactor could not even be prepared: nothing ran. */
function notRun(id: string, decision: { checkerMessage?: string }): TestResult {
  const empty: StageResult = emptyStageResult('WRONG_ANSWER');
  return { id, ...empty, checkerFailed: true, ...(decision.checkerMessage === undefined ? {} : { checkerMessage: decision.checkerMessage }) };
}

export function createInteractiveRunner(deps: CheckerJudgeDeps): InteractiveRunner {
  const prepare = createCheckerPreparer(deps);
  return async (t) => {
    if (t.job.interactor === undefined) throw new BulkheadError('SBX_ERR_INTERNAL', 'interactive test without an interactor');
    const prepared = await prepare(t.job.interactor);
    if ('failure' in prepared) return notRun(t.test.id, prepared.failure);
    const inputs = [
      { path: 'input', content: t.input },
      { path: 'expected', content: t.expected ?? Buffer.alloc(0) },
    ];
    const spec = planCheckerRun(prepared.runtime, prepared.files, inputs, deps);
    const wallTimeMs = Math.min(Math.max(spec.limits.wallTimeMs, t.programSpec.limits.wallTimeMs + INTERACTOR_WALL_MARGIN_MS), deps.plan.ceilings.wallTimeMs);
    const interactorSpec: SandboxSpec = { ...spec, limits: { ...spec.limits, wallTimeMs } };
    const toProgram = new Relay();
    const toInteractor = new Relay();
    const ended = { program: 0, interactor: 0 };
    // Each side's end closes the other's stdin, so neither waits for input that cannot come.
    const [program, interactor] = await Promise.allSettled([
      t.sandbox.run({ ...t.programSpec, stdin: Buffer.alloc(0) }, t.signal, relayIO(toInteractor, toProgram)).finally(() => {
        ended.program = performance.now();
        toInteractor.eof();
      }),
      deps.sandbox.run(interactorSpec, t.signal, relayIO(toProgram, toInteractor)).finally(() => {
        ended.interactor = performance.now();
        toProgram.eof();
      }),
    ]);
    if (program.status === 'rejected') throw program.reason;
    if (interactor.status === 'rejected') throw interactor.reason;
    const programStage = toStageResult(program.value);
    const interactorStage = toStageResult(interactor.value);
    const base = { id: t.test.id, ...programStage, interactor: interactorStage };
    if (programStage.status !== 'OK' && ended.program <= ended.interactor) return base;
    const decision = decideFromChecker({ ...interactorStage, stdout: interactor.value.stderr, stderr: Buffer.alloc(0) });
    const status = decision.status === 'OK' && programStage.status !== 'OK' ? programStage.status : decision.status;
    return {
      ...base,
      status,
      ...(decision.score === undefined ? {} : { score: decision.score }),
      ...(decision.checkerMessage === undefined ? {} : { checkerMessage: decision.checkerMessage }),
      ...(decision.checkerFailed === true ? { checkerFailed: true } : {}),
    };
  };
}
