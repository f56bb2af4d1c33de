/* T03 zombie flood. How: fork children that exit at once and are never reaped, until fork fails;
 * zombies hold pids, so they could exhaust the host pid space if nothing bounded them.
 * Expected safe outcome: fork fails with EAGAIN at the pids limit; when the program exits the
 * run init reaps or kills everything; status OK; no zombie or process left on the host. */
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
#include <unistd.h>

int main(void) {
  long count = 0;
  for (; count < 1000000; count++) {
    pid_t p = fork();
    if (p == 0) _exit(0);
    if (p < 0) break;
  }
  fact("fork-first", count > 0, errno);
  fact("fork-unbounded", 0, errno);
  fact("zombies-below-10000", count < 10000, 0);
  return 0;
}
