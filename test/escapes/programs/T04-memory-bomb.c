/* T04 memory bomb (C). How: allocate 16 MiB blocks and touch every page so they become resident.
 * Expected safe outcome: the memory cgroup OOM-kills the program: MEMORY_LIMIT, peak memory close
 * to the limit; the worker and the host are not OOM-killed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <stdlib.h>

int main(void) {
  const size_t block = 16u << 20;
  for (size_t total = 0;; total += block) {
    char *p = malloc(block);
    if (p == NULL) {
      fact("malloc", 0, errno);
      return 1;
    }
    memset(p, 0x5a, block);
    if (total == 0) fact("malloc-first", 1, 0);
  }
}
