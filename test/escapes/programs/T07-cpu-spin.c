/* T07 CPU spin. How: an endless busy loop.
 * Expected safe outcome: TIME_LIMIT (cpu), CPU time at least the limit, killed with SIGKILL. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"

int main(void) {
  fact("spin-start", 1, 0);
  volatile unsigned long n = 0;
  for (;;) n++;
}
