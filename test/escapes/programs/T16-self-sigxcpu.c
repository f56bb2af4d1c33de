/* T16 status spoofing by self-SIGXCPU. How: raise SIGXCPU, the signal RLIMIT_CPU sends, without
 * having used any CPU time.
 * Expected safe outcome: RUNTIME_ERROR with signal SIGXCPU; never TIME_LIMIT. */
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
  fact("raising-sigxcpu", 1, 0);
  raise(SIGXCPU);
  return 0;
}
