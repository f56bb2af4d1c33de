/**
 * Interactive problems through the real service (issue 15 item 5): a guessing game, with the
 * contestant and the interactor each in C++ and in Python. A binary search is OK, a wrong final
 * guess WRONG_ANSWER, a program that stops answering TIME_LIMIT (its own limit, not the
 * interactor's verdict), and an interactor that crashes marks the test checkerFailed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postRun } from '../helpers/service-client.js';
import { serviceUnavailableReason, startService, type TestService } from '../helpers/service.js';

/** Protocol: "? x" is answered "<", ">" or "=" (the secret compared with x); "! x" is the final answer. */
const PY_INTERACTOR = `import sys
secret = int(open(sys.argv[1]).read())
assert open(sys.argv[2]).read().strip() == str(secret)
for _ in range(30):
    line = sys.stdin.readline()
    if not line:
        print("the program stopped answering", file=sys.stderr)
        sys.exit(1)
    kind, value = line.split()
    value = int(value)
    if kind == "!":
        if value == secret:
            print("score=1", file=sys.stderr)
            sys.exit(0)
        print("wrong guess", value, file=sys.stderr)
        sys.exit(1)
    print("<" if secret < value else ">" if secret > value else "=", flush=True)
print("too many questions", file=sys.stderr)
sys.exit(1)
`;

const CPP_INTERACTOR = `#include <fstream>
#include <iostream>
#include <string>
int main(int argc, char **argv) {
  if (argc < 3) return 3;
  long secret; std::ifstream(argv[1]) >> secret;
  for (int i = 0; i < 30; i++) {
    std::string kind; long value;
    if (!(std::cin >> kind >> value)) { std::cerr << "the program stopped answering\\n"; return 1; }
    if (kind == "!") { if (value == secret) return 0; std::cerr << "wrong guess " << value << "\\n"; return 1; }
    std::cout << (secret < value ? "<" : secret > value ? ">" : "=") << std::endl;
  }
  std::cerr << "too many questions\\n";
  return 1;
}
`;

const PY_SEARCH = `lo, hi = 1, 1000
while lo < hi:
    mid = (lo + hi) // 2
    print("?", mid, flush=True)
    answer = input().strip()
    if answer == "=":
        lo = hi = mid
    elif answer == "<":
        hi = mid - 1
    else:
        lo = mid + 1
print("!", lo, flush=True)
`;

const CPP_SEARCH = `#include <iostream>
#include <string>
int main() {
  long lo = 1, hi = 1000;
  while (lo < hi) {
    long mid = (lo + hi) / 2;
    std::cout << "? " << mid << std::endl;
    std::string answer; std::cin >> answer;
    if (answer == "=") lo = hi = mid; else if (answer == "<") hi = mid - 1; else lo = mid + 1;
  }
  std::cout << "! " << lo << std::endl;
}
`;

const TESTS = [
  { stdin: '37', expected: '37' },
  { stdin: '1000', expected: '1000' },
  { stdin: '500', expected: '500' },
];
let service: TestService;

async function judge(body: Record<string, unknown>): Promise<Record<string, unknown> & { tests: Record<string, unknown>[] }> {
  const answer = await postRun(service.url, { tests: TESTS, ...body });
  expect(answer.httpStatus, JSON.stringify(answer.body)).toBe(200);
  return answer.body as Record<string, unknown> & { tests: Record<string, unknown>[] };
}

const skip = serviceUnavailableReason(['python', 'cpp']);
describe.skipIf(skip !== undefined)(`interactive problems${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('accepts a binary search: Python program with a C++ interactor, C++ program with a Python interactor', async () => {
    const pyProgram = await judge({ language: 'python', source: PY_SEARCH, interactor: { language: 'cpp', source: CPP_INTERACTOR } });
    expect(pyProgram).toMatchObject({ status: 'OK', passed: 3, total: 3 });
    const cppProgram = await judge({ language: 'cpp', source: CPP_SEARCH, interactor: { language: 'python', source: PY_INTERACTOR } });
    expect(cppProgram).toMatchObject({ status: 'OK', passed: 3, total: 3 });
    const first = cppProgram.tests[0] as { score?: number; interactor?: { status: string; exitCode: number; cpuTimeMs: number; memoryBytes: number }; stdout: string };
    expect(first.score).toBe(1);
    // Both sides' runs are reported: the program's own questions are its stdout.
    expect(first.stdout).toMatch(/^\? 500\n/);
    expect(first.interactor).toMatchObject({ status: 'OK', exitCode: 0 });
    expect(first.interactor?.memoryBytes).toBeGreaterThan(0);
  });

  it("gives WRONG_ANSWER for a wrong guess, with the interactor's message", async () => {
    for (const [language, source, interactor] of [
      ['python', 'print("! 7", flush=True)\n', { language: 'cpp', source: CPP_INTERACTOR }],
      ['cpp', '#include <iostream>\nint main(){ std::cout << "! 7" << std::endl; }\n', { language: 'python', source: PY_INTERACTOR }],
    ] as const) {
      const result = await judge({ language, source, interactor });
      expect(result).toMatchObject({ status: 'WRONG_ANSWER', passed: 0 });
      expect(result.tests[0]).toMatchObject({ status: 'WRONG_ANSWER', checkerMessage: 'wrong guess 7' });
      expect(result.tests[0]?.checkerFailed).toBeUndefined();
    }
  });

  it('gives TIME_LIMIT for a program that stops answering', async () => {
    const silent = 'import time\nprint("? 500", flush=True)\ntime.sleep(60)\n';
    const result = await judge({
      language: 'python',
      source: silent,
      limits: { wallTimeMs: 1500 },
      interactor: { language: 'python', source: PY_INTERACTOR },
      stopOnFirstFailure: true,
    });
    expect(result.tests[0]).toMatchObject({ status: 'TIME_LIMIT', timeLimit: 'wall' });
    expect(result.status).toBe('TIME_LIMIT');
  });

  it('marks the test checkerFailed when the interactor crashes, never INTERNAL_ERROR', async () => {
    const result = await judge({ language: 'python', source: PY_SEARCH, interactor: { language: 'python', source: 'raise SystemExit(3)\n' }, stopOnFirstFailure: true });
    expect(result.status).toBe('WRONG_ANSWER');
    expect(result.tests[0]).toMatchObject({ status: 'WRONG_ANSWER', checkerFailed: true });
  });

  it('refuses an interactor without tests, or together with a checker', async () => {
    const noTests = await postRun(service.url, { language: 'python', source: 'print(1)', interactor: { language: 'python', source: 'pass' } });
    expect(noTests.httpStatus).toBe(400);
    expect(noTests.body).toMatchObject({ error: { code: 'SBX_ERR_VALIDATION' } });
    const both = await postRun(service.url, {
      language: 'python',
      source: 'print(1)',
      tests: TESTS,
      checker: { language: 'python', source: 'pass' },
      interactor: { language: 'python', source: 'pass' },
    });
    expect(both.httpStatus).toBe(400);
  });
});
