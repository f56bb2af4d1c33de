/**
 * A line diff of expected vs actual output (longest common subsequence), for WRONG_ANSWER tests.
 * Bounded: beyond MAX_DIFF_LINES on either side the table would be too large for a page, so the
 * remainder is shown as removed/added without alignment.
 */
export interface DiffLine {
  kind: 'same' | 'removed' | 'added';
  text: string;
}

const MAX_DIFF_LINES = 2000;

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Lines of `expected` missing from `actual` are `removed`, lines only in `actual` are `added`. */
export function lineDiff(expected: string, actual: string): DiffLine[] {
  const a = splitLines(expected).slice(0, MAX_DIFF_LINES);
  const b = splitLines(actual).slice(0, MAX_DIFF_LINES);
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    const row = lcs[i]!;
    const below = lcs[i + 1]!;
    for (let j = b.length - 1; j >= 0; j--) {
      row[j] = a[i] === b[j] ? below[j + 1]! + 1 : Math.max(below[j]!, row[j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i++]! });
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ kind: 'removed', text: a[i++]! });
    else out.push({ kind: 'added', text: b[j++]! });
  }
  while (i < a.length) out.push({ kind: 'removed', text: a[i++]! });
  while (j < b.length) out.push({ kind: 'added', text: b[j++]! });
  return out;
}
