/* T16 status spoofing by self-SIGKILL. How: the program kills itself with SIGKILL, the signal the
 * sandbox uses for limits, hoping to be reported as TIME_LIMIT or MEMORY_LIMIT.
 * Expected safe outcome: RUNTIME_ERROR with signal SIGKILL; never a limit status. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <signal.h>

int main(void) {
  fact("killing-self", 1, 0);
  raise(SIGKILL);
  return 0;
}
