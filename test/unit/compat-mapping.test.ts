/**
 * The pure parts of the Judge0 and Piston adapters: Judge0's value reading and base64, command
 * lines, the language-id table over a catalogue, the limit converter, zip bounds, and Piston's
 * names and version selectors.
 */
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeLenientBase64, encodeJudge0Base64, FieldErrorList, readBoolean, readNumber, splitCommandLine } from '../../api/compat/judge0/fields.js';
import { judge0ErrorShape } from '../../api/compat/judge0/routes.js';
import { BULKHEAD_ID_BASE, JUDGE0_LANGUAGES, judge0Language, judge0Languages } from '../../api/compat/judge0/languages.js';
import { fromJudge0Limits, toJudge0Limits } from '../../api/compat/judge0/limits.js';
import { pistonRuntime, resolvePistonRuntime, versionMatches } from '../../api/compat/piston/runtimes.js';
import { filesFromZip } from '../../api/compat/zip-files.js';
import type { RuntimeInfo } from '../../worker/contract/heartbeat.js';
import { limitsWith } from '../helpers/limits.js';

const MIB = 1024 * 1024;
function runtime(language: string, version: string, aliases: string[] = []): RuntimeInfo {
  const limits = limitsWith({ cpuTimeMs: 2000, wallTimeMs: 5000, memoryBytes: 256 * MIB, pids: 32, outputBytes: MIB });
  return { language, version, aliases, compiled: false, sourceFile: 'main', limits: { default: limits, max: { ...limits, cpuTimeMs: 10_000 } } };
}

describe('Judge0 values', () => {
  it('reads numbers from numbers and numeric strings, treats null and "" as unset, and words problems as Judge0 does', () => {
    const errors = new FieldErrorList();
    const bounds = { min: 0, max: 15 };
    expect(readNumber({ a: '2.5' }, 'a', bounds, 5, errors)).toBe(2.5);
    expect(readNumber({ a: null }, 'a', bounds, 5, errors)).toBe(5);
    expect(readNumber({ a: '' }, 'a', bounds, 5, errors)).toBe(5);
    expect(errors.empty).toBe(true);
    readNumber({ a: 'ten' }, 'a', bounds, 5, errors);
    readNumber({ b: 16 }, 'b', bounds, 5, errors);
    readNumber({ c: 0 }, 'c', { min: 0, minExclusive: true, max: 1 }, 1, errors);
    expect(errors.errors).toEqual({ a: ['is not a number'], b: ['must be less than or equal to 15'], c: ['must be greater than 0'] });
    expect(() => errors.throwIfAny()).toThrow(expect.objectContaining({ code: 'SBX_ERR_FIELD_REFUSED' }));
    expect([readBoolean({ x: 'true' }, 'x', false), readBoolean({ x: '0' }, 'x', true), readBoolean({}, 'x', true)]).toEqual([true, false, true]);
  });

  it('writes base64 as Ruby encode64 (60-column lines) and reads it leniently, refusing what is not base64', () => {
    const bytes = Buffer.alloc(100, 7);
    const encoded = encodeJudge0Base64(bytes);
    expect(encoded.split('\n').map((l) => l.length)).toEqual([60, 60, 16, 0]);
    expect(decodeLenientBase64(encoded)).toEqual(bytes);
    expect(decodeLenientBase64('aGk')).toEqual(Buffer.from('hi'));
    expect(decodeLenientBase64('not base64!')).toBeUndefined();
  });

  it('splits command lines as the shell would, after dropping the characters Judge0 strips', () => {
    expect(splitCommandLine('  a  "b c" \'d e\' f\\ g ')).toEqual(['a', 'b c', 'd e', 'f g']);
    expect(splitCommandLine('x; rm -rf / | cat $HOME `id`')).toEqual(['x', 'rm', '-rf', '/', 'cat', 'HOME', 'id']);
    expect(splitCommandLine('""')).toEqual(['']);
    expect(splitCommandLine('')).toEqual([]);
  });

  it('converts limits between Judge0 units and Bulkhead units, the CPU kill limit including the extra time', () => {
    const judge0 = toJudge0Limits(limitsWith({ cpuTimeMs: 2000, wallTimeMs: 5000, memoryBytes: 256 * MIB, pids: 32, outputBytes: MIB, stackBytes: 8 * MIB }));
    expect(judge0).toEqual({
      cpuTimeLimitS: 2,
      cpuExtraTimeS: 0,
      wallTimeLimitS: 5,
      memoryLimitKb: 262144,
      stackLimitKb: 8192,
      maxProcessesAndOrThreads: 32,
      maxFileSizeKb: 1024,
    });
    expect(fromJudge0Limits({ ...judge0, cpuExtraTimeS: 0.5 })).toEqual({
      cpuTimeMs: 2500,
      wallTimeMs: 5000,
      memoryBytes: 256 * MIB,
      pids: 32,
      outputBytes: MIB,
      stackBytes: 8 * MIB,
    });
  });
});

