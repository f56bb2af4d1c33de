/**
 * Batch results as CSV (RFC 4180: comma separated, CRLF line ends, fields quoted when they hold a
 * comma, a quote or a line break, quotes doubled). External ids come from clients, so a cell that
 * a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) gets a leading
 * `'`: opening the file must never run anything.
 */
import type { BatchResultRow } from '../schemas/batch.js';

/** The columns, in order. */
export const BATCH_CSV_COLUMNS = ['externalId', 'runId', 'state', 'status', 'passed', 'total', 'score', 'errorCode', 'finishedAt'] as const;

/** One cell, escaped (see the module comment). */
export function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The header line and one line per row, each ending in CRLF. */
export function renderBatchCsv(rows: readonly BatchResultRow[]): string {
  const lines = [BATCH_CSV_COLUMNS.join(',')];
  for (const row of rows) lines.push(BATCH_CSV_COLUMNS.map((column) => csvCell(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
