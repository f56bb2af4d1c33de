/* T03 zombie flood. How: fork children that exit at once and are never reaped, until fork fails;
 * zombies hold pids, so they could exhaust the host pid space if nothing bounded them.
 * Expected safe outcome: fork fails with EAGAIN at the pids limit; when the program exits the
 * run init reaps or kills everything; status OK; no zombie or process left on the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
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