describe('Judge0 language ids', () => {
  it('lists an id only for installed languages, each naming its version, and falls back to the default version', () => {
    const installed = [runtime('python', '3.13.1'), { ...runtime('python', '3.11.2'), default: true }, runtime('bash', '5.2.15')];
    const listed = judge0Languages(installed);
    expect(listed.map((l) => [l.id, l.runtime.version])).toEqual([
      [46, '5.2.15'],
      [71, '3.11.2'],
      [92, '3.11.2'],
      [100, '3.13.1'],
      [109, '3.13.1'],
    ]);
    expect(judge0Language(installed, 92)?.name).toBe('Python (3.11.2)');
    expect(judge0Language(installed, 50)).toBeUndefined();
    // Only the Debian 13 build here: Judge0's older ids still run Python, under its real version.
    expect(judge0Language([runtime('python', '3.13.1')], 71)?.name).toBe('Python (3.13.1)');
  });

  it('gives every installed language and version at least one id, and no id twice', () => {
    const versions: Record<string, string[]> = {
      c: ['12.2.0', '14.2.0'],
      cpp: ['12.2.0', '14.2.0'],
      go: ['1.19.8', '1.24.4'],
      java: ['17.0.21.1', '21.0.13.1'],
      javascript: ['18.20.4', '20.19.2'],
      python: ['3.11.2', '3.13.5'],
      ruby: ['3.1.2p20', '3.3.14'],
      rust: ['1.63.0', '1.85.1'],
    };
    const installed = Object.keys(JUDGE0_LANGUAGES).flatMap((language) => (versions[language] ?? ['1.0']).map((v, i) => ({ ...runtime(language, v), default: i === 0 })));
    const listed = judge0Languages(installed);
    expect(new Set(listed.map((l) => l.id)).size).toBe(listed.length);
    for (const r of installed)
      expect(
        listed.some((l) => l.runtime === r),
        `${r.language} ${r.version}`,
      ).toBe(true);
    expect(listed.filter((l) => l.id < BULKHEAD_ID_BASE).length).toBeGreaterThan(listed.length / 2);
  });

  it('takes new languages from the table alone (name → ids)', () => {
    const table = { lua: { label: 'Lua (', labelEnd: ')', ids: [{ id: 64 }] } };
    expect(judge0Languages([runtime('lua', '5.4.6')], table)).toEqual([{ id: 64, name: 'Lua (5.4.6)', runtime: expect.any(Object) }]);
  });
});

