/**
 * The Piston v2 API through the whole service: raw HTTP as Piston clients send it (JSON under
 * text/plain too), every language and version by its Piston name, Piston 3's statuses from the real sandbox,
 * and the real npm client `piston-client`, installed at test time into this test's own temporary
 * folder (skipped, with the reason, when npm cannot install it), running programs against Bulkhead.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PISTON_NAMES } from '../../api/compat/piston/runtimes.js';
import { imageRecordPath, loadManifests } from '../../worker/runtimes/runtime-index.js';
import { IMAGES_DIR } from '../helpers/images-paths.js';
import { FORCED_CHARGE_SLACK_BYTES } from '../helpers/limits.js';
import { DATA_DIR, serviceUnavailableReason, startService, type TestService } from '../helpers/service.js';

const manifests = (await loadManifests(IMAGES_DIR)).sort((a, b) => a.language.localeCompare(b.language));
const skip = serviceUnavailableReason(['python', 'c']);

/** The npm client's surface as this test uses it. */
interface PistonClient {
  runtimes(): Promise<Array<{ language: string; version: string }>>;
  execute(language: string, code: string, config?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** Installs piston-client into a fresh temporary folder; the reason when that is not possible. */
function installPistonClient(): { dir: string; reason?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-piston-client-'));
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', dir, 'piston-client'], { encoding: 'utf8', timeout: 180_000 });
  if (npm.status !== 0) return { dir, reason: `npm could not install piston-client: ${(npm.stderr || npm.error?.message || '').split('\n')[0] ?? ''}` };
  return { dir };
}

const client = skip === undefined ? installPistonClient() : { dir: '', reason: skip };
let service: TestService;

type Json = Record<string, unknown>;

async function execute(body: Json, contentType = 'application/json'): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${service.url}/api/v2/execute`, { method: 'POST', headers: { 'content-type': contentType }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Json };
}

const run = (answer: { body: Json }) => answer.body.run as Json;

describe.skipIf(skip !== undefined)(`Piston v2 API${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    service = await startService({ apiEnv: { SBX_WAIT_TIMEOUT_MS: '60000' } });
  });
  afterAll(async () => {
    await service?.stop();
    if (client.dir !== '') rmSync(client.dir, { recursive: true, force: true });
  });

  describe('every language and version by its Piston name', () => {
    for (const manifest of manifests) {
      const { image, language, samples, dir } = manifest;
      const missing = serviceUnavailableReason([image]);
      const name = PISTON_NAMES[language]?.language ?? language;
      it.skipIf(missing !== undefined)(
        `${name} (${image})${missing ? ` (skipped: ${missing})` : ''}: hello at the exact installed version prints the exact stdout with code 0; the version sample prints that version`,
        async () => {
          const { version } = JSON.parse(await readFile(imageRecordPath(DATA_DIR, image), 'utf8')) as { version: string };
          const runSample = async (file: string) => execute({ language: name, version, files: [{ name: 'prog', content: await readFile(join(dir, file), 'utf8') }] });
          const [answer, printed] = await Promise.all([runSample(samples.hello.file), samples.version && runSample(samples.version.file)]);
          expect(answer.status, JSON.stringify(answer.body)).toBe(200);
          expect(answer.body).toMatchObject({ language: name, version });
          expect(run(answer)).toMatchObject({ stdout: samples.hello.stdout, output: samples.hello.stdout, code: 0, signal: null, status: null });
          if (manifest.compile !== undefined) expect(answer.body.compile).toMatchObject({ code: 0 });
          if (printed) expect(String(run(printed).stdout), JSON.stringify(printed.body)).toContain(version);
        },
        180_000,
      );
    }
  });

  it("picks among the installed GCC versions by semver range, and answers an uninstalled one with Piston's message", async () => {
    const runtimes = (await (await fetch(`${service.url}/api/v2/runtimes`)).json()) as Array<{ language: string; version: string }>;
    const versions = runtimes.filter((r) => r.language === 'c++').map((r) => r.version);
    const content = '#include <cstdio>\nint main(){std::printf("%d\\n", __GNUC__);}';
    for (const version of versions) {
      const major = version.split('.')[0] ?? '';
      const answer = await execute({ language: 'cpp', version: `^${major}`, files: [{ content }] });
      expect(answer.body, JSON.stringify(answer.body)).toMatchObject({ language: 'c++', version, run: { stdout: `${major}\n` } });
    }
    expect((await execute({ language: 'c++', version: '1.x', files: [{ content }] })).body).toEqual({ message: 'c++-1.x runtime is unknown' });
  });

