/**
 * Every language through the whole service (issue 4 and issue 5): the manifest's samples are
 * POSTed to /run on a real API, queued in a real Redis and run by a real worker in the real
 * sandbox. hello → OK with the exact stdout; compileError → COMPILE_ERROR with the compiler's
 * stage and no run stage; runtimeError → RUNTIME_ERROR with a non-zero exit or a signal. Then each
 * limit verdict once through the API (the sandbox tier measures them precisely; here we check
 * that the verdict, its detail fields and the truncation flag survive the queue and the wire).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifests } from '../../worker/runtimes/runtime-index.js';
import { IMAGES_DIR } from '../helpers/images-paths.js';
import { expectHealthy, postRun, waitUntilDone, type RunBody } from '../helpers/service-client.js';
import { DATA_DIR, serviceUnavailableReason, startService, type TestService } from '../helpers/service.js';

/** What GET /languages answers for one version (the fields read here). */
interface LanguageBody {
  language: string;
  version: string;
  aliases: string[];
  default?: boolean;
  compileFlags?: string[];
  limits: { default: Record<string, number>; max: Record<string, number> };
}

const manifests = (await loadManifests(IMAGES_DIR)).sort((a, b) => a.image.localeCompare(b.image));
const MIB = 1024 * 1024;
const skip = serviceUnavailableReason();
let service: TestService;

/** Runs `source` synchronously and returns the done body (polls if the API answered 202). */
async function runDone(language: string, source: string, limits?: Record<string, number>, version?: string): Promise<RunBody> {
  const answer = await postRun(service.url, {
    language,
    source,
    wait: true,
    ...(limits === undefined ? {} : { limits }),
    ...(version === undefined ? {} : { version }),
  });
  expect([200, 202], `${language}: ${JSON.stringify(answer.body)}`).toContain(answer.httpStatus);
  if (answer.httpStatus === 202) return waitUntilDone(service.url, String(answer.body.id), 90_000);
  return answer.body as unknown as RunBody;
}

async function sample(dir: string, file: string): Promise<string> {
  return readFile(join(dir, file), 'utf8');
}

