/**
 * Output comparison for test cases with an expected output (pure, linear in the input size:
 * single forward scans, no backtracking regular expressions, no quadratic splitting).
 *
 * Modes:
 * - `exact`: byte for byte.
 * - `lines` (the default): line by line, ignoring trailing whitespace on each line (so `\r\n`
 *   equals `\n`) and any blank lines at the end.
 * - `tokens`: whitespace-separated tokens; the amount and kind of whitespace do not matter.
 * - `numeric`: tokens, where two tokens that both parse as decimal numbers match when
 *   `|a - b| <= absTolerance` or `|a - b| <= relTolerance * |b|` (b = expected). Non-numeric
 *   tokens compare as text. When neither tolerance is given both default to 1e-6.
 * `caseInsensitive` lowercases both sides before comparing (any mode).
 */
import type { Compare } from '../contract/job.js';

/** Outcome of one comparison; `message` locates the first difference without quoting output. */
export interface CompareResult {
  match: boolean;
  message?: string;
}

/** Default comparison when a test gives none. */
export const DEFAULT_COMPARE: Compare = Object.freeze({ mode: 'lines' });

/** Tolerance used by `numeric` when the request sets neither tolerance. */
export const DEFAULT_NUMERIC_TOLERANCE = 1e-6;

/** Compares a program's output with the expected output. */
export function compareOutput(actual: Buffer, expected: Buffer, compare: Compare = DEFAULT_COMPARE): CompareResult {
  if (compare.mode === 'exact' && compare.caseInsensitive !== true) {
    return actual.equals(expected) ? { match: true } : { match: false, message: `differs at byte ${firstDifference(actual, expected)}` };
  }
  const fold = (b: Buffer) => (compare.caseInsensitive === true ? b.toString('utf8').toLowerCase() : b.toString('utf8'));
  const a = fold(actual);
  const e = fold(expected);
  switch (compare.mode) {
    case 'exact':
      return a === e ? { match: true } : { match: false, message: 'output differs' };
    case 'lines':
      return compareLines(a, e);
    case 'tokens':
      return compareTokens(a, e, (x, y) => x === y);
    case 'numeric':
      return compareTokens(a, e, numericEquals(compare));
  }
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/**
 * Line comparison: trailing whitespace of the whole text is dropped first (that removes blank
 * lines at the end), then lines are compared one by one with their own trailing whitespace removed.
 */
function compareLines(actual: string, expected: string): CompareResult {
  const a = actual.trimEnd();
  const e = expected.trimEnd();
  let posA = 0;
  let posE = 0;
  for (let line = 1; ; line++) {
    const endA = lineEnd(a, posA);
    const endE = lineEnd(e, posE);
    if (a.slice(posA, endA).trimEnd() !== e.slice(posE, endE).trimEnd()) return { match: false, message: `line ${line} differs` };
    const doneA = endA >= a.length;
    const doneE = endE >= e.length;
    if (doneA || doneE) return doneA && doneE ? { match: true } : { match: false, message: `line ${line + 1} differs` };
    posA = endA + 1;
    posE = endE + 1;
  }
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end === -1 ? text.length : end;
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

/** Iterates whitespace-separated tokens. */
class TokenScanner {
  private pos = 0;
  constructor(private readonly text: string) {}
  next(): string | undefined {
    const t = this.text;
    while (this.pos < t.length && isSpace(t.charCodeAt(this.pos))) this.pos++;
    if (this.pos >= t.length) return undefined;
    const start = this.pos;
    while (this.pos < t.length && !isSpace(t.charCodeAt(this.pos))) this.pos++;
    return t.slice(start, this.pos);
  }
}

function compareTokens(actual: string, expected: string, equals: (a: string, e: string) => boolean): CompareResult {
  const a = new TokenScanner(actual);
  const e = new TokenScanner(expected);
  for (let index = 1; ; index++) {
    const x = a.next();
    const y = e.next();
    if (x === undefined && y === undefined) return { match: true };
    if (x === undefined || y === undefined) {
      return { match: false, message: x === undefined ? `output ends before token ${index}` : `extra output from token ${index}` };
    }
    if (!equals(x, y)) return { match: false, message: `token ${index} differs` };
  }
}

/** A plain decimal number: optional sign, digits with an optional fraction, optional exponent. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

function numericEquals(compare: Compare): (a: string, e: string) => boolean {
  const neither = compare.absTolerance === undefined && compare.relTolerance === undefined;
  const absTolerance = neither ? DEFAULT_NUMERIC_TOLERANCE : (compare.absTolerance ?? 0);
  const relTolerance = neither ? DEFAULT_NUMERIC_TOLERANCE : (compare.relTolerance ?? 0);
  return (a, e) => {
    if (a === e) return true;
    if (!DECIMAL.test(a) || !DECIMAL.test(e)) return false;
    const x = Number(a);
    const y = Number(e);
    if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
    const diff = Math.abs(x - y);
    return diff <= absTolerance || diff <= relTolerance * Math.abs(y);
  };
}
