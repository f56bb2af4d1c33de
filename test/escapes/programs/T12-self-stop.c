/* T12 self-SIGSTOP. How: the program stops itself; a stopped process burns no CPU and never exits,
 * so only a wall-clock limit (with SIGKILL, which works on stopped processes) ends it.
 * Expected safe outcome: TIME_LIMIT (wall); no stopped process left behind. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <signal.h>

int main(void) {
  fact("stopping", 1, 0);
  raise(SIGSTOP);
  fact("resumed", 1, 0);
  return 0;
}