describe.skipIf(skip !== undefined)(`the service${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    // A long wait bound: a cold Java or Rust compile must still answer 200 in one call here.
    service = await startService({ apiEnv: { SBX_WAIT_TIMEOUT_MS: '60000' } });
  });
  afterAll(async () => {
    await service?.stop();
  });

  describe('every language and version through POST /run', () => {
    for (const manifest of manifests) {
      const { image, language, samples, dir } = manifest;
      const isCompiled = manifest.compile !== undefined;
      const compileError = samples.compileError;
      const versionSample = samples.version;

      const imageMissing = serviceUnavailableReason([image]);
      it.skipIf(imageMissing !== undefined)(
        `${image}${imageMissing ? ` (skipped: ${imageMissing})` : ''}: hello is OK with the exact stdout, the runtime error is RUNTIME_ERROR${compileError ? ', the compile error is COMPILE_ERROR' : ''}${versionSample ? ', the version sample prints its version' : ''}`,
        async () => {
          // The version the image recorded at build time: asking for it exactly must reach this image.
          const { version } = JSON.parse(await readFile(`${DATA_DIR}/images/${image}.json`, 'utf8')) as { version: string };
          const runAt = (file: string): Promise<RunBody> => sample(dir, file).then((source) => runDone(language, source, undefined, version));
          const [hello, failing, broken, printed] = await Promise.all([
            runAt(samples.hello.file),
            runAt(samples.runtimeError.file),
            compileError === undefined ? undefined : runAt(compileError.file),
            versionSample === undefined ? undefined : runAt(versionSample.file),
          ]);

          expect(hello.status, JSON.stringify(hello)).toBe('OK');
          expect(hello.version).toBe(version);
          expect(hello.run).toMatchObject({ status: 'OK', exitCode: 0, signal: null, stdout: samples.hello.stdout });
          if (isCompiled) expect(hello.compile?.status).toBe('OK');
          else expect(hello.compile).toBeUndefined();

          expect(failing.status, JSON.stringify(failing)).toBe('RUNTIME_ERROR');
          expect(failing.run?.status).toBe('RUNTIME_ERROR');
          const endedBadly = (failing.run?.exitCode ?? 0) !== 0 || failing.run?.signal !== null;
          expect(endedBadly, `exit ${failing.run?.exitCode} signal ${failing.run?.signal}`).toBe(true);

          if (broken !== undefined) {
            expect(broken.status, JSON.stringify(broken)).toBe('COMPILE_ERROR');
            expect(broken.compile).toBeDefined();
            expect(broken.compile?.status).not.toBe('OK');
            // The compiler's diagnostics reach the user, so they can see why.
            expect(`${broken.compile?.stdout ?? ''}${broken.compile?.stderr ?? ''}`.length).toBeGreaterThan(0);
            expect(broken.run).toBeUndefined();
          }
          if (printed !== undefined) {
            // The runtime itself says which version ran: the selection reached the right image.
            expect(printed.status, JSON.stringify(printed)).toBe('OK');
            expect(printed.run?.stdout).toContain(version);
          }
        },
        180_000,
      );
    }

    it('a language with a compile stage has a compileError sample (the manifest test above is not vacuous)', () => {
      const compiled = manifests.filter((m) => m.compile !== undefined);
      expect(compiled.length).toBeGreaterThan(0);
      expect(compiled.filter((m) => m.samples.compileError === undefined).map((m) => m.image)).toEqual([]);
    });
  });

  const versionsSkip = serviceUnavailableReason(['python', 'python-trixie', 'cpp', 'cpp-trixie']);
  describe.skipIf(versionsSkip !== undefined)(`versions and compile flags${versionsSkip ? ` (skipped: ${versionsSkip})` : ''}`, () => {
    const printVersion = 'import platform\nprint(platform.python_version())\n';

    it('GET /languages lists every version with its aliases, limits and the default, newest first', async () => {
      const languages = (await (await fetch(`${service.url}/languages`)).json()) as LanguageBody[];
      const pythons = languages.filter((l) => l.language === 'python');
      expect(pythons.map((l) => l.version.split('.').slice(0, 2).join('.'))).toEqual(['3.13', '3.11']);
      expect(pythons.map((l) => l.default === true)).toEqual([false, true]);
      for (const l of pythons) expect(l.aliases).toContain('py3');
      expect(pythons[0]?.limits.max.memoryBytes).toBeGreaterThan(0);
      expect(languages.find((l) => l.language === 'cpp' && l.version.startsWith('14.'))?.compileFlags).toContain('-std=c++23');
    });

    it('runs the default without a version, the newest with "*", the newest match of a prefix, exactly the version asked for', async () => {
      const languages = (await (await fetch(`${service.url}/languages`)).json()) as LanguageBody[];
      const [newest, older] = languages.filter((l) => l.language === 'python').map((l) => l.version);
      const [byDefault, star, prefix, exact, alias] = await Promise.all([
        runDone('python', printVersion),
        runDone('python', printVersion, undefined, '*'),
        runDone('python', printVersion, undefined, '3'),
        runDone('python', printVersion, undefined, older),
        runDone('py3', printVersion, undefined, newest?.split('.').slice(0, 2).join('.')),
      ]);
      expect(byDefault.run?.stdout).toBe(`${older}\n`);
      expect(byDefault.version).toBe(older);
      expect(star.run?.stdout).toBe(`${newest}\n`);
      expect(prefix.run?.stdout).toBe(`${newest}\n`);
      expect(exact.run?.stdout).toBe(`${older}\n`);
      expect(alias.run?.stdout).toBe(`${newest}\n`);
    });

    it('answers an unknown version with 400 SBX_ERR_VERSION_UNKNOWN listing the valid ones', async () => {
      const answer = await postRun(service.url, { language: 'python', version: '2.7', source: 'print(1)' });
      expect(answer.httpStatus).toBe(400);
      const error = (answer.body as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('SBX_ERR_VERSION_UNKNOWN');
      expect(error.message).toMatch(/valid versions: 3\.13\.\d+, 3\.11\.\d+/);
    });

    it('selects C++23 on GCC 14 with compileFlags from the allow-list, and refuses a flag outside it with 400', async () => {
      const source = '#include <print>\nint main() { std::print("{}\\n", __cplusplus); }\n';
      const [cpp23, cpp17, refused] = await Promise.all([
        postRun(service.url, { language: 'cpp', version: '14', source, compileFlags: ['-std=c++23', '-O2'] }),
        postRun(service.url, { language: 'cpp', version: '14', source }),
        postRun(service.url, { language: 'cpp', version: '14', source, compileFlags: ['-fplugin=/box/evil.so'] }),
      ]);
      expect((cpp23.body as unknown as RunBody).run?.stdout, JSON.stringify(cpp23.body)).toBe('202302\n');
      expect((cpp17.body as unknown as RunBody).status).toBe('COMPILE_ERROR');
      expect(refused.httpStatus).toBe(400);
      expect((refused.body as { error: { code: string } }).error.code).toBe('SBX_ERR_COMPILE_FLAGS');
    });

    it.skipIf(serviceUnavailableReason(['typescript']) !== undefined)(
      'compiles TypeScript without --strict by default, as Judge0 and Piston do, and with it when asked',
      async () => {
        const source = 'function twice(x) { return x * 2; }\nconsole.log(twice(21));\n';
        const [plain, asked] = await Promise.all([runDone('typescript', source), postRun(service.url, { language: 'typescript', source, compileFlags: ['--strict'], wait: true })]);
        expect(plain.run?.stdout, JSON.stringify(plain)).toBe('42\n');
        const strict = asked.body as unknown as RunBody;
        expect(strict.status, JSON.stringify(strict)).toBe('COMPILE_ERROR');
        expect(`${strict.compile?.stdout ?? ''}${strict.compile?.stderr ?? ''}`).toContain('implicitly has an');
      },
      120_000,
    );
  });

  const allImages = serviceUnavailableReason(manifests.map((m) => m.image));
  it.skipIf(allImages !== undefined)(`GET /languages lists at least 40 languages${allImages ? ` (skipped: ${allImages})` : ''}`, async () => {
    const languages = (await (await fetch(`${service.url}/languages`)).json()) as LanguageBody[];
    expect(new Set(languages.map((l) => l.language)).size).toBeGreaterThanOrEqual(40);
    expect(languages.length).toBe(manifests.length);
  });

  const limitsSkip = serviceUnavailableReason(['python', 'c']);
  describe.skipIf(limitsSkip !== undefined)(`limit verdicts through POST /run${limitsSkip ? ` (skipped: ${limitsSkip})` : ''}`, () => {
    it('returns TIME_LIMIT with timeLimit cpu for a Python busy loop over its CPU limit', async () => {
      const body = await runDone('python', 'while True:\n    pass\n', { cpuTimeMs: 500, wallTimeMs: 5000 });
      expect(body).toMatchObject({ status: 'TIME_LIMIT', timeLimit: 'cpu' });
      expect(body.run).toMatchObject({ status: 'TIME_LIMIT', timeLimit: 'cpu' });
    });

    it('returns TIME_LIMIT with timeLimit cpu for a C busy loop over its CPU limit', async () => {
      const body = await runDone('c', 'int main(void) { volatile unsigned long n = 0; for (;;) n++; }\n', { cpuTimeMs: 300, wallTimeMs: 5000 });
      expect(body).toMatchObject({ status: 'TIME_LIMIT', timeLimit: 'cpu' });
      expect(body.compile?.status).toBe('OK');
    });

    it('returns TIME_LIMIT with timeLimit wall for a Python program sleeping past its wall limit', async () => {
      const body = await runDone('python', 'import time\ntime.sleep(30)\n', { cpuTimeMs: 2000, wallTimeMs: 1000 });
      expect(body).toMatchObject({ status: 'TIME_LIMIT', timeLimit: 'wall' });
      expect(body.run?.timeLimit).toBe('wall');
    });

    it('returns MEMORY_LIMIT for a Python program touching more memory than its limit', async () => {
      // bytes * n writes every page, so the memory is really charged (a calloc'd bytearray is not).
      const body = await runDone('python', `x = b"x" * (${256 * MIB})\nprint(len(x))\n`, { memoryBytes: 64 * MIB });
      expect(body.status, JSON.stringify(body.run)).toBe('MEMORY_LIMIT');
      expect(body.run?.stdout).toBe('');
    });

    it('returns OUTPUT_LIMIT with stdoutTruncated and at most the limit kept for a Python flood', async () => {
      const body = await runDone('python', 'import sys\nwhile True:\n    sys.stdout.write("y" * 65536)\n', { outputBytes: 4096 });
      expect(body.status).toBe('OUTPUT_LIMIT');
      expect(body.run?.stdoutTruncated).toBe(true);
      expect(body.run?.stdout.length).toBeGreaterThan(0);
      expect(body.run?.stdout.length).toBeLessThanOrEqual(4096);
      expect(body.run?.stdout).toMatch(/^y+$/);
    });

    it('gives every process the stack a request asks for: deep recursion overflows 8 MiB and fits in 128 MiB', async () => {
      // About 36 MiB of frames: the padding is written, and the addition after the call keeps it
      // from becoming a loop.
      const source =
        '#include <stdio.h>\n' +
        'static int depth(int n) { volatile char pad[1024]; pad[0] = (char)n; return n ? depth(n - 1) + (pad[0] & 1) : 0; }\n' +
        'int main(void) { printf("%d\\n", depth(32 * 1024)); return 0; }\n';
      const [small, large, shown] = await Promise.all([
        runDone('c', source, { stackBytes: 8 * MIB }),
        runDone('c', source, { stackBytes: 128 * MIB, memoryBytes: 256 * MIB }),
        runDone('bash', 'ulimit -s; bash -c "ulimit -s"', { stackBytes: 12 * MIB }),
      ]);
      expect(small.status, JSON.stringify(small.run)).toBe('RUNTIME_ERROR');
      expect(small.run?.signal).toBe('SIGSEGV');
      expect(large.status, JSON.stringify(large.run)).toBe('OK');
      expect(large.run?.stdout).toBe('16384\n');
      // In KiB, and inherited by a child process.
      expect(shown.run?.stdout).toBe('12288\n12288\n');
    });

    it('stays healthy after every limit verdict (ready, and a fresh run is OK)', async () => {
      await expectHealthy(service.url);
    });
  });

  const javaSkip = serviceUnavailableReason(['java']);
  describe.skipIf(javaSkip !== undefined)(`runtime sizing${javaSkip ? ` (skipped: ${javaSkip})` : ''}`, () => {
    it('sizes the Java heap from the memory limit: 384 MB kept live fits under 1 GiB, not under 256 MiB', async () => {
      // The JVM cannot see its cgroup (no /sys inside), so the heap comes from the limit (3/4);
      // with the heap fixed at 256 MiB, as it was, the 1 GiB run failed too.
      const source =
        'public class Main { public static void main(String[] a) { long[][] keep = new long[128][]; ' +
        'for (int i = 0; i < keep.length; i++) { keep[i] = new long[393_216]; keep[i][i] = i; } ' +
        'System.out.println(keep.length); } }\n';
      const [large, small] = await Promise.all([
        runDone('java', source, { memoryBytes: 1024 * MIB, cpuTimeMs: 10_000, wallTimeMs: 30_000 }),
        runDone('java', source, { memoryBytes: 256 * MIB, cpuTimeMs: 10_000, wallTimeMs: 30_000 }),
      ]);
      expect(large.status, JSON.stringify(large.run)).toBe('OK');
      expect(large.run?.stdout).toBe('128\n');
      expect(large.run?.memoryBytes).toBeGreaterThan(384 * MIB);
      // Out of heap (OutOfMemoryError) or out of the cgroup first: never OK.
      expect(['RUNTIME_ERROR', 'MEMORY_LIMIT'], JSON.stringify(small.run)).toContain(small.status);
    });
  });
});
