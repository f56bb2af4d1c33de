/* T06 stack overflow. How: unbounded recursion with a 4 KiB frame until the stack limit.
 * Expected safe outcome: RUNTIME_ERROR with signal SIGSEGV (11); nothing else affected. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* One fact per line: ok = the operation succeeded (or the stated condition holds). */
static void fact(const char *check, int ok, int err) {
  const char *name = (ok || err == 0) ? "" : strerrorname_np(err);
  printf("{\"check\":\"%s\",\"ok\":%s,\"errno\":\"%s\"}\n", check, ok ? "true" : "false", name ? name : "?");
  fflush(stdout);
}

/* Records whether a call returning -1 on failure succeeded, with its errno. */
#define TRY(check, call) do { errno = 0; long r_ = (long)(call); fact(check, r_ != -1, errno); } while (0)

static int down(int n) {
  volatile char frame[4096];
  frame[0] = (char)n;
  return down(n + 1) + frame[0];
}

int main(void) {
  fact("recursion-start", 1, 0);
  return down(0);
}
