/* T01 fork bomb (C). How: every process forks in an endless loop, so the number of processes
 * doubles until something stops it.
 * Expected safe outcome: the cgroup pids limit makes fork() fail with EAGAIN (reported once by the
 * first process); the run ends TIME_LIMIT or RUNTIME_ERROR within wall + grace; the host and a
 * concurrent benign run are unaffected; no process is left afterwards. */
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
  pid_t root = getpid();
  int first = 1, reported = 0;
  for (;;) {
    pid_t p = fork();
    if (getpid() != root) continue;
    if (first) { fact("fork-first", p > 0, errno); first = 0; }
    if (p < 0 && !reported) { fact("fork-unbounded", 0, errno); reported = 1; }
  }
}
