/* T13 stdout flood. How: write to stdout as fast as possible, forever.
 * Expected safe outcome: OUTPUT_LIMIT; the returned stdout is at most the output limit and marked
 * truncated; the worker memory stays bounded; the run is killed promptly. */
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
#include <unistd.h>

int main(void) {
  static char buf[65536];
  memset(buf, 0x41, sizeof buf);
  for (;;) if (write(1, buf, sizeof buf) < 0) return 1;
}
