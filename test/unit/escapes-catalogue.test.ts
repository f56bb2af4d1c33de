import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATUSES } from '../../worker/contract/result.js';
import { ATTACKS, PLACEHOLDERS, type AttackExpectation, type ProgramEntry } from '../escapes/catalogue.js';
import { SHARED_PROGRAM_FILES } from '../escapes/catalogue-model.js';

const PROGRAMS_DIR = join(import.meta.dirname, '../escapes/programs');
const ALL_IDS = Array.from({ length: 64 }, (_, i) => `T${String(i + 1).padStart(2, '0')}`);
/** Rows added with issue 12 (T65-T76): allowed in the catalogue, covered as their entries land. */
const ISSUE_12_IDS = Array.from({ length: 12 }, (_, i) => `T${i + 65}`);
const RESIDUAL_IDS = ['T62', 'T63'];
const EXTENSION: Record<ProgramEntry['language'], string> = { c: 'c', cpp: 'cpp', python: 'py', bash: 'sh', javascript: 'js' };

const programs = ATTACKS.filter((a): a is ProgramEntry => a.kind === 'program');
const source = (file: string): string => readFileSync(join(PROGRAMS_DIR, file), 'utf8');

/** The program's leading comment: block or line comment, docstring; a shebang line is skipped. */
function leadingComment(text: string): string | null {
  const body = text.startsWith('#!') ? text.slice(text.indexOf('\n') + 1) : text;
  const match = /^(\/\*[\s\S]*?\*\/|(?:\/\/.*\n)+|"""[\s\S]*?"""|(?:#.*\n)+)/.exec(body);
  return match?.[1] ?? null;
}

/**
 * True when the source prints a fact of this name: literally, with digits filled in by a format
 * ("fd{fd}-is-tty", "%d"), or as a literal prefix or suffix completed at run time ("open-%s",
 * "found-$p", "connect-" + path, "$cap-zero").
 */
function printsFact(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\d+/g, '(?:\\d+|\\{\\w+\\}|%d)');
  if (new RegExp(escaped).test(text)) return true;
  const dashes = [...name.matchAll(/-/g)].map((m) => m.index ?? 0);
  const pattern = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\d+/g, '(?:\\d+|\\{\\w+\\}|%d)');
  return dashes.some(
    (i) => new RegExp(`${pattern(name.slice(0, i + 1))}(?:\\{|%s|\\$|"\\s*\\+)`).test(text) || new RegExp(`(?:\\}|%s|\\$\\w+)${pattern(name.slice(i))}`).test(text),
  );
}

