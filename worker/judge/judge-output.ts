/**
 * The judging step of one test: given a test whose program ended OK, decide OK or WRONG_ANSWER.
 * This is the seam for checker programs: the default compares with an expected output
 * (worker/judge/compare.ts); the worker service wires the checker-backed implementation
 * (worker/judge/checker.ts), which falls back to this comparison for jobs without a checker.
 */
import type { Compare, JobChecker } from '../contract/job.js';
import type { RawOutcome } from '../sandbox/spec.js';
import { compareOutput } from './compare.js';

/** What the judge knows about one test. */
export interface JudgeInput {
  testId: string;
  /** The expected output, already resolved from inline base64 or a blob reference. */
  expected: Buffer | undefined;
  /** The stdin the program got (checkers may need it). */
  stdin: Buffer;
  compare: Compare | undefined;
  checker: JobChecker | undefined;
  /** Aborts the judging work (a checker run) on shutdown. */
  signal?: AbortSignal;
}

/** A judge's decision; `score` and `checkerMessage` go to the TestResult when set. */
export interface JudgeDecision {
  status: 'OK' | 'WRONG_ANSWER';
  score?: number;
  checkerMessage?: string;
  /** The checker itself failed (see worker/judge/checker-output.ts). */
  checkerFailed?: boolean;
}

/**
 * Judges a test whose program ended OK. Throwing means *our* failure (a checker crashed, a blob
 * is missing) and the run is retried; a wrong answer is a decision, never an error.
 */
export type JudgeOutput = (input: JudgeInput, outcome: RawOutcome) => Promise<JudgeDecision>;

/** The default judge: OK without an expected output, else the configured comparison. */
export const compareJudge: JudgeOutput = async (input, outcome) => {
  if (input.expected === undefined) return { status: 'OK' };
  const result = compareOutput(outcome.stdout, input.expected, input.compare);
  if (result.match) return { status: 'OK' };
  return result.message === undefined ? { status: 'WRONG_ANSWER' } : { status: 'WRONG_ANSWER', checkerMessage: result.message };
};
