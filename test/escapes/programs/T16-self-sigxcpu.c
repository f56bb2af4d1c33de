/* T16 status spoofing by self-SIGXCPU. How: raise SIGXCPU, the signal RLIMIT_CPU sends, without
 * having used any CPU time.
 * Expected safe outcome: RUNTIME_ERROR with signal SIGXCPU; never TIME_LIMIT. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <signal.h>

int main(void) {
  fact("raising-sigxcpu", 1, 0);
  raise(SIGXCPU);
  return 0;
}
