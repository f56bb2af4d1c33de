/**
 * Classic problems with known solutions (correct, wrong, too slow, too much memory, crashing, not
 * compiling) in C++, Python and Java, and the exact per-test verdicts each must get.
 */

/** A+B. Test 3 overflows 32-bit integers, so an `int` solution is wrong on it alone. */
export const A_PLUS_B_TESTS = [
  { id: 'small', stdin: '1 2\n', expected: '3\n' },
  { id: 'negative', stdin: '-5 5\n', expected: '0\n' },
  { id: 'overflow', stdin: '2000000000 2000000000\n', expected: '4000000000\n' },
];

export const A_PLUS_B = {
  cppCorrect: '#include <iostream>\nint main() { long long a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }\n',
  /** 32-bit sum (stored through a volatile int so the optimiser cannot widen it). */
  cppInt: '#include <cstdio>\nint main() { int a, b; scanf("%d %d", &a, &b); volatile int s; s = a + b; printf("%d\\n", s); }\n',
  pythonCorrect: 'a, b = map(int, input().split())\nprint(a + b)\n',
  /** max(a, b) * 2: right only when a == b (test 3). */
  pythonWrong: 'a, b = map(int, input().split())\nprint(max(a, b) * 2)\n',
  javaCorrect:
    'import java.util.*;\npublic class Main {\n  public static void main(String[] args) {\n    Scanner s = new Scanner(System.in);\n' +
    '    long a = s.nextLong(), b = s.nextLong();\n    System.out.println(a + b);\n  }\n}\n',
  javaInt:
    'import java.util.*;\npublic class Main {\n  public static void main(String[] args) {\n    Scanner s = new Scanner(System.in);\n' +
    '    int a = s.nextInt(), b = s.nextInt();\n    System.out.println(a + b);\n  }\n}\n',
};

/** Sum of an array: a tiny test and one with 200 000 numbers. */
const BIG_N = 200_000;
const bigNumbers = Array.from({ length: BIG_N }, (_, i) => (i * 7919) % 1000);
export const SUM_TESTS = [
  { id: 'tiny', stdin: '3\n1 2 3\n', expected: '6\n' },
  { id: 'big', stdin: `${BIG_N}\n${bigNumbers.join(' ')}\n`, expected: `${bigNumbers.reduce((s, x) => s + x, 0)}\n` },
];

const CPP_READ =
  '#include <cstdio>\n#include <vector>\n#include <stdexcept>\nint main() {\n  int n; if (scanf("%d", &n) != 1) return 2;\n' +
  '  std::vector<long long> a(n); for (auto& x : a) if (scanf("%lld", &x) != 1) return 2;\n';

export const SUM = {
  cppCorrect: `${CPP_READ}  long long s = 0; for (long long x : a) s += x;\n  printf("%lld\\n", s);\n}\n`,
  /** Quadratic busy work (volatile, so -O2 keeps it): fine for 3 numbers, far too slow for 200 000. */
  cppSlow: `${CPP_READ}  volatile long long spin = 0; long long s = 0;\n  for (int i = 0; i < n; i++) { for (int j = 0; j < i; j++) spin = spin + 1; s += a[i]; }\n  printf("%lld\\n", s);\n}\n`,
  /** An uncaught std::out_of_range once n > 100: abort (SIGABRT). */
  cppCrash: `${CPP_READ}  long long s = 0; for (long long x : a) s += x;\n  if (n > 100) { std::vector<int> v(3); s += v.at(n); }\n  printf("%lld\\n", s);\n}\n`,
  pythonCorrect: 'input()\nprint(sum(map(int, input().split())))\n',
  /** 4000 bytes per number, all written: 12 kB for the tiny test, 800 MB for the big one. */
  pythonMemory: 'n = int(input())\nwaste = b"x" * (n * 4000)\nprint(sum(map(int, input().split())))\n',
  javaCorrect:
    'import java.io.*;\nimport java.util.*;\npublic class Main {\n  public static void main(String[] args) throws IOException {\n' +
    '    BufferedReader r = new BufferedReader(new InputStreamReader(System.in));\n    int n = Integer.parseInt(r.readLine().trim());\n' +
    '    StringTokenizer t = new StringTokenizer(r.readLine());\n    long s = 0;\n    for (int i = 0; i < n; i++) s += Long.parseLong(t.nextToken());\n' +
    '    System.out.println(s);\n  }\n}\n',
  /** A fixed array of 1000: ArrayIndexOutOfBoundsException (exit 1) on the big test. */
  javaCrash:
    'import java.io.*;\nimport java.util.*;\npublic class Main {\n  public static void main(String[] args) throws IOException {\n' +
    '    BufferedReader r = new BufferedReader(new InputStreamReader(System.in));\n    int n = Integer.parseInt(r.readLine().trim());\n' +
    '    StringTokenizer t = new StringTokenizer(r.readLine());\n    long[] a = new long[1000];\n    long s = 0;\n' +
    '    for (int i = 0; i < n; i++) { a[i] = Long.parseLong(t.nextToken()); s += a[i]; }\n    System.out.println(s);\n  }\n}\n',
};

/** Programs that do not compile. */
export const BROKEN = {
  cpp: '#include <cstdio>\nint main() { printf("%d\\n", undefined_name); }\n',
  java: 'public class Main {\n  public static void main(String[] args) { int x = "not a number"; }\n}\n',
};

/** "Split N into two positive integers": many right answers, so only a checker can judge it. */
export const SPLIT_TESTS = [
  { id: 'two', stdin: '2\n' },
  { id: 'ten', stdin: '10\n' },
  { id: 'million', stdin: '1000000\n' },
];

export const SPLIT = {
  pythonOneAndRest: 'n = int(input())\nprint(1, n - 1)\n',
  cppHalves: '#include <cstdio>\nint main() { long long n; scanf("%lld", &n); printf("%lld %lld\\n", n / 2, n - n / 2); }\n',
  /** Sums to N, but 0 is not positive. */
  bashZero: 'read n\necho "$n 0"\n',
};

/** Python checker: score 1 and exit 0 for a valid split, score 0 and exit 1 otherwise. */
export const SPLIT_CHECKER_PY = `import sys
inp, out, _ = sys.argv[1], sys.argv[2], sys.argv[3]
n = int(open(inp).read())
try:
    a, b = map(int, open(out).read().split())
except ValueError:
    print("score=0"); print("expected two integers"); sys.exit(1)
if a > 0 and b > 0 and a + b == n:
    print("score=1"); print(f"ok {a}+{b}={n}"); sys.exit(0)
print("score=0"); print(f"{a}+{b} is not a split of {n} into positive parts"); sys.exit(1)
`;

/** C++ checker: the right sum with a non-positive part earns half a point (still WRONG_ANSWER). */
export const SPLIT_CHECKER_CPP = `#include <cstdio>
int main(int argc, char** argv) {
  if (argc < 4) return 3;
  FILE* in = fopen(argv[1], "r"); FILE* out = fopen(argv[2], "r");
  long long n, a, b;
  if (!in || fscanf(in, "%lld", &n) != 1) { puts("cannot read the input"); return 3; }
  if (!out || fscanf(out, "%lld %lld", &a, &b) != 2) { puts("score=0"); puts("expected two integers"); return 1; }
  if (a + b != n) { puts("score=0"); printf("sum %lld != %lld\\n", a + b, n); return 1; }
  if (a <= 0 || b <= 0) { puts("score=0.5"); puts("parts must be positive"); return 1; }
  puts("score=1"); printf("ok %lld+%lld\\n", a, b); return 0;
}
`;
