/* The runner behind unit.h: registry, failure records, per-test temporary directories. */
#include "unit.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_TESTS 256

static struct {
  const char *name;
  sbx_unit_fn fn;
} tests[MAX_TESTS];
static int n_tests;
static int failures;
static char tmpdir[512];

void sbx_unit_register(const char *name, sbx_unit_fn fn) {
  if (n_tests == MAX_TESTS) {
    fprintf(stderr, "sbx-unit: more than %d tests\n", MAX_TESTS);
    exit(2);
  }
  tests[n_tests].name = name;
  tests[n_tests].fn = fn;
  n_tests++;
}

void sbx_unit_fail(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  printf("# %s:%d: ", file, line);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  failures++;
}

const char *sbx_unit_tmpdir(void) {
  if (tmpdir[0]) return tmpdir;
  const char *base = getenv("TMPDIR");
  snprintf(tmpdir, sizeof(tmpdir), "%s/sbx-unit-XXXXXX", base && *base ? base : "/tmp");
  if (!mkdtemp(tmpdir)) {
    perror("sbx-unit: mkdtemp");
    exit(2);
  }
  return tmpdir;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)st;
  (void)type;
  (void)ftw;
  return remove(path);
}

static int run_one(int i) {
  failures = 0;
  tests[i].fn();
  if (tmpdir[0]) nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
  tmpdir[0] = 0;
  /* The failure lines were printed as they happened; the verdict line follows them. */
  printf("%s %s\n", failures ? "not ok" : "ok", tests[i].name);
  fflush(stdout);
  return failures != 0;
}

static int find(const char *name) {
  for (int i = 0; i < n_tests; i++)
    if (strcmp(tests[i].name, name) == 0) return i;
  return -1;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--list") == 0) {
    for (int i = 0; i < n_tests; i++) printf("%s\n", tests[i].name);
    return 0;
  }
  int failed = 0;
  if (argc == 1) {
    for (int i = 0; i < n_tests; i++) failed |= run_one(i);
    return failed;
  }
  for (int a = 1; a < argc; a++) {
    int i = find(argv[a]);
    if (i < 0) {
      printf("not ok %s\n# no such test\n", argv[a]);
      failed = 1;
      continue;
    }
    failed |= run_one(i);
  }
  return failed;
}