  it('lists runtimes with Piston names and installed versions, and matches semver selectors against them', async () => {
    const runtimes = (await (await fetch(`${service.url}/api/v2/runtimes`)).json()) as Array<{ language: string; version: string; aliases: string[] }>;
    const python = runtimes.find((r) => r.language === 'python');
    expect(python?.aliases).toEqual(expect.arrayContaining(['py', 'python3']));
    const major = String(python?.version).split('.')[0];
    const ranged = await execute({ language: 'py3', version: `${major}.x`, files: [{ content: 'print(1)' }] });
    expect(ranged.body).toMatchObject({ language: 'python', version: python?.version });
    expect((await execute({ language: 'python', version: '0.0.1', files: [{ content: 'x' }] })).body).toEqual({ message: 'python-0.0.1 runtime is unknown' });
  });

  it("reports Piston 3's statuses from the real sandbox: RE, SG, TO, OL, the memory limit in bytes, and a compile error as run", async () => {
    const py = (content: string, extra: Json = {}) => execute({ language: 'python', version: '*', files: [{ content }], ...extra });
    const [re, sg, to, ol, ce, mem] = await Promise.all([
      py('import sys; print("a"); sys.exit(4)'),
      py('import os, signal; os.kill(os.getpid(), signal.SIGTERM)'),
      py('while True: pass', { run_timeout: 1000, run_cpu_time: 500 }),
      py('print("x" * 20_000_000)'),
      execute({ language: 'c', version: '*', files: [{ content: 'int main( {' }] }),
      py('a = "x" * (200 * 1024 * 1024)', { run_memory_limit: 64 * 1024 * 1024 }),
    ]);
    expect(run(re!)).toMatchObject({ code: 4, status: 'RE', stdout: 'a\n', message: 'Exited with error status 4' });
    expect(run(sg!)).toMatchObject({ code: null, signal: 'SIGTERM', status: 'SG' });
    expect(run(to!)).toMatchObject({ code: null, signal: 'SIGKILL', status: 'TO' });
    expect(run(ol!)).toMatchObject({ signal: 'SIGKILL', status: 'OL', message: 'stdout length exceeded' });
    expect(ce!.body.compile).toMatchObject({ code: 1, stderr: expect.stringContaining('error') });
    expect(run(ce!)).toEqual(ce!.body.compile);
    expect(run(mem!)).toMatchObject({ code: null, signal: 'SIGKILL', status: 'SG', message: 'Memory limit exceeded' });
    expect(Number(run(mem!).memory)).toBeLessThanOrEqual(64 * 1024 * 1024 + FORCED_CHARGE_SLACK_BYTES);
    for (const answer of [re, sg, to]) expect(run(answer!)).toMatchObject({ cpu_time: expect.any(Number), wall_time: expect.any(Number), memory: expect.any(Number) });
  });

  it.skipIf(serviceUnavailableReason(['java']) !== undefined)(
    'runs Java whatever its class is called, as `java File.java` does: a public class of any name, or the first top-level class',
    async () => {
      const java = (content: string) => execute({ language: 'java', version: '*', files: [{ name: 'Solution.java', content }], args: ['a b', 'c'] });
      const main = 'public static void main(String[] args) { System.out.println(NAME + " " + String.join("|", args)); }';
      const [named, unnamed, clash] = await Promise.all([
        java(`import java.util.*;\n\nclass Helper {}\n\npublic final class Hello {\n  static final String NAME = "hello";\n  ${main}\n  public static class Inner {}\n}\n`),
        java(`class Solution {\n  static final String NAME = "solution";\n  ${main}\n}\n\nclass Other {}\n`),
        // A second file already named after the public class is never overwritten: javac says where the class belongs.
        execute({
          language: 'java',
          version: '*',
          files: [{ content: `public class Hello { ${main.replace('NAME', '"x"')} }` }, { name: 'Hello.java', content: 'class Kept {}' }],
        }),
      ]);
      expect(run(clash), JSON.stringify(clash.body)).toMatchObject({ code: 1, stderr: expect.stringContaining('should be declared in a file named Hello.java') });
      expect(run(named), JSON.stringify(named.body)).toMatchObject({ stdout: 'hello a b|c\n', code: 0 });
      expect(run(unnamed), JSON.stringify(unnamed.body)).toMatchObject({ stdout: 'solution a b|c\n', code: 0 });
    },
    120_000,
  );

