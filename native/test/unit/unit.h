/*
 * A minimal test runner for the pure parts of the C core (no framework). Each test is a
 * function registered with TEST(name); CHECK records a failure with file, line and a message
 * and the test goes on, so one run reports every broken expectation of a case.
 *
 *   sbx-unit --list     one test name per line
 *   sbx-unit NAME...    runs those tests; sbx-unit alone runs all
 *
 * Output per test: its failures as they happen, one "# file:line: message" each, then "ok NAME"
 * or "not ok NAME"; the exit status is 1 when any test failed. test/sandbox/native-core.test.ts runs every case as
 * its own vitest test.
 */
#ifndef SBX_UNIT_H
#define SBX_UNIT_H

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "sbx.h"

typedef void (*sbx_unit_fn)(void);

void sbx_unit_register(const char *name, sbx_unit_fn fn);
void sbx_unit_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A fresh empty directory under $TMPDIR (or /tmp) for this test; removed after the test. */
const char *sbx_unit_tmpdir(void);

/* Registration before main (a constructor per test), so a new test file needs no list edit. */
#define TEST(name)                                                                                          \
  static void test_##name(void);                                                                            \
  __attribute__((constructor)) static void register_##name(void) { sbx_unit_register(#name, test_##name); } \
  static void test_##name(void)

#define CHECK(cond, ...)                                            \
  do {                                                              \
    if (!(cond)) sbx_unit_fail(__FILE__, __LINE__, "" __VA_ARGS__); \
  } while (0)

#define CHECK_U64(actual, expected)                                                                           \
  do {                                                                                                        \
    uint64_t a_ = (uint64_t)(actual), e_ = (uint64_t)(expected);                                              \
    if (a_ != e_) sbx_unit_fail(__FILE__, __LINE__, "%s is %" PRIu64 ", expected %" PRIu64, #actual, a_, e_); \
  } while (0)

#define CHECK_INT(actual, expected)                                                                \
  do {                                                                                             \
    long long a_ = (long long)(actual), e_ = (long long)(expected);                                \
    if (a_ != e_) sbx_unit_fail(__FILE__, __LINE__, "%s is %lld, expected %lld", #actual, a_, e_); \
  } while (0)

#define CHECK_STR(actual, expected)                                                                        \
  do {                                                                                                     \
    const char *a_ = (actual), *e_ = (expected);                                                           \
    if (!a_ || strcmp(a_, e_) != 0)                                                                        \
      sbx_unit_fail(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", #actual, a_ ? a_ : "(null)", e_); \
  } while (0)

#endif
