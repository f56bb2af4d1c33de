/* T19 fd exhaustion. How: open /dev/null until open fails, to exhaust the kernel or the worker fds.
 * Expected safe outcome: EMFILE at RLIMIT_NOFILE (at most 65536); the worker is unaffected; OK. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <fcntl.h>
#include <sys/resource.h>

int main(void) {
  long count = 0;
  int fd;
  while ((fd = open("/dev/null", O_RDONLY)) >= 0) count++;
  int err = errno;
  fact("open-first", count > 0, err);
  fact("open-unbounded", 0, err);
  fact("fds-at-most-65536", count <= 65536, 0);
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  printf("{\"opened\":%ld,\"soft\":%llu,\"hard\":%llu}\n", count, (unsigned long long)rl.rlim_cur,
         (unsigned long long)rl.rlim_max);
  return 0;
}