  it.skipIf(serviceUnavailableReason(['go']) !== undefined)(
    'builds every Go file of package main, as `go run *.go` does: a function in a second file is found',
    async () => {
      const files = [
        { name: 'main.go', content: 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println(greeting()) }\n' },
        { name: 'greeting.go', content: 'package main\n\nfunc greeting() string { return "hello from a second file" }\n' },
      ];
      // Debian 12's Go 1.19, and the newest installed (Debian 13's 1.24 where it is built).
      for (const version of ['<1.20', '*']) {
        const answer = await execute({ language: 'go', version, files });
        expect(run(answer), JSON.stringify(answer.body)).toMatchObject({ stdout: 'hello from a second file\n', code: 0 });
      }
    },
    180_000,
  );

  it.skipIf(serviceUnavailableReason(['c', 'cpp']) !== undefined)(
    'compiles every C and C++ file as Piston does, except one another file #includes (compiled once, by that file)',
    async () => {
      const header = { name: 'greet.h', content: 'const char *greeting(void);\n' };
      const greet = { name: 'greet.c', content: 'const char *greeting(void) { return "hello from a second file"; }\n' };
      const included = { name: 'twice.c', content: 'static int twice(int x) { return 2 * x; }\n' };
      const main = '#include <stdio.h>\n#include "greet.h"\n#include "twice.c"\nint main(void) { printf("%s %d\\n", greeting(), twice(21)); return 0; }\n';
      const [c, cpp] = await Promise.all([
        execute({ language: 'c', version: '*', files: [{ content: main }, header, greet, included] }),
        execute({
          language: 'c++',
          version: '*',
          files: [
            { content: main.replace('<stdio.h>', '<cstdio>').replace('"twice.c"', '"twice.cc"') },
            { ...header, content: 'extern "C" const char *greeting(void);\n' },
            { ...greet, name: 'greet.cpp', content: `extern "C" ${greet.content}` },
            { ...included, name: 'twice.cc' },
          ],
        }),
      ]);
      expect(run(c), JSON.stringify(c.body)).toMatchObject({ stdout: 'hello from a second file 42\n', code: 0 });
      expect(run(cpp), JSON.stringify(cpp.body)).toMatchObject({ stdout: 'hello from a second file 42\n', code: 0 });
    },
    180_000,
  );

