/* T16 status spoofing by self-SIGKILL. How: the program kills itself with SIGKILL, the signal the
 * sandbox uses for limits, hoping to be reported as TIME_LIMIT or MEMORY_LIMIT.
 * Expected safe outcome: RUNTIME_ERROR with signal SIGKILL; never a limit status. */
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
#include <signal.h>

int main(void) {
  fact("killing-self", 1, 0);
  raise(SIGKILL);
  return 0;
}
