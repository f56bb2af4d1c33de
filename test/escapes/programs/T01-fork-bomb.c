/* T01 fork bomb (C). How: every process forks in an endless loop, so the number of processes
 * doubles until something stops it.
 * Expected safe outcome: the cgroup pids limit makes fork() fail with EAGAIN (reported once by the
 * first process); the run ends TIME_LIMIT or RUNTIME_ERROR within wall + grace; the host and a
 * concurrent benign run are unaffected; no process is left afterwards. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <unistd.h>

int main(void) {
  pid_t root = getpid();
  int first = 1, reported = 0;
  for (;;) {
    pid_t p = fork();
    if (getpid() != root) continue;
    if (first) {
      fact("fork-first", p > 0, errno);
      first = 0;
    }
    if (p < 0 && !reported) {
      fact("fork-unbounded", 0, errno);
      reported = 1;
    }
  }
}