describe('additional files (zip)', () => {
  const zip = (files: Record<string, string>) => zipSync(Object.fromEntries(Object.entries(files).map(([n, c]) => [n, Buffer.from(c)])));

  it('gives the files of a flat archive and skips empty folders', () => {
    const files = filesFromZip(zipSync({ 'a.txt': Buffer.from('A'), 'empty/': new Uint8Array(0) }), { maxFiles: 4, maxTotalBytes: 100 });
    expect(files).toEqual([{ name: 'a.txt', contentBase64: Buffer.from('A').toString('base64') }]);
  });

  it('refuses folders, traversal, too many files, too many bytes and non-archives, before inflating', () => {
    const bounds = { maxFiles: 2, maxTotalBytes: 1000 };
    expect(() => filesFromZip(zip({ 'src/a.py': 'x' }), bounds)).toThrow('is in a folder');
    expect(() => filesFromZip(zip({ '../a.py': 'x' }), bounds)).toThrow('points outside the work directory');
    expect(() => filesFromZip(zip({ a: '1', b: '2', c: '3' }), bounds)).toThrow('more than 2 files');
    expect(() => filesFromZip(zip({ big: 'x'.repeat(2000) }), bounds)).toThrow('more than 1000 bytes');
    expect(() => filesFromZip(Buffer.from('not a zip'), bounds)).toThrow(expect.objectContaining({ code: 'SBX_ERR_ARCHIVE' }));
  });
});

describe('Piston names and versions', () => {
  it('names runtimes as Piston does, keeping Bulkhead aliases too', () => {
    expect(pistonRuntime(runtime('cpp', '12.2.0', ['c++', 'g++']))).toEqual({ language: 'c++', version: '12.2.0', aliases: ['cpp', 'g++'], runtime: 'gcc' });
    expect(pistonRuntime(runtime('csharp', '6.8.0.105', ['cs']))).toMatchObject({ language: 'csharp', runtime: 'mono', aliases: expect.arrayContaining(['mono', 'c#', 'cs']) });
    expect(pistonRuntime(runtime('javascript', '18.19.0', ['node']))).toMatchObject({ language: 'javascript', runtime: 'node', aliases: expect.arrayContaining(['js', 'node']) });
    expect(pistonRuntime(runtime('zig', '0.11.0', ['ziglang']))).toEqual({ language: 'zig', version: '0.11.0', aliases: ['ziglang'] });
  });

  it('matches exact versions, *, and semver ranges against installed versions, newest first', () => {
    expect([versionMatches('3.11.2', '3.11.2'), versionMatches('3.11.2', '*'), versionMatches('3.11.2', '^3'), versionMatches('3.11.2', '3.12.x')]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(versionMatches('21.0.5+11', '21')).toBe(true);
    const installed = [runtime('python', '3.11.2'), runtime('python', '3.13.1')];
    expect(resolvePistonRuntime(installed, 'PY3', '*')?.version).toBe('3.13.1');
    expect(resolvePistonRuntime(installed, 'python', '<3.12')?.version).toBe('3.11.2');
    expect(resolvePistonRuntime(installed, 'python', 'banana')).toBeUndefined();
  });
});

describe("Judge0 error shapes for the catalogue's refusals", () => {
  it('answers an unknown version or language and a refused compile flag as a 422 on the field that implied it', () => {
    const answer = (code: string, message: string) => ({ statusCode: 400, code, message, isServiceFault: false }) as Parameters<typeof judge0ErrorShape>[0];
    expect(judge0ErrorShape(answer('SBX_ERR_VERSION_UNKNOWN', 'no version 9'))).toEqual({ statusCode: 422, body: { language_id: ['no version 9'] } });
    expect(judge0ErrorShape(answer('SBX_ERR_RUNTIME_UNKNOWN', 'no such language'))).toEqual({ statusCode: 422, body: { language_id: ['no such language'] } });
    expect(judge0ErrorShape(answer('SBX_ERR_COMPILE_FLAGS', 'flag -B not allowed'))).toEqual({ statusCode: 422, body: { compiler_options: ['flag -B not allowed'] } });
    expect(judge0ErrorShape(answer('SBX_ERR_VALIDATION', 'bad'))).toEqual({ statusCode: 400, body: { error: 'bad' } });
  });
});
