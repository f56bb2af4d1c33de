/* T12 self-SIGSTOP. How: the program stops itself; a stopped process burns no CPU and never exits,
 * so only a wall-clock limit (with SIGKILL, which works on stopped processes) ends it.
 * Expected safe outcome: TIME_LIMIT (wall); no stopped process left behind. */
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
  fact("stopping", 1, 0);
  raise(SIGSTOP);
  fact("resumed", 1, 0);
  return 0;
}
