import { describe, expect, it } from 'vitest';
import type { Compare } from '../../worker/contract/job.js';
import { compareOutput } from '../../worker/judge/compare.js';

const match = (actual: string, expected: string, compare?: Compare) => compareOutput(Buffer.from(actual), Buffer.from(expected), compare).match;

describe('lines mode (default)', () => {
  it('ignores trailing whitespace per line, CRLF and blank lines at the end', () => {
    expect(match('1 2  \r\n3\t\n\n\n', '1 2\n3')).toBe(true);
  });
  it('rejects a difference inside a line, leading whitespace or a missing line', () => {
    expect(match('1 2\n3\n', '1  2\n3\n')).toBe(false);
    expect(match(' 1\n', '1\n')).toBe(false);
    expect(match('1\n', '1\n2\n')).toBe(false);
    expect(match('1\n2\n', '1\n')).toBe(false);
  });
  it('does not ignore blank lines in the middle', () => {
    expect(match('1\n\n2\n', '1\n2\n')).toBe(false);
  });
  it('treats empty output as matching an empty or whitespace-only expectation', () => {
    expect(match('', '\n  \n')).toBe(true);
    expect(match('', 'x')).toBe(false);
  });
  it('locates the first differing line without quoting output', () => {
    expect(compareOutput(Buffer.from('a\nb\nc'), Buffer.from('a\nb\nd'))).toEqual({ match: false, message: 'line 3 differs' });
  });
});

describe('exact mode', () => {
  it('requires identical bytes, trailing newline included', () => {
    expect(match('abc\n', 'abc\n', { mode: 'exact' })).toBe(true);
    expect(match('abc', 'abc\n', { mode: 'exact' })).toBe(false);
  });
  it('folds case only when asked', () => {
    expect(match('ABC', 'abc', { mode: 'exact' })).toBe(false);
    expect(match('ABC', 'abc', { mode: 'exact', caseInsensitive: true })).toBe(true);
  });
});

describe('tokens mode', () => {
  it('ignores the amount and kind of whitespace', () => {
    expect(match('1   2\n\n3\t4', ' 1 2 3 4 ', { mode: 'tokens' })).toBe(true);
  });
  it('rejects a different, missing or extra token', () => {
    expect(match('1 2 3', '1 2 4', { mode: 'tokens' })).toBe(false);
    expect(match('1 2', '1 2 3', { mode: 'tokens' })).toBe(false);
    expect(match('1 2 3 4', '1 2 3', { mode: 'tokens' })).toBe(false);
  });
  it('compares case-insensitively when asked', () => {
    expect(match('YES no', 'yes NO', { mode: 'tokens', caseInsensitive: true })).toBe(true);
    expect(match('YES no', 'yes NO', { mode: 'tokens' })).toBe(false);
  });
});

describe('numeric mode', () => {
  it('accepts numbers within the absolute tolerance and rejects beyond it', () => {
    expect(match('3.1415', '3.1416', { mode: 'numeric', absTolerance: 1e-3 })).toBe(true);
    expect(match('3.14', '3.1416', { mode: 'numeric', absTolerance: 1e-3 })).toBe(false);
  });
  it('accepts numbers within the relative tolerance of the expected value', () => {
    expect(match('1000001', '1000000', { mode: 'numeric', relTolerance: 1e-5 })).toBe(true);
    expect(match('1000100', '1000000', { mode: 'numeric', relTolerance: 1e-5 })).toBe(false);
  });
  it('uses 1e-6 tolerances when none is given', () => {
    expect(match('0.1000005', '0.1', { mode: 'numeric' })).toBe(true);
    expect(match('0.10001', '0.1', { mode: 'numeric' })).toBe(false);
  });
  it('compares non-numeric tokens as text and equal forms of a number as equal', () => {
    expect(match('Case #1: 2.50', 'Case #1: 2.5', { mode: 'numeric' })).toBe(true);
    expect(match('case #1: 2.5', 'Case #1: 2.5', { mode: 'numeric' })).toBe(false);
    expect(match('1e3', '1000', { mode: 'numeric' })).toBe(true);
  });
  it('never treats nan or inf spellings as numbers within tolerance', () => {
    expect(match('nan', '0', { mode: 'numeric', absTolerance: 1e9 })).toBe(false);
    expect(match('Infinity', '1e308', { mode: 'numeric', relTolerance: 1 })).toBe(false);
  });
});

describe('performance', () => {
  it('compares 8 MiB outputs in linear time in every mode', () => {
    const big = '1234567.89 '.repeat(800_000) + '\n';
    const longToken = '9'.repeat(4_000_000) + 'x';
    for (const mode of ['exact', 'lines', 'tokens', 'numeric'] as const) {
      const startedMs = performance.now();
      expect(match(big, big, { mode })).toBe(true);
      expect(performance.now() - startedMs).toBeLessThan(2000);
    }
    const startedMs = performance.now();
    expect(match(longToken, longToken.slice(0, -1) + 'y', { mode: 'numeric' })).toBe(false);
    expect(performance.now() - startedMs).toBeLessThan(2000);
  });
});
