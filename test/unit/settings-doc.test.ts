import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_SETTINGS } from '../../api/config.js';
import { WORKER_SETTINGS } from '../../worker/config.js';
import { rowsOf } from '../../worker/contract/settings/load.js';
import { allRows, REPO_DIR, regionKinds, rewriteSettingsRegions, SETTINGS_READMES } from '../../scripts/settings-doc.js';

const apiRows = rowsOf<never>(API_SETTINGS);
const workerRows = rowsOf<never>(WORKER_SETTINGS);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'build' || name === 'dist' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('settings tables', () => {
  it.each(SETTINGS_READMES)('%s holds its tables exactly as `npm run settings-doc` writes them from the rows', (readme) => {
    const text = readFileSync(join(REPO_DIR, readme), 'utf8');
    expect(regionKinds(text).length, `${readme} has no <!-- settings:KIND --> region`).toBeGreaterThan(0);
    expect(text, `${readme} drifted from the rows: run npm run settings-doc`).toBe(rewriteSettingsRegions(text));
  });

  it('puts every variable in the table of each process that reads it', () => {
    const kinds = SETTINGS_READMES.flatMap((readme) => regionKinds(readFileSync(join(REPO_DIR, readme), 'utf8')));
    expect(kinds).toEqual(expect.arrayContaining(['overview', 'api', 'worker']));
  });

  it('notices a table that no longer matches the rows', () => {
    const stale = '<!-- settings:api -->\n| `SBX_PORT` | `3000` | TCP port |\n<!-- /settings -->\n';
    expect(rewriteSettingsRegions(stale)).not.toBe(stale);
    expect(rewriteSettingsRegions(stale)).toContain('`SBX_MAX_QUEUE_DEPTH`');
  });
});

describe('settings rows', () => {
  it('declares each variable once, and a process reads exactly the rows marked for it', () => {
    for (const rows of [apiRows, workerRows]) expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
    expect(apiRows.filter((r) => r.readBy === 'worker').map((r) => r.name)).toEqual([]);
    expect(workerRows.filter((r) => r.readBy === 'api').map((r) => r.name)).toEqual([]);
    const both = allRows().filter((r) => r.readBy === 'both');
    for (const row of both) {
      // The same object in both trees: a shared variable cannot be read two ways.
      expect(apiRows, row.name).toContain(row);
      expect(workerRows, row.name).toContain(row);
    }
    const names = allRows().map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has a row for every SBX_* variable the API and the worker name in their source', () => {
    const names = new Set<string>(allRows().map((r) => r.name));
    const unknown: string[] = [];
    for (const file of [...sourceFiles(join(REPO_DIR, 'api')), ...sourceFiles(join(REPO_DIR, 'worker'))]) {
      for (const [token] of readFileSync(file, 'utf8').matchAll(/\bSBX_[A-Z0-9_]+/g)) {
        if (token.startsWith('SBX_ERR_')) continue;
        // `SBX_CHECKER_*` in a comment names a family: some row must start with it.
        const known = token.endsWith('_') ? [...names].some((n) => n.startsWith(token)) : names.has(token);
        if (!known) unknown.push(`${relative(REPO_DIR, file)}: ${token}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('gives every row a one-line doc and a documented default', () => {
    for (const row of allRows()) {
      expect(row.doc, row.name).toMatch(/^[^\n]{8,}$/);
      if (typeof row.default === 'function') expect(row.defaultDoc, `${row.name} computes its default`).toBeDefined();
    }
  });
});
