/**
 * What a checker program's run means for the test it judged (pure).
 *
 * Protocol (testlib-compatible where it overlaps):
 * - exit 0 → the answer is accepted (OK); exit 3 → the checker reports its own failure (testlib
 *   `_fail`); any other exit code (1 = WA, 2 = PE in testlib) → WRONG_ANSWER;
 * - optional score: the first stdout line `score=<number in 0..1>`; a `score=` line that does not
 *   parse or is out of range is a checker failure;
 * - message: the rest of stdout, or stderr when stdout has nothing more (testlib writes there),
 *   trimmed, control characters replaced, cut to CHECKER_MESSAGE_MAX_BYTES.
 * A checker killed by a limit, by a signal or by seccomp has failed. A failed checker is the
 * problem setter's fault, not the contestant's and not ours: the test becomes WRONG_ANSWER with
 * `checkerFailed: true` and a message saying how (never OK: a broken checker must not accept
 * everything; never INTERNAL_ERROR: retrying would not help). Fix the checker and rejudge.
 */
import type { Status } from '../contract/result.js';
import type { JudgeDecision } from './judge-output.js';

/** Longest checker message kept, bytes of UTF-8. */
export const CHECKER_MESSAGE_MAX_BYTES = 1024;

/** The exit code with which a testlib checker reports its own failure. */
export const CHECKER_FAIL_EXIT_CODE = 3;

/** The facts about the checker's run that matter here. */
export interface CheckerRun {
  status: Status;
  timeLimit?: 'cpu' | 'wall';
  exitCode: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: Buffer;
}

const SCORE_LINE = /^score=(.*)$/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/** The decision for a test whose checker failed (compile error, crash, limit, bad output). */
export function checkerFailure(how: string, detail?: string): JudgeDecision {
  const message = detail === undefined || detail === '' ? `checker failed: ${how}` : `checker failed: ${how}: ${detail}`;
  return { status: 'WRONG_ANSWER', checkerFailed: true, checkerMessage: boundMessage(message) };
}

/** Decides a test from its checker's run (see the module comment). */
export function decideFromChecker(run: CheckerRun): JudgeDecision {
  if (run.status === 'TIME_LIMIT') return checkerFailure(`TIME_LIMIT (${run.timeLimit ?? 'cpu'})`);
  if (run.status === 'MEMORY_LIMIT' || run.status === 'OUTPUT_LIMIT') return checkerFailure(run.status);
  if (run.signal !== null || run.exitCode === null) return checkerFailure('RUNTIME_ERROR', `killed by ${run.signal ?? 'a signal'}`);
  const parsed = parseCheckerOutput(run.stdout, run.stderr);
  if (run.exitCode === CHECKER_FAIL_EXIT_CODE) return checkerFailure(`exit code ${CHECKER_FAIL_EXIT_CODE}`, parsed.message);
  if (parsed.badScore !== undefined) return checkerFailure('malformed score', parsed.badScore);
  const decision: JudgeDecision = { status: run.exitCode === 0 ? 'OK' : 'WRONG_ANSWER' };
  if (parsed.score !== undefined) decision.score = parsed.score;
  if (parsed.message !== '') decision.checkerMessage = parsed.message;
  return decision;
}

/** Score and message from a checker's streams; `badScore` is set when a score line is malformed. */
export function parseCheckerOutput(stdout: Buffer, stderr: Buffer): { score?: number; message: string; badScore?: string } {
  const text = stdout.toString('utf8');
  const newline = text.indexOf('\n');
  const firstLine = (newline === -1 ? text : text.slice(0, newline)).trim();
  const match = SCORE_LINE.exec(firstLine);
  const rest = match === null ? text : newline === -1 ? '' : text.slice(newline + 1);
  const message = boundMessage(rest.trim() !== '' ? rest : stderr.toString('utf8'));
  if (match === null) return { message };
  const raw = (match[1] ?? '').trim();
  const score = Number(raw);
  if (!DECIMAL.test(raw) || !(score >= 0 && score <= 1)) return { message, badScore: boundMessage(`"${raw}" is not a number in [0, 1]`) };
  return { score, message };
}

/**
 * Trims, replaces control characters other than newline and tab (a checker's output goes into
 * JSON, logs and CSV cells), and cuts at CHECKER_MESSAGE_MAX_BYTES on a character boundary.
 */
export function boundMessage(text: string): string {
  const clean = text.trim().replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\uFFFD');
  const bytes = Buffer.from(clean, 'utf8');
  if (bytes.length <= CHECKER_MESSAGE_MAX_BYTES) return clean;
  let end = CHECKER_MESSAGE_MAX_BYTES - 3; // room for the ellipsis (3 bytes)
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return `${bytes.subarray(0, end).toString('utf8')}…`;
}
