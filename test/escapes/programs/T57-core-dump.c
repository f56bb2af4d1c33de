/* T57 core dump to a host pipe helper. How: with core_pattern set to a pipe ("|/usr/lib/..."), the
 * kernel runs the helper as root on the host for every core dump; a crash with a raised RLIMIT_CORE
 * triggers it.
 * Expected safe outcome: RLIMIT_CORE hard limit is 1 (the value that stops a pipe helper, T73) and
 * cannot be raised (EPERM); the abort ends the run RUNTIME_ERROR with signal SIGABRT; no host
 * helper runs. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <stdlib.h>
#include <sys/resource.h>

int main(void) {
  struct rlimit rl;
  getrlimit(RLIMIT_CORE, &rl);
  fact("core-hard-limit-one", rl.rlim_max == 1, 0);
  struct rlimit up = {RLIM_INFINITY, RLIM_INFINITY};
  TRY("core-raise", setrlimit(RLIMIT_CORE, &up));
  fact("aborting", 1, 0);
  abort();
}