  it.skipIf(serviceUnavailableReason(['csharp', 'kotlin', 'scala', 'd', 'ocaml']) !== undefined)(
    'compiles every C#, Kotlin, Scala, D and OCaml file, as Piston does: a function in a second file is found',
    async () => {
      const program = (language: string, main: string, mainFile: string, other: string, otherFile: string) =>
        execute({
          language,
          version: '*',
          files: [
            { name: mainFile, content: main },
            { name: otherFile, content: other },
          ],
        });
      const answers = await Promise.all([
        program(
          'csharp',
          'class Program { static void Main() { System.Console.WriteLine(Greeting.Text()); } }',
          'Program.cs',
          'static class Greeting { public static string Text() { return "hello from a second file"; } }',
          'Greeting.cs',
        ),
        program('kotlin', 'fun main() { println(greeting()) }', 'main.kt', 'fun greeting() = "hello from a second file"', 'greeting.kt'),
        program('ocaml', 'let () = print_endline Greeting.text\n', 'main.ml', 'let text = "hello from a second file"\n', 'greeting.ml'),
        program(
          'd',
          'import std.stdio, greeting;\nvoid main() { writeln(text()); }\n',
          'main.d',
          'module greeting;\nstring text() { return "hello from a second file"; }\n',
          'greeting.d',
        ),
        program(
          'scala',
          'object Main { def main(args: Array[String]): Unit = println(Greeting.text) }',
          'Main.scala',
          'object Greeting { def text = "hello from a second file" }',
          'Greeting.scala',
        ),
      ]);
      for (const answer of answers) expect(run(answer), JSON.stringify(answer.body)).toMatchObject({ stdout: 'hello from a second file\n', code: 0 });
      // OCaml modules build in dependency order (ocamldep -sort), an interface before its module.
      const withInterface = await execute({
        language: 'ocaml',
        version: '*',
        files: [
          { name: 'main.ml', content: 'let () = print_endline (Shout.loud Greeting.text)\n' },
          { name: 'shout.ml', content: 'let loud s = String.uppercase_ascii s ^ "!"\n' },
          { name: 'greeting.mli', content: 'val text : string\n' },
          { name: 'greeting.ml', content: 'let text = "hello" let hidden = 1\n' },
        ],
      });
      expect(run(withInterface), JSON.stringify(withInterface.body)).toMatchObject({ stdout: 'HELLO!\n', code: 0 });
    },
    240_000,
  );

  it('takes files named like Python modules: __init__.py and _util.py', async () => {
    const files = [{ content: 'import _util\nprint(_util.X)' }, { name: '_util.py', content: 'X = 5' }, { name: '__init__.py', content: '' }];
    const answer = await execute({ language: 'python', version: '*', files });
    expect(run(answer), JSON.stringify(answer.body)).toMatchObject({ stdout: '5\n', code: 0 });
  });

  it('takes JSON as text/plain, base64 and hex files, args, and gives output in write order with interleave_output', async () => {
    const content = 'import sys\nprint(open("data.txt").read(), sys.argv[1:], flush=True)\nprint("e", file=sys.stderr, flush=True)\nprint("o", flush=True)';
    const answer = await execute(
      {
        language: 'python',
        version: '*',
        args: ['x', 'y'],
        interleave_output: true,
        files: [
          { name: 'main.py', content },
          { name: 'data.txt', content: Buffer.from('hex!').toString('hex'), encoding: 'hex' },
        ],
      },
      'text/plain;charset=UTF-8',
    );
    expect(answer.status).toBe(200);
    expect(run(answer).output).toBe("hex! ['x', 'y']\ne\no\n");
    const separate = await execute({ language: 'python', version: '*', files: [{ content: 'import sys; print("o"); print("e", file=sys.stderr)' }] });
    expect(run(separate)).toMatchObject({ stdout: 'o\n', stderr: 'e\n' });
  });

  it.skipIf(client.reason !== undefined)(`the npm piston-client runs programs against Bulkhead${client.reason ? ` (skipped: ${client.reason})` : ''}`, async () => {
    const module = (await import(pathToFileURL(join(client.dir, 'node_modules', 'piston-client', 'index.js')).href)) as { piston: (o: { server: string }) => PistonClient };
    const piston = module.piston({ server: service.url });
    const runtimes = await piston.runtimes();
    expect(runtimes.map((r) => r.language)).toEqual(expect.arrayContaining(['python', 'c']));
    const echo = await piston.execute('python', 'import sys\nprint(input()[::-1], sys.argv[1:])', { stdin: 'abc' });
    expect(echo.run).toMatchObject({ stdout: "cba ['1', '2', '3']\n", code: 0 });
    const args = await piston.execute('python', 'import sys; print(len(sys.argv) - 1)', { args: ['only'] });
    expect(args.run).toMatchObject({ stdout: '1\n' });
    const broken = await piston.execute('c', 'int main( {');
    expect(broken.compile).toMatchObject({ code: 1 });
    expect(broken.run).toMatchObject({ code: 1 });
    const slow = await piston.execute('python', 'while True: pass', { runTimeout: 1000 });
    expect(slow.run).toMatchObject({ status: 'TO', signal: 'SIGKILL' });
    const unknown = await piston.execute('cobol-from-mars', 'x');
    expect(unknown).toEqual({ message: 'version is required as a string' });
  });
});
