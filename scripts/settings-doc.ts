/**
 * `npm run settings-doc`: rewrites the settings tables of the READMEs from the rows
 * (worker/contract/settings/, api/config.ts, worker/config.ts). A table lives between
 * `<!-- settings:KIND -->` and `<!-- /settings -->`; KIND is `api` or `worker` (every variable that
 * process reads) or `overview` (the rows marked `overview`, with the process column).
 * test/unit/settings-doc.test.ts fails when a table drifts from the rows.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { API_SETTINGS } from '../api/config.js';
import { WORKER_SETTINGS } from '../worker/config.js';
import { holdsSecret, rowsOf } from '../worker/contract/settings/load.js';
import type { Setting } from '../worker/contract/settings/setting.js';
import type { TSchema } from 'typebox';

type Row = Setting<TSchema, never>;
export type TableKind = 'api' | 'worker' | 'overview';

/** The READMEs that hold settings tables, relative to the repository root. */
export const SETTINGS_READMES = ['README.md', 'api/README.md', 'worker/README.md'] as const;

export const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Every row, once, API rows first (a shared row keeps its first place). */
export function allRows(): Row[] {
  const rows = [...rowsOf<never>(API_SETTINGS), ...rowsOf<never>(WORKER_SETTINGS)];
  return rows.filter((row, i) => rows.findIndex((r) => r.name === row.name) === i);
}

const SIZE_UNITS: [number, string][] = [
  [1024 ** 3, 'GiB'],
  [1024 ** 2, 'MiB'],
  [1024, 'KiB'],
];

function formatDefault(row: Row): string {
  if (row.defaultDoc !== undefined) return row.defaultDoc;
  const value: unknown = row.default;
  if (Array.isArray(value)) return value.length === 0 ? 'empty' : `\`${value.join(',')}\``;
  if (typeof value === 'number' && row.unit === 'bytes') {
    const [size, name] = SIZE_UNITS.find(([bytes]) => value >= bytes && value % bytes === 0) ?? [1, 'bytes'];
    return `${value / size} ${name}`;
  }
  const unit = row.unit === undefined ? '' : ` ${row.unit === 'cores' ? (value === 1 ? 'core' : 'cores') : row.unit}`;
  return `\`${String(value)}\`${unit}`;
}

function meaning(row: Row): string {
  return holdsSecret(row.schema) ? `${row.doc} (holds a secret: logged redacted)` : row.doc;
}

/** The Markdown table of one kind. */
export function renderTable(kind: TableKind): string {
  if (kind === 'overview') {
    const lines = allRows()
      .filter((row) => row.overview === true)
      .map((row) => `| \`${row.name}\` | ${row.readBy} | ${formatDefault(row)} | ${meaning(row)} |`);
    return ['| variable | process | default | meaning |', '|---|---|---|---|', ...lines].join('\n');
  }
  const rows = rowsOf<never>(kind === 'api' ? API_SETTINGS : WORKER_SETTINGS);
  const lines = rows.map((row) => `| \`${row.name}\` | ${formatDefault(row)} | ${meaning(row)} |`);
  return ['| variable | default | meaning |', '|---|---|---|', ...lines].join('\n');
}

const REGION = /(<!-- settings:(\w+) -->\n)[\s\S]*?(<!-- \/settings -->)/g;

/** `text` with every settings region's table regenerated. */
export function rewriteSettingsRegions(text: string): string {
  return text.replace(REGION, (_match, open: string, kind: string, close: string) => {
    if (kind !== 'api' && kind !== 'worker' && kind !== 'overview') throw new Error(`unknown settings table kind "${kind}"`);
    return `${open}${renderTable(kind)}\n${close}`;
  });
}

/** The kinds of table a README holds, in order. */
export function regionKinds(text: string): string[] {
  return [...text.matchAll(REGION)].map((match) => match[2] ?? '');
}

function main(): void {
  for (const readme of SETTINGS_READMES) {
    const path = `${REPO_DIR}${readme}`;
    const before = readFileSync(path, 'utf8');
    const after = rewriteSettingsRegions(before);
    if (after !== before) writeFileSync(path, after);
    process.stdout.write(`${readme}: ${after === before ? 'up to date' : 'rewritten'} (${regionKinds(after).join(', ') || 'no table'})\n`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