function has(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

describe('attack catalogue coverage', () => {
  it('covers every THREATS.md id T01..T64', () => {
    const covered = new Set<string>(ATTACKS.map((a) => a.id));
    expect(ALL_IDS.filter((id) => !covered.has(id))).toEqual([]);
    expect([...covered].filter((id) => !ALL_IDS.includes(id) && !ISSUE_12_IDS.includes(id))).toEqual([]);
  });

  it('marks exactly T62 and T63 residual, each with a reason', () => {
    const residual = ATTACKS.filter((a) => a.kind === 'residual');
    expect(residual.map((a) => a.id).sort()).toEqual(RESIDUAL_IDS);
    for (const a of residual) expect(a.kind === 'residual' && a.reason.length > 40).toBe(true);
  });

  it('has at least one real attack program for every non-residual id except the API-only T24 and T61', () => {
    const withProgram = new Set<string>(programs.map((p) => p.id));
    const covered12 = new Set<string>(ATTACKS.map((a) => a.id).filter((id) => ISSUE_12_IDS.includes(id)));
    const missing = [...ALL_IDS, ...ISSUE_12_IDS.filter((id) => covered12.has(id))].filter((id) => !withProgram.has(id) && !RESIDUAL_IDS.includes(id));
    expect(missing).toEqual(['T24', 'T61']);
  });

  it('lists C, Python and shell attacks (and compile-time attacks in C and C++)', () => {
    const languages = new Set(programs.map((p) => p.language));
    for (const l of ['c', 'cpp', 'python', 'bash', 'javascript'] as const) expect(languages).toContain(l);
    expect(programs.filter((p) => p.id === 'T59').map((p) => p.language)).toEqual(expect.arrayContaining(['c', 'cpp']));
  });
});

describe('attack program files', () => {
  it('exist for every entry, with the extension of the entry language', () => {
    const files = new Set(readdirSync(PROGRAMS_DIR));
    for (const p of programs) {
      expect(files.has(p.file), p.file).toBe(true);
      expect(p.file.endsWith(`.${EXTENSION[p.language]}`), p.file).toBe(true);
      expect(p.file.startsWith(`${p.id}-`), p.file).toBe(true);
    }
  });

  it('are all referenced by the catalogue (no orphan program) or shared helpers', () => {
    const referenced = new Set([...programs.map((p) => p.file), ...SHARED_PROGRAM_FILES.map((h) => h.file)]);
    expect(readdirSync(PROGRAMS_DIR).filter((f) => !referenced.has(f))).toEqual([]);
  });

  it.each(SHARED_PROGRAM_FILES.map((h) => [h.file, h] as const))('shared helper %s exists and is included by programs', (file, h) => {
    expect(readdirSync(PROGRAMS_DIR)).toContain(file);
    expect(programs.filter((p) => h.includedBy.test(source(p.file))).length).toBeGreaterThan(10);
  });

  it('keep no copy of the shared fact printers (they include facts.h or import facts.py)', () => {
    const copies = programs.filter((p) => /^static void fact\(|^def fact\(/m.test(source(p.file)));
    expect(copies.map((p) => p.file)).toEqual([]);
  });

  it.each(programs.map((p) => [p.file, p] as const))('%s begins with a comment naming its threat, how it works and the safe outcome', (file, p) => {
    const comment = leadingComment(source(file));
    expect(comment, file).not.toBeNull();
    expect(comment).toContain(p.id);
    expect(comment).toMatch(/Expected safe outcome/);
  });
});

describe('attack expectations', () => {
  const expectations: [string, AttackExpectation][] = programs.flatMap((p) => [
    [`${p.file}`, p.expect] as [string, AttackExpectation],
    ...(p.followUp ? [[`${p.file} (follow-up)`, p.followUp.expect] as [string, AttackExpectation]] : []),
  ]);

  it.each(expectations)('%s states a non-empty status set of known statuses and something else to assert', (_file, e) => {
    expect(e.statusIn.length).toBeGreaterThan(0);
    for (const s of [...e.statusIn, ...(e.compileStatusIn ?? [])]) expect(STATUSES).toContain(s);
    const assertions =
      (e.checks?.length ?? 0) +
      (e.stdoutIncludes?.length ?? 0) +
      (e.stdoutExcludes?.length ?? 0) +
      (e.signal ? 1 : 0) +
      (e.exitCode !== undefined ? 1 : 0) +
      (e.host?.length ?? 0) +
      (e.compileStatusIn?.length ?? 0) +
      (e.stdoutTruncated ? 1 : 0);
    expect(assertions).toBeGreaterThan(0);
  });

  it.each(programs.map((p) => [p.file, p] as const))('%s pairs every required blocked check with a control that must succeed', (_file, p) => {
    const checks = p.expect.checks ?? [];
    const names = checks.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    if (checks.some((c) => !c.okExpected && !c.optional)) {
      expect(checks.some((c) => c.okExpected && !c.optional)).toBe(true);
    }
  });

  it.each(programs.map((p) => [p.file, p] as const))('%s prints every fact it is expected to print', (file, p) => {
    const text = source(file);
    for (const c of [...(p.expect.checks ?? []), ...(p.followUp?.expect.checks ?? [])]) {
      expect(printsFact(text, c.name), `${file}: ${c.name}`).toBe(true);
    }
  });

  it('uses only known placeholders', () => {
    const known = new Set<string>(Object.values(PLACEHOLDERS));
    const used = JSON.stringify(ATTACKS).match(/\{\{[A-Z_]+\}\}/g) ?? [];
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((u) => !known.has(u))).toEqual([]);
  });

  it('gives every host-only entry a written host check', () => {
    for (const a of ATTACKS.filter((x) => x.kind === 'host')) {
      expect(a.hostCheck?.length ?? 0, a.id).toBeGreaterThan(40);
      expect(a.kind === 'host' && a.expect.host.length > 0).toBe(true);
    }
  });
});

describe('attack programs are well-formed source', () => {
  // Compile-time attacks (T59) are never compiled on this host: they attack the compiler itself.
  const compiled = programs.filter((p) => (p.language === 'c' || p.language === 'cpp') && p.id !== 'T59');
  const hasGcc = has('gcc', ['--version']);
  const hasPython = has('python3', ['--version']);

  it.skipIf(!hasGcc)(`C sources pass gcc -fsyntax-only${hasGcc ? '' : ' (SKIPPED: gcc missing)'}`, () => {
    for (const p of compiled) {
      const r = spawnSync('gcc', ['-fsyntax-only', '-Wall', '-Werror', '-pthread', join(PROGRAMS_DIR, p.file)], { encoding: 'utf8' });
      expect(r.stderr, p.file).toBe('');
      expect(r.status, p.file).toBe(0);
    }
  });

  it.skipIf(!hasPython)(`Python sources compile${hasPython ? '' : ' (SKIPPED: python3 missing)'}`, () => {
    const files = programs.filter((p) => p.language === 'python').map((p) => join(PROGRAMS_DIR, p.file));
    const check = 'import ast,sys\nfor f in sys.argv[1:]: ast.parse(open(f).read(), f)';
    const r = spawnSync('python3', ['-c', check, ...files], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('shell sources pass bash -n and JavaScript sources pass node --check', () => {
    for (const p of programs.filter((x) => x.language === 'bash' || x.language === 'javascript')) {
      const [cmd, flag] = p.language === 'bash' ? ['bash', '-n'] : [process.execPath, '--check'];
      const r = spawnSync(cmd, [flag, join(PROGRAMS_DIR, p.file)], { encoding: 'utf8' });
      expect(r.status, `${p.file}: ${r.stderr}`).toBe(0);
    }
  });
});
