import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_SETTINGS } from '../../api/config.js';
import { RETIRED_WORKER_SETTINGS, WORKER_SETTINGS } from '../../worker/config.js';
import { rowsOf } from '../../worker/contract/settings/load.js';
import { allRows, REPO_DIR, regionKinds, rewriteSettingsRegions, SETTINGS_READMES } from '../../scripts/settings-doc.js';

const apiRows = rowsOf<never>(API_SETTINGS);
const workerRows = rowsOf<never>(WORKER_SETTINGS);

function sourceFiles(dir: string, extensions = ['.ts']): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return ['node_modules', 'build', 'dist', 'k6'].includes(name) ? [] : sourceFiles(path, extensions);
    return extensions.some((ext) => path.endsWith(ext)) ? [path] : [];
  });
}

/**
 * Variables read by the scripts and tools around the two processes, not by them (so no rows),
 * each documented where it is read.
 */
const TOOL_VARIABLES: Record<string, string> = {
  SBX_IMAGES: 'scripts/prepare.sh: the images `npm start` builds',
  SBX_IMAGE_JOBS: 'images/tool/cli.ts: builds at once',
  SBX_REDIS_DIR: 'scripts/supervise.sh: the embedded Redis directory',
  SBX_VM_CACHE: 'scripts/vm/guest-kernel.sh: the guest kernel cache',
  SBX_WRITE_ATTACK_SUMMARY: 'test/escapes/attacks.test.ts: rewrite docs/attacks.md',
};

/** The C core's `SBX_*` macros (`SBX_FD_SPEC`, …): names the TypeScript may mention that are no variables. */
const C_MACROS = new Set(
  sourceFiles(join(REPO_DIR, 'native'), ['.h', '.c', '.cc']).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/#define (SBX_[A-Z0-9_]+)/g)].map((m) => m[1] ?? '')),
);

/** `SBX_*` names in `files` that are neither a row nor in `allowed` (`SBX_CHECKER_*` names a family). */
function unknownNames(files: string[], allowed: Set<string>): string[] {
  const unknown: string[] = [];
  for (const file of files) {
    for (const [token] of readFileSync(file, 'utf8').matchAll(/\bSBX_[A-Z0-9_]+/g)) {
      if (token.startsWith('SBX_ERR') || C_MACROS.has(token)) continue;
      const known = token.endsWith('_') ? [...allowed].some((n) => n.startsWith(token)) : allowed.has(token);
      if (!known) unknown.push(`${relative(REPO_DIR, file)}: ${token}`);
    }
  }
  return unknown;
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
    const names = new Set<string>([...allRows().map((r) => r.name), ...Object.keys(RETIRED_WORKER_SETTINGS)]);
    expect(unknownNames([...sourceFiles(join(REPO_DIR, 'api')), ...sourceFiles(join(REPO_DIR, 'worker'))], names)).toEqual([]);
  });

  it('knows every SBX_* variable the scripts, tools, benches and tests set or read (a misspelt one would be ignored)', () => {
    const allowed = new Set<string>([...allRows().map((r) => r.name), ...Object.keys(TOOL_VARIABLES), ...Object.keys(RETIRED_WORKER_SETTINGS)]);
    const files = ['test', 'scripts', 'bench', 'images/tool'].flatMap((dir) => sourceFiles(join(REPO_DIR, dir), ['.ts', '.sh', '.js']));
    expect(unknownNames(files, allowed)).toEqual([]);
    const text = files
      .filter((file) => !file.endsWith('settings-doc.test.ts'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    for (const name of Object.keys(TOOL_VARIABLES)) expect(text, `${name} is no longer read: drop it`).toContain(name);
  });

  it('gives every row a one-line doc and a documented default', () => {
    for (const row of allRows()) {
      expect(row.doc, row.name).toMatch(/^[^\n]{8,}$/);
      if (typeof row.default === 'function') expect(row.defaultDoc, `${row.name} computes its default`).toBeDefined();
    }
  });
});
