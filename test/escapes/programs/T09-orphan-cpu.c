/* T09 CPU burned by a child after the parent exits. How: the parent forks a spinning child and
 * exits 0 at once, hoping the run is judged finished while the child keeps burning CPU.
 * Expected safe outcome: the child is killed when the run ends (status OK), or counted until
 * TIME_LIMIT; CPU time includes the child; no survivor on the host. */
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
  pid_t p = fork();
  if (p == 0) {
    close(1);
    close(2);
    volatile unsigned long n = 0;
    for (;;) n++;
  }
  fact("child-forked", p > 0, errno);
  return 0;
}
