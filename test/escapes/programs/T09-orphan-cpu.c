/* T09 CPU burned by a child after the parent exits. How: the parent forks a spinning child and
 * exits 0 at once, hoping the run is judged finished while the child keeps burning CPU.
 * Expected safe outcome: the child is killed when the run ends (status OK), or counted until
 * TIME_LIMIT; CPU time includes the child; no survivor on the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
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
